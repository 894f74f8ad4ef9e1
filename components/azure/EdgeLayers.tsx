'use client';

import type { GraphEdge } from '@/lib/graph/types';
import { LayerStrip } from './LayerStrip';
import { useEdgeLayers } from './use-layers';

/** Three-layer strip (NSG / network policy / egress firewall) for a map edge, from its newest flow. */
export function EdgeLayers({ edge }: { edge: GraphEdge }) {
  const q = useEdgeLayers(edge.id);
  return <LayerStrip layers={q.data} state={{ loading: q.isLoading, error: q.error?.message }} />;
}
