/**
 * The policies page's data: every policy of the cluster source with the pods it selects (folded into
 * workloads), the paths each of its rules opens (or closes) between concrete workloads and reserved peers,
 * its YAML, and its compile errors. Filtered and paged first, so the costly parts run for one page only.
 * The datapath the verdicts model is part of the answer: what the rules mean depends on it.
 */

import { stringify } from 'yaml';
import { HOST_NODE_ID, KUBE_APISERVER_NODE_ID, REMOTE_NODE_ID, WORLD_NODE_ID } from '../../graph/graph-ids';
import { workloadNodeIdOfPod } from '../../graph/node-identity';
import type { ClusterSnapshot, PolicyKind, PolicyObject } from '../../k8s/types';
import { POLICY_KINDS } from '../../k8s/types';
import type { CompiledPolicy, CompiledRule, Direction, RuleSection } from '../../policy-engine/compiled-policy';
import { policyRefKey } from '../../policy-engine/compiled-policy';
import type { DatapathChoice } from '../../policy-engine/datapath';
import { reservedEndpoint, type PodEndpoint, type ReservedEndpoint } from '../../policy-engine/endpoint';
import type { PolicyEngine } from '../../policy-engine/engine';
import { DnsNames } from '../../policy-engine/fqdn';
import type { PolicyError } from '../../policy-engine/policy-error';
import type { PortSpec } from '../../policy-engine/ports';
import { workloadKeyOfPod } from '../../posture/workloads';

export const CATALOG_LIMITS = { maxPage: 100, podsPerWorkload: 5, workloadsPerPolicy: 50, peersPerRule: 30, yamlChars: 20_000 } as const;

export interface CatalogQuery {
  namespace?: string;
  kind?: PolicyKind;
  /** Case-insensitive text in the policy's name, namespace, kind or manifest. */
  q?: string;
  offset?: number;
  limit?: number;
}

export interface SelectedWorkload {
  /** `namespace/workload` (a bare pod: `namespace/pod`), as the cluster names it. */
  id: string;
  /** The map node its flows land on: the same, except for a bare pod (named after the pod name's stem). */
  node: string;
  namespace: string;
  name: string;
  kind: string;
  pods: string[];
  podCount: number;
}

export interface PathPeer {
  /** Graph id (`ns/workload`, `host`, `world`, `remote-node`, `kube-apiserver`) or `fqdn:<pattern>`. */
  id: string;
  kind: 'workload' | 'host' | 'remote-node' | 'kube-apiserver' | 'world' | 'fqdn';
  label: string;
}

export interface PolicyPath {
  direction: Direction;
  section: RuleSection;
  rule: number;
  spec?: number;
  action: 'allow' | 'deny';
  /** Every pod and address: the rule names no peer. */
  anyPeer: boolean;
  peers: PathPeer[];
  peerCount: number;
  ports: string[];
  l7?: string;
}

export interface PolicyEntry {
  key: string;
  kind: PolicyKind;
  namespace?: string;
  name: string;
  compiled: boolean;
  /** A Cilium host policy (CCNP nodeSelector): it selects nodes, not pods, and is not evaluated. */
  hostPolicy: boolean;
  isolates: { ingress: boolean; egress: boolean };
  audit: boolean;
  selected: { podCount: number; workloads: SelectedWorkload[]; workloadCount: number };
  paths: PolicyPath[];
  yaml: string;
  errors: PolicyError[];
}

export interface PolicyCatalog {
  /** The datapath whose semantics the verdicts follow (Cilium or upstream Kubernetes), and why. */
  datapath: DatapathChoice;
  total: number;
  offset: number;
  policies: PolicyEntry[];
  facets: { namespaces: string[]; kinds: Record<PolicyKind, number> };
}

const NO_DNS = new DnsNames();
const RESERVED_PROBES: [PathPeer, ReservedEndpoint][] = [
  [{ id: WORLD_NODE_ID, kind: 'world', label: 'world (internet)' }, reservedEndpoint('world', { ip: '1.1.1.1' })],
  [{ id: HOST_NODE_ID, kind: 'host', label: 'host (node)' }, reservedEndpoint('host')],
  [{ id: REMOTE_NODE_ID, kind: 'remote-node', label: 'remote-node' }, reservedEndpoint('remote-node')],
  [{ id: KUBE_APISERVER_NODE_ID, kind: 'kube-apiserver', label: 'kube-apiserver' }, reservedEndpoint('kube-apiserver', { ip: '20.0.0.1' })],
];

