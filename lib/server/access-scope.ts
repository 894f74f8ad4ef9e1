/**
 * Namespace-scoped access (FLOWSIGHT_AUTHZ=namespaces): what a user limited to some namespaces sees
 * of each answer. The rule, everywhere: a flow, edge or connection is visible when either end is in
 * a namespace the user may read (they need to see who calls them and whom they call, and the peer's
 * name is part of that); a node is visible in scope, or as the far end of a visible edge; policies,
 * findings and badges only in their own namespace; cluster-wide things (CCNPs, NSGs, the firewall,
 * findings with no namespace) only with cluster-wide access. Searches are narrowed before they run
 * (counts and pages stay right); snapshots are filtered after.
 */

import type { FlowRecord } from '../flows/flow-record';
import { edgeEnds, namespaceOfNode } from '../graph/graph-ids';
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from '../graph/types';
import type { SqlCondition } from '../history/flow-store';
import type { PostureReport } from '../posture/posture-report';
import type { Severity } from '../posture/finding';
import { inScope, type NamespaceScope } from './namespace-access';
import type { EgressInventory } from './views/egress-inventory';

export type { NamespaceScope } from './namespace-access';

/** Either end of the flow is in scope. */
export function flowVisible(scope: NamespaceScope, f: Pick<FlowRecord, 'source' | 'destination'>): boolean {
  return scope === 'all' || inScope(scope, f.source.namespace) || inScope(scope, f.destination.namespace);
}

/** The same rule over stored flows, as parameterized SQL (null: no narrowing). Placeholders are `s_ns<N>`. */
export function scopeSql(scope: NamespaceScope): SqlCondition | null {
  if (scope === 'all') return null;
  if (scope.size === 0) return { where: '0', params: {} };
  const params: Record<string, string> = {};
  const names = [...scope].map((ns, i) => {
    params[`s_ns${i}`] = ns;
    return `{s_ns${i}:String}`;
  });
  const list = names.join(', ');
  return { where: `(src_ns IN (${list}) OR dst_ns IN (${list}))`, params };
}

const nodeInScope = (scope: NamespaceScope, id: string) => inScope(scope, namespaceOfNode(id));

/** Either end of a map edge (or a connection between two node ids) is in scope. */
export function connectionVisible(scope: NamespaceScope, from: string, to: string): boolean {
  return scope === 'all' || nodeInScope(scope, from) || nodeInScope(scope, to);
}

function edgeVisible(scope: NamespaceScope, e: Pick<GraphEdge, 'source' | 'target'>): boolean {
  return connectionVisible(scope, e.source, e.target);
}

/** A graph as the user may see it: visible edges, nodes in scope, and the far ends of visible edges. */
export function scopeGraph(scope: NamespaceScope, graph: GraphSnapshot): GraphSnapshot {
  if (scope === 'all') return graph;
  const edges = graph.edges.filter((e) => edgeVisible(scope, e));
  const ends = new Set(edges.flatMap((e) => [e.source, e.target]));
  return { seq: graph.seq, nodes: graph.nodes.filter((n) => inScope(scope, n.namespace) || ends.has(n.id)), edges };
}

/**
 * The live stream's graph for one scoped browser: the snapshot filtered, then each delta filtered
 * against what this browser was sent, so a peer node outside the scope arrives with the first
 * visible edge that needs it (from the hub's graph) and leaves when the graph drops it.
 */
export class ScopedGraphView {
  private readonly peers = new Set<string>();

  constructor(
    readonly scope: NamespaceScope,
    private readonly nodeById: (id: string) => GraphNode | undefined,
  ) {}

  snapshot(graph: GraphSnapshot): GraphSnapshot {
    const scoped = scopeGraph(this.scope, graph);
    this.peers.clear();
    for (const n of scoped.nodes) if (!inScope(this.scope, n.namespace)) this.peers.add(n.id);
    return scoped;
  }

  /** The delta this browser gets; null when nothing in it is visible. */
  delta(delta: GraphDelta): GraphDelta | null {
    if (this.scope === 'all') return delta;
    const upsertEdges = delta.upsertEdges.filter((e) => edgeVisible(this.scope, e));
    const upsertNodes: GraphNode[] = [];
    const sending = new Set<string>();
    for (const n of delta.upsertNodes) {
      if (inScope(this.scope, n.namespace) || this.peers.has(n.id)) {
        upsertNodes.push(n);
        sending.add(n.id);
      }
    }
    for (const e of upsertEdges) {
      for (const id of [e.source, e.target]) {
        if (sending.has(id) || nodeInScope(this.scope, id) || this.peers.has(id)) continue;
        const node = delta.upsertNodes.find((n) => n.id === id) ?? this.nodeById(id);
        if (!node) continue;
        this.peers.add(id);
        sending.add(id);
        upsertNodes.push(node);
      }
    }
    const removeNodes = delta.removeNodes.filter((id) => nodeInScope(this.scope, id) || this.peers.delete(id));
    const removeEdges = delta.removeEdges.filter((id) => {
      const ends = edgeEnds(id);
      return ends !== undefined && connectionVisible(this.scope, ends.source, ends.target);
    });
    if (!upsertNodes.length && !upsertEdges.length && !removeNodes.length && !removeEdges.length) return null;
    return { seq: delta.seq, upsertNodes, upsertEdges, removeNodes, removeEdges };
  }
}

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/**
 * The posture report for a scoped user: their namespaces' scores, findings and badges. The cluster
 * score stays (it is one number) but its deductions, which name other namespaces, do not; findings
 * with no namespace (cluster-wide, Azure) need cluster-wide access.
 */
export function scopePosture(scope: NamespaceScope, report: PostureReport): PostureReport {
  if (scope === 'all') return report;
  const findings = report.findings.filter((f) => inScope(scope, f.namespace));
  const countsBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) countsBySeverity[f.severity] = (countsBySeverity[f.severity] ?? 0) + 1;
  return {
    ...report,
    cluster: { score: report.cluster.score, deductions: [] },
    namespaces: report.namespaces.filter((n) => inScope(scope, n.namespace)),
    findings,
    findingCount: findings.length,
    countsBySeverity,
    badges: Object.fromEntries(Object.entries(report.badges).filter(([ns]) => inScope(scope, ns))),
    source: { ...report.source, errors: [], errorCount: 0, policyErrors: report.source.policyErrors.filter((e) => inScope(scope, e.where.namespace)) },
  };
}

/** The egress inventory of the scoped user's own workloads. */
export function scopeEgress(scope: NamespaceScope, inventory: EgressInventory): EgressInventory {
  if (scope === 'all') return inventory;
  const rows = inventory.rows.filter((r) => inScope(scope, r.namespace));
  return { ...inventory, rows, totalEdges: rows.length, capped: false, namespaces: inventory.namespaces.filter((ns) => inScope(scope, ns)) };
}

/** What a scoped browser's live stream carries: its view of the graph, and flow samples narrowed to its namespaces. */
export function streamAccess(
  scope: NamespaceScope,
  predicate: ((f: FlowRecord) => boolean) | null,
  nodeById: (id: string) => GraphNode | undefined,
): { predicate: ((f: FlowRecord) => boolean) | null; graphView?: ScopedGraphView } {
  if (scope === 'all') return { predicate };
  return { predicate: predicate && ((f) => flowVisible(scope, f) && predicate(f)), graphView: new ScopedGraphView(scope, nodeById) };
}
