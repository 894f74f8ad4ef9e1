'use client';

import { useMemo } from 'react';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { MAX_FLOWS_IN_BROWSER } from '../live/live-store';
import { useLive, useLiveStore } from '../live/use-live';
import { EmptyExplanation } from './EmptyExplanation';
import { FlowExport } from './FlowExport';
import { FlowResults } from './FlowResults';
import type { QueryHint } from './query-hints';

/**
 * The live tail with the page's query: the newest matching flows as they arrive, at most
 * MAX_FLOWS_IN_BROWSER. `valid` false (the box holds a query that does not parse): no flows are
 * shown rather than unfiltered ones. Only this part of the page follows the stream's every event.
 */
export function LiveFlows({
  q,
  valid,
  hints,
  exportFilter,
  selected,
  onSelect,
  onQuery,
  onRange,
}: {
  q: string;
  valid: boolean;
  hints: QueryHint[];
  exportFilter: string;
  selected: FlowRecord | null;
  onSelect(f: FlowRecord | null): void;
  onQuery(q: string): void;
  onRange(since: string): void;
}) {
  const store = useLiveStore();
  const state = useLive(valid && q.trim() ? new URLSearchParams({ q: q.trim() }).toString() : '', { flows: valid });
  const live = valid ? state : { ...state, flows: [], filterExplanation: null };
  const onPause = (paused: boolean) => store.setPaused(paused);
  // The store keeps oldest first (cheap appends); the table lists newest first.
  const newestFirst = useMemo(() => [...live.flows].reverse(), [live.flows]);
  // The first fetch has answered: an empty list now means nothing matched, not "still loading".
  const answered = live.filterExplanation !== null;
  return (
    <>
      <div className="flex items-center gap-3 border-b border-slate-200 bg-slate-50 px-3 py-1 text-xs text-slate-600">
        <button type="button" data-testid="pause" onClick={() => onPause(!live.paused)} className="rounded border border-slate-300 bg-white px-2 py-0.5">
          {live.paused ? '▶ resume' : '⏸ pause'}
        </button>
        <span data-testid="flow-count">{live.flows.length} flows</span>
        <span>live tail of matching flows (the browser keeps the newest {MAX_FLOWS_IN_BROWSER.toLocaleString('en')})</span>
        {live.flowsDroppedWhilePaused > 0 && <span className="text-amber-700">{live.flowsDroppedWhilePaused} skipped while paused</span>}
        <FlowExport flows={() => newestFirst} filter={exportFilter} count={live.flows.length} />
      </div>
      {live.filterError && (
        <div role="alert" data-testid="filter-error" className="border-b border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {live.filterError}
        </div>
      )}
      {answered && !live.filterError && live.flows.length === 0 && <EmptyExplanation context={{ q, live: true, window: '', explanation: live.filterExplanation, hints }} onQuery={onQuery} onRange={onRange} />}
      <FlowResults flows={newestFirst} selected={selected} onSelect={onSelect} />
    </>
  );
}
