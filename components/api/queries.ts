/**
 * React Query options for every JSON endpoint, typed by the API contract. One cache entry per
 * question, so pages asking the same thing (the map and the overview: the posture report) share it.
 */

import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import { layersParamsOfFlow } from '@/lib/api/layers-flow-params';
import type { FlowRecord } from '@/lib/flows/flow-record';
import type { CompletionField } from '@/lib/history/flow-store';
import { getJson } from './client';

export const statusQuery = () =>
  queryOptions({
    queryKey: ['status'],
    queryFn: ({ signal }) => getJson('/api/status', undefined, { signal }),
  });

/** Who is signed in and what they may see; it changes only by signing in again. */
export const meQuery = () =>
  queryOptions({
    queryKey: ['me'],
    queryFn: ({ signal }) => getJson('/api/me', undefined, { signal }),
    staleTime: 5 * 60_000,
  });

export const graphQuery = () =>
  queryOptions({
    queryKey: ['graph'],
    queryFn: ({ signal }) => getJson('/api/graph', undefined, { signal }),
  });

/** The latest flows of one map edge or touching one map node (the side panel's list). */
export const flowsQuery = (param: 'edge' | 'node', id: string) =>
  queryOptions({
    queryKey: ['flows', param, id],
    queryFn: ({ signal }) => getJson('/api/flows', { [param]: id, limit: 30 }, { signal }),
    select: (r) => r.flows,
    refetchInterval: 3000,
  });

export const postureQuery = () =>
  queryOptions({
    queryKey: ['posture'],
    queryFn: ({ signal }) => getJson('/api/posture', undefined, { signal }),
    refetchInterval: 5000,
  });

/** The live map's share of the posture (badges, layer, source health): ~a tenth of the report, polled as often. */
export const mapPostureQuery = () =>
  queryOptions({
    queryKey: ['posture', 'map'],
    queryFn: ({ signal }) => getJson('/api/posture/map', undefined, { signal }),
    refetchInterval: 5000,
  });

/** One namespace's posture (the map's namespace panel: its badges and findings). */
export const namespacePostureQuery = (namespace: string) =>
  queryOptions({
    queryKey: ['posture', 'ns', namespace],
    queryFn: ({ signal }) => getJson('/api/posture', new URLSearchParams({ ns: namespace }), { signal }),
    refetchInterval: 5000,
  });

export const policiesQuery = (params: URLSearchParams) =>
  queryOptions({
    queryKey: ['policies', params.toString()],
    queryFn: ({ signal }) => getJson('/api/policies', params, { signal }),
    refetchInterval: 10_000,
    placeholderData: (previous) => previous,
  });

/** Why an edge or a connection is allowed; `undefined` params: nothing to ask (the query stays idle). */
export const explainQuery = (params: URLSearchParams | undefined) =>
  queryOptions({
    queryKey: ['explain', params?.toString() ?? ''],
    queryFn: ({ signal }) => getJson('/api/explain', params, { signal }),
    enabled: params !== undefined,
    staleTime: 10_000,
    retry: false,
  });

/** The three-layer strip of one flow, spelled out (the server may no longer hold it). */
export const flowLayersQuery = (flow: FlowRecord) => {
  const qs = flow.source.ip && flow.destination.ip ? layersParamsOfFlow(flow).toString() : '';
  return queryOptions({
    queryKey: ['layers', 'flow', qs],
    queryFn: ({ signal }) => getJson('/api/layers', new URLSearchParams(qs), { signal }),
    enabled: qs !== '',
    staleTime: 30_000,
    retry: false,
  });
};

/** The three-layer strip of a map edge (from its latest flow on the server). */
export const edgeLayersQuery = (edgeId: string) =>
  queryOptions({
    queryKey: ['layers', 'edge', edgeId],
    queryFn: ({ signal }) => getJson('/api/layers', { edge: edgeId }, { signal }),
    staleTime: 30_000,
    retry: false,
  });

export const azureQuery = () =>
  queryOptions({
    queryKey: ['azure'],
    queryFn: ({ signal }) => getJson('/api/azure', undefined, { signal }),
    refetchInterval: 10_000,
  });

export const egressQuery = () =>
  queryOptions({
    queryKey: ['egress'],
    queryFn: ({ signal }) => getJson('/api/egress', undefined, { signal }),
    refetchInterval: 10_000,
  });

