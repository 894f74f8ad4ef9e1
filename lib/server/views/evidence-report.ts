/**
 * The evidence report (report.json): what the network controls of a cluster are and what they did over a
 * time range, per layer (NSG, network policy, egress), in a form an auditor can read and a program can
 * check. Pure: the caller hands in the cluster snapshot, the Azure snapshot, the range's flows and per-edge
 * aggregates from the history; the same inputs always give the same report (every list has a fixed order,
 * nothing reads the clock), which is what lets two runs over the same data be compared byte for byte.
 *
 * The findings are computed afresh over the range's flows (not the dashboard's since-boot counters), with
 * every generated fix checked, so a report does not depend on when the server started or how busy it was.
 */

import { hasAzureNetwork, type AzureSnapshot } from '../../azure/types';
import type { FlowRecord } from '../../flows/flow-record';
import { isWorkloadNode, namespaceOfNode } from '../../graph/graph-ids';
import { graphOfEdgeAggregates } from '../../graph/history-graph';
import type { VerdictCounts } from '../../graph/types';
import type { EdgeAggregate } from '../../history/flow-store';
import type { ClusterSource, ClusterSourceStatus } from '../../k8s/cluster-source';
import type { ClusterSnapshot, PolicyObject } from '../../k8s/types';
import { builtFlowOfEdge, InternetSampler, podByWorkload } from '../../layers/edge-flow';
import { FlowGraph } from '../../graph/flow-graph';
import { threeLayers } from '../../layers/three-layers';
import type { DatapathHints } from '../../policy-engine/datapath';
import type { NamespaceAudit } from '../../posture/audit-by-namespace';
import { sortFindings, type Finding, type FindingId, type Severity } from '../../posture/finding';
import { PolicyPosture } from '../../posture/policy-posture';
import { azureOverview, type FirewallRuleRow, type NsgRuleRow } from './azure-overview';
import { egressInventory, type EgressCell, type EgressLayer, type EgressVerdict } from './egress-inventory';
import { canonicalJson } from '../../evidence/canonical-json';
import { namespaceCoverage, type CoverageRow } from '../../evidence/coverage';
import { sha256Hex } from '../../evidence/manifest';
import type { ReportScope } from '../../evidence/report-scope';

export const EVIDENCE_SCHEMA = 'flowsight.evidence/v1';

export type { ReportScope };

/** Bounds on each list, so a report of a large cluster stays a document; what is cut is counted. */
export const EVIDENCE_LIMITS = { findings: 1000, evidencePerFinding: 10, objectsPerFinding: 25, policies: 5000, topDenied: 50, egress: 2000, nsgRules: 400, firewallRules: 1000 } as const;

export type EvidenceLayer = 'nsg' | 'network-policy' | 'egress';
export const EVIDENCE_LAYERS: readonly EvidenceLayer[] = ['nsg', 'network-policy', 'egress'];
export const LAYER_TITLES: Record<EvidenceLayer, string> = { nsg: 'Network security groups (Azure)', 'network-policy': 'Network policy (Kubernetes, Cilium)', egress: 'Egress lockdown' };

/** The layer each finding is evidence about. */
const LAYER_OF: Record<FindingId, EvidenceLayer> = {
  'unprotected-namespace': 'network-policy',
  'no-default-deny': 'network-policy',
  'dns-egress-missing': 'network-policy',
  'dns-egress-too-broad': 'network-policy',
  'policy-selects-nothing': 'network-policy',
  'audit-would-deny': 'network-policy',
  'legacy-policy-engine': 'network-policy',
  'nsg-open-inbound': 'nsg',
  'nsg-only-control': 'nsg',
  'open-egress': 'egress',
  'fqdn-without-dns-proxy': 'egress',
  'egress-not-locked': 'egress',
  'firewall-rule-too-broad': 'egress',
};

