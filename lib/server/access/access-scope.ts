/**
 * Namespace-scoped access (FLOWSIGHT_AUTHZ=namespaces): what a user limited to some namespaces sees
 * of each answer. The rule, everywhere: a flow, edge or connection is visible when either end is in
 * a namespace the user may read (they need to see who calls them and whom they call, and the peer's
 * name is part of that); a node is visible in scope, or as the far end of a visible edge; policies,
 * findings and badges only in their own namespace; cluster-wide things (CCNPs, NSGs, the firewall,
 * findings with no namespace) only with cluster-wide access. Searches are narrowed before they run
 * (counts and pages stay right); snapshots are filtered after.
 */

import type { FlowRecord } from '../../flows/flow-record';
import type { ClusterSnapshot } from '../../k8s/types';
import type { ConnectionSide, ThreeLayers } from '../../layers/three-layers';
import { edgeEnds, namespaceOfNode } from '../../graph/graph-ids';
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from '../../graph/types';
import type { SqlCondition } from '../../history/flow-store';
import type { PostureReport, SourceHealth } from '../../posture/posture-report';
import type { Severity } from '../../posture/finding';
import { VerdictCounters, type CounterSummary } from '../verdict-counters';
import { inScope, type NamespaceScope } from './namespace-access';
import { summarize, type EgressInventory } from '../views/egress-inventory';
import type { ExplainedDirection, Explanation } from '../views/explain-connection';
import type { PolicyEntry } from '../views/policy-catalog';
import type { ReplayEdge, SimulationResult, VerdictSummary } from '../../what-if/replay';
import type { DeployedDiff, RuleUse } from '../../what-if/deployed-diff';

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
 * against what this browser holds. A peer node outside the scope arrives with the first visible
 * edge that needs it (from the delta or the hub's graph) and leaves with the last one, even while
 * other namespaces still talk to it. Deltas are numbered by this view, without gaps: a delta with
 * nothing visible is not sent, and the browser checks that each delta follows the one before.
 */
export class ScopedGraphView {
  /** Peer node id -> ids of the visible edges that hold it on this browser's map. */
  private readonly peerEdges = new Map<string, Set<string>>();
  private seq = 0;

  constructor(
    readonly scope: NamespaceScope,
    private readonly nodeById: (id: string) => GraphNode | undefined,
  ) {}

  snapshot(graph: GraphSnapshot): GraphSnapshot {
    const scoped = scopeGraph(this.scope, graph);
    this.peerEdges.clear();
    for (const e of scoped.edges) this.holdPeers(e);
    this.seq = scoped.seq;
    return scoped;
  }

  /** The delta this browser gets; null when nothing in it is visible. */
  delta(delta: GraphDelta): GraphDelta | null {
    if (this.scope === 'all') return delta;
    const upsertEdges = delta.upsertEdges.filter((e) => edgeVisible(this.scope, e));
    let upsertNodes: GraphNode[] = [];
    const sending = new Set<string>();
    for (const n of delta.upsertNodes) {
      if (inScope(this.scope, n.namespace) || this.peerEdges.has(n.id)) {
        upsertNodes.push(n);
        sending.add(n.id);
      }
    }
    // A delta after markAllDirty carries every edge: look its nodes up by id, not by scanning them per edge.
    let deltaNodes: Map<string, GraphNode> | undefined;
    for (const e of upsertEdges) {
      for (const id of this.holdPeers(e)) {
        if (sending.has(id)) continue;
        deltaNodes ??= new Map(delta.upsertNodes.map((n) => [n.id, n]));
        const node = deltaNodes.get(id) ?? this.nodeById(id);
        if (!node) continue;
        sending.add(id);
        upsertNodes.push(node);
      }
    }
    const removeEdges: string[] = [];
    const released = new Set<string>();
    for (const id of delta.removeEdges) {
      const ends = edgeEnds(id);
      if (!ends || !connectionVisible(this.scope, ends.source, ends.target)) continue;
      removeEdges.push(id);
      for (const end of [ends.source, ends.target]) {
        const held = this.peerEdges.get(end);
        if (held?.delete(id) && held.size === 0) {
          this.peerEdges.delete(end);
          released.add(end);
        }
      }
    }
    const removeNodes = delta.removeNodes.filter((id) => nodeInScope(this.scope, id) || released.delete(id));
    removeNodes.push(...released);
    // A peer released in this delta may also have changed in it (a new pod): it leaves all the same.
    const gone = new Set(removeNodes);
    upsertNodes = upsertNodes.filter((n) => inScope(this.scope, n.namespace) || !gone.has(n.id));
    if (!upsertNodes.length && !upsertEdges.length && !removeNodes.length && !removeEdges.length) return null;
    return { seq: ++this.seq, upsertNodes, upsertEdges, removeNodes, removeEdges };
  }

  /** Records a visible edge on its out-of-scope ends; returns the ends this browser did not hold yet. */
  private holdPeers(e: Pick<GraphEdge, 'id' | 'source' | 'target'>): string[] {
    const added: string[] = [];
    for (const id of [e.source, e.target]) {
      if (nodeInScope(this.scope, id)) continue;
      let held = this.peerEdges.get(id);
      if (!held) {
        this.peerEdges.set(id, (held = new Set()));
        added.push(id);
      }
      held.add(e.id);
    }
    return added;
  }
}

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/**
 * The posture report for a scoped user: their namespaces' scores, findings, badges and AUDIT counts. The cluster
 * score stays (it is one number) but its deductions, which name other namespaces, do not; findings
 * with no namespace (cluster-wide, Azure) need cluster-wide access.
 */
/** The scope narrowed to one namespace (none: as it is); a namespace outside it leaves nothing. */
export function narrowScope(scope: NamespaceScope, namespace: string | undefined): NamespaceScope {
  if (namespace === undefined) return scope;
  return new Set(inScope(scope, namespace) ? [namespace] : []);
}

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
    layer: { namespaces: report.layer.namespaces.filter((ns) => inScope(scope, ns)), workloads: report.layer.workloads.filter((id) => nodeInScope(scope, id)) },
    audit: report.audit.filter((a) => inScope(scope, a.namespace)),
    source: scopeSourceHealth(scope, report.source),
  };
}

