/**
 * What the map draws, kept up to date delta by delta: the browser's graph goes in, patches of
 * cytoscape elements come out (added, changed, removed), so a tick of the live stream costs the
 * canvas only what changed, never a rebuild of the whole picture.
 *
 * Level of detail: past `islandThreshold` workloads on screen, every namespace collapses into one
 * node, its island, and the edges between islands are drawn as one aggregated edge per pair (the
 * worst status of their connections wins). A namespace the person opens (or the one holding a
 * workload they searched for) is drawn workload by workload again, inside its box, while the others
 * stay islands. Below the threshold the map is what it always was: every workload, in its
 * namespace's box, every connection.
 *
 * Each connection knows the element it is drawn as (itself, an aggregate, or the inside of an
 * island) and each element knows its connections, so a delta recomputes only the elements its
 * connections touch. Pure: no DOM, no cytoscape; the canvas applies the patches.
 */

import type { GraphState } from './apply-delta';
import { edgeElement, edgeWeight, namespaceElement, nodeElement, type CyElement, type NamespaceFlagLabel } from './cy-elements';
import { namespaceBoxId, namespaceOfBoxId } from './graph-ids';
import { islandFootprint } from './island-layout';
import { INTERNET_ISLAND, islandOf } from './island-of';
import { edgeFilter, type EdgeFilter, type ViewOptions } from './view-filter';
import { effectiveStatus, type EdgeStatus, type GraphDelta, type GraphEdge, type GraphNode } from './types';

/** Workloads on screen above which namespaces collapse into islands. */
export const ISLAND_THRESHOLD = 400;
/** Back to workloads only well below the threshold, so a graph hovering around it does not flip back and forth. */
const LEAVE_ISLANDS_BELOW = 0.8;

export type MapLevel = 'workloads' | 'islands';
/** `auto` follows the threshold; the others are the person's choice. */
export type LevelChoice = 'auto' | MapLevel;

export interface MapDecor {
  /** Outlined by the posture layer: workloads (node ids) and namespaces. */
  flaggedNodes: ReadonlySet<string>;
  flaggedNamespaces: ReadonlySet<string>;
  /** Findings per namespace, written under its name. */
  namespaceFlags: Readonly<Record<string, readonly NamespaceFlagLabel[]>>;
}

export const NO_DECOR: MapDecor = { flaggedNodes: new Set(), flaggedNamespaces: new Set(), namespaceFlags: {} };

export interface RenderPatch {
  /** Parents before children, nodes before edges: cytoscape can add them in this order. */
  add: CyElement[];
  /** Elements whose data or classes changed (a node's parent may have changed too). */
  update: CyElement[];
  /**
   * Edges whose only change is their width (their flow count crossed a width step): a canvas may
   * draw them later, with its next change, since each redraw of a large picture costs a frame.
   */
  widths: CyElement[];
  remove: string[];
  /** The level changed: the picture is a new one and is laid out afresh. */
  levelChanged: boolean;
  /**
   * Connections this patch brings newer flows for (what the latency probe times): not those a delta
   * carries for another reason, such as their verdict path, whose newest flow may be minutes old.
   */
  touchedEdges: GraphEdge[];
}

export interface MapStats {
  level: MapLevel;
  graphNodes: number;
  graphEdges: number;
  /** Connections that pass the view's filters, and the namespaces they touch. */
  visibleEdges: number;
  visibleWorkloads: number;
  namespaces: number;
  /** Namespaces drawn workload by workload while the others are islands. */
  expanded: string[];
}

/** The ids of aggregated edges and of island insides: never graph ids (those hold no `>`... at the start). */
const AGGREGATE_PREFIX = 'agg>';
const INSIDE_PREFIX = 'in>';

export function aggregateEdgeId(source: string, target: string): string {
  return `${AGGREGATE_PREFIX}${source}>${target}`;
}

export function isAggregateEdgeId(id: string): boolean {
  return id.startsWith(AGGREGATE_PREFIX);
}

interface Placement {
  /** The element the connection is drawn as; null when the view hides it. */
  rid: string | null;
  source: string;
  target: string;
  /** What it adds to its element's sums (ElementSums), as last placed. */
  status: EdgeStatus;
  total: number;
}

