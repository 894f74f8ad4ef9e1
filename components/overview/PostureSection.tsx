'use client';

/**
 * Posture above the traffic: the cluster score and each namespace's score, every lost point linked to the
 * finding that cost it, and the findings most severe first, each linking to its objects on the map.
 */

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { FixCheck, Severity } from '@/lib/posture/finding';
import type { ReportDeduction, ReportFinding } from '@/lib/posture/posture-report';
import type { ScoreBasis } from '@/lib/posture/posture-score';
import { postureQuery } from '../api/queries';
import { SourceHealthBanner } from '../explain/SourceHealthBanner';
import { SEVERITY_CLASS } from '../explain/severity-class';

/** Anchor of a finding in the list (keys hold `:` and `/`, fine in an id but not pretty in a URL). */
export const findingAnchor = (key: string) => `finding-${key.replace(/[^A-Za-z0-9_-]+/g, '-')}`;

function scoreClass(score: number): string {
  if (score >= 90) return 'text-green-700';
  if (score >= 70) return 'text-amber-600';
  return 'text-red-700';
}

function SeverityTag({ s }: { s: Severity }) {
  return <span className={`rounded px-1.5 py-px text-[10px] font-semibold uppercase ${SEVERITY_CLASS[s]}`}>{s}</span>;
}

