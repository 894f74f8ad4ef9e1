/**
 * The islands level's aggregated edges, drawn on a canvas of our own beneath cytoscape's: one line
 * and arrow per pair of islands (or island and workload), coloured and dashed by status as the
 * stylesheet draws single connections (EDGE_STYLE).
 *
 * Why not cytoscape edges: at 5,000 workloads the islands picture holds ~1,400 aggregates and ~110
 * nodes. cytoscape styled, measured and drew those edges in one 1.5-2.4 s task before the first
 * picture, and restyled and redrew them for every live tick that touched them (~350 ms each), on
 * the page's only thread. Here an aggregate is a few numbers: drawing all of them is one pass of
 * canvas lines, with no style cascade and no box per edge (only the ~110 node boxes they join).
 *
 * The layer follows cytoscape's viewport (it draws in model coordinates under the same pan and
 * zoom) and the positions of the nodes the lines join; it draws after each cytoscape frame when
 * something it shows changed, and on its own when only its lines changed. Lines lie beneath the
 * nodes, as cytoscape's edges do. A click on the background that lands on a line is the line's
 * (`lineAt`).
 */

import type { Core, NodeSingular } from 'cytoscape';
import { aggregateWidth, segmentAt, segmentBetween, segmentMeets, withArrow, type AggregateLine, type Segment } from '@/lib/graph/aggregate-lines';
import type { Box, Point } from '@/lib/graph/island-layout';
import type { EdgeStatus } from '@/lib/graph/types';
import { EDGE_STYLE } from './map-style';
import { labelFreeBox } from './node-box';

/** Canvas dash patterns per line style, as cytoscape draws edges (dashed: its default 6-3; dotted: 1-1). */
const DASH: Record<string, number[]> = { solid: [], dashed: [6, 3], dotted: [1, 1] };
/** Allowed aggregates are drawn lighter (the stylesheet's opacity for them), so denied ones stand out. */
const ALPHA: Record<EdgeStatus, number> = { allowed: 0.6, audit: 1, mixed: 1, denied: 1 };
/** Drawn in this order, so what needs attention lies on top of what does not. */
const STATUS_ORDER: readonly EdgeStatus[] = ['allowed', 'audit', 'mixed', 'denied'];
/** How far from a line (screen pixels, beyond its half width) a click still takes it. */
const CLICK_SLACK_PX = 5;
/**
 * While the view moves (a drag, a wheel, a fit), the last full frame is scaled and moved instead of
 * drawing every line again, as cytoscape does for its own elements (textureOnViewport); the lines
 * are drawn in full once the view has rested this long. Drawing all of them on every frame of a
 * drag halved the frame rate of a 5,000-workload map in a software-rendered browser. The frame is
 * moved by a CSS transform of the canvas itself: a copy of it kept after every full draw (for a
 * moving view to draw from) cost ~150-230 ms a draw in that browser, most of a live update's time.
 */
const VIEW_SETTLE_MS = 150;

/** An aggregated edge where it is drawn: its ends (from the source's border to the arrow's tip) and width, in CSS pixels. */
export interface RenderedAggregate {
  id: string;
  source: string;
  target: string;
  status: EdgeStatus;
  width: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A line as last drawn: what `lineAt` tests a click against. */
interface DrawnLine {
  line: AggregateLine;
  segment: Segment;
  width: number;
}

export class AggregateLayer {
  private readonly lines = new Map<string, AggregateLine>();
  /** Node id -> the aggregates ending there: a removed node takes its lines with it, as in cytoscape. */
  private readonly touching = new Map<string, Set<string>>();
  private readonly canvas: HTMLCanvasElement;
  private drawn: DrawnLine[] = [];
  /** The view the canvas's content was drawn in: a moving view shows it scaled and moved. */
  private lastView: { zoom: number; pan: Point } | null = null;
  /** Something drawn changed (lines, nodes, size): the next draw is a full one. */
  private contentDirty = true;
  /** Only the view moved since the last draw. */
  private viewDirty = false;
  private frame = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly markDirty = () => {
    this.contentDirty = true;
  };
  private readonly markViewMoved = () => {
    this.viewDirty = true;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.changed(), VIEW_SETTLE_MS);
  };
  private readonly afterRender = () => {
    if (!this.contentDirty && !this.viewDirty) return;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.draw();
  };

