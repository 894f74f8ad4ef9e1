/**
 * Incremental aggregation of flows into the pod-communication graph. `add` is the ingest hot
 * path (a few map lookups per flow); `takeDelta` runs a few times a second and hands out what
 * changed, expiring edges not seen within the window and evicting the least recently seen past
 * the cap.
 *
 * The edge map doubles as the least-recently-seen list: a flow moves its edge to the end (Map
 * keeps insertion order), so the oldest edges are always first. Expiry and eviction take from the
 * front and stop at the first edge that stays, and each node counts its edges, so neither walks
 * the whole graph: O(1) amortized per flow and per removed edge, at any size (issue 13: sorting
 * every edge on each new one froze the server past the cap).
 */

import type { FlowRecord } from '../flows/flow-record';
import { EdgeIdCache, edgeIdOf } from './graph-ids';
import { nodeOfEndpoint, type EndpointNode } from './node-identity';
import type { EdgeStatus, GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from './types';

export interface FlowGraphOptions {
  /** Edges not seen for this long (relative to the newest flow) are removed. */
  windowMs?: number;
  maxEdges?: number;
  maxPodsListed?: number;
  /**
   * Most edges one delta carries; the rest stay pending, oldest change first, for the next ones.
   * Bounds a browser's work per tick however busy the cluster is.
   */
  maxDeltaEdges?: number;
}

/** Default cap of the live graph: room for a 5,000-workload cluster's ~25k edges. */
export const DEFAULT_MAX_EDGES = 50_000;
/** Default cap of one delta: a tick's worth of changes at 20k flows/s. */
export const DEFAULT_MAX_DELTA_EDGES = 5_000;

const MAX_POLICY_NAMES = 8;

/** An edge with nothing counted yet, seen from `firstSeen` to `lastSeen`. */
export function emptyEdge(id: string, source: string, target: string, port: number, protocol: string, firstSeen: number, lastSeen: number): GraphEdge {
  return {
    id,
    source,
    target,
    port,
    protocol,
    counts: { forwarded: 0, dropped: 0, audit: 0, error: 0, other: 0 },
    total: 0,
    replies: 0,
    dropReasons: {},
    allowedBy: [],
    deniedBy: [],
    l7: { http: 0, dns: 0, kafka: 0 },
    status: 'allowed',
    firstSeen,
    lastSeen,
  };
}

export function edgeStatus(e: Pick<GraphEdge, 'counts'>): EdgeStatus {
  const passing = e.counts.forwarded + e.counts.other;
  if (e.counts.dropped > 0) return passing > 0 || e.counts.audit > 0 ? 'mixed' : 'denied';
  if (e.counts.audit > 0) return 'audit';
  return 'allowed';
}

interface NodeState extends GraphNode {
  podSet: Set<string>;
  /** Edges that start or end here: the node goes with its last edge. */
  edgeCount: number;
}

export class FlowGraph {
  private readonly nodes = new Map<string, NodeState>();
  private readonly edges = new Map<string, GraphEdge>();
  private dirtyNodes = new Set<string>();
  private dirtyEdges = new Set<string>();
  private seq = 0;
  private newest = 0;
  private readonly windowMs: number;
  private readonly maxEdges: number;
  private readonly maxPods: number;
  private readonly maxDeltaEdges: number;
  private readonly edgeIds: EdgeIdCache;
  /** The edge the last flow counted towards: last in `edges` and in `dirtyEdges` until takeDelta. */
  private lastEdge: GraphEdge | null = null;
  /** Edges removed because of the cap (not the window): shown so nothing vanishes silently. */
  evictedEdges = 0;

  constructor(opts: FlowGraphOptions = {}) {
    this.windowMs = opts.windowMs ?? 5 * 60_000;
    this.maxEdges = opts.maxEdges ?? DEFAULT_MAX_EDGES;
    this.maxPods = opts.maxPodsListed ?? 20;
    this.maxDeltaEdges = opts.maxDeltaEdges ?? DEFAULT_MAX_DELTA_EDGES;
    // Room for the live edges and as many again that come and go.
    this.edgeIds = new EdgeIdCache(2 * this.maxEdges + 1024);
  }

  get sequence(): number {
    return this.seq;
  }

  get size(): { nodes: number; edges: number } {
    return { nodes: this.nodes.size, edges: this.edges.size };
  }

  private touchNode(n: EndpointNode, pod: string, time: number): void {
    let s = this.nodes.get(n.id);
    if (!s) {
      s = { ...n, pods: [], podCount: 0, podSet: new Set(), edgeCount: 0, firstSeen: time, lastSeen: time };
      this.nodes.set(n.id, s);
      this.dirtyNodes.add(n.id);
    }
    if (time > s.lastSeen) s.lastSeen = time;
    if (pod && !s.podSet.has(pod) && s.podSet.size < 1000) {
      s.podSet.add(pod);
      s.podCount = s.podSet.size;
      if (s.pods.length < this.maxPods) s.pods.push(pod);
      this.dirtyNodes.add(n.id);
    }
  }

  /** Edge id a flow counts towards: replies are folded onto the connection they answer. */
  static edgeIdOf(flow: FlowRecord): string {
    const reply = flow.isReply === true;
    const src = nodeOfEndpoint(reply ? flow.destination : flow.source).id;
    const dst = nodeOfEndpoint(reply ? flow.source : flow.destination).id;
    const port = reply ? flow.source.port : flow.destination.port;
    return edgeIdOf(src, dst, port, flow.protocol);
  }

  /** Folds one flow into the graph and returns its edge id. */
  add(flow: FlowRecord): string {
    const reply = flow.isReply === true;
    const from = reply ? flow.destination : flow.source;
    const to = reply ? flow.source : flow.destination;
    const src = nodeOfEndpoint(from);
    const dst = nodeOfEndpoint(to);
    const port = reply ? flow.source.port : flow.destination.port;
    const t = flow.time;
    if (t > this.newest) this.newest = t;
    this.touchNode(src, from.pod, t);
    this.touchNode(dst, to.pod, t);
    const id = this.edgeIds.idOf(src.id, dst.id, port, flow.protocol);
    let e = this.edges.get(id);
    // The edge of the previous flow (a reply after its request, a burst) is already last in the
    // least-recently-seen order and marked dirty: nothing to move.
    const moved = e !== this.lastEdge;
    if (!e) {
      e = emptyEdge(id, src.id, dst.id, port, flow.protocol, t, t);
      this.nodes.get(src.id)!.edgeCount++;
      this.nodes.get(dst.id)!.edgeCount++;
      this.edges.set(id, e);
    } else if (moved) {
      // To the back of the least-recently-seen order.
      this.edges.delete(id);
      this.edges.set(id, e);
    }
    this.lastEdge = e;
    switch (flow.verdict) {
      case 'FORWARDED':
        e.counts.forwarded++;
        break;
      case 'DROPPED':
        e.counts.dropped++;
        if (flow.dropReason) e.dropReasons[flow.dropReason] = (e.dropReasons[flow.dropReason] ?? 0) + 1;
        break;
      case 'AUDIT':
        e.counts.audit++;
        break;
      case 'ERROR':
        e.counts.error++;
        break;
      default:
        e.counts.other++;
    }
    e.total++;
    if (reply) e.replies++;
    if (flow.l7) {
      if (flow.l7.http) e.l7.http++;
      else if (flow.l7.dns) e.l7.dns++;
      else if (flow.l7.kafka) e.l7.kafka++;
    }
    if (flow.egressAllowedBy.length || flow.ingressAllowedBy.length) {
      for (const p of flow.egressAllowedBy) addName(e.allowedBy, p);
      for (const p of flow.ingressAllowedBy) addName(e.allowedBy, p);
    }
    if (flow.egressDeniedBy.length || flow.ingressDeniedBy.length) {
      for (const p of flow.egressDeniedBy) addName(e.deniedBy, p);
      for (const p of flow.ingressDeniedBy) addName(e.deniedBy, p);
    }
    if (t > e.lastSeen) e.lastSeen = t;
    if (moved) this.dirtyEdges.add(id);
    return id;
  }

  /** What changed since the last call, or null when nothing did. */
  takeDelta(): GraphDelta | null {
    // What follows removes edges and clears dirty marks: the next flow's edge is placed afresh.
    this.lastEdge = null;
    const removeEdges: string[] = [];
    const removeNodes: string[] = [];
    const cutoff = this.newest - this.windowMs;
    // Oldest first: stop at the first edge seen within the window.
    for (const e of this.edges.values()) {
      if (e.lastSeen >= cutoff) break;
      this.removeEdge(e, removeEdges, removeNodes);
    }
    while (this.edges.size > this.maxEdges) {
      this.removeEdge(this.edges.values().next().value!, removeEdges, removeNodes);
      this.evictedEdges++;
    }
    if (!this.dirtyEdges.size && !this.dirtyNodes.size && !removeEdges.length && !removeNodes.length) return null;
    const upsertEdges: GraphEdge[] = [];
    for (const id of this.dirtyEdges) {
      if (upsertEdges.length >= this.maxDeltaEdges) break;
      upsertEdges.push(publicEdge(this.edges.get(id)!));
      this.dirtyEdges.delete(id);
    }
    // Nodes go out whole (few, and edges need their ends); an edge held back keeps its ends' nodes
    // in the graph, so the browser never gets an edge before its nodes.
    const delta: GraphDelta = {
      seq: ++this.seq,
      upsertNodes: [...this.dirtyNodes].map((id) => publicNode(this.nodes.get(id)!)),
      upsertEdges,
      removeNodes,
      removeEdges,
    };
    this.dirtyNodes = new Set();
    return delta;
  }

  /** Edge changes held back by the per-delta cap, waiting for the next deltas. */
  get pendingEdges(): number {
    return this.dirtyEdges.size;
  }

  private removeEdge(e: GraphEdge, removeEdges: string[], removeNodes: string[]): void {
    this.edges.delete(e.id);
    this.dirtyEdges.delete(e.id);
    removeEdges.push(e.id);
    for (const end of e.source === e.target ? [e.source] : [e.source, e.target]) {
      const n = this.nodes.get(end)!;
      n.edgeCount -= e.source === e.target ? 2 : 1;
      if (n.edgeCount > 0) continue;
      this.nodes.delete(end);
      this.dirtyNodes.delete(end);
      removeNodes.push(end);
    }
  }

  /** The whole graph as of the last delta (call takeDelta first to include pending changes). */
  snapshot(): GraphSnapshot {
    return {
      seq: this.seq,
      nodes: [...this.nodes.values()].map(publicNode),
      edges: [...this.edges.values()].map(publicEdge),
    };
  }

  /** Sends the edge again in the next delta (its decoration changed, not its counts). */
  markDirty(id: string): void {
    if (this.edges.has(id)) this.dirtyEdges.add(id);
  }

  /** Sends every edge again in the next delta. */
  markAllDirty(): void {
    for (const id of this.edges.keys()) this.dirtyEdges.add(id);
  }

  edge(id: string): GraphEdge | undefined {
    const e = this.edges.get(id);
    return e && publicEdge(e);
  }

  node(id: string): GraphNode | undefined {
    const n = this.nodes.get(id);
    return n && publicNode(n);
  }

  /** The namespaces of the nodes on the graph now (without copying the graph). */
  namespaces(): Set<string> {
    const out = new Set<string>();
    for (const n of this.nodes.values()) if (n.namespace) out.add(n.namespace);
    return out;
  }
}

/** Policy refs from the relay client are interned and frozen: name each one once. */
const policyNames = new WeakMap<object, string>();

function addName(list: string[], p: { kind: string; namespace: string; name: string }): void {
  if (list.length >= MAX_POLICY_NAMES) return;
  let name = policyNames.get(p);
  if (name === undefined) {
    name = `${p.kind}/${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
    if (Object.isFrozen(p)) policyNames.set(p, name);
  }
  if (!list.includes(name)) list.push(name);
}

function publicNode(n: NodeState): GraphNode {
  return {
    id: n.id,
    kind: n.kind,
    namespace: n.namespace,
    label: n.label,
    workloadKind: n.workloadKind,
    pods: [...n.pods],
    podCount: n.podCount,
    app: n.app,
    dnsName: n.dnsName,
    firstSeen: n.firstSeen,
    lastSeen: n.lastSeen,
  };
}

function publicEdge(e: GraphEdge): GraphEdge {
  return {
    ...e,
    counts: { ...e.counts },
    dropReasons: { ...e.dropReasons },
    allowedBy: [...e.allowedBy],
    deniedBy: [...e.deniedBy],
    l7: { ...e.l7 },
    status: edgeStatus(e),
  };
}
