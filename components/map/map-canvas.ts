/**
 * The map's canvas: cytoscape, fed patch by patch from the map model (lib/graph/map-model.ts).
 * Deltas go into the model as they arrive; their patches are applied together once per animation
 * frame, in one batch, so a busy stream costs one redraw a frame, never a rebuild.
 *
 * Placement: a picture is laid out once (when it is new, or the level of detail changes) and kept.
 * At the workloads level new nodes settle around the ones already placed, which hold still, and a
 * reload shows the remembered positions. At the islands level the islands are laid out once, the
 * size of the boxes they open into; an opened island puts its workloads on a grid inside its own
 * footprint, so nothing else moves. Zooming in on islands opens those in view; zooming out closes
 * them again (those the person opened stay open).
 */

import cytoscape, { type Collection, type Core, type ElementDefinition, type NodeSingular } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { AggregateLine } from '@/lib/graph/aggregate-lines';
import type { GraphState } from '@/lib/graph/apply-delta';
import type { CyElement } from '@/lib/graph/cy-elements';
import { namespaceOfBoxId } from '@/lib/graph/graph-ids';
import { freeCell, freeSpot, gridPositions, islandPositions, type Point } from '@/lib/graph/island-layout';
import { isAggregateEdgeId, MapModel, type MapDecor, type MapLevel, type MapStats, type RenderPatch } from '@/lib/graph/map-model';
import type { EdgeStatus, GraphDelta, GraphNode } from '@/lib/graph/types';
import type { ViewOptions } from '@/lib/graph/view-filter';
import { hashStrings, withSeededRandom } from '@/lib/util/seeded-random';
import { markFirst } from '../live/first-marks';
import { AggregateLayer, type RenderedAggregate } from './aggregate-layer';
import { hideIdleLayers } from './idle-layers';
import { LatencyProbe } from './latency-probe';
import { forgetPositions, loadPositions, savePositions } from './layout-memory';
import { MAP_STYLE } from './map-style';
import { labelFreeBox } from './node-box';
import { wheelZoomFactor } from './wheel-zoom';

cytoscape.use(fcose);

const FIT_PADDING = 30;
/**
 * Room kept free at the top of a fitted view: the search box and the level bar lie over the
 * canvas's top left (MapView), and covered the first row of islands of a fitted map.
 */
const FIT_TOP = 96;
/** Margin kept around the selected element when the view pans to show it. */
const SHOW_MARGIN = 40;
/** Zoom at which islands in view open, and below which the ones opened that way close. */
const OPEN_ZOOM = 0.5;
const CLOSE_ZOOM = 0.3;
/** Islands opened by zooming, at most: each can hold hundreds of workloads. */
const MAX_ZOOM_OPENED = 4;
/** Patches waiting for a frame, at most (a hidden tab draws no frames): past it the canvas catches up in one go. */
const MAX_QUEUED_PATCHES = 40;
/** Longest a snapshot part's patch waits for the last part (a stream cut between parts). */
const HOLD_PARTS_MS = 3000;
/**
 * Longest a snapshot's head waits for its parts before it is drawn. Drawn at once, the head's picture
 * (layout, cytoscape's first render: ~1 s of the page's main thread at 5,000 workloads on a busy
 * machine) held back the parts already on their way (the renderer reads a stream between tasks),
 * and they were drawn in a second full frame: bench:ui's first render at 20,000 flows/s waited
 * 1.5-2.6 s after the head for them.
 */
const HOLD_HEAD_MS = 1000;
/**
 * Longest an edge's new width waits to be drawn when nothing else changes: on a busy cluster some
 * edge's flow count crosses a width step every few hundred milliseconds, and each would redraw the
 * whole canvas (over a thousand aggregates at 5,000 workloads) for a change of a quarter step.
 */
const WIDTHS_WAIT_MS = 2000;

/** The model's figures, and what the canvas holds and still has to draw. */
export interface MapCanvasStats extends MapStats {
  /** The level again, under the name `npm run bench:ui` reads. */
  mode: MapLevel;
  renderedNodes: number;
  /** Edges drawn: cytoscape's and the aggregates on their own layer. */
  renderedEdges: number;
  /** Aggregated edges drawn (on their own layer, aggregate-layer.ts). */
  renderedAggregates: number;
  /** Connections changed by deltas not drawn yet. */
  pendingEdges: number;
  layoutRunning: boolean;
  /** The graph sequence number last drawn. */
  drawnSeq: number;
  /**
   * Connections in the graph as last drawn: every change the page had received by then is on the
   * canvas (a snapshot's held parts count once they are drawn). What `npm run bench:ui` waits for.
   */
  drawnGraphEdges: number;
}

declare global {
  interface Window {
    /** The live cytoscape instance, for debugging and the e2e tests' style checks. */
    __flowsightCy?: Core;
    /** The map's own figures, for the e2e tests and `npm run bench:ui`. */
    __flowsightMap?: {
      stats(): MapCanvasStats;
      takeLatencies(): number[];
      /** The flow count a drawn connection stands for (aggregates: the sum of theirs). */
      edgeTotal(id: string): number | undefined;
      /** The aggregated edges as drawn, in the canvas's pixels (they are not cytoscape edges). */
      aggregateLines(): RenderedAggregate[];
      /** The view the aggregated edges are drawn in full for; null while a draw is due or a moving view shows a scaled frame. */
      aggregatesDrawnAt(): { zoom: number; pan: { x: number; y: number } } | null;
    };
  }
}

