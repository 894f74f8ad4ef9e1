import type { SimulationResult } from '@/lib/what-if/replay';
import { shortTime } from '../search/time-range';
import { changedFlows, count, edgeWords, plural } from './edge-words';

/** DNS the change breaks (or puts in audit), first and on its own: without DNS nothing else works either. */
export function DnsBreakage({ result }: { result: SimulationResult }) {
  if (!result.dns.length) {
    return (
      <p data-testid="dns-ok" className="text-xs text-slate-600">
        DNS: no name lookup observed in the window would be denied.
      </p>
    );
  }
  const t = result.totals.dnsBreaks;
  return (
    <section role="alert" data-testid="dns-breakage" data-edges={result.dns.length} className="rounded border-2 border-red-500 bg-red-50 p-3 text-sm text-red-900">
      <h3 className="font-semibold">DNS breakage: pods would fail to resolve names</h3>
      <p className="text-xs">
        {plural(t.connections, 'connection')} ({plural(t.flows, 'flow')}) to DNS pass today and would be denied. Everything those pods reach by name fails with them: allow DNS to
        kube-dns first.
      </p>
      <ul className="mt-2 flex flex-col gap-1">
        {result.dns.map((e) => {
          const ex = e.examples.find((x) => x.outcome === e.outcome) ?? e.examples[0];
          return (
            <li key={e.id} data-testid="dns-edge" data-edge={e.id} data-source={e.source} data-outcome={e.outcome} className="text-xs">
              <span className="font-mono font-semibold">{edgeWords(e)}</span> · {count(changedFlows(e))} flows, {shortTime(e.firstSeen)} – {shortTime(e.lastSeen)}
              {e.outcome === 'audit' && <span className="ml-1 rounded bg-amber-100 px-1 text-amber-800">audit</span>}
              {ex && <div className="text-red-800">{ex.after.why}</div>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
