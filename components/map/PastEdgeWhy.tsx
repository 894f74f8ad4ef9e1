'use client';

import type { FlowRecord } from '@/lib/flows/flow-record';
import type { GraphEdge } from '@/lib/graph/types';
import { LayerStrip } from '../azure/LayerStrip';
import { useFlowLayers } from '../azure/use-layers';
import { EdgeWhy } from '../explain/EdgeWhy';
import { FlowWhy } from '../explain/FlowWhy';

/** The three layers of one stored flow, spelled out to the server (the flow may be long gone from memory). */
function StoredFlowLayers({ flow }: { flow: FlowRecord }) {
  const q = useFlowLayers(flow);
  return <LayerStrip layers={q.data} state={{ loading: q.isLoading, error: q.error?.message }} />;
}

/**
 * The why panels of an edge in a past window: the policy engine and the three layers for the newest
 * flow the history holds of it (its real addresses, names and L7), evaluated against the policies and
 * Azure rules as they stand now. Without a stored flow, the engine is asked for the edge's workloads.
 */
export function PastEdgeWhy({ edge, newest, loading }: { edge: GraphEdge; newest: FlowRecord | undefined; loading: boolean }) {
  if (loading) return <p className="text-xs text-slate-500">loading the stored flows…</p>;
  if (!newest) return <EdgeWhy edge={edge} />;
  return (
    <div data-testid="past-why" className="flex flex-col gap-2">
      <p className="text-[11px] text-slate-500">For the newest stored flow of this window, against the policies and Azure rules as they stand now.</p>
      <FlowWhy flow={newest} />
      <StoredFlowLayers flow={newest} />
    </div>
  );
}