export interface MapCanvasEvents {
  onSelect(id: string | null): void;
  /** The figures the toolbar shows changed (at most once a frame). */
  onStats(stats: MapCanvasStats): void;
}

type Placed = { nodeId: string; position: Point };

/** Leaf nodes at the workloads level (workloads and peers): namespace boxes follow their children. */
const leaves = (cy: Core) => cy.nodes().filter((n) => !n.isParent() && !n.hasClass('namespace'));
/** What the islands layout moves: islands and peers (an opened island's workloads go on its grid). */
const topLevel = (cy: Core) => cy.nodes().filter((n) => !n.isChild() && !n.isParent());

export class MapCanvas {
  readonly cy: Core;
  private readonly aggregates: AggregateLayer;
  private readonly model = new MapModel();
  private readonly probe = new LatencyProbe();
  private graph: Pick<GraphState, 'nodes' | 'edges' | 'seq'> | null = null;
  private queue: RenderPatch[] = [];
  private queuedEdges = 0;
  private behind = false;
  /** The level the canvas shows: a catch-up lays out afresh only when it changed. */
  private drawnLevel: MapLevel | null = null;
  private frame = 0;
  private layoutRunning = false;
  private drawnSeq = 0;
  private pendingSeq = 0;
  private drawnGraphEdges = 0;
  /** True until the person zooms or pans: new content and resizes then re-fit the whole graph. */
  private fitted = true;
  private drawnOnce = false;
  private selected: string | null = null;
  /** A selection (from a link) whose element is not on the map yet: opened as soon as it is. */
  private revealWanted: string | null = null;
  /** Where each island sits (model coordinates): an opened island's grid is centred there. */
  private readonly home = new Map<string, Point>();
  private readonly zoomOpened = new Set<string>();
  /** Islands the person closed: zooming does not reopen them until it has zoomed out past CLOSE_ZOOM. */
  private readonly closedByPerson = new Set<string>();
  private zoomTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** A snapshot's head placed in the held model, not drawn yet: its parts are on their way, placed as they come, and drawn with the last (HOLD_HEAD_MS at most). */
  private heldHead = false;
  /** Snapshot parts taken into the model but not drawn yet: they are drawn with the last part (applyDelta). */
  private heldParts = 0;
  private heldEdges = 0;
  private heldTimer: ReturnType<typeof setTimeout> | undefined;
  /** Edges whose only change is their width, not drawn yet (WIDTHS_WAIT_MS). */
  private readonly heldWidths = new Map<string, CyElement>();
  private widthsTimer: ReturnType<typeof setTimeout> | undefined;
  private widthsDue = false;
  /** Islands drawn bigger since they were placed (their namespace gained workloads). */
  private readonly grown = new Set<string>();
  private readonly resized: ResizeObserver;
  private readonly detachWheel: () => void;