/** `NetworkPolicy/production/allow-db-from-api`, the id the page and links use. */
export const policyKey = (p: { kind: PolicyKind; namespace?: string; name: string }) => policyRefKey(p);

/** Which policies the asker may see, by namespace (a cluster-wide policy has none); default: all. */
export type NamespaceFilter = (namespace: string | undefined) => boolean;
const EVERY_NAMESPACE: NamespaceFilter = () => true;

function matches(p: PolicyObject, q: CatalogQuery, needle: string | undefined, visible: NamespaceFilter): boolean {
  if (q.kind && p.kind !== q.kind) return false;
  if (!visible(p.namespace)) return false;
  // A cluster-wide policy belongs to no namespace: a namespace filter leaves it out.
  if (q.namespace && p.namespace !== q.namespace) return false;
  if (!needle) return true;
  if (`${p.kind} ${p.namespace ?? ''}/${p.name}`.toLowerCase().includes(needle)) return true;
  return JSON.stringify(p.manifest).toLowerCase().includes(needle);
}

function workloadsOf(pods: readonly PodEndpoint[]): { list: SelectedWorkload[]; count: number } {
  const byId = new Map<string, SelectedWorkload>();
  for (const p of pods) {
    const id = workloadKeyOfPod(p);
    let w = byId.get(id);
    if (!w) byId.set(id, (w = { id, node: workloadNodeIdOfPod(p), namespace: p.namespace, name: p.workload?.name ?? p.name, kind: p.workload?.kind ?? 'Pod', pods: [], podCount: 0 }));
    w.podCount++;
    if (w.pods.length < CATALOG_LIMITS.podsPerWorkload) w.pods.push(p.name);
  }
  const all = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { list: all.slice(0, CATALOG_LIMITS.workloadsPerPolicy), count: all.length };
}

function portText(p: PortSpec): string {
  const proto = p.protocol === 'ANY' ? 'any' : p.protocol;
  if (p.name !== undefined) return `${p.name}/${proto}`;
  if (p.port === 0) return `all ${proto}`;
  return p.endPort > p.port ? `${p.port}-${p.endPort}/${proto}` : `${p.port}/${proto}`;
}

function fqdnPeers(policy: PolicyObject, rule: CompiledRule): PathPeer[] {
  const m = policy.manifest as { spec?: Record<string, unknown>; specs?: Record<string, unknown>[] };
  const spec = rule.ref.spec !== undefined ? m.specs?.[rule.ref.spec] : m.spec;
  const raw = (spec?.[rule.ref.section] as unknown[] | undefined)?.[rule.ref.rule] as { toFQDNs?: { matchName?: string; matchPattern?: string }[] } | undefined;
  return (raw?.toFQDNs ?? []).flatMap((f) => {
    const name = f?.matchName ?? f?.matchPattern;
    return typeof name === 'string' ? [{ id: `fqdn:${name}`, kind: 'fqdn' as const, label: name }] : [];
  });
}

/** Concrete peers a rule matches: one representative pod per workload, the reserved peers, and FQDN patterns. */
function rulePeers(policy: PolicyObject, rule: CompiledRule, representatives: readonly PodEndpoint[]): { peers: PathPeer[]; count: number; anyPeer: boolean } {
  const peers: PathPeer[] = [];
  let count = 0;
  for (const pod of representatives) {
    if (!rule.peer(pod, NO_DNS)) continue;
    count++;
    const id = workloadKeyOfPod(pod);
    if (peers.length < CATALOG_LIMITS.peersPerRule) peers.push({ id, kind: 'workload', label: id });
  }
  const allPods = representatives.length > 0 && count === representatives.length;
  let worldMatched = false;
  for (const [peer, endpoint] of RESERVED_PROBES) {
    if (!rule.peer(endpoint, NO_DNS)) continue;
    if (peer.kind === 'world') worldMatched = true;
    count++;
    peers.push(peer);
  }
  for (const f of fqdnPeers(policy, rule)) {
    count++;
    if (peers.length < CATALOG_LIMITS.peersPerRule + 10) peers.push(f);
  }
  return { peers, count, anyPeer: allPods && worldMatched };
}

