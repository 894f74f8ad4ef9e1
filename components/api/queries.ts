/**
 * React Query options for every JSON endpoint, typed by the API contract. One cache entry per
 * question, so pages asking the same thing (the map and the overview: the posture report) share it.
 */

import { queryOptions } from '@tanstack/react-query';
import { layersParamsOfFlow } from '@/lib/api/layers-flow-params';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { getJson } from './client';

export const statusQuery = () =>
  queryOptions({
    queryKey: ['status'],
    queryFn: ({ signal }) => getJson('/api/status', undefined, { signal }),
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