  constructor(container: HTMLElement, wheelTarget: HTMLElement, private readonly events: MapCanvasEvents) {
    // textureOnViewport: while a person pans or zooms, cytoscape moves a picture of the graph instead of
    // redrawing thousands of elements each frame; the graph is redrawn when the gesture ends.
    const cy = cytoscape({ container, style: MAP_STYLE, minZoom: 0.02, maxZoom: 3, boxSelectionEnabled: false, textureOnViewport: true });
    this.cy = cy;
    hideIdleLayers(cy);
    this.aggregates = new AggregateLayer(cy);
    cy.on('tap', (ev) => (ev.target === cy ? this.onBackgroundTap(ev.position) : this.onTap(ev.target)));
    cy.on('dragfree', 'node', (ev) => {
      const n = ev.target as NodeSingular;
      if (n.hasClass('island')) this.home.set(n.id(), { ...n.position() });
      this.saveSoon();
    });
    cy.on('scrollzoom pinchzoom dragpan', () => this.personMoved());
    window.__flowsightCy = cy;
    window.__flowsightMap = {
      stats: () => this.stats(),
      takeLatencies: () => this.probe.take(),
      edgeTotal: (id) => {
        if (isAggregateEdgeId(id)) {
          const members = this.model.membersOf(id);
          return members.length ? members.reduce((n, e) => n + e.total, 0) : undefined;
        }
        return this.graph?.edges.get(id)?.total;
      },
      aggregateLines: () => this.aggregates.renderedSegments(),
      aggregatesDrawnAt: () => this.aggregates.drawnView(),
    };

    // Our own wheel zoom: cytoscape's is tuned for trackpads, a mouse notch barely moves it. Capture
    // on the wrapper runs before cytoscape's listener on the container, which then never sees it.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      e.stopPropagation();
      const rect = container.getBoundingClientRect();
      const level = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * wheelZoomFactor(e.deltaY, e.deltaMode)));
      markWheelZooming(cy);
      cy.zoom({ level, renderedPosition: { x: e.clientX - rect.left, y: e.clientY - rect.top } });
      this.personMoved();
    };
    wheelTarget.addEventListener('wheel', onWheel, { capture: true, passive: false });
    this.detachWheel = () => wheelTarget.removeEventListener('wheel', onWheel, { capture: true });

    // The side panel narrows the canvas: re-fit when the person has not moved the view, and keep
    // the selected element on screen either way.
    this.resized = new ResizeObserver(() => {
      cy.resize();
      if (this.fitted) this.fitNodes();
      if (this.selected) this.show(this.selected);
    });
    this.resized.observe(container);
  }

  /**
   * The person zoomed or panned (never the map itself: a fit, a search's zoom or a pan to the
   * selection must not open islands): stop re-fitting, and open or close islands once they stop.
   */
  private personMoved(): void {
    this.fitted = false;
    clearTimeout(this.zoomTimer);
    this.zoomTimer = setTimeout(() => this.openByZoom(), 250);
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.zoomTimer);
    clearTimeout(this.saveTimer);
    clearTimeout(this.heldTimer);
    clearTimeout(this.widthsTimer);
    this.resized.disconnect();
    this.detachWheel();
    this.aggregates.destroy();
    this.cy.destroy();
    if (window.__flowsightCy === this.cy) delete window.__flowsightCy;
    delete window.__flowsightMap;
  }

  // ---- input -----------------------------------------------------------------------------------

  /**
   * A whole graph: a snapshot of the live stream, or a past window. Null: nothing to draw. `more`: a
   * snapshot's head with parts to follow: it is drawn with them, once (HOLD_HEAD_MS at most).
   */
  setGraph(graph: GraphState | null, { more = false }: { more?: boolean } = {}): void {
    // A whole graph replaces whatever of the last one was held back (the model's next patch is then
    // this graph's whole picture, against what the canvas holds).
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    this.heldHead = false;
    this.model.release();
    this.heldParts = 0;
    this.heldEdges = 0;
    this.graph = graph;
    this.pendingSeq = graph?.seq ?? 0;
    if (graph && more && !this.revealWanted) {
      // Placed now, while the page waits for the parts; drawn with them.
      this.model.hold();
      this.model.setGraph(graph);
      this.heldHead = true;
      this.heldTimer = setTimeout(() => this.releaseHead(), HOLD_HEAD_MS);
      return;
    }
    this.drawWhole();
  }

  private drawWhole(): void {
    this.enqueue(this.model.setGraph(this.graph ?? { nodes: new Map(), edges: new Map() }));
    this.revealIfWanted();
  }

  /** The held head, with the parts that came meanwhile (both in the model already), is drawn. */
  private releaseHead(): void {
    if (!this.heldHead) return;
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    this.heldHead = false;
    this.heldParts = 0;
    this.heldEdges = 0;
    this.model.release();
    this.enqueue({ ...this.model.pending(), touchedEdges: [] });
    this.revealIfWanted();
  }

  /**
   * A delta of the live stream, with the graph it produced. `news`: its edges changed just now (the
   * latency probe times them); false for the rest of a snapshot, whose edges may be minutes old.
   * `more`: a snapshot part with others to follow. It is drawn with the last one (at most
   * HOLD_PARTS_MS later): the islands picture is whole from the snapshot's head, and drawing between
   * parts would redraw the canvas once per part, each costing a frame of a thousand edges.
   */
  applyDelta(delta: GraphDelta, graph: GraphState, { news = true, more = false }: { news?: boolean; more?: boolean } = {}): void {
    if (this.heldHead) {
      // A part of the held snapshot: placed in the model now; the last one draws it all.
      if (!news && !this.revealWanted) {
        this.graph = graph;
        this.pendingSeq = graph.seq;
        this.model.absorb(delta, graph);
        if (!more) return this.releaseHead();
        this.heldParts++;
        this.heldEdges += delta.upsertEdges.length;
        return;
      }
      // A live delta (the parts stopped) or something to reveal: the graph so far first, then this over it.
      this.releaseHead();
    }
    this.graph = graph;
    this.pendingSeq = graph.seq;
    if (more && !this.revealWanted) {
      this.model.absorb(delta, graph);
      this.heldParts++;
      this.heldEdges += delta.upsertEdges.length;
      this.heldTimer ??= setTimeout(() => this.releaseHeld(), HOLD_PARTS_MS);
      return;
    }
    // The patch holds what the parts absorbed before it changed, too.
    const patch = this.model.applyDelta(delta, graph);
    this.clearHeld();
    this.queuedEdges += patch.touchedEdges.length;
    this.enqueue(news ? patch : { ...patch, touchedEdges: [] });
    this.revealIfWanted();
  }

  /** The parts absorbed so far, drawn without waiting for the rest (a stream cut between parts). */
  private releaseHeld(): void {
    const held = this.heldParts > 0;
    this.clearHeld();
    if (held) this.enqueue({ ...this.model.pending(), touchedEdges: [] });
  }

  private clearHeld(): void {
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    this.queuedEdges += this.heldEdges;
    this.heldParts = 0;
    this.heldEdges = 0;
  }

  setView(view: ViewOptions): void {
    this.enqueue(this.model.setView(view));
  }

  /** The posture decoration (outlines and findings): redraws only what it changes. */
  setDecor(decor: MapDecor): void {
    this.enqueue(this.model.setDecor(decor));
  }

  /** Opens (or closes) a namespace island; a person's choice, kept while zooming. */
  setOpen(namespace: string, open: boolean): void {
    this.zoomOpened.delete(namespace);
    if (open) this.closedByPerson.delete(namespace);
    else this.closedByPerson.add(namespace);
    this.enqueue(open ? this.model.expand(namespace) : this.model.collapse(namespace));
  }

  collapseAll(): void {
    this.zoomOpened.clear();
    this.enqueue(this.model.collapseAll());
  }

  /** Workloads and peers on the map matching the text (search box). */
  search(text: string, limit?: number): GraphNode[] {
    return this.model.search(text, limit);
  }

  /**
   * Selects an element (or nothing). A workload inside a closed island, or a connection drawn as
   * part of an aggregate, opens what hides it first.
   */
  select(id: string | null): void {
    this.selected = id;
    this.revealWanted = id && !this.model.elements.has(id) ? id : null;
    this.revealIfWanted();
    this.schedule();
  }

  private revealIfWanted(): void {
    const id = this.revealWanted;
    if (!id) return;
    if (this.reveal(id)) this.revealWanted = null;
  }

  /** Brings a node into view, zoomed in, and selects it (search-to-focus). False when it is not on the map. */
  focus(nodeId: string): boolean {
    const { patch, found } = this.model.reveal(nodeId);
    if (!found) return false;
    this.enqueue(patch);
    this.drawNow();
    const el = this.cy.getElementById(nodeId);
    if (el.empty()) return false;
    this.cy.zoom({ level: Math.max(this.cy.zoom(), 1.1), position: el.position() });
    this.cy.center(el);
    this.fitted = false;
    return true;
  }

  /** "Re-layout": the remembered picture is dropped and the graph is laid out from its seed again. */
  relayout(): void {
    forgetPositions();
    this.home.clear();
    this.cy.nodes().forEach((n) => unmarkPlaced(n));
    this.layOut(true);
    this.fitted = true;
    this.fitNodes();
  }

  /**
   * The whole map in view below the overlays (FIT_TOP), padded on the other sides. It fits the
   * nodes' box: edges lie between them, and measuring thousands of edges costs a frame.
   */
  private fitNodes(): void {
    const cy = this.cy;
    const nodes = cy.nodes();
    if (nodes.empty()) return;
    const box = nodes.boundingBox();
    const width = cy.width() - 2 * FIT_PADDING;
    const height = cy.height() - FIT_TOP - FIT_PADDING;
    if (width <= 0 || height <= 0 || box.w <= 0 || box.h <= 0) {
      cy.fit(nodes, FIT_PADDING);
      return;
    }
    const zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), Math.min(width / box.w, height / box.h)));
    cy.viewport({ zoom, pan: { x: FIT_PADDING + (width - zoom * box.w) / 2 - zoom * box.x1, y: FIT_TOP + (height - zoom * box.h) / 2 - zoom * box.y1 } });
  }

  stats(): MapCanvasStats {
    const model = this.model.stats();
    return {
      ...model,
      mode: model.level,
      renderedNodes: this.cy.nodes().length,
      renderedEdges: this.cy.edges().length + this.aggregates.size,
      renderedAggregates: this.aggregates.size,
      pendingEdges: this.queue.length || this.heldParts || this.heldHead ? Math.max(1, this.queuedEdges + this.heldEdges) : 0,
      layoutRunning: this.layoutRunning,
      drawnSeq: this.drawnSeq,
      drawnGraphEdges: this.drawnGraphEdges,
    };
  }

  // ---- drawing ---------------------------------------------------------------------------------

  private enqueue(patch: RenderPatch): void {
    if (this.queue.length >= MAX_QUEUED_PATCHES) {
      // Nobody is drawing (hidden tab): catch up from the model's picture in one go when frames return.
      this.queue = [];
      this.queuedEdges = 0;
      this.behind = true;
    }
    this.queue.push(patch);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  /** Applies the queued patches in one batch, places what is new, and keeps the selection shown. */
  private drawNow(): void {
    const queued = this.queue;
    this.queue = [];
    this.queuedEdges = 0;
    const stamps: number[] = [];
    for (const p of queued) for (const e of p.touchedEdges) stamps.push(e.lastSeen);
    for (const p of queued) for (const def of p.widths) this.heldWidths.set(String(def.data.id), def);
    if (!this.behind && !this.widthsDue && !queued.some((p) => p.levelChanged || drawsNow(p))) {
      // Nothing to draw but new widths: they wait for the next frame that redraws anyway, or WIDTHS_WAIT_MS.
      if (this.heldWidths.size) this.widthsTimer ??= setTimeout(() => this.drawWidths(), WIDTHS_WAIT_MS);
      this.drawn();
      this.probe.record(stamps);
      if (queued.length) this.events.onStats(this.stats());
      return;
    }
    // Held widths go first: a newer patch of the same edge (or its removal) comes after them. A
    // catch-up draws the model's picture as it is now, which has them already.
    const widths: RenderPatch = { add: [], update: [...this.heldWidths.values()], widths: [], remove: [], levelChanged: false, touchedEdges: [] };
    const patches = widths.update.length && !this.behind ? [widths, ...queued] : queued;
    this.heldWidths.clear();
    clearTimeout(this.widthsTimer);
    this.widthsTimer = undefined;
    this.widthsDue = false;
    let added: Collection = this.cy.collection();
    let levelChanged = false;
    this.rememberIslands();
    this.cy.batch(() => {
      if (this.behind) {
        this.behind = false;
        added = this.reconcile();
        levelChanged = this.drawnLevel !== this.model.currentLevel;
      }
      for (const p of patches) {
        added = added.union(this.applyPatch(p));
        levelChanged ||= p.levelChanged;
      }
    });
    // Patches that changed nothing drawn (counts behind the same width, say) leave placement alone.
    const changed = patches.some(drawsNow);
    if (changed || levelChanged || added.nonempty()) this.place(added, levelChanged);
    this.drawnLevel = this.model.currentLevel;
    this.drawn();
    // A level change closes every island: a selection that was opened into view is opened again.
    // (An island the person closed stays closed, selection inside or not.)
    if (levelChanged && this.selected && !this.revealWanted && !this.model.elements.has(this.selected)) {
      this.revealWanted = this.selected;
      this.revealIfWanted();
    }
    if (this.selected) this.showSelected();
    this.probe.record(stamps);
    if (queued.length) this.events.onStats(this.stats());
  }

  /** Everything queued is on the canvas: the graph as it stands is drawn, but for a snapshot's parts held back. */
  private drawn(): void {
    this.drawnSeq = this.pendingSeq;
    if (!this.heldParts && !this.heldHead) this.drawnGraphEdges = this.graph?.edges.size ?? 0;
  }

  private drawWidths(): void {
    this.widthsTimer = undefined;
    this.widthsDue = true;
    this.schedule();
  }

  /** Positions of the islands now, before a patch may open them (their grid goes where they were). */
  private rememberIslands(): void {
    this.cy.nodes('.island').forEach((n) => {
      if (isPlaced(n)) this.home.set(n.id(), { ...n.position() });
    });
  }

  private applyPatch(p: RenderPatch): Collection {
    const cy = this.cy;
    for (const id of p.remove) {
      if (isAggregateEdgeId(id)) this.aggregates.remove(id);
      else this.removeElement(id);
    }
    const nodes: ElementDefinition[] = [];
    const edges: ElementDefinition[] = [];
    const lines: AggregateLine[] = [];
    const updates: CyElement[] = [];
    const definition = (def: CyElement): ElementDefinition => ({ group: def.group, data: { ...def.data } as ElementDefinition['data'], classes: def.classes });
    for (const def of [...p.add, ...p.update]) {
      if (def.group === 'edges' && isAggregateEdgeId(String(def.data.id))) lines.push(aggregateLine(def));
      else if (cy.getElementById(String(def.data.id)).nonempty()) updates.push(def);
      else (def.group === 'nodes' ? nodes : edges).push(definition(def));
    }
    // New nodes first (boxes before their workloads): an update may move a node into a new box.
    let added = cy.add(nodes);
    for (const def of updates) {
      const el = cy.getElementById(String(def.data.id));
      if (def.group === 'nodes' && (el.data('parent') ?? undefined) !== (def.data.parent ?? undefined)) {
        (el as unknown as NodeSingular).move({ parent: def.data.parent === undefined ? null : String(def.data.parent) });
      }
      // An island whose namespace gained workloads is drawn bigger: it may now cover a neighbour.
      if (el.hasClass('island') && (el.data('width') !== def.data.width || el.data('height') !== def.data.height)) this.grown.add(String(def.data.id));
      el.data(def.data);
      if (el.classes().join(' ') !== def.classes) el.classes(def.classes);
    }
    // An edge whose end is not drawn would only make cytoscape warn about invalid endpoints.
    const endsDrawn = (e: { source: unknown; target: unknown }) => cy.getElementById(String(e.source)).nonempty() && cy.getElementById(String(e.target)).nonempty();
    added = added.union(cy.add(edges.filter((e) => endsDrawn(e.data as { source: unknown; target: unknown }))));
    for (const line of lines) {
      if (endsDrawn(line)) this.aggregates.set(line);
      else this.aggregates.remove(line.id);
    }
    return added;
  }

  /** Removes a cytoscape element; a node takes its aggregated edges with it, as it does its edges. */
  private removeElement(id: string): void {
    if (this.cy.getElementById(id).isNode()) this.aggregates.removeTouching(id);
    removeKeepingChildren(this.cy, id);
  }

  /** Makes cytoscape hold exactly the model's picture (after patches were dropped). */
  private reconcile(): Collection {
    const want = this.model.elements;
    for (const el of this.cy.elements().toArray()) if (!want.has(el.id())) this.removeElement(el.id());
    for (const id of this.aggregates.ids()) if (!want.has(id)) this.aggregates.remove(id);
    return this.applyPatch({ add: [...want.values()].sort((a, b) => (a.group === b.group ? (a.data.parent ? 1 : 0) - (b.data.parent ? 1 : 0) : a.group === 'nodes' ? -1 : 1)), update: [], widths: [], remove: [], levelChanged: true, touchedEdges: [] });
  }

  // ---- placement -------------------------------------------------------------------------------

  private place(added: Collection, levelChanged: boolean): void {
    const fresh = levelChanged || !this.drawnOnce;
    if (!this.cy.nodes().length) return;
    if (fresh) {
      this.home.clear();
      this.cy.nodes().forEach((n) => unmarkPlaced(n));
    }
    if (!fresh && added.nodes().empty() && !this.hasUnplacedChildren()) {
      // A grown island is bigger around its centre (and may move aside): a fitted view is fitted
      // again, or its edge could end up out of view or under the search box.
      const grew = this.grown.size > 0;
      this.placeClosedIslands();
      this.makeRoomForGrown();
      if (grew && this.fitted) this.fitNodes();
      return;
    }
    if (fresh) this.grown.clear();
    this.layOut(fresh);
    this.makeRoomForGrown();
    if (fresh || this.fitted) {
      this.fitNodes();
      this.fitted = true;
    }
    if (!this.drawnOnce) markFirst('map-first-draw');
    this.drawnOnce = true;
  }

  /** A grown island that now covers another moves to the nearest free spot; nothing else moves. */
  private makeRoomForGrown(): void {
    if (!this.grown.size) return;
    const cy = this.cy;
    for (const id of this.grown) {
      const n = cy.getElementById(id) as unknown as NodeSingular;
      if (n.empty() || !n.hasClass('island')) continue;
      const others = cy
        .nodes()
        .filter((m: NodeSingular) => !m.isChild() && m.id() !== id)
        .map((n: NodeSingular) => labelFreeBox(n));
      const at = { ...n.position() };
      const spot = freeSpot(at, { width: n.outerWidth(), height: n.outerHeight() }, others);
      if (spot.x !== at.x || spot.y !== at.y) {
        n.position(spot);
        this.home.set(id, { ...spot });
      }
    }
    this.grown.clear();
  }

  private hasUnplacedChildren(): boolean {
    return this.cy.nodes().filter((n: NodeSingular) => n.isChild() && !isPlaced(n)).nonempty();
  }

  private layOut(fresh: boolean): void {
    this.layoutRunning = true;
    try {
      if (this.model.currentLevel === 'workloads') layOutWorkloads(this.cy, fresh);
      else this.layOutIslands(fresh);
    } finally {
      this.layoutRunning = false;
    }
  }

  /**
   * Islands and peers laid out once per picture (by how much they talk, in rows), newcomers at a
   * free spot beside a neighbour, then each opened island's workloads on a grid centred where the
   * island was.
   */
  private layOutIslands(fresh: boolean): void {
    const cy = this.cy;
    const movable = topLevel(cy);
    if (fresh) {
      // A new picture: islands and peers by how much they talk to each other, dealt into rows (island-layout.ts).
      const boxes = movable.map((n: NodeSingular) => ({ id: n.id(), width: n.outerWidth(), height: n.outerHeight() }));
      const ids = new Set(movable.map((n) => n.id()));
      const links = [...movable.edgesWith(movable).map((e) => [e.source().id(), e.target().id(), Number(e.data('weight') ?? 1)] as [string, string, number]), ...this.aggregates.linksAmong(ids)];
      const at = islandPositions(boxes, links);
      movable.positions((n) => at.get((n as NodeSingular).id())!);
    } else {
      // A newcomer on a picture people already read: the nearest free spot by a placed neighbour
      // (or by the centre), nothing else moves and no layout runs.
      const boxes = cy.nodes().filter((n: NodeSingular) => !n.isChild() && (isPlaced(n) || n.isParent())).map((n: NodeSingular) => labelFreeBox(n));
      movable.forEach((n: NodeSingular) => {
        if (isPlaced(n)) return;
        const home = this.home.get(n.id());
        const neighbour = this.neighboursOf(n).filter((m: NodeSingular) => isPlaced(m) && !m.isChild()).first() as unknown as NodeSingular;
        const near = home ?? (neighbour.nonempty() ? { ...neighbour.position() } : boxes.length ? { x: boxes[0].x, y: boxes[0].y } : { x: 0, y: 0 });
        const size = { width: n.width(), height: n.height() };
        const spot = home ?? freeSpot(near, size, boxes);
        n.position(spot);
        boxes.push({ ...spot, ...size });
      });
    }
    movable.forEach((n: NodeSingular) => {
      markPlaced(n);
      if (n.hasClass('island')) this.home.set(n.id(), { ...n.position() });
    });
    this.placeOpenedIslands();
    this.placeClosedIslands();
  }

  /** Workloads of opened islands: a grid where the island was, or a free cell for a newcomer. */
  private placeOpenedIslands(): void {
    this.cy.nodes().filter((n) => n.isParent()).forEach((box: NodeSingular) => {
      const children = box.children();
      const waiting = children.filter((c) => !isPlaced(c));
      if (waiting.empty()) return;
      const center = this.home.get(box.id()) ?? box.position();
      this.home.set(box.id(), center);
      if (waiting.length === children.length) {
        const cells = gridPositions(children.map((c) => c.id()).sort(), center);
        children.forEach((c: NodeSingular) => markPlaced(c.position(cells.get(c.id())!)));
        return;
      }
      const taken = children.filter((c) => isPlaced(c)).map((c: NodeSingular) => ({ ...c.position() }));
      waiting.forEach((c: NodeSingular) => {
        const cell = freeCell(taken, center, children.length);
        markPlaced(c.position(cell));
        taken.push(cell);
      });
    });
  }

  /** An island that just closed goes back where it was (its children left it at their centre). */
  private placeClosedIslands(): void {
    this.cy.nodes('.island').forEach((n: NodeSingular) => {
      const home = this.home.get(n.id());
      if (home && (n.position('x') !== home.x || n.position('y') !== home.y)) n.position(home);
      markPlaced(n);
    });
  }

  // ---- interaction -----------------------------------------------------------------------------

  private onTap(target: cytoscape.NodeSingular | cytoscape.EdgeSingular | null): void {
    if (!target) return this.events.onSelect(null);
    const id = target.id();
    if (target.isNode() && target.hasClass('island')) {
      this.setOpen(namespaceOfBoxId(id)!, true);
      // A namespace's panel lists its findings; the internet island has none of its own: it only opens.
      if (!target.hasClass('internet')) this.events.onSelect(id);
      return;
    }
    this.events.onSelect(id);
  }

  /** A click on the background: on an aggregated edge (its own layer, beneath the nodes) it opens the islands at its ends. */
  private onBackgroundTap(position: Point): void {
    const line = this.aggregates.lineAt(position);
    if (!line) return this.events.onSelect(null);
    for (const end of [line.source, line.target]) {
      if (this.cy.getElementById(end).hasClass('island')) this.setOpen(namespaceOfBoxId(end)!, true);
    }
  }

  /** The nodes joined to a node, by cytoscape's edges or by an aggregate. */
  private neighboursOf(n: NodeSingular): cytoscape.NodeCollection {
    let out = n.neighborhood('node');
    for (const id of this.aggregates.neighbours(n.id())) out = out.union(this.cy.getElementById(id).nodes());
    return out;
  }

  /** Opens whatever hides a graph node or connection so it can be drawn and selected; false while it is not on the map. */
  private reveal(id: string): boolean {
    const edge = this.graph?.edges.get(id);
    let shown = false;
    for (const nodeId of edge ? [edge.source, edge.target] : [id]) {
      const { patch, found } = this.model.reveal(nodeId);
      if (found) this.enqueue(patch);
      shown ||= found;
    }
    return shown;
  }

  /** Zoomed in: open the islands in view (nearest the centre first); zoomed out: close those opened that way. */
  private openByZoom(): void {
    if (this.model.currentLevel !== 'islands') return;
    const cy = this.cy;
    const zoom = cy.zoom();
    const view = cy.extent();
    const inView = (p: Point) => p.x >= view.x1 && p.x <= view.x2 && p.y >= view.y1 && p.y <= view.y2;
    for (const ns of [...this.zoomOpened]) {
      const box = cy.getElementById(`ns:${ns}`);
      if (zoom < CLOSE_ZOOM || box.empty() || !inView(box.position())) {
        this.zoomOpened.delete(ns);
        this.enqueue(this.model.collapse(ns));
      }
    }
    if (zoom < CLOSE_ZOOM) this.closedByPerson.clear();
    if (zoom < OPEN_ZOOM) return;
    const centre = { x: (view.x1 + view.x2) / 2, y: (view.y1 + view.y2) / 2 };
    const candidates = cy
      .nodes('.island')
      .filter((n: NodeSingular) => inView(n.position()))
      .sort((a: NodeSingular, b: NodeSingular) => dist(a.position(), centre) - dist(b.position(), centre));
    for (const n of candidates.toArray()) {
      if (this.zoomOpened.size >= MAX_ZOOM_OPENED) break;
      const ns = namespaceOfBoxId(n.id())!;
      if (this.closedByPerson.has(ns)) continue;
      this.zoomOpened.add(ns);
      this.enqueue(this.model.expand(ns));
    }
  }

  private showSelected(): void {
    const cy = this.cy;
    const el = this.selected ? cy.getElementById(this.selected) : cy.collection();
    // (Re)selecting restyles: only when the selection on the canvas is not already this element.
    const was = cy.$(':selected');
    if (!(was.length === 1 && was.same(el))) {
      was.unselect();
      if (el.nonempty()) el.select();
    }
    if (el.nonempty()) this.show(this.selected!);
  }

  /** Pans just enough that the element is on screen (with a margin); no zoom change. */
  private show(id: string): void {
    const cy = this.cy;
    const el = cy.getElementById(id);
    if (el.empty()) return;
    const box = el.renderedBoundingBox({});
    const w = cy.width();
    const h = cy.height();
    let dx = 0;
    let dy = 0;
    if (box.x2 > w - SHOW_MARGIN) dx = w - SHOW_MARGIN - box.x2;
    if (box.x1 + dx < SHOW_MARGIN) dx = SHOW_MARGIN - box.x1;
    if (box.y2 > h - SHOW_MARGIN) dy = h - SHOW_MARGIN - box.y2;
    if (box.y1 + dy < SHOW_MARGIN) dy = SHOW_MARGIN - box.y1;
    if (dx || dy) cy.panBy({ x: dx, y: dy });
  }

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      if (this.model.currentLevel === 'workloads') savePositions(leaves(this.cy).map((n: NodeSingular) => [n.id(), n.position()] as const));
    }, 400);
  }
}

