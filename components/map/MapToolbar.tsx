'use client';

import { useState } from 'react';
import type { VisualFilters } from '@/lib/graph/view-filter';
import { useCanvasStats, type CanvasStatsStore } from './canvas-stats';
import { NamespacePicker } from './NamespacePicker';
import { TimeControl } from './TimeControl';
import type { MapWindow } from './time-window';
import { HIDE_KEYS, type HideKey, type MapView } from './use-map-view';

const HIDE_LABELS: Record<HideKey, string> = {
  host: 'host (node, kubelet)',
  'remote-node': 'remote nodes',
  'kube-dns': 'kube-dns',
  metrics: 'metrics scrapes',
  ingress: 'ingress controllers',
};

export interface MapToolbarProps {
  view: MapView;
  namespaces: string[];
  onNamespaces(ns: string[]): void;
  onDeniedOnly(on: boolean): void;
  onPosture(on: boolean): void;
  onVisual(v: VisualFilters): void;
  /** null: back to live. */
  onWindow(w: MapWindow | null): void;
  onExport(): void;
  onRelayout(): void;
  /** The canvas's figures: the count of connections drawn. */
  statsStore: CanvasStatsStore;
  totalEdges: number;
}

export function MapToolbar({ view, namespaces, onNamespaces, onDeniedOnly, onPosture, onVisual, onWindow, onExport, onRelayout, statsStore, totalEdges }: MapToolbarProps) {
  const [pattern, setPattern] = useState('');
  const [open, setOpen] = useState(false);
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2 text-sm">
      <TimeControl time={view.time} onWindow={onWindow} />
      <span className="text-slate-500">Namespaces:</span>
      <NamespacePicker namespaces={namespaces} chosen={view.namespaces} onChange={onNamespaces} />
      <label className="ml-3 flex items-center gap-1">
        <input type="checkbox" data-testid="denied-only" checked={view.deniedOnly} onChange={(e) => onDeniedOnly(e.target.checked)} />
        denied only
      </label>
      <label className="flex items-center gap-1" title="Outline namespaces without any policy and workloads that can reach the internet">
        <input type="checkbox" data-testid="posture-layer" checked={view.posture} onChange={(e) => onPosture(e.target.checked)} />
        posture layer
      </label>
      <div className="relative">
        <button type="button" data-testid="visual-filters" onClick={() => setOpen(!open)} className="rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-100">
          Hide noise ▾
        </button>
        {open && (
          <div className="absolute left-0 top-8 z-20 w-72 rounded border border-slate-200 bg-white p-3 shadow-lg">
            {(Object.keys(HIDE_KEYS) as HideKey[]).map((k) => (
              <label key={k} className="flex items-center gap-2 py-0.5">
                <input
                  type="checkbox"
                  data-testid={`hide-${k}`}
                  checked={view.visual[HIDE_KEYS[k]]}
                  onChange={(e) => onVisual({ ...view.visual, [HIDE_KEYS[k]]: e.target.checked })}
                />
                {HIDE_LABELS[k]}
              </label>
            ))}
            <form
              className="mt-2 flex gap-1"
              onSubmit={(e) => {
                e.preventDefault();
                if (pattern.trim()) onVisual({ ...view.visual, hidePatterns: [...view.visual.hidePatterns, pattern.trim()] });
                setPattern('');
              }}
            >
              <input value={pattern} onChange={(e) => setPattern(e.target.value)} placeholder="hide node: monitoring/*" className="min-w-0 flex-1 rounded border border-slate-300 px-1" />
              <button className="rounded bg-slate-700 px-2 text-white">add</button>
            </form>
            {view.visual.hidePatterns.map((p) => (
              <div key={p} className="mt-1 flex items-center justify-between text-xs">
                <code>{p}</code>
                <button type="button" className="text-red-600" onClick={() => onVisual({ ...view.visual, hidePatterns: view.visual.hidePatterns.filter((x) => x !== p) })}>
                  remove
                </button>
              </div>
            ))}
            <p className="mt-2 text-xs text-slate-500">Remembered in this browser; also part of the link.</p>
          </div>
        )}
      </div>
      <EdgeCount statsStore={statsStore} totalEdges={totalEdges} />
      <button type="button" data-testid="relayout" onClick={onRelayout} title="Forget the remembered positions and lay the map out again" className="rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-100">
        Re-layout
      </button>
      <button type="button" data-testid="export-json" onClick={onExport} className="rounded bg-slate-800 px-3 py-1 text-white hover:bg-slate-700">
        Export JSON
      </button>
    </div>
  );
}

/** Connections drawn of those in the graph: re-rendered on its own as the canvas draws. */
function EdgeCount({ statsStore, totalEdges }: { statsStore: CanvasStatsStore; totalEdges: number }) {
  const visibleEdges = useCanvasStats(statsStore, (s) => s?.visibleEdges ?? 0);
  return (
    <span className="ml-auto text-xs text-slate-500" data-testid="edge-count">
      {visibleEdges} of {totalEdges} connections
    </span>
  );
}
