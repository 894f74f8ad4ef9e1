'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { parseSearch } from '@/lib/search/parse';
import { useLiveStore } from '../live/use-live';
import { QueryBox } from '../search/QueryBox';
import { presetLabel, shortTime } from '../search/time-range';
import { TimeRangePicker, type RangeChoice } from '../search/TimeRangePicker';
import { useUrlQuery } from '../use-url-query';
import { readFlowSearch, writeFlowSearch, type FlowSearch, type ReadSearch } from './flow-search-url';
import { HistoryFlows } from './HistoryFlows';
import { LiveFlows } from './LiveFlows';
import { queryHints } from './query-hints';
import { useHistorySearch } from './use-history-search';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * /flows: one query over the live tail or a window of history. Everything that defines the search
 * (query, window or live) is in the URL, so a pasted link reproduces it.
 */
export function FlowsView() {
  const { query, update } = useUrlQuery();
  const { search, translated } = useMemo(() => readFlowSearch(new URLSearchParams(query)), [query]);
  const [legacyNotice, setLegacyNotice] = useState<ReadSearch['translated']>(null);
  const [zoomBase, setZoomBase] = useState<{ since: string; until: string } | null>(null);
  const [selected, setSelected] = useState<FlowRecord | null>(null);

  const setSearch = useCallback(
    (next: FlowSearch) =>
      update((p) => {
        for (const k of [...p.keys()]) p.delete(k);
        for (const [k, v] of writeFlowSearch(next)) p.set(k, v);
      }),
    [update],
  );

  // An old filter link is rewritten once in the new form; the notice says what it became.
  useEffect(() => {
    if (!translated) return;
    setLegacyNotice(translated);
    setSearch(search);
  }, [translated, search, setSearch]);

  const parsed = useMemo(() => parseSearch(search.q), [search.q]);
  const valid = parsed.ok;
  const hints = useMemo(() => (parsed.ok ? queryHints(search.q, parsed.ast) : []), [parsed, search.q]);
  const history = useHistorySearch({ q: search.q, since: search.since, until: search.until }, !search.live && valid);
  const store = useLiveStore();
  // In history mode the stream only feeds the header's counters: no flow sample, no filter.
  useEffect(() => {
    if (!search.live) store.connect('', false);
  }, [store, search.live]);

  // The window the last answer covered, as times: the results' own bounds, and for an open bound
  // (`since=1h` has no until) the histogram's, which the server resolved to "now" at query time.
  const resolved = useMemo(() => {
    const range = history.first?.range;
    const h = history.histogram;
    if (!range && !h) return null;
    return { since: range?.since ?? h?.since ?? null, until: range?.until ?? h?.until ?? null };
  }, [history.first, history.histogram]);
  const serverQueryProblem = history.error?.problems?.find((p) => p.param === 'q');

  const setQuery = (q: string) => {
    if (q.trim() === search.q.trim() && !search.live) history.rerun();
    setSearch({ ...search, q });
  };
  const setRange = (r: RangeChoice) => {
    setZoomBase(null);
    setSearch({ ...search, ...r });
  };
  // Stable callbacks: the histogram is memoised and redraws only for new data or a new width.
  const zoom = useCallback(
    ({ since, until }: { since: number; until: number }) => {
      setZoomBase((base) => base ?? { since: search.since, until: search.until });
      setSearch({ ...search, live: false, since: iso(since), until: iso(until) });
    },
    [search, setSearch],
  );
  const resetZoom = useMemo(
    () =>
      zoomBase
        ? () => {
            setSearch({ ...search, live: false, ...zoomBase });
            setZoomBase(null);
          }
        : undefined,
    [zoomBase, search, setSearch],
  );

  const preset = presetLabel(search.since, search.until);
  const windowText = preset
    ? `in the ${preset.toLowerCase()}`
    : resolved
      ? `between ${resolved.since != null ? shortTime(resolved.since) : 'the oldest stored flow'} and ${resolved.until != null ? shortTime(resolved.until) : 'now'}`
      : 'in this window';
  // An export records the window it covered as absolute times, even for "last 1 h".
  const exportFilter = search.live
    ? writeFlowSearch(search).toString()
    : writeFlowSearch({ ...search, since: resolved?.since != null ? iso(resolved.since) : search.since, until: resolved?.until != null ? iso(resolved.until) : search.until }).toString();

  return (
    <div className="flex h-full flex-col" data-testid="flows-view">
      <div className="flex items-start gap-3 border-b border-slate-200 bg-white px-3 py-2">
        <QueryBox value={search.q} onSubmit={setQuery} serverError={serverQueryProblem ? { message: serverQueryProblem.message, column: serverQueryProblem.column ?? 1 } : null} />
        <TimeRangePicker value={search} resolved={search.live ? null : resolved} onChange={setRange} />
      </div>
      {legacyNotice && (
        <div data-testid="legacy-notice" className="flex items-start gap-2 border-b border-sky-200 bg-sky-50 px-3 py-1.5 text-xs text-sky-900">
          <p>
            This link used the old filter parameters (<code className="font-mono">{legacyNotice.from}</code>); it now reads as the query{' '}
            <code className="font-mono">{legacyNotice.to || '(everything)'}</code>.
            {legacyNotice.unsupported.length > 0 && ` Left out, as the query language has no such field: ${legacyNotice.unsupported.join(', ')}.`}
          </p>
          <button type="button" className="ml-auto text-sky-700" onClick={() => setLegacyNotice(null)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {search.live ? (
        <LiveFlows
          q={search.q}
          valid={valid}
          hints={hints}
          exportFilter={exportFilter}
          selected={selected}
          onSelect={setSelected}
          onQuery={setQuery}
          onRange={(since) => setRange({ live: false, since, until: '' })}
        />
      ) : (
        <HistoryFlows
          search={history}
          q={search.q}
          hints={hints}
          windowText={windowText}
          exportFilter={exportFilter}
          selected={selected}
          onSelect={setSelected}
          onZoom={zoom}
          onResetZoom={resetZoom}
          onQuery={setQuery}
          onRange={(since) => setRange({ live: false, since, until: '' })}
        />
      )}
    </div>
  );
}