export interface EvidenceInput {
  range: { since: number; until: number };
  scope: ReportScope;
  cluster: { snapshot: ClusterSnapshot; status: ClusterSourceStatus; name: string };
  /** The relay the flows come from, in words (`demo relay`, `hubble-relay.kube-system:443`). */
  relay: string;
  datapath: DatapathHints;
  /** The Azure network of this cluster; absent when none is configured or it did not load. */
  azure?: AzureSnapshot;
  /** Flows of the range the findings weigh (newest first, possibly capped), and how many the range holds. */
  flows: { records: readonly FlowRecord[]; inRange: number; from: 'history' | 'memory' };
  /** Per-edge aggregates of the range (the map, top denied flows, egress destinations). */
  edges: readonly EdgeAggregate[];
  /** The store's edge query hit its row cap: the rarest edges of the range are missing. */
  edgesCapped?: boolean;
  /** What the history holds, for the notes: its oldest flow, flows it dropped, why writing is paused. */
  history?: { oldest: number | null; droppedFlows: number; paused: string | null };
}

/** Graph edges a report draws and evaluates at most (the map's own cap for a past window). */
const MAX_REPORT_EDGES = 20_000;
/** Time the fix checks of one report may take: past it the rest are reported as not checked (and said so). */
const FIX_CHECK_BUDGET_MS = 3000;

export interface LayerSummary {
  layer: EvidenceLayer;
  title: string;
  /** `evaluated`: the layer's data was there; `no-source`: nothing describes it, so nothing is claimed. */
  status: 'evaluated' | 'no-source' | 'out-of-scope';
  /** Where the layer's data came from, or why there is none. */
  source: string;
  findings: Record<Severity, number>;
  /** Counts that characterise the layer (rules, policies, destinations). */
  facts: { label: string; value: number | string }[];
}

export interface EvidenceFinding {
  key: string;
  id: FindingId;
  severity: Severity;
  layer: EvidenceLayer;
  title: string;
  namespace?: string;
  mitigatedBy?: string;
  objects: string[];
  evidence: string[];
  fix: { text: string; check?: string };
}

export interface PolicyInventoryRow {
  kind: string;
  namespace?: string;
  name: string;
  /** SHA-256 of the canonical JSON (sorted keys) of apiVersion, kind, namespace, name and spec/specs. */
  sha256: string;
  /** Pods it selects now. */
  selects: number;
}

export interface NsgInventory {
  name: string;
  id: string;
  subnets: string[];
  nics: string[];
  rules: Omit<NsgRuleRow, 'flag' | 'unresolvedTags'>[];
  truncated: boolean;
}

export interface FirewallInventory {
  name: string;
  policy?: string;
  mode: 'policy' | 'classic';
  rules: Omit<FirewallRuleRow, 'hits' | 'flag' | 'unresolvedTags' | 'key'>[];
  truncated: boolean;
}

export interface DeniedPath {
  from: string;
  to: string;
  port: number;
  protocol: string;
  flows: number;
  reason: string;
  /** The policies Cilium named as denying it. */
  policies: string[];
  firstSeen: string;
  lastSeen: string;
}

export interface EgressDestination {
  workload: string;
  namespace: string;
  destination: string;
  destinationKind: 'fqdn' | 'ip';
  port: number;
  protocol: string;
  flows: number;
  /** The range's flows by the verdict Cilium gave them (a row judged open whose flows were all dropped says so in `notes`). */
  counts: VerdictCounts;
  layers: Record<EgressLayer, EgressCell>;
  verdict: EgressVerdict;
  decidedBy: EgressLayer | null;
  decision: string;
  /** What the reader must know about the row (observed verdicts that differ from today's evaluation, ...). */
  notes: string[];
}

