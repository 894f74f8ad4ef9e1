'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { stateFromSnapshot } from '@/lib/graph/apply-delta';
import type { MapDecor } from '@/lib/graph/map-model';
import { exportConnections, visibleGraph, type ViewOptions } from '@/lib/graph/view-filter';
import { mapPostureQuery } from '../api/queries';
import { SourceHealthBanner } from '../explain/SourceHealthBanner';
import { useLive } from '../live/use-live';
import { GraphCanvas, type GraphSource } from './GraphCanvas';
import { downloadText } from '../download';
import type { MapCanvas } from './map-canvas';
import { CanvasStatsStore, useCanvasStats } from './canvas-stats';
import { MapLevelBar } from './MapLevelBar';
import { MapSearch } from './MapSearch';
import { pastGraphQuery } from './history-queries';
import { Legend } from './Legend';
import { MapToolbar } from './MapToolbar';
import { PastWindowBar } from './PastWindowBar';
import { SidePanel } from './SidePanel';
import { useMapView } from './use-map-view';

const NO_WINDOW = { since: 0, until: 0 };

/**
 * How often the page's summary of the live graph (the toolbar's namespaces and counts, the side
 * panel) follows it: the canvas follows every change on its own, ten a second.
 */
const SUMMARY_EVERY_MS = 1000;

export function MapView() {
  const live = useLive('', { everyMs: SUMMARY_EVERY_MS });
  const { view, setVisual, setNamespaces, setDeniedOnly, setPosture, select, setWindow } = useMapView();
  const posture = useQuery(mapPostureQuery());
  // A past window is drawn from the flow history; the live stream stays connected (the header's
  // badge reads it) but is not applied to the map.
  const past = view.time.kind === 'past' ? view.time.window : null;
  const pastGraph = useQuery({ ...pastGraphQuery(past ?? NO_WINDOW), enabled: past !== null });
  const pastState = useMemo(() => (pastGraph.data ? stateFromSnapshot(pastGraph.data) : null), [pastGraph.data]);
  const graph = past ? pastState : live.graph;
  // The toolbar's namespace list changes only when nodes do (a delta of counts keeps the node map).
  const nodes = graph?.nodes;
  const namespaces = useMemo(() => (nodes ? [...new Set([...nodes.values()].map((n) => n.namespace).filter(Boolean))].sort() : []), [nodes]);
  // The canvas redraws on a new view object: keep it the same while the filters are (selecting changes the URL too).
  const viewKey = JSON.stringify([view.namespaces, view.statuses, view.visual]);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- viewKey stands for these fields
  const viewOptions: ViewOptions = useMemo(() => ({ namespaces: view.namespaces, statuses: view.statuses, visual: view.visual }), [viewKey]);
  const layer = posture.data?.layer;
  const badges = posture.data?.badges;
  const decor: MapDecor = useMemo(
    () => ({
      flaggedNodes: new Set(view.posture && layer ? layer.workloads : []),
      flaggedNamespaces: new Set(view.posture && layer ? layer.namespaces : []),
      namespaceFlags: badges ?? {},
    }),
    [view.posture, layer, badges],
  );
  const source: GraphSource = useMemo(() => (past ? { kind: 'past', graph: pastState } : { kind: 'live' }), [past, pastState]);
  const canvasRef = useRef<MapCanvas | null>(null);
  const [statsStore] = useState(() => new CanvasStatsStore());
  const islands = useCanvasStats(statsStore, (s) => s?.level === 'islands');
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
        onExport={() => {
          const visible = graph ? visibleGraph(graph.nodes, graph.edges.values(), viewOptions) : { nodes: [], edges: [] };
          downloadText(`flowsight-connections-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, 'application/json', JSON.stringify(exportConnections(visible, view, new Date(), badges ?? {}), null, 2));
        }}
        onRelayout={() => setRelayoutKey((k) => k + 1)}
        statsStore={statsStore}
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
            <div className="pointer-events-none absolute left-2 top-2 z-10 flex flex-col items-start gap-1">
              <div className="pointer-events-auto">
                <MapSearch canvasRef={canvasRef} onFound={select} />
              </div>
              <MapLevelBar statsStore={statsStore} onClose={(ns) => canvasRef.current?.setOpen(ns, false)} onCloseAll={() => canvasRef.current?.collapseAll()} />
            </div>
            <GraphCanvas source={source} view={viewOptions} decor={decor} selected={view.selected} onSelect={select} onStats={statsStore.set} relayoutKey={relayoutKey} canvasRef={canvasRef} />
          </div>
          {graph && view.selected && <SidePanel graph={graph} selected={view.selected} past={past} onClose={() => select(null)} />}
        </div>
        <Legend islands={islands} />
      </div>
    </div>
  );
}
