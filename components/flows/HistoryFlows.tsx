'use client';

import type { FlowRecord } from '@/lib/flows/flow-record';
import { QueryProgress } from '../search/QueryProgress';
import { VerdictHistogram } from '../search/VerdictHistogram';
import { EmptyExplanation } from './EmptyExplanation';
import { FlowExport } from './FlowExport';
import { FlowResults } from './FlowResults';
import type { QueryHint } from './query-hints';
import type { useHistorySearch } from './use-history-search';

type HistorySearch = ReturnType<typeof useHistorySearch>;

/**
 * A search of the stored flows: the histogram (drag to zoom), progress and Cancel for a slow
 * query, the loaded pages as one table (the next page loads as the table scrolls near its end),
 * export of what is loaded, and an explanation when nothing matches.
 */
export function HistoryFlows({
  search,
  q,
  hints,
  windowText,
  exportFilter,
  selected,
  onSelect,
  onZoom,
  onResetZoom,
  onQuery,
  onRange,
}: {
  search: HistorySearch;
  q: string;
  hints: QueryHint[];
  windowText: string;
  exportFilter: string;
  selected: FlowRecord | null;
  onSelect(f: FlowRecord | null): void;
  onZoom(range: { since: number; until: number }): void;
  onResetZoom?: () => void;
  onQuery(q: string): void;
  onRange(since: string): void;
}) {
  const { flows, first } = search;
  const settled = !search.busy && !search.stale && !search.error && first !== undefined;
  const qError = search.error?.problems?.some((p) => p.param === 'q');
  return (
    <>
      <VerdictHistogram data={search.histogram} onZoom={onZoom} onReset={onResetZoom} />
      <QueryProgress elapsedMs={search.busy ? search.elapsedMs : 0} onCancel={search.cancel} />
      {search.cancelledAfterMs !== null && (
        <div role="status" data-testid="query-cancelled" className="flex items-center gap-3 border-b border-amber-200 bg-amber-50 px-3 py-1.5 text-xs text-amber-900">
          <span>
            Search cancelled after {(search.cancelledAfterMs / 1000).toFixed(1)} s.{' '}
            {search.stale || flows.length === 0 ? 'The rows below are from the previous search.' : 'The rows below are what had loaded.'}
          </span>
          <button type="button" data-testid="query-rerun" onClick={search.rerun} className="rounded border border-amber-300 bg-white px-2 py-0.5">
            Run it again
          </button>
        </div>
      )}
      {search.error && !qError && (
        <div role="alert" data-testid="search-error" className="border-b border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {search.error.message}
        </div>
      )}
      <div
        data-testid="search-status"
        data-state={search.busy ? 'loading' : search.error ? 'error' : search.stale || !first ? 'stale' : 'done'}
        className="flex items-center gap-3 border-b border-slate-200 bg-slate-50 px-3 py-1 text-xs text-slate-600"
      >
        <span data-testid="flow-count">{flows.length} flows</span>
        <span>
          {search.hasMore
            ? 'loaded, newest first; older ones load as you scroll'
            : search.atCap
              ? `loaded, newest first: the browser holds at most ${flows.length.toLocaleString('en')}; narrow the search for older ones`
              : 'newest first: every match'}
        </span>
        {first && (
          <span data-testid="search-took" className="text-slate-400">
            {first.source === 'live' ? 'history unavailable: searched the flows held in memory' : 'from history'} · {first.tookMs} ms
          </span>
        )}
        {search.loadingMore && <span>loading more…</span>}
        <button type="button" data-testid="search-rerun" onClick={search.rerun} className="rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-100" title="Run this search again (a window back from now moves to now)">
          ↻ refresh
        </button>
        <FlowExport flows={() => flows} filter={exportFilter} count={flows.length} />
      </div>
      {settled && flows.length === 0 && <EmptyExplanation context={{ q, live: false, window: windowText, explanation: first.explanation, hints }} onQuery={onQuery} onRange={onRange} />}
      <FlowResults flows={flows} selected={selected} onSelect={onSelect} onNearEnd={search.hasMore ? search.loadMore : undefined} />
    </>
  );
}
