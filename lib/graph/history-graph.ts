/**
 * The map of a past window: the store's per-edge-per-minute aggregates (one row per minute, edge,
 * verdict and drop reason) folded into the same GraphSnapshot the live graph sends, so the map draws
 * a past window with the same styling, badges and side panels. Replies were already folded onto the
 * connection they answer when the roll-up was written (schema.ts); here minutes and verdict rows of
 * one edge are summed, and nodes are rebuilt from the sides the rows carry.
 */

import type { EdgeAggregate } from '../history/flow-store';
import { edgeStatus, emptyEdge } from './flow-graph';
import { edgeIdOf, parseNodeId } from './graph-ids';
import type { GraphEdge, GraphNode, GraphSnapshot, NodeKind, VerdictCounts } from './types';

export interface HistoryGraphOptions {
  /** Most edges drawn; past it the least recently seen are left out (as the live graph evicts them). */
  maxEdges?: number;
  /** Pod names listed per node (the live graph lists as many). */
  maxPodsListed?: number;
}

/** As many policy names per edge as the live graph keeps. */
const MAX_POLICY_NAMES = 8;
const NODE_KINDS: ReadonlySet<string> = new Set<NodeKind>(['workload', 'kube-dns', 'world', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'unknown']);
/** Kinds that live in a namespace and carry a workload kind, pods and an app label. */
const NAMESPACED_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['workload', 'kube-dns']);

/**
 * The labels node-identity.ts gives the peers that are not workloads. The roll-up stores no label
 * for them (their workload column is empty), so it is rebuilt from the id, word for word.
 */
const RESERVED_LABELS: Partial<Record<NodeKind, string>> = {
  host: 'host (node)',
  'remote-node': 'remote-node',
  'kube-apiserver': 'kube-apiserver',
  ingress: 'cilium ingress',
};

const countKey = (verdict: string): keyof VerdictCounts =>
  verdict === 'FORWARDED' ? 'forwarded' : verdict === 'DROPPED' ? 'dropped' : verdict === 'AUDIT' ? 'audit' : verdict === 'ERROR' ? 'error' : 'other';

/**
 * The store writes a policy as `kind/namespace/name` (an empty namespace for cluster-wide
 * policies); the live graph names it `kind/namespace/name` or `kind/name`. Same name on both maps.
 */
export function livePolicyName(stored: string): string {
  const a = stored.indexOf('/');
  const b = a < 0 ? -1 : stored.indexOf('/', a + 1);
  if (b < 0) return stored;
  return b === a + 1 ? `${stored.slice(0, a)}/${stored.slice(b + 1)}` : stored;
}

interface Side {
  id: string;
  kind: string;
  namespace: string;
  label: string;
  workloadKind: string;
  app: string;
  pods: readonly string[];
}

interface NodeAcc extends GraphNode {
  podSet: Set<string>;
}

/** A node as the live graph would have built it from the same endpoint. */
function newNode(side: Side, firstSeen: number, lastSeen: number): NodeAcc {
  const parsed = parseNodeId(side.id);
  const kind: NodeKind = NODE_KINDS.has(side.kind) ? (side.kind as NodeKind) : (parsed?.kind ?? 'unknown');
  const namespaced = NAMESPACED_KINDS.has(kind);
  let label = side.label;
  let dnsName = '';
  if (parsed?.kind === 'world') {
    dnsName = parsed.fqdn ?? '';
    label = parsed.fqdn ?? 'world (no DNS name)';
  } else if (parsed?.kind === 'unknown') {
    label = parsed.ip ?? 'unknown';
  } else if (RESERVED_LABELS[kind]) {
    label = RESERVED_LABELS[kind]!;
  } else if (!label) {
    label = parsed?.kind === 'workload' ? parsed.name : side.id;
  }
  return {
    id: side.id,
    kind,
    namespace: namespaced ? side.namespace || (parsed?.kind === 'workload' ? parsed.namespace : '') : '',
    label,
    workloadKind: namespaced ? side.workloadKind : '',
    pods: [],
    podCount: 0,
    app: namespaced ? side.app : '',
    dnsName,
    firstSeen,
    lastSeen,
    podSet: new Set(),
  };
}

