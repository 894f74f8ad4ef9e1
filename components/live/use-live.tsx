'use client';

import { createContext, useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { LiveStore, type LiveState } from './live-store';
import { throttledSubscribe } from './throttled-subscribe';

const LiveContext = createContext<LiveStore | null>(null);

/** One live stream per tab, shared by the header and the page. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const ref = useRef<LiveStore | null>(null);
  ref.current ??= new LiveStore();
  useEffect(() => () => ref.current?.close(), []);
  return <LiveContext.Provider value={ref.current}>{children}</LiveContext.Provider>;
}

export function useLiveStore(): LiveStore {
  const store = useContext(LiveContext);
  if (!store) throw new Error('useLiveStore outside LiveProvider');
  return store;
}

const SERVER_STATE: LiveState = { stream: 'connecting', filterError: null, filterExplanation: null, graph: null, counters: null, status: null, flows: [], paused: false, flowsDroppedWhilePaused: 0 };

/**
 * The live state without choosing a filter (the header); pages call useLive. `everyMs`: re-render at
 * most that often (throttled-subscribe.ts), except when the graph comes or goes.
 */
export function useLiveState(everyMs = 0): LiveState {
  const store = useLiveStore();
  const subscribe = useMemo(() => {
    if (everyMs <= 0) return store.subscribe;
    let hadGraph = store.getSnapshot().graph !== null;
    return throttledSubscribe(store.subscribe, everyMs, () => {
      const hasGraph = store.getSnapshot().graph !== null;
      const urgent = hasGraph !== hadGraph;
      hadGraph = hasGraph;
      return urgent;
    });
  }, [store, everyMs]);
  return useSyncExternalStore(subscribe, store.getSnapshot, () => SERVER_STATE);
}

/**
 * Connects the stream with this page's flow filter (a URL query string) and returns the live state;
 * `flows: true` for pages that list flows (the others get the graph and counters only); `everyMs`
 * as for useLiveState.
 */
export function useLive(query?: string, { flows = false, everyMs = 0 }: { flows?: boolean; everyMs?: number } = {}): LiveState {
  const store = useLiveStore();
  useEffect(() => {
    store.connect(query ?? '', flows);
  }, [store, query, flows]);
  return useLiveState(everyMs);
}
