/**
 * The live stream's form of the graph (`/api/stream`'s `snapshot` and `delta` events). The JSON of
 * a `GraphEdge` spells out every key and repeats its node ids, its id and a sentence-long path for
 * each edge: about 700 bytes, so a 5,000-workload cluster's 24k edges made a 17 MB snapshot and ~4
 * MB/s of deltas per browser (issue 13). Here each message carries tables (node ids, policy names,
 * distinct paths) and an edge is a short array that points into them; what the edge's other fields
 * determine (its id, total and Cilium status) is not sent at all, and times are whole milliseconds
 * from the message's `t0`. `/api/graph` and every other API keep the plain `GraphSnapshot` shape.
 *
 * The decode side rebuilds exactly the `GraphSnapshot` / `GraphDelta` the server had, times rounded
 * to the millisecond (the map shows seconds).
 */

import { edgeStatus } from './flow-graph';
import { edgeIdOf } from './graph-ids';
import type { EdgePath, GraphDelta, GraphEdge, GraphNode, GraphSnapshot, NodeKind } from './types';

/** Bumped when the layout below changes: a browser from before the change reloads instead of misreading. */
export const GRAPH_WIRE_VERSION = 1;

/**
 * An edge: [source, target, port, protocol, forwarded, dropped, audit, error, other, replies,
 * firstSeen, lastSeen, path, extra?]; source and target index `ids`, path indexes `paths` (-1: none
 * yet), times are offsets from `t0`.
 */
export type WireEdge = [number, number, number, string, number, number, number, number, number, number, number, number, number, WireEdgeExtra?];

/** What most edges do not have; absent altogether when none of it is set. */
export interface WireEdgeExtra {
  /** Drop reasons and their counts. */
  r?: Record<string, number>;
  /** Allowed by / denied by: indexes into `names`. */
  a?: number[];
  d?: number[];
  /** L7 counts: http, dns, kafka. */
  l?: [number, number, number];
  /** The edge's id, only when it is not the one its ends, port and protocol make. */
  i?: string;
}

/** A node: [id, kind, namespace, label, workloadKind, pods, podCount, app, dnsName, firstSeen, lastSeen]; id indexes `ids`. */
export type WireNode = [number, NodeKind, string, string, string, string[], number, string, string, number, number];

interface WireTables {
  v: number;
  seq: number;
  t0: number;
  ids: string[];
  names: string[];
  paths: EdgePath[];
}

export interface WireSnapshot extends WireTables {
  nodes: WireNode[];
  edges: WireEdge[];
}

export interface WireDelta extends WireTables {
  nodes: WireNode[];
  edges: WireEdge[];
  removeNodes: string[];
  removeEdges: string[];
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** Builds one message's tables while its nodes and edges are encoded. */
class TableBuilder {
  readonly ids: string[] = [];
  readonly names: string[] = [];
  readonly paths: EdgePath[] = [];
  private readonly idIndex = new Map<string, number>();
  private readonly nameIndex = new Map<string, number>();
  private readonly pathByObject = new Map<EdgePath, number>();
  private readonly pathByText = new Map<string, number>();

  constructor(readonly t0: number) {}

  id(id: string): number {
    let i = this.idIndex.get(id);
    if (i === undefined) {
      i = this.ids.push(id) - 1;
      this.idIndex.set(id, i);
    }
    return i;
  }

  private name(name: string): number {
    let i = this.nameIndex.get(name);
    if (i === undefined) {
      i = this.names.push(name) - 1;
      this.nameIndex.set(name, i);
    }
    return i;
  }

  /** Edges evaluated alike share a path: each distinct one goes out once. */
  private path(p: EdgePath | undefined): number {
    if (!p) return -1;
    let i = this.pathByObject.get(p);
    if (i !== undefined) return i;
    const text = `${p.status}|${p.decidedBy ?? ''}|${p.layers.policy}|${p.layers.nsg}|${p.layers.firewall}|${p.rule ?? ''}|${p.reason}`;
    i = this.pathByText.get(text);
    if (i === undefined) {
      i = this.paths.push(p) - 1;
      this.pathByText.set(text, i);
    }
    this.pathByObject.set(p, i);
    return i;
  }

  private time(t: number): number {
    return Math.round(t - this.t0);
  }

  node(n: GraphNode): WireNode {
    return [this.id(n.id), n.kind, n.namespace, n.label, n.workloadKind, n.pods, n.podCount, n.app, n.dnsName, this.time(n.firstSeen), this.time(n.lastSeen)];
  }

