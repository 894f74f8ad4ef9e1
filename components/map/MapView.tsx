'use client';

import { useMemo } from 'react';
import { toCyElements } from '@/lib/graph/cy-elements';
import { exportConnections, visibleGraph } from '@/lib/graph/view-filter';
import { useLive } from '../live/use-live';
import { GraphCanvas } from './GraphCanvas';
import { Legend } from './Legend';
import { MapToolbar } from './MapToolbar';
import { SidePanel } from './SidePanel';
import { useMapView } from './use-map-view';

function download(name: string, data: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function MapView() {
  const live = useLive('');
  const { view, setVisual, setNamespaces, setDeniedOnly, select } = useMapView();
  const graph = live.graph;
  const namespaces = useMemo(() => {
    if (!graph) return [];
    return [...new Set([...graph.nodes.values()].map((n) => n.namespace).filter(Boolean))].sort();
  }, [graph]);
  const visible = useMemo(() => (graph ? visibleGraph(graph.nodes, graph.edges.values(), view) : { nodes: [], edges: [] }), [graph, view]);
  const elements = useMemo(() => toCyElements(visible), [visible]);

  return (
    <div className="flex h-full flex-col">
      <MapToolbar
        view={view}
        namespaces={namespaces}
        onNamespaces={setNamespaces}
        onDeniedOnly={setDeniedOnly}
        onVisual={setVisual}
        onExport={() => download(`flowsight-connections-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, exportConnections(visible, view, new Date()))}
        visibleEdges={visible.edges.length}
        totalEdges={graph?.edges.size ?? 0}
      />
      <div className="relative flex min-h-0 flex-1">
        <div className="relative min-w-0 flex-1">
          {!graph && <p className="absolute inset-0 z-10 flex items-center justify-center text-slate-500">Waiting for flows…</p>}
          <GraphCanvas elements={elements} selected={view.selected} onSelect={select} />
          <div className="absolute bottom-3 left-3">
            <Legend />
          </div>
        </div>
        {graph && view.selected && <SidePanel graph={graph} selected={view.selected} onClose={() => select(null)} />}
      </div>
    </div>
  );
}