const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

/** A node's own starting point: spread over an area that grows with the graph, the same on every load. */
function startPosition(id: string, count: number, spacing = 120): Point {
  const side = spacing * Math.ceil(Math.sqrt(Math.max(1, count)));
  const h = hashStrings([id]);
  return { x: ((h % 10007) / 10007) * side, y: (((h >>> 8) % 10009) / 10009) * side };
}

function workloadLayoutOptions(nodeCount: number, randomize: boolean, fixed: Placed[]): cytoscape.LayoutOptions {
  return {
    name: 'fcose',
    quality: nodeCount > 1000 ? 'draft' : 'default',
    randomize,
    animate: false,
    nodeRepulsion: () => 30_000,
    idealEdgeLength: () => 110,
    edgeElasticity: () => 0.2,
    nestingFactor: 0.2,
    gravity: 0.3,
    gravityCompound: 1.5,
    gravityRangeCompound: 2.0,
    nodeSeparation: 120,
    tilingPaddingVertical: 40,
    tilingPaddingHorizontal: 40,
    numIter: 4000,
    packComponents: true,
    fit: false,
    ...(fixed.length ? { fixedNodeConstraint: fixed } : {}),
  } as cytoscape.LayoutOptions;
}

/** Runs a layout seeded by the ids it moves, so the same graph always gives the same picture. */
function runLayout(eles: Collection, options: cytoscape.LayoutOptions): void {
  const seed = hashStrings(eles.map((e) => e.id()).sort());
  try {
    withSeededRandom(seed, () => eles.layout(options).run());
  } catch {
    // A constraint fcose cannot satisfy (e.g. fixed nodes in a changed compound): lay out without it.
    withSeededRandom(seed, () => eles.layout({ ...options, fixedNodeConstraint: undefined } as unknown as cytoscape.LayoutOptions).run());
  }
}

