'use client';

import type { GraphEdge } from '@/lib/graph/types';

/** "Why allowed / why denied" for a map edge, from the policy engine. */
export function EdgeWhy(_props: { edge: GraphEdge }) {
  return null;
}
