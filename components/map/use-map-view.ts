'use client';

/**
 * The map's view state lives in the URL (a link reproduces the view, the time window included);
 * visual filters are also remembered in localStorage so a person's noise settings survive across visits.
 */

import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo } from 'react';
import type { EdgeStatus } from '@/lib/graph/types';
import { useUrlQuery } from '../use-url-query';
import { readWindow, writeWindow, type MapWindow, type WindowState } from './time-window';
import { DEFAULT_VISUAL_FILTERS, type ViewOptions, type VisualFilters } from '@/lib/graph/view-filter';

export const HIDE_KEYS = {
  host: 'hideHost',
  'remote-node': 'hideRemoteNode',
  'kube-dns': 'hideKubeDns',
  metrics: 'hideMetricsScrapes',
  ingress: 'hideIngressControllers',
} as const satisfies Record<string, keyof Omit<VisualFilters, 'hidePatterns'>>;

export type HideKey = keyof typeof HIDE_KEYS;
const STORAGE_KEY = 'flowsight.map.visualFilters';
const STATUSES: EdgeStatus[] = ['allowed', 'denied', 'mixed', 'audit'];

export interface MapView extends ViewOptions {
  deniedOnly: boolean;
  selected: string | null;
  /** The posture layer: outline unprotected namespaces and open-egress workloads. */
  posture: boolean;
  /** Live, or the past window (`since` / `until`) the map is drawn for. */
  time: WindowState;
}

function list(params: URLSearchParams, key: string): string[] {
  return params.getAll(key).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** `now` reads relative bounds of a pasted link (`since=1h`). */
export function parseMapView(params: URLSearchParams, now = Date.now()): MapView {
  const hide = new Set(list(params, 'hide'));
  const visual: VisualFilters = { ...DEFAULT_VISUAL_FILTERS, hidePatterns: list(params, 'hidePattern') };
  for (const [k, field] of Object.entries(HIDE_KEYS)) visual[field] = hide.has(k);
  const deniedOnly = params.get('denied') === '1';
  const statuses = list(params, 'status').filter((s): s is EdgeStatus => (STATUSES as string[]).includes(s));
  return {
    namespaces: list(params, 'ns'),
    statuses: deniedOnly ? ['denied', 'mixed'] : statuses,
    deniedOnly,
    visual,
    selected: params.get('select'),
    posture: params.get('posture') === '1',
    time: readWindow(params, now),
  };
}

function writeVisual(params: URLSearchParams, v: VisualFilters): void {
  const hide = Object.entries(HIDE_KEYS).filter(([, field]) => v[field]).map(([k]) => k);
  params.delete('hide');
  params.delete('hidePattern');
  if (hide.length) params.set('hide', hide.join(','));
  for (const p of v.hidePatterns) params.append('hidePattern', p);
}

export function useMapView() {
  const params = useSearchParams();
  const { query, update } = useUrlQuery();
  const view = useMemo(() => parseMapView(new URLSearchParams(query)), [query]);

  // Remembered visual filters apply when the link does not say otherwise.
  useEffect(() => {
    if (params.has('hide') || params.has('hidePattern')) return;
    try {
      const saved = localStorage.getItem(STORAGE_KEY);
      if (!saved) return;
      const v = { ...DEFAULT_VISUAL_FILTERS, ...(JSON.parse(saved) as Partial<VisualFilters>) };
      if (Object.values(HIDE_KEYS).some((f) => v[f]) || v.hidePatterns.length) update((p) => writeVisual(p, v));
    } catch {
      /* corrupt storage: ignore */
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only on first load
  }, []);

  const setVisual = useCallback(
    (v: VisualFilters) => {
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(v));
      } catch {
        /* private mode */
      }
      update((p) => writeVisual(p, v));
    },
    [update],
  );

  const setNamespaces = useCallback((ns: string[]) => update((p) => (ns.length ? p.set('ns', ns.join(',')) : p.delete('ns'))), [update]);
  const setStatuses = useCallback((s: EdgeStatus[]) => update((p) => (s.length ? p.set('status', s.join(',')) : p.delete('status'))), [update]);
  const setDeniedOnly = useCallback((on: boolean) => update((p) => (on ? p.set('denied', '1') : p.delete('denied'))), [update]);
  const setPosture = useCallback((on: boolean) => update((p) => (on ? p.set('posture', '1') : p.delete('posture'))), [update]);
  const select = useCallback((id: string | null) => update((p) => (id ? p.set('select', id) : p.delete('select'))), [update]);
  /** null: back to live. */
  const setWindow = useCallback((w: MapWindow | null) => update((p) => writeWindow(p, w)), [update]);

  return { view, setVisual, setNamespaces, setStatuses, setDeniedOnly, setPosture, select, setWindow };
}
