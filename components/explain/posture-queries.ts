/**
 * React Query options for the posture API, shared by the map, the overview, the policies page and the
 * why-panels (one cache entry per question, so the map and the overview share one posture report).
 */

import { queryOptions } from '@tanstack/react-query';
import type { Explanation } from '@/lib/policy/explain-connection';
import type { PolicyCatalog } from '@/lib/policy/policy-catalog';
import type { PostureReport, SourceHealth } from '@/lib/policy/posture-report';

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: string } | undefined;
    throw new Error(body?.error ?? `${url.split('?')[0]}: HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

export const postureQuery = () =>
  queryOptions({
    queryKey: ['posture'],
    queryFn: () => getJson<PostureReport>('/api/posture'),
    refetchInterval: 5000,
  });

export type PolicyCatalogResponse = PolicyCatalog & { source: SourceHealth };

export const policiesQuery = (params: URLSearchParams) =>
  queryOptions({
    queryKey: ['policies', params.toString()],
    queryFn: () => getJson<PolicyCatalogResponse>(`/api/policies?${params}`),
    refetchInterval: 10_000,
    placeholderData: (previous) => previous,
  });

export const explainQuery = (params: URLSearchParams | undefined) =>
  queryOptions({
    queryKey: ['explain', params?.toString() ?? ''],
    queryFn: () => getJson<Explanation>(`/api/explain?${params}`),
    enabled: params !== undefined,
    staleTime: 10_000,
    retry: false,
  });