/** The egress inventory of the scoped user's own workloads. */
export function scopeEgress(scope: NamespaceScope, inventory: EgressInventory): EgressInventory {
  if (scope === 'all') return inventory;
  const rows = inventory.rows.filter((r) => inScope(scope, r.namespace));
  // `capped` stays: rows of these namespaces may be among those the cap left out.
  return { ...inventory, rows, totalEdges: rows.length, summary: summarize(rows), namespaces: inventory.namespaces.filter((ns) => inScope(scope, ns)) };
}

/**
 * A policy catalog page for a scoped user: the peers a rule names keep only the workloads of their
 * namespaces (a rule with a namespaceSelector would otherwise list every other namespace's
 * workloads); `peerCount` still counts them all.
 */
export function scopePolicyPeers(scope: NamespaceScope, policies: PolicyEntry[]): PolicyEntry[] {
  if (scope === 'all') return policies;
  return policies.map((p) => ({ ...p, paths: p.paths.map((path) => ({ ...path, peers: path.peers.filter((peer) => peer.kind !== 'workload' || nodeInScope(scope, peer.id)) })) }));
}

/**
 * The cluster source's health for a scoped user: policy errors of their namespaces (counted
 * again), no loading errors (they name files and objects anywhere in the cluster).
 */
export function scopeSourceHealth(scope: NamespaceScope, health: SourceHealth): SourceHealth {
  if (scope === 'all') return health;
  const policyErrors = health.policyErrors.filter((e) => inScope(scope, e.where.namespace));
  return { ...health, errors: [], errorCount: 0, policyErrors, policyErrorCount: policyErrors.length };
}

/** The header's flow rates counted over the flows a scoped user may see (fed each tick's flows). */
export class ScopedCounters {
  private readonly counters = new VerdictCounters();

  constructor(readonly scope: NamespaceScope) {}

  add(flows: readonly FlowRecord[], now = Date.now()): void {
    for (const f of flows) if (flowVisible(this.scope, f)) this.counters.add(f.verdict, now);
  }

  summary(now?: number): CounterSummary {
    return this.counters.summary(now);
  }
}

/**
 * What a scoped browser's live stream carries: its view of the graph, flow samples narrowed to its
 * namespaces, and its own flow rates (`counting` is to be fed each tick's flows).
 */
export function streamAccess(
  scope: NamespaceScope,
  predicate: ((f: FlowRecord) => boolean) | null,
  nodeById: (id: string) => GraphNode | undefined,
): { predicate: ((f: FlowRecord) => boolean) | null; graphView?: ScopedGraphView; counters?: () => CounterSummary; counting?: ScopedCounters } {
  if (scope === 'all') return { predicate };
  const counting = new ScopedCounters(scope);
  return { predicate: predicate && ((f) => flowVisible(scope, f) && predicate(f)), graphView: new ScopedGraphView(scope, nodeById), counters: () => counting.summary(), counting };
}