/**
 * The workloads level: remembered positions first (the picture people saw before a reload), then a
 * seeded layout for the rest, with the placed nodes held still.
 */
function layOutWorkloads(cy: Core, fresh: boolean): void {
  const remembered = fresh ? loadPositions() : new Map<string, Point>();
  const placed: Placed[] = [];
  let unplaced = 0;
  const all = leaves(cy);
  const count = all.length;
  all.forEach((n: NodeSingular) => {
    const saved = remembered.get(n.id());
    if (fresh && saved) n.position(saved);
    if (fresh ? saved : isPlaced(n)) {
      placed.push({ nodeId: n.id(), position: { ...n.position() } });
      return;
    }
    unplaced++;
    // New nodes start next to a placed neighbour (or at their own seeded spot), never all at the
    // origin: nodes on top of each other give edges no length, which cytoscape warns about.
    const neighbour = n.neighborhood('node').filter((m: NodeSingular) => isPlaced(m) && !m.isParent()).first() as unknown as NodeSingular;
    const own = startPosition(n.id(), count);
    n.position(neighbour.nonempty() ? { x: neighbour.position('x') + (own.x % 60) + 30, y: neighbour.position('y') + (own.y % 60) + 30 } : own);
  });
  if (unplaced > 0) runLayout(cy.elements(), workloadLayoutOptions(cy.nodes().length, placed.length === 0, placed));
  all.forEach(markPlaced);
}

