'use client';

import { useEffect, useRef, type RefObject } from 'react';
import type { GraphState } from '@/lib/graph/apply-delta';
import type { MapDecor } from '@/lib/graph/map-model';
import type { ViewOptions } from '@/lib/graph/view-filter';
import { useLiveStore } from '../live/use-live';
import { MapCanvas, type MapCanvasStats } from './map-canvas';

/** Where the map's graph comes from: the live stream (delta by delta), or a whole past window. */
export type GraphSource = { kind: 'live' } | { kind: 'past'; graph: GraphState | null };

export interface GraphCanvasProps {
  source: GraphSource;
  view: ViewOptions;
  decor: MapDecor;
  selected: string | null;
  onSelect(id: string | null): void;
  onStats(stats: MapCanvasStats): void;
  /** Bumped by "re-layout": forget remembered positions and lay the graph out afresh. */
  relayoutKey?: number;
  /** The canvas, for the search box and the level bar. */
  canvasRef?: RefObject<MapCanvas | null>;
}

/** The React side of the map canvas: it only hands inputs to MapCanvas, which draws them patch by patch. */
export function GraphCanvas({ source, view, decor, selected, onSelect, onStats, relayoutKey = 0, canvasRef }: GraphCanvasProps) {
  const outer = useRef<HTMLDivElement>(null);
  const container = useRef<HTMLDivElement>(null);
  const canvas = useRef<MapCanvas | null>(null);
  const events = useRef({ onSelect, onStats });
  events.current = { onSelect, onStats };
  const store = useLiveStore();

  useEffect(() => {
    const c = new MapCanvas(container.current!, outer.current!, {
      onSelect: (id) => events.current.onSelect(id),
      onStats: (s) => events.current.onStats(s),
    });
    canvas.current = c;
    if (canvasRef) canvasRef.current = c;
    return () => {
      c.destroy();
      canvas.current = null;
      if (canvasRef) canvasRef.current = null;
    };
  }, [canvasRef]);

  // The view before the graph: the first picture is drawn once, already filtered.
  useEffect(() => {
    canvas.current?.setView(view);
  }, [view]);

  // The posture is polled: a new decoration patches the outlines and findings it changes, nothing more.
  useEffect(() => {
    canvas.current?.setDecor(decor);
  }, [decor]);

  const past = source.kind === 'past' ? source.graph : undefined;
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    if (source.kind === 'past') {
      c.setGraph(past ?? null);
      return;
    }
    return store.onGraph((ev) => (ev.kind === 'snapshot' ? c.setGraph(ev.graph, { more: ev.more }) : c.applyDelta(ev.delta, ev.graph, { news: ev.kind === 'delta', more: ev.kind === 'snapshot-part' && ev.more })));
    // `past` stands for the source's graph; the source object itself is new on every render.
  }, [store, source.kind, past]);

  useEffect(() => {
    canvas.current?.select(selected);
  }, [selected]);

  useEffect(() => {
    if (relayoutKey > 0) canvas.current?.relayout();
  }, [relayoutKey]);

  return (
    <div ref={outer} className="h-full w-full">
      <div ref={container} data-testid="graph-canvas" className="h-full w-full bg-white" />
    </div>
  );
}
