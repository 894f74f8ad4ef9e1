'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { toCyElements } from '@/lib/graph/cy-elements';
import { exportConnections, visibleGraph } from '@/lib/graph/view-filter';
import { postureQuery } from '../api/queries';
import { SourceHealthBanner } from '../explain/SourceHealthBanner';
import { useLive } from '../live/use-live';
import { GraphCanvas } from './GraphCanvas';
import { downloadText } from '../download';
import { Legend } from './Legend';
import { MapToolbar } from './MapToolbar';
import { SidePanel } from './SidePanel';
import { useMapView } from './use-map-view';

export function MapView() {
  const live = useLive('');
  const { view, setVisual, setNamespaces, setDeniedOnly, setPosture, select } = useMapView();
  const posture = useQuery(postureQuery());
  const graph = live.graph;
  const namespaces = useMemo(() => {
    if (!graph) return [];
    return [...new Set([...graph.nodes.values()].map((n) => n.namespace).filter(Boolean))].sort();
  }, [graph]);
  const visible = useMemo(() => (graph ? visibleGraph(graph.nodes, graph.edges.values(), view) : { nodes: [], edges: [] }), [graph, view]);
  const layer = posture.data?.layer;
  const flagged = useMemo(
    () => (view.posture && layer ? { nodes: new Set(layer.workloads), namespaces: new Set(layer.namespaces) } : { nodes: new Set<string>(), namespaces: new Set<string>() }),
    [view.posture, layer],
  );
  const badges = posture.data?.badges;
  const elements = useMemo(
    () => toCyElements(visible, { flaggedNodes: flagged.nodes, flaggedNamespaces: flagged.namespaces, ...(badges ? { namespaceFlags: badges } : {}) }),
    [visible, flagged, badges],
  );
  const [relayoutKey, setRelayoutKey] = useState(0);

  return (
    <div className="flex h-full flex-col">
      <MapToolbar
        view={view}
        namespaces={namespaces}
        onNamespaces={setNamespaces}
        onDeniedOnly={setDeniedOnly}
        onPosture={setPosture}
        onVisual={setVisual}
        onExport={() => downloadText(`flowsight-connections-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, 'application/json', JSON.stringify(exportConnections(visible, view, new Date(), badges ?? {}), null, 2))}
        onRelayout={() => setRelayoutKey((k) => k + 1)}
        visibleEdges={visible.edges.length}
        totalEdges={graph?.edges.size ?? 0}
      />
      <SourceHealthBanner source={posture.data?.source} />
      <div className="relative flex min-h-0 flex-1">
        <div className="relative min-w-0 flex-1">
          {!graph && <p className="absolute inset-0 z-10 flex items-center justify-center text-slate-500">Waiting for flows…</p>}
          <GraphCanvas elements={elements} selected={view.selected} onSelect={select} relayoutKey={relayoutKey} />
        </div>
        {graph && view.selected && <SidePanel graph={graph} selected={view.selected} posture={posture.data} onClose={() => select(null)} />}
      </div>
      <Legend />
    </div>
  );
}