/** cytoscape's canvas renderer, as far as `markWheelZooming` uses it (not in its typings). */
interface WheelRenderer {
  data?: { wheelZooming?: boolean; wheelTimeout?: ReturnType<typeof setTimeout> };
  redrawHint?(group: 'eles', dirty: boolean): void;
  redraw?(): void;
}

/** How long after the last wheel event the zoomed map is drawn in full again (cytoscape's own wheel: 150 ms). */
const WHEEL_SETTLE_MS = 150;

/**
 * Tells cytoscape a wheel zoom is under way, as its own wheel handler does: while the flag is up
 * (textureOnViewport) it scales the last full frame instead of drawing every element, and draws in
 * full once the wheel rests. Our handler replaces cytoscape's, so without this each notch redrew
 * the thousand-odd aggregates of a large map (~100-200 ms a frame in a software-rendered browser).
 * The flag lives on the renderer's private data; if a cytoscape release moves it, zooming still
 * works, only every notch is drawn in full again.
 */
function markWheelZooming(cy: Core): void {
  const r = (cy as unknown as { renderer(): WheelRenderer | undefined }).renderer();
  const data = r?.data;
  if (!r || typeof data !== 'object' || typeof r.redraw !== 'function') return;
  data.wheelZooming = true;
  clearTimeout(data.wheelTimeout);
  data.wheelTimeout = setTimeout(() => {
    data.wheelZooming = false;
    r.redrawHint?.('eles', true);
    r.redraw!();
  }, WHEEL_SETTLE_MS);
}

