'use client';

import type { FlowRecord } from '@/lib/flows/flow-record';
import { LayerStrip } from './LayerStrip';
import { useFlowLayers } from './use-layers';

/** Three-layer strip (NSG / network policy / egress firewall) for one flow. */
export function FlowLayers({ flow }: { flow: FlowRecord }) {
  const q = useFlowLayers(flow);
  if (!flow.source.ip || !flow.destination.ip) return null;
  return <LayerStrip layers={q.data} state={{ loading: q.isLoading, error: q.error?.message }} />;
}