  constructor(private readonly cy: Core) {
    const canvas = document.createElement('canvas');
    canvas.dataset.id = 'layer-aggregates';
    Object.assign(canvas.style, { position: 'absolute', left: '0', top: '0', zIndex: '0', pointerEvents: 'none', transformOrigin: '0 0' });
    this.canvas = canvas;
    // cytoscape's canvases sit in one positioned box (z-index 1 and up): ours goes first, beneath them.
    const holder = canvasHolder(cy);
    holder.insertBefore(canvas, holder.firstChild);
    cy.on('viewport', this.markViewMoved);
    cy.on('resize', this.markDirty);
    cy.on('position add remove data', 'node', this.markDirty);
    cy.on('render', this.afterRender);
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.settleTimer);
    this.cy.off('viewport', this.markViewMoved);
    this.cy.off('resize', this.markDirty);
    this.cy.off('position add remove data', 'node', this.markDirty);
    this.cy.off('render', this.afterRender);
    this.canvas.remove();
  }

  get size(): number {
    return this.lines.size;
  }

  ids(): string[] {
    return [...this.lines.keys()];
  }

  /** Adds a line or replaces it (its ends, status or weight changed). */
  set(line: AggregateLine): void {
    const old = this.lines.get(line.id);
    if (old && old.source === line.source && old.target === line.target && old.status === line.status && old.weight === line.weight) return;
    if (old) this.untouch(old);
    this.lines.set(line.id, line);
    for (const end of [line.source, line.target]) {
      let set = this.touching.get(end);
      if (!set) this.touching.set(end, (set = new Set()));
      set.add(line.id);
    }
    this.changed();
  }

  remove(id: string): void {
    const old = this.lines.get(id);
    if (!old) return;
    this.untouch(old);
    this.lines.delete(id);
    this.changed();
  }

  /** Removes the lines ending at a node (the node is gone). */
  removeTouching(nodeId: string): void {
    for (const id of [...(this.touching.get(nodeId) ?? [])]) this.remove(id);
  }

  /** The nodes joined to `nodeId` by a line. */
  neighbours(nodeId: string): string[] {
    const out: string[] = [];
    for (const id of this.touching.get(nodeId) ?? []) {
      const l = this.lines.get(id)!;
      out.push(l.source === nodeId ? l.target : l.source);
    }
    return out;
  }

  /** [source, target, weight] of the lines between the given nodes: what the islands layout pulls together. */
  linksAmong(nodeIds: ReadonlySet<string>): [string, string, number][] {
    const out: [string, string, number][] = [];
    for (const l of this.lines.values()) if (nodeIds.has(l.source) && nodeIds.has(l.target)) out.push([l.source, l.target, l.weight]);
    return out;
  }

  /** The line a click at this model position lands on, as last drawn. */
  lineAt(position: Point): AggregateLine | null {
    return segmentAt(position, this.drawn, CLICK_SLACK_PX / this.cy.zoom())?.line ?? null;
  }

  /**
   * The view the lines are drawn in full for, once nothing is left to draw: null while a draw is due
   * or the view shows a scaled earlier frame (tests wait for it before reading the canvas's pixels).
   */
  drawnView(): { zoom: number; pan: Point } | null {
    if (this.contentDirty || this.viewDirty || this.frame || !this.lastView) return null;
    const { zoom, pan } = this.lastView;
    const now = this.cy.pan();
    return zoom === this.cy.zoom() && pan.x === now.x && pan.y === now.y ? { zoom, pan: { ...pan } } : null;
  }

  /** Each line as last drawn, in the canvas's CSS pixels at the view as it is now (tests, the bench). */
  renderedSegments(): RenderedAggregate[] {
    const zoom = this.cy.zoom();
    const pan = this.cy.pan();
    return this.drawn.map(({ line, segment: s, width }) => ({
      id: line.id,
      source: line.source,
      target: line.target,
      status: line.status,
      width: width * zoom,
      x1: s.x1 * zoom + pan.x,
      y1: s.y1 * zoom + pan.y,
      x2: s.x2 * zoom + pan.x,
      y2: s.y2 * zoom + pan.y,
    }));
  }

  private untouch(line: AggregateLine): void {
    for (const end of [line.source, line.target]) {
      const set = this.touching.get(end);
      set?.delete(line.id);
      if (set?.size === 0) this.touching.delete(end);
    }
  }

  /** Only the lines changed (or the view came to rest): cytoscape may have nothing to draw, so draw in the next frame unless it does. */
  private changed(): void {
    this.contentDirty = true;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.contentDirty) this.draw();
    });
  }

  /** A moving view: the last full frame, scaled and moved to the view; otherwise every line. */
  private draw(): void {
    const moving = this.viewDirty && !this.contentDirty && this.lastView !== null;
    this.viewDirty = false;
    if (moving) this.drawLastFrame();
    else this.drawLines();
  }

  /** The canvas as last drawn, scaled and moved by CSS to where the view is now (no pixels copied or drawn). */
  private drawLastFrame(): void {
    const { zoom: z0, pan: p0 } = this.lastView!;
    const zoom = this.cy.zoom();
    const pan = this.cy.pan();
    const scale = zoom / z0;
    // A model point drawn at m * z0 + p0 (CSS pixels) belongs at m * zoom + pan.
    this.canvas.style.transform = `matrix(${scale}, 0, 0, ${scale}, ${pan.x - p0.x * scale}, ${pan.y - p0.y * scale})`;
  }

  /** Draws every line in view, allowed first and denied last, and keeps the frame for a moving view. */
  private drawLines(): void {
    this.contentDirty = false;
    // Drawn in full in the view as it is now: nothing left to settle.
    clearTimeout(this.settleTimer);
    const cy = this.cy;
    const width = cy.width();
    const height = cy.height();
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    canvas.style.transform = '';
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const drawn: DrawnLine[] = [];
    if (!this.lines.size) {
      this.drawn = drawn;
      this.lastView = null;
      return;
    }
    const zoom = cy.zoom();
    const pan = cy.pan();
    ctx.setTransform(ratio * zoom, 0, 0, ratio * zoom, ratio * pan.x, ratio * pan.y);
    const view = { x1: -pan.x / zoom, y1: -pan.y / zoom, x2: (width - pan.x) / zoom, y2: (height - pan.y) / zoom };
    const boxes = new Map<string, Box | null>();
    const boxOf = (id: string): Box | null => {
      let box = boxes.get(id);
      if (box === undefined) boxes.set(id, (box = nodeBox(cy, id)));
      return box;
    };
    // Grouped by status, then width: one path per group, so a thousand lines are a few dozen strokes.
    const groups = new Map<EdgeStatus, Map<number, DrawnLine[]>>();
    for (const line of this.lines.values()) {
      const from = boxOf(line.source);
      const to = boxOf(line.target);
      if (!from || !to) continue;
      const segment = segmentBetween(from, to);
      if (!segment) continue;
      const w = aggregateWidth(line.weight);
      if (!segmentMeets(segment, view, w * 4)) continue;
      let byWidth = groups.get(line.status);
      if (!byWidth) groups.set(line.status, (byWidth = new Map()));
      let list = byWidth.get(w);
      if (!list) byWidth.set(w, (list = []));
      list.push({ line, segment, width: w });
    }
    ctx.lineCap = 'butt';
    for (const status of STATUS_ORDER) {
      const byWidth = groups.get(status);
      if (!byWidth) continue;
      const style = EDGE_STYLE[status];
      ctx.globalAlpha = ALPHA[status];
      ctx.strokeStyle = style.color;
      ctx.fillStyle = style.color;
      ctx.setLineDash(DASH[style.line] ?? []);
      for (const [w, list] of byWidth) {
        ctx.lineWidth = w;
        ctx.beginPath();
        const heads = new Path2D();
        for (const d of list) {
          const { line, tip, left, right } = withArrow(d.segment, w);
          if (line) {
            ctx.moveTo(line.x1, line.y1);
            ctx.lineTo(line.x2, line.y2);
          }
          heads.moveTo(tip.x, tip.y);
          heads.lineTo(left.x, left.y);
          heads.lineTo(right.x, right.y);
          heads.closePath();
          drawn.push(d);
        }
        ctx.stroke();
        ctx.fill(heads);
      }
    }
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.drawn = drawn;
    this.lastView = { zoom, pan: { ...pan } };
  }
}

/** Where a line to node `id` ends: its box without label or overlay, or null when it is not on the canvas. */
function nodeBox(cy: Core, id: string): Box | null {
  const n = cy.getElementById(id) as unknown as NodeSingular;
  if (n.empty() || !n.isNode()) return null;
  return labelFreeBox(n, { overlays: false });
}

/** The positioned box cytoscape puts its canvases in (its renderer's private data; the container as a fallback). */
function canvasHolder(cy: Core): HTMLElement {
  const r = (cy as unknown as { renderer(): { data?: { canvasContainer?: HTMLElement } } | undefined }).renderer();
  return r?.data?.canvasContainer ?? cy.container()!;
}