export interface EvidenceReport {
  schema: typeof EVIDENCE_SCHEMA;
  cluster: { name: string; relay: string; datapath: string; datapathReason: string; source: string; namespaces: number; pods: number; policies: number; azure: string | null };
  range: { since: string; until: string };
  scope: ReportScope;
  /** What the findings weighed, and what the reader should know about the inputs. */
  basis: { flowsInRange: number; flowsWeighed: number; flowsFrom: 'history' | 'memory'; notes: string[] };
  summary: { score: number; findings: Record<Severity, number>; findingCount: number };
  layers: LayerSummary[];
  findings: EvidenceFinding[];
  coverage: CoverageRow[];
  policies: PolicyInventoryRow[];
  nsgs: NsgInventory[];
  firewalls: FirewallInventory[];
  topDenied: DeniedPath[];
  egress: EgressDestination[];
  audit: NamespaceAudit[];
  map: { file: 'map.png'; nodes: number; edges: number; namespaces: string[] };
  /** Lists cut at their limit: name -> how many there were. */
  truncated: Record<string, number>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const zeroCounts = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A cluster source over one fixed snapshot: the posture is computed once, for this report. */
function fixedSource(snapshot: ClusterSnapshot, status: ClusterSourceStatus): ClusterSource {
  return { start: async () => {}, stop: async () => {}, snapshot: () => snapshot, onChange: () => () => {}, status: () => status };
}

/** The content hash of a policy: what it enforces and what it is called, not the API server's bookkeeping. */
export function policyContentHash(p: PolicyObject): string {
  const m = p.manifest;
  return sha256Hex(canonicalJson({ apiVersion: m.apiVersion, kind: p.kind, namespace: p.namespace ?? null, name: p.name, spec: m.spec ?? null, specs: m.specs ?? null }));
}

const objectText = (o: { kind: string; namespace?: string; name: string }) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

export function buildEvidenceReport(input: EvidenceInput): EvidenceReport {
  const { snapshot } = input.cluster;
  const inScope = input.scope.kind === 'cluster' ? () => true : ((set) => (ns: string | undefined) => ns !== undefined && set.has(ns))(new Set(input.scope.namespaces));
  const scopedNamespaces = input.scope.kind === 'cluster' ? undefined : new Set(input.scope.namespaces);
  const clusterWide = input.scope.kind === 'cluster';
  const truncated: Record<string, number> = {};
  const cap = <T>(name: string, list: T[], max: number): T[] => {
    if (list.length > max) truncated[name] = list.length;
    return list.slice(0, max);
  };

  // Fixes are checked within a time budget, as the dashboard checks them, so a large cluster's report does
  // not hold the server; those left unchecked are said so (and only then can two runs differ).
  const posture = new PolicyPosture(fixedSource(snapshot, input.cluster.status), { datapath: input.datapath, fixCheckBudgetMs: FIX_CHECK_BUDGET_MS });
  posture.addFlows(input.flows.records);
  const engine = posture.engine();
  const azureNetwork = input.azure && hasAzureNetwork(input.azure) ? input.azure : undefined;
  const allFindings = sortFindings(posture.findings(azureNetwork));
  const scores = posture.scores(azureNetwork);
  const findings = allFindings.filter((f) => (f.namespace ? inScope(f.namespace) : clusterWide));

  const counts = zeroCounts();
  for (const f of findings) counts[f.severity]++;
  const score = input.scope.kind === 'cluster' ? scores.cluster.score : Math.min(100, ...input.scope.namespaces.map((ns) => scores.namespaces[ns]?.score ?? 100));

  const policies = snapshot.policies
    .filter((p) => (p.namespace ? inScope(p.namespace) : clusterWide))
    .map((p): PolicyInventoryRow => ({ kind: p.kind, ...(p.namespace ? { namespace: p.namespace } : {}), name: p.name, sha256: policyContentHash(p), selects: engine.selectedPods({ kind: p.kind, ...(p.namespace ? { namespace: p.namespace } : {}), name: p.name }).length }))
    .sort((a, b) => text(a.kind, b.kind) || text(a.namespace ?? '', b.namespace ?? '') || text(a.name, b.name));

  const overview = clusterWide && azureNetwork ? azureOverview(azureNetwork, []) : undefined;
  const nsgs = (overview?.nsgs ?? [])
    .map((n): NsgInventory => ({ name: n.name, id: n.id, subnets: [...n.subnets].sort(), nics: [...n.nics].sort(), rules: n.rules.slice(0, EVIDENCE_LIMITS.nsgRules).map(({ flag: _f, unresolvedTags: _u, ...r }) => r), truncated: n.truncated || n.rules.length > EVIDENCE_LIMITS.nsgRules }))
    .sort((a, b) => text(a.name, b.name) || text(a.id, b.id));
  const firewalls = (overview?.firewalls ?? [])
    .map((fw): FirewallInventory => ({ name: fw.name, ...(fw.policy ? { policy: fw.policy } : {}), mode: fw.mode, rules: fw.rules.slice(0, EVIDENCE_LIMITS.firewallRules).map(({ hits: _h, flag: _f, unresolvedTags: _u, key: _k, ...r }) => r), truncated: fw.truncated || fw.rules.length > EVIDENCE_LIMITS.firewallRules }))
    .sort((a, b) => text(a.name, b.name));

  // The store names a policy `kind/namespace/name`: a namespace report names only its own namespaces'
  // policies (a path to another namespace may have been denied by that namespace's policy).
  const policyNamesInScope = (names: readonly string[]): string[] => {
    const own = [...names].filter((n) => clusterWide || inScope(n.split('/')[1])).sort();
    return own.length < names.length ? [...own, `${names.length - own.length} polic${names.length - own.length === 1 ? 'y' : 'ies'} of other namespaces`] : own;
  };
  const edgeInScope = (source: string, target: string) => clusterWide || inScope(namespaceOfNode(source)) || inScope(namespaceOfNode(target));
  const topDenied = cap(
    'topDenied',
    input.edges
      .filter((e) => e.verdict === 'DROPPED' && edgeInScope(e.source, e.target))
      .map((e): DeniedPath => ({ from: e.source, to: e.target, port: e.port, protocol: e.protocol, flows: e.flows, reason: e.dropReason, policies: policyNamesInScope(e.deniedBy), firstSeen: iso(e.firstSeen), lastSeen: iso(e.lastSeen) }))
      .sort((a, b) => b.flows - a.flows || text(a.from, b.from) || text(a.to, b.to) || a.port - b.port || text(a.protocol, b.protocol) || text(a.reason, b.reason)),
    EVIDENCE_LIMITS.topDenied,
  );

  const graph = graphOfEdgeAggregates(input.edges, { maxEdges: MAX_REPORT_EDGES });
  if (input.edgesCapped || graph.edges.length >= MAX_REPORT_EDGES) truncated.edges = Math.max(graph.edges.length, input.edges.length);
  const pods = podByWorkload(snapshot);
  const inventory = egressInventory({
    edges: graph.edges.filter((e) => edgeInScope(e.source, e.target)),
    // Each internet connection evaluated for its newest flow in the range (the address Cilium saw, which
    // a toFQDNs rule matches); one built from today's pods only where the weighed flows have none.
    samples: internetSamples(input.flows.records),
    flowFromEdge: (edge) => builtFlowOfEdge(edge, pods),
    evaluate: (flow) => threeLayers(flow, { cluster: snapshot, engine, ...(azureNetwork ? { azure: azureNetwork } : {}) }),
    sources: { cluster: true, azure: !!azureNetwork },
    maxRows: EVIDENCE_LIMITS.egress,
    now: input.range.until,
  });
  if (inventory.capped) truncated.egress = inventory.totalEdges;
  const egress = inventory.rows.map(
    (r): EgressDestination => ({ workload: r.workload, namespace: r.namespace, destination: r.destination, destinationKind: r.destinationKind, port: r.port, protocol: r.protocol, flows: r.total, counts: r.counts, layers: { policy: r.policy, nsg: r.nsg, firewall: r.firewall }, verdict: r.verdict, decidedBy: r.decidedBy, decision: r.decision, notes: r.notes }),
  );

  const mapEdges = graph.edges.filter((e) => edgeInScope(e.source, e.target));
  const endpoints = new Set(mapEdges.flatMap((e) => [e.source, e.target]));
  const mapNodes = graph.nodes.filter((n) => clusterWide || inScope(namespaceOfNode(n.id)) || endpoints.has(n.id));
  const mapNamespaces = [...new Set(mapNodes.filter((n) => isWorkloadNode(n.id)).map((n) => namespaceOfNode(n.id)).filter((ns): ns is string => !!ns))].sort(text);

  const datapath = engine.datapath;
  const notes: string[] = [];
  if (input.flows.records.length < input.flows.inRange) notes.push(`The findings weigh the newest ${input.flows.records.length} of the ${input.flows.inRange} flows in the range; the map, the denied paths and the egress destinations count all of them.`);
  if (input.flows.from === 'memory') notes.push('The flow history is off: flows come from the recent flows held in memory, which may not cover the whole range.');
  if (!azureNetwork) notes.push('No Azure network data describes this cluster: the NSG layer and the Azure egress controls are not evaluated, and nothing is claimed about them.');
  if (!clusterWide) notes.push('A namespace report leaves out the cluster-wide layers (NSG and firewall rule inventories, cluster-wide policies and findings).');
  const synced = input.cluster.status.lastSyncAt;
  notes.push(`The controls (policies, pods, NSG and firewall rules) are as the sources last read them${synced ? ` (cluster: ${iso(synced)})` : ''}; the flows, the map, the denied paths and the internet destinations are those of the range.`);
  if (input.cluster.status.stale) notes.push(`The cluster source had lost its upstream: policies and pods are as last synced${synced ? ` (${iso(synced)})` : ''}.`);
  const sourceErrors = input.cluster.status.errors.length;
  if (sourceErrors > 0) notes.push(`The cluster source reported ${sourceErrors} problem${sourceErrors === 1 ? '' : 's'} (unreadable documents, missing CRDs, broken watches): what it could not read is not in this report.`);
  const h = input.history;
  if (h?.oldest === null || (h?.oldest !== undefined && h.oldest > input.range.since)) notes.push(h.oldest === null ? 'The flow history holds no flows: nothing was observed in the range.' : `The flow history holds flows from ${iso(h.oldest)} on: the range before that was not observed.`);
  if (h && h.droppedFlows > 0) notes.push(`The flow history dropped ${h.droppedFlows} flows since it opened (writes fell behind): the counts may miss some.`);
  if (h?.paused) notes.push(`Writing to the flow history is paused (${h.paused}): flows since then are not in it.`);
  if (truncated.edges) notes.push(`The range has more connections than a report draws and evaluates (${MAX_REPORT_EDGES}): the least recently seen are left out of the map, the denied paths and the internet destinations.`);
  const unchecked = findings.filter((f) => f.fix.check?.status === 'pending').length;
  if (unchecked > 0) notes.push(`${unchecked} generated fixes were not checked within the time budget: their YAML is left out and they say so.`);

  const layerCounts = (layer: EvidenceLayer) => {
    const c = zeroCounts();
    for (const f of findings) if (LAYER_OF[f.id] === layer) c[f.severity]++;
    return c;
  };
  const coverage = namespaceCoverage(engine, allFindings, scopedNamespaces);
  const azureSource = azureNetwork ? `${azureNetwork.source}: ${azureNetwork.origin}` : 'none';
  const layers: LayerSummary[] = [
    {
      layer: 'nsg',
      title: LAYER_TITLES.nsg,
      status: !clusterWide ? 'out-of-scope' : azureNetwork ? 'evaluated' : 'no-source',
      source: !clusterWide ? 'cluster-wide: in cluster reports only' : azureNetwork ? azureSource : 'no Azure network data for this cluster',
      findings: layerCounts('nsg'),
      facts: [
        { label: 'NSGs', value: nsgs.length },
        { label: 'custom rules', value: nsgs.reduce((n, g) => n + g.rules.filter((r) => !r.isDefault).length, 0) },
      ],
    },
    {
      layer: 'network-policy',
      title: LAYER_TITLES['network-policy'],
      status: 'evaluated',
      source: `${input.cluster.status.kind} cluster source; ${datapath.datapath} datapath`,
      findings: layerCounts('network-policy'),
      facts: [
        { label: 'policies', value: policies.length },
        { label: 'namespaces', value: coverage.length },
        { label: 'default-deny ingress (all pods)', value: coverage.filter((r) => r.ingress.state === 'all').length },
        { label: 'default-deny egress (all pods)', value: coverage.filter((r) => r.egress.state === 'all').length },
        { label: 'denied paths observed', value: topDenied.length },
      ],
    },
    {
      layer: 'egress',
      title: LAYER_TITLES.egress,
      status: 'evaluated',
      source: azureNetwork ? `network policy and ${azureSource}` : 'network policy only (no Azure network data)',
      findings: layerCounts('egress'),
      facts: [
        { label: 'internet destinations', value: egress.length },
        { label: 'open (allowed by every layer)', value: egress.filter((e) => e.verdict === 'allowed').length },
        { label: 'namespaces with open egress', value: coverage.filter((r) => r.internet.state === 'open').length },
        { label: 'firewalls', value: clusterWide ? firewalls.length : 'in cluster reports only' },
      ],
    },
  ];

  return {
    schema: EVIDENCE_SCHEMA,
    cluster: {
      name: input.cluster.name,
      relay: input.relay,
      datapath: datapath.datapath,
      datapathReason: `${datapath.source}: ${datapath.reason}`,
      source: input.cluster.status.kind,
      // A namespace report counts its namespaces only: a scoped reader learns nothing of the others.
      namespaces: clusterWide ? snapshot.namespaces.length : snapshot.namespaces.filter((n) => inScope(n.name)).length,
      pods: clusterWide ? snapshot.pods.length : snapshot.pods.filter((p) => inScope(p.namespace)).length,
      policies: policies.length,
      azure: azureNetwork ? azureSource : null,
    },
    range: { since: iso(input.range.since), until: iso(input.range.until) },
    scope: input.scope.kind === 'cluster' ? { kind: 'cluster' } : { kind: 'namespaces', namespaces: [...input.scope.namespaces].sort(text) },
    basis: { flowsInRange: input.flows.inRange, flowsWeighed: input.flows.records.length, flowsFrom: input.flows.from, notes },
    summary: { score, findings: counts, findingCount: findings.length },
    layers,
    findings: cap('findings', findings, EVIDENCE_LIMITS.findings).map(evidenceFinding),
    coverage,
    policies: cap('policies', policies, EVIDENCE_LIMITS.policies),
    nsgs,
    firewalls,
    topDenied,
    egress,
    audit: posture.auditByNamespace().filter((a) => inScope(a.namespace)),
    map: { file: 'map.png', nodes: mapNodes.length, edges: mapEdges.length, namespaces: mapNamespaces },
    truncated,
  };
}

/** The newest flow of each internet edge among the flows (newest first), with the addresses seen. */
function internetSamples(flows: readonly FlowRecord[]): InternetSampler['samples'] {
  const sampler = new InternetSampler();
  for (const f of flows) sampler.add(f, FlowGraph.edgeIdOf(f));
  return sampler.samples;
}

function evidenceFinding(f: Finding): EvidenceFinding {
  return {
    key: f.key,
    id: f.id,
    severity: f.severity,
    layer: LAYER_OF[f.id],
    title: f.title,
    ...(f.namespace ? { namespace: f.namespace } : {}),
    ...(f.mitigatedBy ? { mitigatedBy: f.mitigatedBy } : {}),
    objects: f.objects.slice(0, EVIDENCE_LIMITS.objectsPerFinding).map(objectText),
    evidence: f.evidence.slice(0, EVIDENCE_LIMITS.evidencePerFinding).map((e) => e.text),
    fix: { text: f.fix.text, ...(f.fix.check ? { check: f.fix.check.status } : {}) },
  };
}

/** report.json's bytes: canonical (sorted keys), indented for people, newline-terminated. */
export function reportJson(report: EvidenceReport): string {
  return `${canonicalJson(report, 2)}\n`;
}
