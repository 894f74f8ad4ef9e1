'use client';

import type { GraphEdge } from '@/lib/graph/types';

/** Three-layer strip (NSG / network policy / egress firewall) for a map edge. */
export function EdgeLayers(_props: { edge: GraphEdge }) {
  return null;
}
