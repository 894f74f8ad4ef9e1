'use client';

import type { ChangeProblem } from '@/lib/what-if/proposed-change';
import type { SimulationResult } from '@/lib/what-if/replay';
import { shortTime } from '../search/time-range';
import { AffectedEdges } from './AffectedEdges';
import { DnsBreakage } from './DnsBreakage';
import { count, plural } from './edge-words';
import { OutcomeMap } from './OutcomeMap';
import { OutcomeTotals } from './OutcomeTotals';
import { SimulationNotes } from './SimulationNotes';
import { UnobservedPaths } from './UnobservedPaths';

/** One simulation: the verdict in a line, DNS breakage first, totals, notes, the map, the edges, unobserved paths. */
export function SimulationResultView({ result, problems, testId = 'simulation-result' }: { result: SimulationResult; problems?: ChangeProblem[]; testId?: string }) {
  const t = result.totals.breaks;
  const u = result.totals.unverified;
  // Green only when something was replayed and nothing breaks or may break.
  const tone = result.breaksTraffic ? 'text-red-700' : result.mayBreakTraffic ? 'text-pink-700' : result.replayed.flows === 0 ? 'text-slate-700' : 'text-green-700';
  const headline = result.breaksTraffic
    ? `Would break ${plural(t.connections, 'observed connection')} (${plural(t.flows, 'flow')})${u.connections ? `, and may break ${plural(u.connections, 'more')}` : ''}`
    : result.mayBreakTraffic
      ? `May break ${plural(u.connections, 'observed connection')}: new L7 rules, and no request data in the window to check them`
      : result.replayed.flows === 0
        ? 'Nothing to judge: no traffic in the window'
        : 'No observed traffic would break';
  const window = `${result.range.since !== null ? shortTime(result.range.since) : 'start'} → ${result.range.until !== null ? shortTime(result.range.until) : 'now'}`;
  return (
    <section data-testid={testId} data-breaks-traffic={result.breaksTraffic ? 'true' : 'false'} className="flex flex-col gap-3">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h2 data-testid="simulation-verdict" className={`text-base font-semibold ${tone}`}>
          {headline}
        </h2>
        <span data-testid="simulation-window" className="text-xs text-slate-600">
          {window} · {count(result.replayed.flows)} flows in {count(result.replayed.connections)} connections replayed · datapath {result.datapath} · {count(result.tookMs)} ms
        </span>
      </div>
      {result.replayed.flows === 0 && (
        <p data-testid="simulation-empty-window" className="rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900">
          The history holds no flow in this window: nothing was replayed. Choose a longer window.
        </p>
      )}
      <DnsBreakage result={result} />
      <OutcomeTotals result={result} />
      <SimulationNotes result={result} {...(problems ? { problems } : {})} />
      <OutcomeMap result={result} />
      <AffectedEdges edges={result.edges} truncated={result.edgesTruncated} />
      <UnobservedPaths paths={result.unobserved} />
    </section>
  );
}
