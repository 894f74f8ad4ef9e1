/**
 * React Query options for the map of a past window: the graph of the window and the stored flows of
 * one edge or node in it. A past window does not change, so these are not polled.
 */

import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { getJson } from '../api/client';
import { boundText, type MapWindow } from './time-window';

const windowParams = (w: MapWindow) => ({ since: boundText(w.since), until: boundText(w.until) });

/** The graph of a past window, from the history's per-edge aggregates. */
export const pastGraphQuery = (w: MapWindow) =>
  queryOptions({
    queryKey: ['graph', 'past', w.since, w.until],
    queryFn: ({ signal }) => getJson('/api/graph', windowParams(w), { signal }),
    // While the scrubber moves, the last window stays drawn until the next one arrives.
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    retry: false,
  });

/** The stored flows of one map edge or touching one map node within a past window, newest first (side panels). */
export const pastFlowsQuery = (param: 'edge' | 'node', id: string, w: MapWindow) =>
  queryOptions({
    queryKey: ['flows', param, id, 'past', w.since, w.until],
    queryFn: ({ signal }) => getJson('/api/flows', { [param]: id, ...windowParams(w), limit: 30 }, { signal }),
    staleTime: 60_000,
    retry: false,
  });
