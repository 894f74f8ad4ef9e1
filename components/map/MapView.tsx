'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { stateFromSnapshot } from '@/lib/graph/apply-delta';
import { toCyElements } from '@/lib/graph/cy-elements';
import { exportConnections, visibleGraph } from '@/lib/graph/view-filter';
import { postureQuery } from '../api/queries';
import { SourceHealthBanner } from '../explain/SourceHealthBanner';
import { useLive } from '../live/use-live';
import { GraphCanvas } from './GraphCanvas';
import { downloadText } from '../download';
import { pastGraphQuery } from './history-queries';
import { Legend } from './Legend';
import { MapToolbar } from './MapToolbar';
import { PastWindowBar } from './PastWindowBar';
import { SidePanel } from './SidePanel';
import { useMapView } from './use-map-view';

const NO_WINDOW = { since: 0, until: 0 };

export function MapView() {
  const live = useLive('');
  const { view, setVisual, setNamespaces, setDeniedOnly, setPosture, select, setWindow } = useMapView();
  const posture = useQuery(postureQuery());
  // A past window is drawn from the flow history; the live stream stays connected (the header's
  // badge reads it) but is not applied to the map.
  const past = view.time.kind === 'past' ? view.time.window : null;
  const pastGraph = useQuery({ ...pastGraphQuery(past ?? NO_WINDOW), enabled: past !== null });
  const pastState = useMemo(() => (pastGraph.data ? stateFromSnapshot(pastGraph.data) : null), [pastGraph.data]);
  const graph = past ? pastState : live.graph;
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
  const pastError = past && pastGraph.error ? pastGraph.error.message : null;
  const emptyText = past
    ? pastError
      ? 'This window cannot be drawn.'
      : pastGraph.isLoading
        ? 'Loading the window from the flow history…'
        : graph && graph.edges.size === 0
          ? 'No flows stored in this window.'
          : null
    : graph
      ? null
      : 'Waiting for flows…';

  return (
    <div className="flex h-full flex-col">
      <MapToolbar
        view={view}
        namespaces={namespaces}
        onNamespaces={setNamespaces}
        onDeniedOnly={setDeniedOnly}
        onPosture={setPosture}
        onVisual={setVisual}
        onWindow={setWindow}
        onExport={() => downloadText(`flowsight-connections-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, 'application/json', JSON.stringify(exportConnections(visible, view, new Date(), badges ?? {}), null, 2))}
        onRelayout={() => setRelayoutKey((k) => k + 1)}
        visibleEdges={visible.edges.length}
        totalEdges={graph?.edges.size ?? 0}
      />
      {past && (
        <PastWindowBar
          current={past}
          graph={{ loading: pastGraph.isFetching, error: pastError, edges: pastGraph.data?.edges.length ?? null }}
          onWindow={setWindow}
          onLive={() => setWindow(null)}
        />
      )}
      {view.time.kind === 'invalid' && (
        <p role="alert" data-testid="time-window-invalid" className="border-b border-amber-200 bg-amber-50 px-3 py-1 text-sm text-amber-900">
          The link&apos;s time window cannot be read ({view.time.message}): showing the live map.
        </p>
      )}
      <SourceHealthBanner source={posture.data?.source} />
      {/* The graph and its legend: what an evidence report's map.png shows. */}
      <div data-testid="map-region" className="flex min-h-0 flex-1 flex-col">
        <div className="relative flex min-h-0 flex-1">
          <div className="relative min-w-0 flex-1">
            {emptyText && <p data-testid="map-empty" data-final={past && !pastGraph.isLoading ? 'true' : 'false'} className="absolute inset-0 z-10 flex items-center justify-center text-slate-500">{emptyText}</p>}
            <GraphCanvas elements={elements} selected={view.selected} onSelect={select} relayoutKey={relayoutKey} />
          </div>
          {graph && view.selected && <SidePanel graph={graph} selected={view.selected} posture={posture.data} past={past} onClose={() => select(null)} />}
        </div>
        <Legend />
      </div>
    </div>
  );
}