/** A patch that adds, changes or removes something drawn now (widths alone may wait). */
const drawsNow = (p: RenderPatch): boolean => p.add.length > 0 || p.update.length > 0 || p.remove.length > 0;

/**
 * The nodes that have their place (a removed node that comes back is a new element, unplaced).
 * Kept beside cytoscape, not in an element's data or scratch: both setters mark the element's style
 * dirty (and its box's and children's), so flagging the ~100 islands of a fresh picture made
 * cytoscape recompute their style, and redraw, once more before the first frame.
 */
const placed = new WeakSet<NodeSingular>();

function isPlaced(n: NodeSingular): boolean {
  return placed.has(n);
}

function markPlaced(n: NodeSingular): void {
  placed.add(n);
}

function unmarkPlaced(n: NodeSingular): void {
  placed.delete(n);
}

/**
 * Removes an element; a box first hands its children to the top level. cytoscape removes a parent's
 * descendants (and their edges) with it, and the model may keep a child drawn while its box goes
 * (the internet island's peers when the map goes back to workloads).
 */
function removeKeepingChildren(cy: Core, id: string): void {
  const el = cy.getElementById(id);
  if (el.empty()) return;
  if (el.isNode()) (el as unknown as NodeSingular).children().move({ parent: null });
  el.remove();
}

/** An aggregated edge's element, as the layer that draws it holds it. */
function aggregateLine(def: CyElement): AggregateLine {
  const d = def.data;
  return { id: String(d.id), source: String(d.source), target: String(d.target), status: (d.status ?? 'allowed') as EdgeStatus, weight: Number(d.weight ?? 1) };
}