  edge(e: GraphEdge): WireEdge {
    const c = e.counts;
    const wire: WireEdge = [this.id(e.source), this.id(e.target), e.port, e.protocol, c.forwarded, c.dropped, c.audit, c.error, c.other, e.replies, this.time(e.firstSeen), this.time(e.lastSeen), this.path(e.path)];
    const extra: WireEdgeExtra = {};
    if (hasKeys(e.dropReasons)) extra.r = e.dropReasons;
    if (e.allowedBy.length) extra.a = e.allowedBy.map((n) => this.name(n));
    if (e.deniedBy.length) extra.d = e.deniedBy.map((n) => this.name(n));
    if (e.l7.http || e.l7.dns || e.l7.kafka) extra.l = [e.l7.http, e.l7.dns, e.l7.kafka];
    // edgeIdOf without its escaping of the protocol: cheaper, and an id that differs (never, for
    // real protocols) is only sent in full.
    if (e.id !== `${e.source}|${e.target}|${e.port}|${e.protocol}`) extra.i = e.id;
    if (hasKeys(extra)) wire.push(extra);
    return wire;
  }

  tables(seq: number): WireTables {
    return { v: GRAPH_WIRE_VERSION, seq, t0: this.t0, ids: this.ids, names: this.names, paths: this.paths };
  }
}

/** A time every other time in the message is close to, so offsets are short. */
function baseTime(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): number {
  return Math.floor(edges[0]?.lastSeen ?? nodes[0]?.lastSeen ?? 0);
}

export function encodeSnapshot(s: GraphSnapshot): WireSnapshot {
  const b = new TableBuilder(baseTime(s.nodes, s.edges));
  const nodes = s.nodes.map((n) => b.node(n));
  const edges = s.edges.map((e) => b.edge(e));
  return { ...b.tables(s.seq), nodes, edges };
}

export function encodeDelta(d: GraphDelta): WireDelta {
  const b = new TableBuilder(baseTime(d.upsertNodes, d.upsertEdges));
  const nodes = d.upsertNodes.map((n) => b.node(n));
  const edges = d.upsertEdges.map((e) => b.edge(e));
  return { ...b.tables(d.seq), nodes, edges, removeNodes: d.removeNodes, removeEdges: d.removeEdges };
}

export class GraphWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphWireError';
  }
}

function checkVersion(w: WireTables): void {
  if (w.v !== GRAPH_WIRE_VERSION) throw new GraphWireError(`graph wire version ${String(w.v)} is not ${GRAPH_WIRE_VERSION}: reload the page`);
}

function decodeNode(w: WireTables, n: WireNode): GraphNode {
  return {
    id: w.ids[n[0]],
    kind: n[1],
    namespace: n[2],
    label: n[3],
    workloadKind: n[4],
    pods: n[5],
    podCount: n[6],
    app: n[7],
    dnsName: n[8],
    firstSeen: w.t0 + n[9],
    lastSeen: w.t0 + n[10],
  };
}

function decodeEdge(w: WireTables, e: WireEdge): GraphEdge {
  const source = w.ids[e[0]];
  const target = w.ids[e[1]];
  const x = e[13];
  const counts = { forwarded: e[4], dropped: e[5], audit: e[6], error: e[7], other: e[8] };
  const edge: GraphEdge = {
    id: x?.i ?? edgeIdOf(source, target, e[2], e[3]),
    source,
    target,
    port: e[2],
    protocol: e[3],
    counts,
    total: e[4] + e[5] + e[6] + e[7] + e[8],
    replies: e[9],
    dropReasons: x?.r ?? {},
    allowedBy: x?.a ? x.a.map((i) => w.names[i]) : [],
    deniedBy: x?.d ? x.d.map((i) => w.names[i]) : [],
    l7: x?.l ? { http: x.l[0], dns: x.l[1], kafka: x.l[2] } : { http: 0, dns: 0, kafka: 0 },
    status: edgeStatus({ counts }),
    firstSeen: w.t0 + e[10],
    lastSeen: w.t0 + e[11],
  };
  if (e[12] >= 0) edge.path = w.paths[e[12]];
  return edge;
}

export function decodeSnapshot(w: WireSnapshot): GraphSnapshot {
  checkVersion(w);
  return { seq: w.seq, nodes: w.nodes.map((n) => decodeNode(w, n)), edges: w.edges.map((e) => decodeEdge(w, e)) };
}

export function decodeDelta(w: WireDelta): GraphDelta {
  checkVersion(w);
  return {
    seq: w.seq,
    upsertNodes: w.nodes.map((n) => decodeNode(w, n)),
    upsertEdges: w.edges.map((e) => decodeEdge(w, e)),
    removeNodes: w.removeNodes,
    removeEdges: w.removeEdges,
  };
}

/** One `/api/stream` event's data as plain objects: the graph events decoded, the others parsed. */
export function parseStreamEvent(event: string, json: string): unknown {
  const data = JSON.parse(json) as unknown;
  if (event === 'delta' || event === 'snapshot-part') return decodeDelta(data as WireDelta);
  if (event === 'snapshot') {
    const s = data as { graph: WireSnapshot };
    return { ...s, graph: decodeSnapshot(s.graph) };
  }
  return data;
}
