import type { Outcome, SimulationResult } from '@/lib/what-if/replay';
import { count } from './edge-words';
import { OUTCOME_STYLE } from './outcome-map';

const ORDER: Outcome[] = ['breaks', 'unverified', 'audit', 'opens', 'unchanged'];

/** Connections and flows per outcome over the window. */
export function OutcomeTotals({ result }: { result: SimulationResult }) {
  return (
    <div data-testid="outcome-totals" className="grid grid-cols-2 gap-2 sm:grid-cols-5">
      {ORDER.map((o) => {
        const t = result.totals[o];
        return (
          <div key={o} data-testid={`total-${o}`} data-connections={t.connections} data-flows={t.flows} className="rounded border border-slate-200 bg-white px-3 py-2" style={{ borderLeft: `4px solid ${OUTCOME_STYLE[o].color}` }}>
            <div className="text-xs text-slate-600">{OUTCOME_STYLE[o].short}</div>
            <div className="text-lg font-semibold">{count(t.connections)}</div>
            <div className="text-xs text-slate-500">
              connection{t.connections === 1 ? '' : 's'} · {count(t.flows)} flows
            </div>
          </div>
        );
      })}
    </div>
  );
}
