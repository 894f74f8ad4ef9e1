'use client';

import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import type { ApiError } from '@/lib/api/problem';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { flowHistogramQuery, flowSearchQuery, type FlowSearchKey } from '../api/queries';
import { useElapsed } from '../search/use-elapsed';

/** Bars in the histogram: enough to see a spike, few enough to stay readable at 1440 px. */
export const HISTOGRAM_BUCKETS = 80;
/** Most rows the browser holds for one search (pages keep loading up to here, then stop). */
export const MAX_LOADED_ROWS = 20_000;

/**
 * One history search: its result pages, its histogram, and the state the page shows around them
 * (how long it has been running, whether the person cancelled it). Cancel aborts both requests
 * (react-query passes its AbortSignal to fetch) and reverts them, so the rows and bars of the
 * previous search stay on screen.
 */
export function useHistorySearch(key: FlowSearchKey, enabled: boolean) {
  const client = useQueryClient();
  const resultsOptions = flowSearchQuery(key);
  const histogramOptions = flowHistogramQuery(key, HISTOGRAM_BUCKETS);
  const results = useInfiniteQuery({ ...resultsOptions, enabled });
  const histogram = useQuery({ ...histogramOptions, enabled });
  const busy = enabled && (results.isFetching || histogram.isFetching);
  const elapsedMs = useElapsed(busy);
  const id = `${key.q}\n${key.since}\n${key.until}`;
  const [cancelled, setCancelled] = useState<{ id: string; afterMs: number } | null>(null);

  const cancel = useCallback(() => {
    setCancelled({ id, afterMs: elapsedMs });
    void client.cancelQueries({ queryKey: resultsOptions.queryKey });
    void client.cancelQueries({ queryKey: histogramOptions.queryKey });
  }, [client, id, elapsedMs, resultsOptions.queryKey, histogramOptions.queryKey]);

  /** Runs the same search again from its first page (a relative window moves to now). */
  const rerun = useCallback(() => {
    setCancelled(null);
    void client.resetQueries({ queryKey: resultsOptions.queryKey });
    void client.resetQueries({ queryKey: histogramOptions.queryKey });
  }, [client, resultsOptions.queryKey, histogramOptions.queryKey]);

  const flows: FlowRecord[] = useMemo(() => {
    const all = results.data?.pages.flatMap((p) => p.flows) ?? [];
    return all.length > MAX_LOADED_ROWS ? all.slice(0, MAX_LOADED_ROWS) : all;
  }, [results.data]);
  const atCap = flows.length >= MAX_LOADED_ROWS;
  const { hasNextPage, isFetchingNextPage, fetchNextPage, isPlaceholderData } = results;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !atCap && !isPlaceholderData) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, atCap, isPlaceholderData, fetchNextPage]);

  const first = results.data?.pages[0];
  return {
    flows,
    /** The answer of the first page: source, window and timing (of this or, while loading, the previous search). */
    first,
    histogram: histogram.data,
    busy,
    elapsedMs,
    /** Set when the person cancelled this search: how long it had run. */
    cancelledAfterMs: cancelled?.id === id ? cancelled.afterMs : null,
    /** The rows are the previous search's (this one is loading, failed or was cancelled). */
    stale: results.isPlaceholderData,
    error: (results.error ?? histogram.error) as ApiError | null,
    hasMore: Boolean(hasNextPage) && !atCap,
    atCap,
    loadingMore: isFetchingNextPage,
    loadMore,
    cancel,
    rerun,
  };
}
