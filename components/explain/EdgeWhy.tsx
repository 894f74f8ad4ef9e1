'use client';

import { useQuery } from '@tanstack/react-query';
import type { GraphEdge } from '@/lib/graph/types';
import { explainQuery } from '../api/queries';
import { WhyPanel, WhyState } from './WhyPanel';

/** "Why allowed / why denied" for a map edge, from the policy engine. */
export function EdgeWhy({ edge }: { edge: GraphEdge }) {
  const q = useQuery(explainQuery(new URLSearchParams({ edge: edge.id })));
  if (!q.data) return <WhyState isLoading={q.isLoading} error={q.error} />;
  return <WhyPanel explanation={q.data} />;
}