function Deductions({ list, testId }: { list: ReportDeduction[]; testId: string }) {
  if (list.length === 0) return <p className="text-xs text-slate-500">no points lost</p>;
  return (
    <ul className="text-xs" data-testid={testId}>
      {list.map((d) => (
        <li key={d.findingKey} className="flex min-w-0 gap-2">
          <span className="w-12 shrink-0 text-right font-mono text-red-700" data-testid="deduction-points">
            −{d.points}
          </span>
          <a href={`#${findingAnchor(d.findingKey)}`} className="min-w-0 truncate text-sky-700 hover:underline" data-testid="deduction-link" title={`${d.title} (${d.findingKey})`}>
            {d.findingKey}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** What the score weighs (policies, observed flows, Azure): why `flowsight findings` may score the same cluster higher. */
function ScoreBasisLine({ basis }: { basis: ScoreBasis }) {
  const window = basis.flowWindow ? `flows from ${new Date(basis.flowWindow.from).toLocaleTimeString()} to ${new Date(basis.flowWindow.to).toLocaleTimeString()}` : undefined;
  return (
    <p className="mt-1 text-xs text-slate-600" data-testid="score-basis" data-observed-flows={basis.observedFlows} title={window}>
      {basis.text}
    </p>
  );
}

const CHECK_LABEL: Record<FixCheck['status'], string> = { verified: 'checked by the engine', narrowed: 'narrowed by the engine', refused: 'withheld by the engine', pending: 'being checked by the engine' };

/** What applying the fix to the snapshot showed: what it stops on purpose, what it must not stop. */
function FixCheckLine({ check }: { check: FixCheck }) {
  return (
    <div className="mt-1 text-[11px] text-slate-600" data-testid="fix-check" data-status={check.status}>
      <span className={check.status === 'refused' || check.status === 'pending' ? 'font-semibold text-amber-700' : 'font-semibold text-green-700'}>{CHECK_LABEL[check.status]}</span>
      {check.stops.count > 0 && <span>: stops {check.stops.count} connection{check.stops.count === 1 ? '' : 's'} allowed today on purpose (e.g. {check.stops.examples.slice(0, 2).join(', ')})</span>}
      {check.spared.length > 0 && <span>; keeps {check.spared.map((s) => s.connection).slice(0, 3).join(', ')}</span>}
    </div>
  );
}

function FindingItem({ f }: { f: ReportFinding }) {
  return (
    <li id={findingAnchor(f.key)} data-testid="finding" data-key={f.key} className="scroll-mt-4 border-b border-slate-100 py-2 target:bg-sky-50">
      <div className="flex items-start gap-2">
        <SeverityTag s={f.severity} />
        <div className="min-w-0 flex-1">
          <p className="text-sm">{f.title}</p>
          <p className="font-mono text-[11px] text-slate-500">{f.key}</p>
          <ul className="mt-1 list-disc pl-4 text-xs text-slate-700">
            {f.evidence.map((e, i) => (
              <li key={i}>
                {e.text}
                {e.flowCount ? <span className="text-slate-500"> ({e.flowCount} flows)</span> : null}
              </li>
            ))}
          </ul>
          <div className="mt-1 flex flex-wrap gap-3 text-xs">
            {f.links.map && (
              <Link prefetch={false} href={f.links.map} className="text-sky-700 hover:underline" data-testid="finding-map-link">
                show on map
              </Link>
            )}
            {f.links.policies && (
              <Link prefetch={false} href={f.links.policies} className="text-sky-700 hover:underline">
                show policy
              </Link>
            )}
          </div>
          <details className="mt-1 text-xs">
            <summary className="cursor-pointer text-slate-600">fix: {f.fix.text}</summary>
            {f.fix.check && <FixCheckLine check={f.fix.check} />}
            {f.fix.yaml && <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-900 p-2 text-[10px] text-slate-100">{f.fix.yaml}</pre>}
            {f.fix.commands && <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-2 text-[10px] text-slate-100">{f.fix.commands.join('\n')}</pre>}
          </details>
        </div>
      </div>
    </li>
  );
}

export function PostureSection() {
  const q = useQuery(postureQuery());
  const r = q.data;
  if (!r) {
    return (
      <section className="rounded border border-slate-200 bg-white p-4 md:col-span-2">
        <h2 className="font-semibold">Posture</h2>
        <p className="text-sm text-slate-500">{q.error ? `Posture unavailable: ${q.error.message}` : 'Evaluating policies…'}</p>
      </section>
    );
  }
  return (
    <>
      {(r.source.stale || r.source.errorCount + r.source.policyErrorCount > 0) && (
        <div className="overflow-hidden rounded border border-slate-200 md:col-span-2">
          <SourceHealthBanner source={r.source} />
        </div>
      )}
      <section className="rounded border border-slate-200 bg-white p-4" data-testid="posture-scores">
        <h2 className="mb-2 font-semibold">Posture score</h2>
        <p className="flex items-baseline gap-2">
          <span className={`text-4xl font-bold ${scoreClass(r.cluster.score)}`} data-testid="cluster-score">
            {r.cluster.score}
          </span>
          <span className="text-sm text-slate-500">/ 100 cluster-wide (namespaces weighted by pods)</span>
        </p>
        <ScoreBasisLine basis={r.basis} />
        <details className="mt-1">
          <summary className="cursor-pointer text-xs text-slate-600">where the {Math.round((100 - r.cluster.score) * 100) / 100} points went</summary>
          <Deductions list={r.cluster.deductions} testId="cluster-deductions" />
        </details>
        <table className="mt-3 w-full table-fixed text-sm" data-testid="namespace-scores">
          <colgroup>
            <col className="w-28" />
            <col className="w-12" />
            <col />
          </colgroup>
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th>namespace</th>
              <th className="text-right">score</th>
              <th className="pl-3">points lost to</th>
            </tr>
          </thead>
          <tbody>
            {r.namespaces.map((n) => (
              <tr key={n.namespace} id={`posture-${n.namespace}`} data-testid={`ns-score-${n.namespace}`} className="border-t border-slate-100 align-top">
                <td>
                  <Link prefetch={false} className="text-sky-700 hover:underline" href={`/map?ns=${encodeURIComponent(n.namespace)}&posture=1`}>
                    {n.namespace}
                  </Link>
                  <span className="ml-1 text-xs text-slate-400">{n.pods} pods</span>
                </td>
                <td className={`text-right font-mono font-semibold ${scoreClass(n.score)}`} data-testid="ns-score-value">
                  {n.score}
                </td>
                <td className="pl-3">
                  <Deductions list={n.deductions} testId={`ns-deductions-${n.namespace}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="rounded border border-slate-200 bg-white p-4" data-testid="findings">
        <h2 className="mb-1 font-semibold">
          Findings <span className="text-sm font-normal text-slate-500">({r.findingCount})</span>
        </h2>
        <p className="mb-2 flex flex-wrap gap-2 text-xs">
          {(Object.entries(r.countsBySeverity) as [Severity, number][]).filter(([, n]) => n > 0).map(([s, n]) => (
            <span key={s} className="flex items-center gap-1">
              <SeverityTag s={s} /> {n}
            </span>
          ))}
        </p>
        {r.findings.length === 0 ? (
          <p className="text-sm text-slate-500">No findings: every namespace is isolated with DNS allowed.</p>
        ) : (
          <ol className="max-h-[36rem] overflow-y-auto" data-testid="findings-list">
            {r.findings.map((f) => (
              <FindingItem key={f.key} f={f} />
            ))}
          </ol>
        )}
        {r.findingCount > r.findings.length && <p className="text-xs text-slate-500">showing the {r.findings.length} most severe of {r.findingCount}</p>}
      </section>
    </>
  );
}