/**
 * An explanation as a scoped user may read it: a direction decided by the policies of a namespace
 * they may not read keeps its verdict and why in general terms, but not those policies' names,
 * rules or YAML (nor the backends of a Service there). Null when neither end is in scope.
 */
export function scopeExplanation(scope: NamespaceScope, explanation: Explanation): Explanation | null {
  if (scope === 'all') return explanation;
  const { from, to } = explanation.connection;
  const fromIn = nodeInScope(scope, from);
  const toIn = nodeInScope(scope, to);
  if (!fromIn && !toIn) return null;
  // Only a workload in another namespace has policies of its own to hide; world and node peers have none.
  const hidden = (id: string, shown: boolean) => !shown && namespaceOfNode(id) !== undefined;
  const hide = (d: ExplainedDirection, ns: string | undefined): ExplainedDirection => ({
    ...d,
    text: `${d.allowed ? 'Allowed' : 'Denied'} by the ${d.direction.toLowerCase()} policies of namespace ${ns}, which you may not read.`,
    rules: [],
    isolatedBy: [],
    unmatchedRules: [],
  });
  const service = explanation.service && !inScope(scope, explanation.service.namespace) ? { ...explanation.service, backends: [], skipped: [], shown: '' } : explanation.service;
  return {
    ...explanation,
    egress: hidden(from, fromIn) ? hide(explanation.egress, namespaceOfNode(from)) : explanation.egress,
    ingress: hidden(to, toIn) ? hide(explanation.ingress, namespaceOfNode(to)) : explanation.ingress,
    ...(service ? { service } : {}),
  };
}

/**
 * Whether a scoped user may see a three-layer strip. The ends' namespaces come from the observed
 * flow, or — for a flow spelled out in the request, whose namespaces are only what the client
 * claims — from the cluster's pods by address.
 */
export function layersVisible(scope: NamespaceScope, layers: Pick<ThreeLayers, 'connection'>, podsByAddress?: Pick<ClusterSnapshot, 'pods'>): boolean {
  if (scope === 'all') return true;
  const namespaceOf = (side: ConnectionSide) => (podsByAddress ? podsByAddress.pods.find((p) => p.ips.includes(side.ip) && !p.hostNetwork)?.namespace : side.namespace);
  return inScope(scope, namespaceOf(layers.connection.from)) || inScope(scope, namespaceOf(layers.connection.to));
}

/**
 * A verdict summary for a scoped user: one that names a policy of a namespace they may not read (or a
 * cluster-wide one) keeps its verdict and side, not the names, as the why panel does (scopeExplanation).
 */
function scopeSummary(scope: NamespaceScope, s: VerdictSummary): VerdictSummary {
  if (s.policyNamespaces.every((ns) => ns !== '' && inScope(scope, ns))) return s;
  const word = s.verdict === 'FORWARDED' ? 'allowed' : s.verdict === 'AUDIT' ? 'would be denied (audit)' : 'denied';
  return { ...s, why: `${word}${s.at ? ` at ${s.at}` : ''}, by policies you may not read`, policyNamespaces: [] };
}

/** A what-if result for a scoped user: its traffic is theirs already (narrowed in SQL); the policies named are narrowed here. */
export function scopeSimulation<R extends SimulationResult>(scope: NamespaceScope, result: R): R {
  if (scope === 'all') return result;
  const edge = (e: ReplayEdge): ReplayEdge => ({ ...e, examples: e.examples.map((x) => ({ ...x, before: scopeSummary(scope, x.before), after: scopeSummary(scope, x.after) })) });
  const edges = result.edges.map(edge);
  const byId = new Map(edges.map((e) => [e.id, e]));
  return {
    ...result,
    edges,
    dns: result.dns.map((e) => byId.get(e.id) ?? edge(e)),
    unobserved: result.unobserved.map((u) => ({ ...u, before: scopeSummary(scope, u.before), after: scopeSummary(scope, u.after) })),
  };
}

/** The deployed diff for a scoped user: cluster-wide policies' rules are not theirs to see. */
export function scopeDeployedDiff(scope: NamespaceScope, diff: DeployedDiff): DeployedDiff {
  if (scope === 'all') return diff;
  const own = (u: RuleUse) => u.ref.namespace !== undefined && inScope(scope, u.ref.namespace);
  return { ...diff, broader: diff.broader.filter(own), unused: diff.unused.filter(own) };
}
