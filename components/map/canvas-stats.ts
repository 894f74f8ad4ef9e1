'use client';

/**
 * The canvas's figures (level, what is drawn), outside React state: they change with nearly every
 * frame the live stream draws, and held in MapView they re-rendered the whole map page each time
 * (toolbar, filters, side panel) for a count in a corner. The few components that show them
 * subscribe here, each to the part it shows.
 */

import { useSyncExternalStore } from 'react';
import type { MapCanvasStats } from './map-canvas';

export class CanvasStatsStore {
  private stats: MapCanvasStats | null = null;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly get = (): MapCanvasStats | null => this.stats;

  /** MapCanvas's onStats: listeners hear only of figures that differ from the last ones. */
  readonly set = (stats: MapCanvasStats): void => {
    if (this.stats && sameStats(this.stats, stats)) return;
    this.stats = stats;
    for (const l of this.listeners) l();
  };
}

/** The part of the figures a component shows (a primitive or a kept object): it re-renders when that part changes. */
export function useCanvasStats<T>(store: CanvasStatsStore, pick: (stats: MapCanvasStats | null) => T): T {
  return useSyncExternalStore(store.subscribe, () => pick(store.get()), () => pick(null));
}

function sameStats(a: MapCanvasStats, b: MapCanvasStats): boolean {
  return a.level === b.level && a.visibleEdges === b.visibleEdges && a.visibleWorkloads === b.visibleWorkloads && a.namespaces === b.namespaces && a.expanded.join() === b.expanded.join();
}