function describePaths(policy: PolicyObject, compiled: CompiledPolicy, representatives: readonly PodEndpoint[]): PolicyPath[] {
  const out: PolicyPath[] = [];
  for (const direction of ['ingress', 'egress'] as Direction[]) {
    const section = compiled[direction];
    if (!section) continue;
    for (const rule of [...section.deny, ...section.allow]) {
      const { peers, count, anyPeer } = rulePeers(policy, rule, representatives);
      out.push({
        direction,
        section: rule.ref.section,
        rule: rule.ref.rule,
        ...(rule.ref.spec !== undefined ? { spec: rule.ref.spec } : {}),
        action: rule.action,
        anyPeer,
        peers,
        peerCount: count,
        ports: rule.ports ? rule.ports.map(portText) : ['all ports'],
        ...(rule.l7 ? { l7: `${rule.l7.type} (${rule.l7.count} rule${rule.l7.count === 1 ? '' : 's'})` } : {}),
      });
    }
  }
  return out;
}

function manifestYaml(p: PolicyObject): string {
  const m = p.manifest as { metadata?: Record<string, unknown> };
  // Server-side bookkeeping fields are noise on a policy page.
  const metadata = m.metadata ? Object.fromEntries(Object.entries(m.metadata).filter(([k]) => !['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp'].includes(k))) : undefined;
  const text = stringify({ ...p.manifest, ...(metadata ? { metadata } : {}) }, { lineWidth: 0 });
  return text.length > CATALOG_LIMITS.yamlChars ? `${text.slice(0, CATALOG_LIMITS.yamlChars)}\n# … (truncated)` : text;
}

/** Lists the policies matching `query`, one page of them described in full. */
export function policyCatalog(snapshot: ClusterSnapshot, engine: PolicyEngine, query: CatalogQuery = {}, visible: NamespaceFilter = EVERY_NAMESPACE): PolicyCatalog {
  const needle = query.q?.trim().toLowerCase() || undefined;
  const kinds = Object.fromEntries(POLICY_KINDS.map((k) => [k, 0])) as Record<PolicyKind, number>;
  const namespaces = new Set<string>();
  for (const p of snapshot.policies) if (p.namespace && visible(p.namespace)) namespaces.add(p.namespace);
  // Kind counts ignore the kind filter, so the filter shows what picking another kind would give.
  const anyKind = snapshot.policies.filter((p) => matches(p, { ...query, kind: undefined }, needle, visible));
  for (const p of anyKind) kinds[p.kind]++;
  const matching = anyKind
    .filter((p) => !query.kind || p.kind === query.kind)
    .sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  const offset = Math.max(0, query.offset ?? 0);
  const limit = Math.min(CATALOG_LIMITS.maxPage, Math.max(1, query.limit ?? 50));
  const page = matching.slice(offset, offset + limit);

  const compiledByKey = new Map(engine.policies().map((c) => [policyRefKey(c.ref), c]));
  const errorsByKey = new Map<string, PolicyError[]>();
  for (const e of engine.errors) {
    const k = policyRefKey(e.where);
    errorsByKey.set(k, [...(errorsByKey.get(k) ?? []), e]);
  }
  // One pod per workload stands for its replicas when asking which peers a rule matches.
  const representatives = [...new Map(engine.pods().map((p) => [workloadKeyOfPod(p), p])).values()];

  const policies = page.map((p): PolicyEntry => {
    const key = policyKey(p);
    const compiled = compiledByKey.get(key);
    const selected = compiled ? workloadsOf(engine.selectedPods(compiled.ref)) : { list: [], count: 0 };
    return {
      key,
      kind: p.kind,
      ...(p.namespace ? { namespace: p.namespace } : {}),
      name: p.name,
      compiled: compiled !== undefined,
      hostPolicy: compiled?.hostPolicy ?? false,
      isolates: { ingress: compiled?.ingress?.isolates ?? false, egress: compiled?.egress?.isolates ?? false },
      audit: compiled?.audit ?? false,
      selected: { podCount: compiled ? engine.selectedPods(compiled.ref).length : 0, workloads: selected.list, workloadCount: selected.count },
      paths: compiled ? describePaths(p, compiled, representatives) : [],
      yaml: manifestYaml(p),
      errors: (errorsByKey.get(key) ?? []).slice(0, 50),
    };
  });
  return { datapath: engine.datapath, total: matching.length, offset, policies, facets: { namespaces: [...namespaces].sort(), kinds } };
}