/**
 * What an element's connections add up to, kept as connections are placed, moved and changed: an
 * aggregate or an island is then redrawn in constant time, not by walking its members (an island's
 * inside holds thousands at 5,000 workloads, and each delta or snapshot part touches hundreds of elements).
 */
interface ElementSums {
  total: number;
  statuses: Map<EdgeStatus, number>;
}

interface NodeVisibility {
  /** Visible connections starting or ending here: the node is on screen while there is one. */
  edges: number;
  namespace: string;
}

/** The status an aggregate is drawn with: one status if all agree, else mixed, or audit when nothing is denied. */
export function combinedStatus(statuses: Iterable<EdgeStatus>): EdgeStatus {
  const seen = new Set(statuses);
  if (seen.size === 1) return [...seen][0];
  if (seen.has('denied') || seen.has('mixed')) return 'mixed';
  return seen.has('audit') ? 'audit' : 'allowed';
}

/** What is in one set and not the other. */
function changedMembers<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): T[] {
  const out: T[] = [];
  for (const x of a) if (!b.has(x)) out.push(x);
  for (const x of b) if (!a.has(x)) out.push(x);
  return out;
}

function sameFlags(a: readonly NamespaceFlagLabel[] | undefined, b: readonly NamespaceFlagLabel[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((f, i) => f.label === b[i].label && f.severity === b[i].severity);
}

/** Two versions of an element that look the same, apart from the data field `except` if given. */
function sameElement(a: CyElement, b: CyElement, except?: string): boolean {
  if (a.classes !== b.classes) return false;
  const ka = Object.keys(a.data);
  if (ka.length !== Object.keys(b.data).length) return false;
  for (const k of ka) if (k !== except && a.data[k] !== b.data[k]) return false;
  return true;
}

export class MapModel {
  private nodes: ReadonlyMap<string, GraphNode> = new Map();
  private edges: ReadonlyMap<string, GraphEdge> = new Map();
  private view: ViewOptions = { namespaces: [], statuses: [], visual: { hideHost: false, hideRemoteNode: false, hideKubeDns: false, hideMetricsScrapes: false, hideIngressControllers: false, hidePatterns: [] } };
  private filter: EdgeFilter = edgeFilter(this.view);
  private decor: MapDecor = NO_DECOR;
  private choice: LevelChoice = 'auto';
  private level: MapLevel = 'workloads';
  private readonly expanded = new Set<string>();

  private readonly placement = new Map<string, Placement>();
  private readonly members = new Map<string, Set<string>>();
  private readonly sums = new Map<string, ElementSums>();
  private readonly visibility = new Map<string, NodeVisibility>();
  private readonly workloadsOf = new Map<string, number>();
  private readonly rendered = new Map<string, CyElement>();

  private dirtyRids = new Set<string>();
  private dirtyNodes = new Set<string>();
  private dirtyNamespaces = new Set<string>();
  private touched: GraphEdge[] = [];
  /**
   * Each connection's newest flow time and count as last drawn: a delta brings news when either grew.
   * The connections of the last whole graph are read from its map (`drawnBase`), those changed since
   * from `drawnFlows` (null: gone since): copying 20,000 of them into a map was a pass over every
   * connection of a first draw. The store changes a whole graph's map afterwards only to add its
   * snapshot's parts in place (live-store.ts), whose flows are no news either; later versions are
   * built over it, never into it (layered-map.ts).
   */
  private drawnBase: ReadonlyMap<string, Pick<GraphEdge, 'lastSeen' | 'total'>> = new Map();
  private readonly drawnFlows = new Map<string, Pick<GraphEdge, 'lastSeen' | 'total'> | null>();
  /** Every connection was placed again and the picture not computed yet (a hold): the next patch is the whole picture. */
  private wholeDue: { levelChanged: boolean } | null = null;
  private held = false;

  constructor(private readonly threshold = ISLAND_THRESHOLD) {}

  /** A whole graph (a snapshot, or a past window): everything is placed again. */
  setGraph(graph: Pick<GraphState, 'nodes' | 'edges'>): RenderPatch {
    this.nodes = graph.nodes;
    this.edges = graph.edges;
    return this.rebuild(true);
  }

  /**
   * From now until `release`, changes are placed as they come but no patch is computed (each returns
   * empty): the first patch after holds them all (`pending`). For a large snapshot's head, whose
   * parts follow: the head and each part are placed while the page waits for the next part, and the
   * picture is computed and drawn once, with the last. Placing them all after the last was a quarter
   * to a third of the page's main-thread work for a 5,000-workload first draw.
   */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
  }

  /**
   * A delta the graph (`graph`, already updated) went through: only the elements its connections
   * and nodes touch are recomputed.
   */
  applyDelta(delta: GraphDelta, graph: Pick<GraphState, 'nodes' | 'edges'>): RenderPatch {
    this.absorb(delta, graph);
    return this.pending();
  }

  /**
   * Takes a delta in without computing the elements it changes: the next patch carries them, with
   * those of any other delta absorbed meanwhile. A large snapshot's parts are absorbed and drawn
   * with the last: computing the aggregates each part touches, once per part, cost a twelfth of a
   * first draw at 5,000 workloads for each part.
   */
  absorb(delta: GraphDelta, graph: Pick<GraphState, 'nodes' | 'edges'>): void {
    this.nodes = graph.nodes;
    this.edges = graph.edges;
    for (const id of delta.removeEdges) {
      this.unplace(id);
      this.forgetDrawn(id);
    }
    for (const n of delta.upsertNodes) this.markNode(n.id, islandOf(n));
    for (const id of delta.removeNodes) this.dirtyNodes.add(id);
    for (const e of delta.upsertEdges) {
      const current = this.edges.get(e.id);
      if (!current) continue;
      const before = this.placement.get(e.id);
      const rid = this.ridOf(current);
      if (before && before.rid === rid) {
        // Drawn as before (the common case: more flows on a known connection): only its element may change.
        if (rid) {
          this.addToSums(rid, before, -1);
          before.status = effectiveStatus(current);
          before.total = current.total;
          this.addToSums(rid, before, 1);
          this.dirtyRids.add(rid);
        }
      } else {
        this.unplace(e.id);
        this.place(current, rid);
      }
      const drawn = this.drawnFlows.has(e.id) ? this.drawnFlows.get(e.id) : this.drawnBase.get(e.id);
      if (!drawn || current.lastSeen > drawn.lastSeen || current.total > drawn.total) this.touched.push(current);
      // A snapshot part's connection is already in the base (added in place): nothing to remember.
      if (drawn !== current) this.drawnFlows.set(e.id, { lastSeen: current.lastSeen, total: current.total });
    }
  }

  /** What changed since the last patch (deltas absorbed): the whole picture again if the level must change. */
  pending(): RenderPatch {
    const wanted = this.wantedLevel();
    if (wanted !== this.level) return this.rebuild(false);
    return this.flush(false);
  }

  /** A connection gone from the graph: should it come back, its flows are news. */
  private forgetDrawn(id: string): void {
    // The base is the graph as a whole graph brought it: a mark hides its entry (bounded by its size).
    if (this.drawnBase.has(id)) this.drawnFlows.set(id, null);
    else this.drawnFlows.delete(id);
  }

  /** The view's filters changed: the same graph, placed again. */
  setView(view: ViewOptions): RenderPatch {
    this.view = view;
    this.filter = edgeFilter(view);
    return this.rebuild(false);
  }

  /**
   * The posture decoration changed (it is polled every few seconds): only the workloads and
   * namespaces whose outline or findings changed are drawn again; nothing is placed again.
   */
  setDecor(decor: MapDecor): RenderPatch {
    const old = this.decor;
    this.decor = decor;
    for (const id of changedMembers(old.flaggedNodes, decor.flaggedNodes)) {
      const n = this.nodes.get(id);
      if (n) this.markNode(id, islandOf(n));
    }
    for (const ns of changedMembers(old.flaggedNamespaces, decor.flaggedNamespaces)) this.dirtyNamespaces.add(ns);
    for (const ns of new Set([...Object.keys(old.namespaceFlags), ...Object.keys(decor.namespaceFlags)])) {
      if (!sameFlags(old.namespaceFlags[ns], decor.namespaceFlags[ns])) this.dirtyNamespaces.add(ns);
    }
    return this.flush(false);
  }

  setLevelChoice(choice: LevelChoice): RenderPatch {
    this.choice = choice;
    return this.rebuild(false);
  }

  /** Opens a namespace (islands only): its workloads are drawn one by one. */
  expand(namespace: string): RenderPatch {
    if (this.expanded.has(namespace)) return this.flush(false);
    this.expanded.add(namespace);
    return this.rebuild(false);
  }

  collapse(namespace: string): RenderPatch {
    if (!this.expanded.delete(namespace)) return this.flush(false);
    return this.rebuild(false);
  }

  collapseAll(): RenderPatch {
    if (!this.expanded.size) return this.flush(false);
    this.expanded.clear();
    return this.rebuild(false);
  }

  /** Makes a node drawable on its own (opening its namespace when it is an island); false if it is not on the map. */
  reveal(nodeId: string): { patch: RenderPatch; found: boolean } {
    const n = this.nodes.get(nodeId);
    if (!n || !this.isVisible(nodeId)) return { patch: this.flush(false), found: false };
    const group = islandOf(n);
    if (this.level === 'islands' && group && !this.expanded.has(group)) return { patch: this.expand(group), found: true };
    return { patch: this.flush(false), found: true };
  }

  /** The element a graph node or connection is drawn as now (itself, its island, its aggregate). */
  drawnAs(id: string): string | undefined {
    if (this.rendered.has(id)) return id;
    const p = this.placement.get(id);
    if (p?.rid) return p.rid;
    const n = this.nodes.get(id);
    return n && this.isVisible(id) ? this.repr(n) : undefined;
  }

  /** The connections an aggregated edge (or an island's inside) stands for. */
  membersOf(rid: string): GraphEdge[] {
    const ids = this.members.get(rid);
    return ids ? [...ids].map((id) => this.edges.get(id)).filter((e): e is GraphEdge => !!e) : [];
  }

  get currentLevel(): MapLevel {
    return this.level;
  }

  /** Elements drawn now (the canvas's content once it applied every patch). */
  get elements(): ReadonlyMap<string, CyElement> {
    return this.rendered;
  }

  stats(): MapStats {
    let visibleEdges = 0;
    for (const p of this.placement.values()) if (p.rid) visibleEdges++;
    return {
      level: this.level,
      graphNodes: this.nodes.size,
      graphEdges: this.edges.size,
      visibleEdges,
      visibleWorkloads: this.workloadCount(),
      namespaces: this.workloadsOf.size - (this.workloadsOf.has(INTERNET_ISLAND) ? 1 : 0),
      expanded: [...this.expanded].sort(),
    };
  }

  /**
   * Nodes on the map whose name contains the text (case-insensitive, no patterns): workloads by
   * `namespace/name`, peers by their DNS name. Exact names first, then prefixes, then the rest.
   */
  search(text: string, limit = 12): GraphNode[] {
    const q = text.trim().toLowerCase();
    if (!q) return [];
    const ranked: { n: GraphNode; rank: number }[] = [];
    for (const n of this.nodes.values()) {
      if (!this.isVisible(n.id)) continue;
      const id = n.id.toLowerCase();
      const label = n.label.toLowerCase();
      const at = id.indexOf(q);
      const inLabel = label.indexOf(q);
      if (at < 0 && inLabel < 0) continue;
      ranked.push({ n, rank: label === q || id === q ? 0 : inLabel === 0 || at === 0 ? 1 : 2 });
    }
    ranked.sort((a, b) => a.rank - b.rank || (a.n.id < b.n.id ? -1 : 1));
    return ranked.slice(0, limit).map((r) => r.n);
  }

  // ---- placement -------------------------------------------------------------------------------

  private wantedLevel(current: MapLevel = this.level, workloads = this.workloadCount()): MapLevel {
    if (this.choice !== 'auto') return this.choice;
    if (current === 'islands') return workloads < this.threshold * LEAVE_ISLANDS_BELOW ? 'workloads' : 'islands';
    return workloads > this.threshold ? 'islands' : 'workloads';
  }

  /**
   * Workloads a whole placement would put on screen, counted without placing anything: the level a
   * rebuild places connections for depends on it (placing every connection twice, once to count,
   * was ~40% of a 5,000-workload snapshot's first draw). The count stops past the threshold: the
   * level only compares it with the threshold (and with a share of it below), and a large cluster
   * passes it within its first few hundred connections instead of all 20,000 (a pass that was a
   * quarter of the map's first rebuild in the page).
   */
  private visibleWorkloads(): number {
    const seen = new Set<string>();
    let n = 0;
    const count = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const node = this.nodes.get(id);
      const group = node ? islandOf(node) : '';
      if (group && group !== INTERNET_ISLAND) n++;
    };
    for (const e of this.edges.values()) {
      if (!this.filter(e, this.nodes)) continue;
      count(e.source);
      count(e.target);
      if (n > this.threshold) break;
    }
    return n;
  }

  /** Workloads on screen (internet peers are not workloads). */
  private workloadCount(): number {
    let n = 0;
    for (const [group, count] of this.workloadsOf) if (group !== INTERNET_ISLAND) n += count;
    return n;
  }

  private isVisible(nodeId: string): boolean {
    return (this.visibility.get(nodeId)?.edges ?? 0) > 0;
  }

  /** The element a node is drawn as: its island when its group is collapsed, else itself. */
  private repr(n: Pick<GraphNode, 'id' | 'namespace' | 'kind'>): string {
    const group = islandOf(n);
    if (this.level === 'islands' && group && !this.expanded.has(group)) return namespaceBoxId(group);
    return n.id;
  }

  private reprOf(id: string): string {
    const n = this.nodes.get(id);
    if (n) return this.repr(n);
    const group = this.visibility.get(id)?.namespace ?? '';
    return this.level === 'islands' && group && !this.expanded.has(group) ? namespaceBoxId(group) : id;
  }

  /** The element a connection is drawn as: itself, an aggregate, the inside of an island; null when the view hides it. */
  private ridOf(e: GraphEdge): string | null {
    if (!this.filter(e, this.nodes)) return null;
    const s = this.reprOf(e.source);
    const t = this.reprOf(e.target);
    return s === e.source && t === e.target ? e.id : s === t ? `${INSIDE_PREFIX}${s}` : aggregateEdgeId(s, t);
  }

  private place(e: GraphEdge, rid = this.ridOf(e)): void {
    const p: Placement = { rid, source: e.source, target: e.target, status: effectiveStatus(e), total: e.total };
    this.placement.set(e.id, p);
    if (!rid) return;
    let set = this.members.get(rid);
    if (!set) this.members.set(rid, (set = new Set()));
    set.add(e.id);
    this.addToSums(rid, p, 1);
    this.dirtyRids.add(rid);
    this.see(e.source, 1);
    this.see(e.target, 1);
  }

  private unplace(id: string): void {
    const p = this.placement.get(id);
    if (!p) return;
    this.placement.delete(id);
    if (!p.rid) return;
    const set = this.members.get(p.rid);
    set?.delete(id);
    if (set && !set.size) this.members.delete(p.rid);
    this.addToSums(p.rid, p, -1);
    this.dirtyRids.add(p.rid);
    this.see(p.source, -1);
    this.see(p.target, -1);
  }

  private addToSums(rid: string, p: Placement, by: 1 | -1): void {
    let sums = this.sums.get(rid);
    if (!sums) this.sums.set(rid, (sums = { total: 0, statuses: new Map() }));
    sums.total += by * p.total;
    const n = (sums.statuses.get(p.status) ?? 0) + by;
    if (n > 0) sums.statuses.set(p.status, n);
    else sums.statuses.delete(p.status);
    if (!sums.statuses.size) this.sums.delete(rid);
  }

  /** Counts a visible connection at a node; a node appearing or leaving changes its namespace's count. */
  private see(nodeId: string, by: 1 | -1): void {
    let v = this.visibility.get(nodeId);
    if (!v) {
      const n = this.nodes.get(nodeId);
      v = { edges: 0, namespace: n ? islandOf(n) : '' };
      this.visibility.set(nodeId, v);
    }
    const was = v.edges;
    v.edges += by;
    if ((was === 0) === (v.edges === 0)) return;
    this.dirtyNodes.add(nodeId);
    if (v.namespace) {
      const count = (this.workloadsOf.get(v.namespace) ?? 0) + by;
      if (count > 0) this.workloadsOf.set(v.namespace, count);
      else {
        // Gone from the map: it comes back closed, as on a fresh load.
        this.workloadsOf.delete(v.namespace);
        this.expanded.delete(v.namespace);
      }
      this.dirtyNamespaces.add(v.namespace);
    }
    if (v.edges === 0) this.visibility.delete(nodeId);
  }

  private markNode(id: string, namespace: string): void {
    this.dirtyNodes.add(id);
    if (namespace) this.dirtyNamespaces.add(namespace);
  }

  /** Places every connection again (filters, level or openings changed) and diffs against what is drawn. */
  private rebuild(newGraph: boolean): RenderPatch {
    this.placeAll(newGraph);
    return this.flush(true);
  }

  /** Places every connection again; the next flush computes every element (`wholeDue`). */
  private placeAll(newGraph: boolean): void {
    const before = this.level;
    this.placement.clear();
    this.members.clear();
    this.sums.clear();
    this.visibility.clear();
    this.workloadsOf.clear();
    this.dirtyRids.clear();
    this.dirtyNodes.clear();
    this.dirtyNamespaces.clear();
    // Count the workloads first: the level decides how connections are placed.
    this.level = this.wantedLevel(before, this.choice === 'auto' ? this.visibleWorkloads() : 0);
    if (this.level === 'workloads') this.expanded.clear();
    for (const e of this.edges.values()) this.place(e);
    for (const ns of [...this.expanded]) if (!this.workloadsOf.has(ns)) this.expanded.delete(ns);
    // A whole graph carries no news about single connections: the latency probe times deltas only.
    if (newGraph) {
      this.touched = [];
      this.drawnFlows.clear();
      this.drawnBase = this.edges;
    }
    // A level change not drawn yet (placed during a hold) stays one.
    this.wholeDue = { levelChanged: (this.wholeDue?.levelChanged ?? false) || before !== this.level };
  }

  // ---- elements --------------------------------------------------------------------------------

  private flush(everything: boolean): RenderPatch {
    // Held: what changed stays marked (the dirty sets, wholeDue) for the first patch after.
    if (this.held) return { add: [], update: [], widths: [], remove: [], levelChanged: false, touchedEdges: [] };
    const levelChanged = this.wholeDue?.levelChanged ?? false;
    if (this.wholeDue) everything = true;
    this.wholeDue = null;
    const wanted = new Map<string, CyElement | null>();
    if (everything) {
      for (const id of this.rendered.keys()) wanted.set(id, null);
      for (const [id, v] of this.visibility) if (v.edges > 0) this.dirtyNodes.add(id);
      for (const ns of this.workloadsOf.keys()) this.dirtyNamespaces.add(ns);
      for (const rid of this.members.keys()) this.dirtyRids.add(rid);
    }
    for (const ns of this.dirtyNamespaces) wanted.set(namespaceBoxId(ns), this.namespaceElement(ns));
    for (const id of this.dirtyNodes) {
      const el = this.nodeElement(id);
      if (el) wanted.set(id, el);
      else if (!wanted.has(id) || wanted.get(id) === null) wanted.set(id, null);
    }
    for (const rid of this.dirtyRids) {
      if (rid.startsWith(INSIDE_PREFIX)) {
        // Connections inside an island change how the island is drawn.
        const box = rid.slice(INSIDE_PREFIX.length);
        wanted.set(box, this.namespaceElement(namespaceOfBoxId(box)!));
        continue;
      }
      wanted.set(rid, this.edgeElement(rid));
    }
    this.dirtyNamespaces = new Set();
    this.dirtyNodes = new Set();
    this.dirtyRids = new Set();

    const patch: RenderPatch = { add: [], update: [], widths: [], remove: [], levelChanged, touchedEdges: this.touched };
    this.touched = [];
    const addedNodes: CyElement[] = [];
    const addedEdges: CyElement[] = [];
    for (const [id, el] of wanted) {
      const old = this.rendered.get(id);
      if (!el) {
        if (old) {
          patch.remove.push(id);
          this.rendered.delete(id);
        }
        continue;
      }
      if (!old) (el.group === 'nodes' ? addedNodes : addedEdges).push(el);
      // An edge that differs in width alone may wait for the canvas's next redraw.
      else if (!sameElement(old, el)) (el.group === 'edges' && sameElement(old, el, 'weight') ? patch.widths : patch.update).push(el);
      this.rendered.set(id, el);
    }
    // Boxes first, then their workloads, then the edges between what now exists.
    addedNodes.sort((a, b) => (a.data.parent ? 1 : 0) - (b.data.parent ? 1 : 0) || (String(a.data.id) < String(b.data.id) ? -1 : 1));
    addedEdges.sort((a, b) => (String(a.data.id) < String(b.data.id) ? -1 : 1));
    patch.add = [...addedNodes, ...addedEdges];
    return patch;
  }

  private nodeElement(id: string): CyElement | null {
    const n = this.nodes.get(id);
    if (!n || !this.isVisible(id) || this.repr(n) !== id) return null;
    const el = nodeElement(n, this.decor.flaggedNodes);
    // An opened internet island holds its peers like a namespace box holds its workloads.
    if (this.level === 'islands' && islandOf(n) === INTERNET_ISLAND) el.data.parent = namespaceBoxId(INTERNET_ISLAND);
    return el;
  }

  private namespaceElement(ns: string): CyElement | null {
    const workloads = this.workloadsOf.get(ns) ?? 0;
    if (!workloads) return null;
    const internet = ns === INTERNET_ISLAND;
    // Internet peers get a box only at the islands level.
    if (internet && this.level !== 'islands') return null;
    const box = internet
      ? { group: 'nodes' as const, data: { id: namespaceBoxId(ns), label: 'internet', namespace: ns, flags: '' }, classes: 'namespace internet' }
      : namespaceElement(ns, this.decor.flaggedNamespaces.has(ns), this.decor.namespaceFlags[ns]);
    if (this.level !== 'islands' || this.expanded.has(ns)) return box;
    // An island: one node standing for the namespace, sized for the box it opens into.
    const insideRid = `${INSIDE_PREFIX}${box.data.id}`;
    const size = islandFootprint(workloads);
    const denied = [...(this.sums.get(insideRid)?.statuses.keys() ?? [])].some((status) => status !== 'allowed' && status !== 'audit');
    const [name, ...flagLines] = String(box.data.label).split('\n');
    return {
      group: 'nodes',
      data: {
        ...box.data,
        label: [`${name} · ${workloads} ${internet ? 'destination' : 'workload'}${workloads === 1 ? '' : 's'}`, ...flagLines].join('\n'),
        workloads,
        width: size.width,
        height: size.height,
      },
      classes: `${box.classes} island${denied ? ' inside-denied' : ''}`,
    };
  }

  private edgeElement(rid: string): CyElement | null {
    const ids = this.members.get(rid);
    if (!ids?.size) return null;
    if (!isAggregateEdgeId(rid)) {
      const e = this.edges.get(rid);
      return e ? edgeElement(e) : null;
    }
    // Every member is drawn between the same two elements (that is what the aggregate's id says).
    const firstId: string = ids.values().next().value!;
    const sums = this.sums.get(rid);
    const p = this.placement.get(firstId);
    if (!p || !sums) return null;
    const source = this.reprOf(p.source);
    const target = this.reprOf(p.target);
    const status = combinedStatus(sums.statuses.keys());
    // Only what is drawn: any change of an element's data redraws the whole canvas, and how many
    // connections an aggregate stands for changes every few seconds on a busy cluster without
    // changing its picture (membersOf answers that question).
    return {
      group: 'edges',
      data: { id: rid, source, target, status, weight: edgeWeight(sums.total) },
      classes: `status-${status} aggregate`,
    };
  }
}
