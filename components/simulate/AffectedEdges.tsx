'use client';

import { useState } from 'react';
import type { ReplayEdge, ReplayExample } from '@/lib/what-if/replay';
import { shortTime } from '../search/time-range';
import { changedFlows, count, edgeWords } from './edge-words';
import { OUTCOME_STYLE } from './outcome-map';

/** Rows shown before "show all": the table stays quick to render and read. */
const FIRST_ROWS = 200;

function Example({ ex }: { ex: ReplayExample }) {
  return (
    <div className="flex flex-col gap-0.5">
      {ex.request && <span className="font-mono text-slate-700">{ex.request}</span>}
      <span>
        <b className="text-slate-500">before</b> {ex.before.verdict}: {ex.before.why}
      </span>
      <span>
        <b className="text-slate-500">after</b> {ex.after.verdict}: {ex.after.why}
      </span>
    </div>
  );
}

/** The edges whose traffic the change affects (or every edge, on request), most severe first. */
export function AffectedEdges({ edges, truncated }: { edges: ReplayEdge[]; truncated: boolean }) {
  const [withUnchanged, setWithUnchanged] = useState(false);
  const [all, setAll] = useState(false);
  const affected = edges.filter((e) => e.outcome !== 'unchanged');
  const list = withUnchanged ? edges : affected;
  const shown = all ? list : list.slice(0, FIRST_ROWS);
  return (
    <section className="flex flex-col gap-2">
      <div className="flex items-center gap-3">
        <h3 className="text-sm font-semibold">Affected edges ({count(affected.length)})</h3>
        <label className="flex items-center gap-1 text-xs text-slate-600">
          <input type="checkbox" data-testid="show-unchanged" checked={withUnchanged} onChange={(e) => setWithUnchanged(e.target.checked)} />
          show unchanged edges too
        </label>
        {truncated && <span className="text-xs text-amber-700">only the first edges of the window are listed</span>}
      </div>
      {list.length === 0 ? (
        <p data-testid="affected-edges-empty" className="text-sm text-slate-600">
          No observed edge changes verdict with this change.
        </p>
      ) : (
        <div className="overflow-x-auto rounded border border-slate-200 bg-white">
          <table data-testid="affected-edges" className="w-full text-left text-xs">
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                <th className="px-2 py-1.5">Outcome</th>
                <th className="px-2 py-1.5">Edge</th>
                <th className="px-2 py-1.5 text-right">Flows</th>
                <th className="px-2 py-1.5">First seen</th>
                <th className="px-2 py-1.5">Last seen</th>
                <th className="px-2 py-1.5">Example</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => {
                const ex = e.examples.find((x) => x.outcome === e.outcome) ?? e.examples[0];
                return (
                  <tr key={e.id} data-testid="affected-edge" data-edge={e.id} data-outcome={e.outcome} data-source={e.source} data-target={e.target} data-dns={e.dns ? 'true' : 'false'} className="border-t border-slate-100 align-top">
                    <td className="whitespace-nowrap px-2 py-1.5">
                      <span className="rounded px-1.5 py-0.5 font-medium text-white" style={{ backgroundColor: OUTCOME_STYLE[e.outcome].color }}>
                        {OUTCOME_STYLE[e.outcome].short}
                      </span>
                    </td>
                    <td className="px-2 py-1.5 font-mono">
                      {edgeWords(e)}
                      {e.dns && <span className="ml-1 rounded bg-violet-100 px-1 font-sans text-violet-800">DNS</span>}
                    </td>
                    <td className="px-2 py-1.5 text-right tabular-nums">{count(changedFlows(e))}</td>
                    <td className="whitespace-nowrap px-2 py-1.5">{shortTime(e.firstSeen)}</td>
                    <td className="whitespace-nowrap px-2 py-1.5">{shortTime(e.lastSeen)}</td>
                    <td className="px-2 py-1.5">{ex ? <Example ex={ex} /> : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {!all && list.length > FIRST_ROWS && (
        <button type="button" className="self-start text-xs text-sky-700 underline" onClick={() => setAll(true)}>
          Show all {count(list.length)} edges
        </button>
      )}
    </section>
  );
}