/** Rows per page of a flow search; the page asks for the next one as the table scrolls near its end. */
export const FLOW_SEARCH_PAGE_SIZE = 500;

/** What identifies one history search: the query text and the window as the URL gives it. */
export interface FlowSearchKey {
  q: string;
  since: string;
  until: string;
}

const searchParams = (s: FlowSearchKey) => ({ q: s.q || undefined, since: s.since || undefined, until: s.until || undefined });

/**
 * Where the next page of a search starts: the cursor, and the window as the first page resolved it.
 * A relative window (`since=1h`) is resolved once, so scrolling never moves its start.
 */
interface SearchPageParam {
  cursor: string;
  since?: string;
  until?: string;
}

const isoOrUndefined = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

/**
 * A flow search of the history, newest first, one `cursor` page at a time. Not refetched behind the
 * person's back (focus, remount): a search is re-run on purpose, and a cancelled one stays cancelled.
 */
export const flowSearchQuery = (s: FlowSearchKey) =>
  infiniteQueryOptions({
    queryKey: ['flows', 'search', s.q, s.since, s.until],
    queryFn: ({ signal, pageParam }) =>
      getJson(
        '/api/flows',
        { ...searchParams(s), ...(pageParam.cursor ? { since: pageParam.since, until: pageParam.until, cursor: pageParam.cursor } : {}), limit: FLOW_SEARCH_PAGE_SIZE },
        { signal },
      ),
    initialPageParam: { cursor: '' } as SearchPageParam,
    getNextPageParam: (last): SearchPageParam | undefined =>
      last.nextCursor ? { cursor: last.nextCursor, since: isoOrUndefined(last.range.since), until: isoOrUndefined(last.range.until) } : undefined,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnMount: false,
    retry: false,
  });

/** Flow counts per verdict over the search's window (the histogram above the results). */
export const flowHistogramQuery = (s: FlowSearchKey, buckets: number) =>
  queryOptions({
    queryKey: ['flows', 'histogram', s.q, s.since, s.until, buckets],
    queryFn: ({ signal }) => getJson('/api/flows/histogram', { ...searchParams(s), buckets }, { signal }),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnMount: false,
    retry: false,
  });

/** Values the store holds for a field, starting with `prefix` (the query box's completion). */
export const flowValuesQuery = (field: CompletionField, prefix: string) =>
  queryOptions({
    queryKey: ['flows', 'values', field, prefix],
    queryFn: ({ signal }) => getJson('/api/flows/values', { field, prefix, limit: 20 }, { signal }),
    select: (r) => r.values,
    // Short: a namespace that just started sending should show up while the person is still typing.
    staleTime: 5_000,
    retry: false,
    // While the next prefix of the same field is asked for, the last answer stays (the box filters it by what
    // is typed): the list does not blink shut at each keystroke, and ↓ + Enter do not land on a closed list.
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[2] === field ? previous : undefined),
  });

/** Namespaces the cluster has pods in (the posture report's), for the what-if pickers; not polled. */
export const namespaceNamesQuery = () =>
  queryOptions({
    queryKey: ['posture'],
    queryFn: ({ signal }) => getJson('/api/posture', undefined, { signal }),
    select: (r) => r.namespaces.map((n) => n.namespace).sort(),
    staleTime: 60_000,
  });

/** Deployed policies of one namespace (or, with `clusterWide`, the cluster-wide ones), up to a page: the simulator's delete and copy pickers. */
export const deployedPoliciesQuery = (namespace: string, clusterWide = false) =>
  queryOptions({
    queryKey: ['policies', 'deployed', clusterWide ? '*' : namespace],
    queryFn: ({ signal }) => getJson('/api/policies', clusterWide ? { kind: 'CiliumClusterwideNetworkPolicy', limit: 100 } : { ns: namespace, limit: 100 }, { signal }),
    enabled: clusterWide || namespace !== '',
    staleTime: 30_000,
  });

/** Which namespaces hold policies, and whether any is cluster-wide (the facets of one small page). */
export const policyFacetsQuery = () =>
  queryOptions({
    queryKey: ['policies', 'facets'],
    queryFn: ({ signal }) => getJson('/api/policies', { limit: 1 }, { signal }),
    select: (r) => ({ namespaces: r.facets.namespaces, clusterWide: r.facets.kinds.CiliumClusterwideNetworkPolicy > 0 }),
    staleTime: 30_000,
  });