function touchNode(nodes: Map<string, NodeAcc>, side: Side, row: EdgeAggregate, maxPods: number): void {
  let n = nodes.get(side.id);
  if (!n) {
    n = newNode(side, row.firstSeen, row.lastSeen);
    nodes.set(side.id, n);
  }
  if (row.firstSeen < n.firstSeen) n.firstSeen = row.firstSeen;
  if (row.lastSeen > n.lastSeen) n.lastSeen = row.lastSeen;
  if (!NAMESPACED_KINDS.has(n.kind)) return;
  if (!n.workloadKind && side.workloadKind) n.workloadKind = side.workloadKind;
  if (!n.app && side.app) n.app = side.app;
  for (const pod of side.pods) {
    // '' is the pod of a peer outside the cluster; the live graph caps distinct pods at 1000 too.
    if (!pod || n.podSet.has(pod) || n.podSet.size >= 1000) continue;
    n.podSet.add(pod);
    if (n.pods.length < maxPods) n.pods.push(pod);
  }
  n.podCount = n.podSet.size;
}

function addNames(list: string[], names: readonly string[]): void {
  for (const stored of names) {
    if (list.length >= MAX_POLICY_NAMES) return;
    const name = livePolicyName(stored);
    if (name && !list.includes(name)) list.push(name);
  }
}

const sourceSide = (r: EdgeAggregate): Side => ({
  id: r.source,
  kind: r.sourceKind,
  namespace: r.sourceNamespace,
  label: r.sourceLabel,
  workloadKind: r.sourceWorkloadKind,
  app: r.sourceApp,
  pods: r.sourcePods,
});

const targetSide = (r: EdgeAggregate): Side => ({
  id: r.target,
  kind: r.targetKind,
  namespace: r.targetNamespace,
  label: r.targetLabel,
  workloadKind: r.targetWorkloadKind,
  app: r.targetApp,
  pods: r.targetPods,
});

/** The graph of a past window from the store's edge aggregates, in the live graph's shape. */
export function graphOfEdgeAggregates(rows: readonly EdgeAggregate[], opts: HistoryGraphOptions = {}): GraphSnapshot {
  const maxEdges = opts.maxEdges ?? 20_000;
  const maxPods = opts.maxPodsListed ?? 20;
  const edges = new Map<string, GraphEdge>();
  for (const r of rows) {
    const id = edgeIdOf(r.source, r.target, r.port, r.protocol);
    let e = edges.get(id);
    if (!e) {
      e = emptyEdge(id, r.source, r.target, r.port, r.protocol, r.firstSeen, r.lastSeen);
      edges.set(id, e);
    }
    const key = countKey(r.verdict);
    e.counts[key] += r.flows;
    e.total += r.flows;
    e.replies += r.replies;
    // The live graph counts drop reasons of dropped flows only.
    if (key === 'dropped' && r.dropReason) e.dropReasons[r.dropReason] = (e.dropReasons[r.dropReason] ?? 0) + r.flows;
    e.l7.http += r.l7.http;
    e.l7.dns += r.l7.dns;
    e.l7.kafka += r.l7.kafka;
    addNames(e.allowedBy, r.allowedBy);
    addNames(e.deniedBy, r.deniedBy);
    if (r.firstSeen < e.firstSeen) e.firstSeen = r.firstSeen;
    if (r.lastSeen > e.lastSeen) e.lastSeen = r.lastSeen;
  }

  let kept = [...edges.values()];
  if (kept.length > maxEdges) kept = kept.sort((a, b) => b.lastSeen - a.lastSeen).slice(0, maxEdges);
  const keptIds = new Set(kept.map((e) => e.id));

  const nodes = new Map<string, NodeAcc>();
  for (const r of rows) {
    if (!keptIds.has(edgeIdOf(r.source, r.target, r.port, r.protocol))) continue;
    touchNode(nodes, sourceSide(r), r, maxPods);
    touchNode(nodes, targetSide(r), r, maxPods);
  }

  return {
    seq: 0,
    nodes: [...nodes.values()].map(({ podSet: _podSet, ...n }) => n),
    edges: kept.map((e) => ({ ...e, status: edgeStatus(e) })),
  };
}
