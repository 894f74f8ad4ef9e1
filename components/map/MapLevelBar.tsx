'use client';

import { useCanvasStats, type CanvasStatsStore } from './canvas-stats';

/**
 * Says what the map shows when namespaces are drawn as islands (a large cluster), and how to open
 * them; lists the open ones, each with a button to close it.
 */
export function MapLevelBar({ statsStore, onClose, onCloseAll }: { statsStore: CanvasStatsStore; onClose(ns: string): void; onCloseAll(): void }) {
  const stats = useCanvasStats(statsStore, (s) => s);
  if (!stats || stats.level !== 'islands') return null;
  return (
    <div data-testid="map-level" data-level={stats.level} className="pointer-events-auto max-w-xl rounded border border-slate-200 bg-white/95 px-2 py-1 text-xs text-slate-700 shadow-sm">
      <p>
        <b>{stats.visibleWorkloads.toLocaleString('en')}</b> workloads in <b>{stats.namespaces.toLocaleString('en')}</b> namespaces, one island each. Click an island or zoom in to open it; click an aggregated edge to open both ends.
      </p>
      {stats.expanded.length > 0 && (
        <p className="mt-1 flex flex-wrap items-center gap-1">
          Open:
          {stats.expanded.map((ns) => (
            <button key={ns} type="button" data-testid={`map-open-${ns}`} onClick={() => onClose(ns)} className="rounded-full border border-slate-300 px-2 hover:bg-slate-100" title={`Close ${ns} back into its island`}>
              {ns} ×
            </button>
          ))}
          <button type="button" data-testid="map-close-all" onClick={onCloseAll} className="ml-1 underline">
            close all
          </button>
        </p>
      )}
    </div>
  );
}
