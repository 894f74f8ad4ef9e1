/**
 * Least-privilege policies written from observed traffic: for a namespace (or one workload), default
 * deny both ways, then per workload the ingress and egress its allowed flows used, selected by stable
 * labels (`app`, `app.kubernetes.io/*`, `k8s-app`; never per-pod or per-revision labels), with the
 * ports and protocols seen, the DNS rule to kube-dns always, and internet names as `toFQDNs` behind
 * Cilium's DNS proxy rule (flavour cilium) or as the addresses seen (`ipBlock`, flavour kubernetes).
 *
 * Kubernetes flavour follows kubernetes.io "Network Policies" (policyTypes, podSelector +
 * namespaceSelector in one peer is AND, ipBlock); Cilium flavour follows docs.cilium.io "Policy
 * Language" (toEndpoints with `k8s:io.kubernetes.pod.namespace`, toEntities, toFQDNs needs the DNS
 * rule with L7 `rules.dns` so the proxy learns the addresses, "DNS based"). The default deny is a
 * NetworkPolicy in both flavours: Cilium enforces NetworkPolicy too, and it isolates both directions
 * without an allow rule.
 */

import { stringify } from 'yaml';
import type { ClusterSnapshot, Labels, Pod } from '../k8s/types';
import { stableLabels } from '../posture/workloads';
import { changeRunnable, parseChange, type ParsedChange, type PolicyId } from './proposed-change';
import { podLabelsOf } from './replay';
import { observedPassing, type ObservedTraffic, type TrafficConnection, type TrafficEndpoint } from './observed-traffic';

export type Flavour = 'cilium' | 'kubernetes';
export const FLAVOURS: readonly Flavour[] = ['cilium', 'kubernetes'];

export interface RecommendScope {
  namespace: string;
  /** One workload of the namespace; absent: every workload of it. */
  workload?: string;
}

export interface Recommendation {
  scope: RecommendScope;
  flavour: Flavour;
  manifests: Record<string, unknown>[];
  /** The manifests as one YAML stream, ready to download. */
  yaml: string;
  /** What was left out or needs a person's eye, in words. */
  notes: string[];
  /** Observed connections the rules were written from, and those left out (dropped today). */
  basis: { connections: number; flows: number; droppedConnections: number };
}

/** Labels that name what a workload is; preferred for selectors when a workload has any. */
const NAMING_LABEL = (k: string) => k === 'app' || k === 'k8s-app' || k.startsWith('app.kubernetes.io/');

const KUBE_DNS_NP = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const KUBE_DNS_CILIUM = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const DNS_PORT = 53;

/** The selector labels of a set of pods: the naming labels they share, else every stable label they share. */
export function selectorLabels(pods: readonly { labels: Labels }[]): Labels {
  const shared = stableLabels({ pods });
  const naming = Object.fromEntries(Object.entries(shared).filter(([k]) => NAMING_LABEL(k)));
  return Object.keys(naming).length ? naming : shared;
}

interface PortKey {
  port: number;
  protocol: string;
}

type Peer =
  | { kind: 'pod'; namespace: string; labels: Labels; workload: string }
  | { kind: 'fqdn'; name: string; ips: string[] }
  | { kind: 'cidr'; cidr: string }
  | { kind: 'entity'; entity: 'host' | 'remote-node' | 'kube-apiserver' | 'world'; ips: string[] };

interface Rules {
  /** Peer key -> peer and its ports. */
  peers: Map<string, { peer: Peer; ports: Map<string, PortKey> }>;
}

interface WorkloadPlan {
  name: string;
  labels: Labels;
  ingress: Rules;
  egress: Rules;
}

const hostCidr = (ip: string) => `${ip}/${ip.includes(':') ? 128 : 32}`;
const emptyRules = (): Rules => ({ peers: new Map() });

/** Writes the policies for `scope` from the allowed connections of `traffic`. */
export function recommend(snapshot: ClusterSnapshot, traffic: ObservedTraffic, scope: RecommendScope, flavour: Flavour): Recommendation {
  const notes: string[] = [];
  const podsOf = groupPods(snapshot.pods.filter((p) => p.namespace === scope.namespace && !p.hostNetwork));
  const plans = new Map<string, WorkloadPlan>();
  for (const [name, pods] of podsOf) {
    if (scope.workload && name !== scope.workload) continue;
    const labels = selectorLabels(pods);
    if (Object.keys(labels).length === 0) {
      notes.push(`${scope.namespace}/${name}: its pods share no stable label to select them by; no allow rules were written for it (it stays under the default deny)`);
      continue;
    }
    plans.set(name, { name, labels, ingress: emptyRules(), egress: emptyRules() });
  }
  if (scope.workload && !plans.has(scope.workload) && !podsOf.has(scope.workload)) notes.push(`no workload ${scope.namespace}/${scope.workload} in the cluster`);

  const peerLabels = new Map<string, Labels>();
  const labelsOfWorkload = (namespace: string, workload: string, e: TrafficEndpoint): Labels => {
    const key = `${namespace}/${workload}`;
    let l = peerLabels.get(key);
    if (!l) {
      const pods = snapshot.pods.filter((p) => p.namespace === namespace && (p.workload?.name ?? p.name) === workload);
      l = pods.length ? selectorLabels(pods) : selectorLabels([{ labels: podLabelsOf(e.labels) }]);
      peerLabels.set(key, l);
    }
    return l;
  };

  let connections = 0;
  let flows = 0;
  let droppedConnections = 0;
  const skipped = new Set<string>();
  for (const c of traffic.connections) {
    const fromPlan = c.source.namespace === scope.namespace ? plans.get(workloadName(c.source)) : undefined;
    const toPlan = c.destination.namespace === scope.namespace ? plans.get(workloadName(c.destination)) : undefined;
    if (!fromPlan && !toPlan) continue;
    if (!observedPassing(c)) {
      droppedConnections++;
      continue;
    }
    connections++;
    flows += c.flows;
    const port: PortKey = { port: c.port, protocol: c.protocol };
    if (c.protocol !== 'TCP' && c.protocol !== 'UDP' && c.protocol !== 'SCTP') {
      if (flavour === 'kubernetes' || !c.protocol.startsWith('ICMP')) {
        skipped.add(`${describe(c)}: ${c.protocol || 'no L4 protocol'} cannot be allowed by a ${flavour === 'kubernetes' ? 'NetworkPolicy' : 'port rule'}`);
        continue;
      }
    }
    if (fromPlan) {
      if (isKubeDns(c.destination) && c.port === DNS_PORT) {
        // The DNS rule every workload gets covers it.
      } else {
        const peer = peerOf(c.destination, labelsOfWorkload);
        if (peer) add(fromPlan.egress, peer, port);
        else skipped.add(`${describe(c)}: ${c.destination.pod ? 'its pods share no stable label to select them by' : 'the destination has no address or identity to allow'}`);
      }
    }
    if (toPlan) {
      // Clients on the internet vary: the port is what to narrow, not their addresses.
      const peer: Peer | undefined = isInternet(c.source) ? { kind: 'entity', entity: 'world', ips: [] } : peerOf(c.source, labelsOfWorkload);
      if (peer?.kind === 'entity' && peer.entity === 'host') {
        // Cilium and kubelet: the local node always reaches its pods (kubelet probes); nothing to write.
      } else if (peer) add(toPlan.ingress, peer, port);
      else skipped.add(`${describe(c)}: ${c.source.pod ? 'its pods share no stable label to select them by' : 'the source has no address or identity to allow'}`);
    }
  }
  for (const s of [...skipped].sort()) notes.push(s);
  if (droppedConnections) notes.push(`${droppedConnections} observed connection${droppedConnections === 1 ? ' was' : 's were'} dropped today and ${droppedConnections === 1 ? 'is' : 'are'} not allowed`);
  if (flavour === 'kubernetes' && [...plans.values()].some((p) => [...p.egress.peers.values()].some((x) => x.peer.kind === 'fqdn'))) {
    notes.push('internet names are allowed by the addresses seen for them (NetworkPolicy has no FQDN rules): addresses behind a CDN change, so expect to revisit them or use the cilium flavour');
  }

  const manifests: Record<string, unknown>[] = [];
  const ns = scope.namespace;
  if (!scope.workload) manifests.push(defaultDeny(ns, 'default-deny-all', {}));
  for (const plan of [...plans.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (scope.workload) manifests.push(defaultDeny(ns, `${plan.name}-default-deny`, plan.labels));
    manifests.push(flavour === 'cilium' ? ciliumPolicy(ns, plan) : networkPolicy(ns, plan));
  }
  const yaml = manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n');
  return { scope, flavour, manifests, yaml, notes, basis: { connections, flows, droppedConnections } };
}

function groupPods(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const name = p.workload?.name ?? p.name;
    const list = out.get(name) ?? [];
    list.push(p);
    out.set(name, list);
  }
  return out;
}

const workloadName = (e: TrafficEndpoint) => e.workload || e.pod;
const isKubeDns = (e: TrafficEndpoint) => e.namespace === 'kube-system' && e.labels.includes('k8s:k8s-app=kube-dns');
const describe = (c: TrafficConnection) => `${c.source.node} -> ${c.destination.node}:${c.port}/${c.protocol}`;
const isInternet = (e: TrafficEndpoint) => !e.pod && (e.labels.includes('reserved:world') || e.identity === 2 || e.identity === 9 || e.identity === 10);
const hasLabel = (e: TrafficEndpoint, name: string) => e.labels.includes(`reserved:${name}`);

function peerOf(e: TrafficEndpoint, labelsOf: (ns: string, workload: string, e: TrafficEndpoint) => Labels): Peer | undefined {
  if (e.namespace && e.pod) {
    const workload = workloadName(e);
    const labels = labelsOf(e.namespace, workload, e);
    // An empty selector would select every pod of the namespace: no peer rather than a broad one.
    return Object.keys(labels).length ? { kind: 'pod', namespace: e.namespace, labels, workload } : undefined;
  }
  for (const entity of ['host', 'remote-node', 'kube-apiserver'] as const) if (hasLabel(e, entity)) return { kind: 'entity', entity, ips: e.ip ? [e.ip] : [] };
  const name = e.names[0]?.replace(/\.$/, '');
  if (name) return { kind: 'fqdn', name, ips: e.ip ? [e.ip] : [] };
  if (e.ip) return { kind: 'cidr', cidr: hostCidr(e.ip) };
  return undefined;
}

function peerKey(p: Peer): string {
  switch (p.kind) {
    case 'pod':
      return `pod|${p.namespace}|${p.workload}`;
    case 'fqdn':
      return `fqdn|${p.name}`;
    case 'cidr':
      return `cidr|${p.cidr}`;
    case 'entity':
      return `entity|${p.entity}`;
  }
}

function add(rules: Rules, peer: Peer, port: PortKey): void {
  const key = peerKey(peer);
  let entry = rules.peers.get(key);
  if (!entry) rules.peers.set(key, (entry = { peer, ports: new Map() }));
  else if ((peer.kind === 'fqdn' || peer.kind === 'entity') && (entry.peer.kind === 'fqdn' || entry.peer.kind === 'entity')) {
    for (const ip of peer.ips) if (!entry.peer.ips.includes(ip)) entry.peer.ips.push(ip);
  }
  entry.ports.set(`${port.port}/${port.protocol}`, port);
}

function defaultDeny(namespace: string, name: string, labels: Labels): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector: Object.keys(labels).length ? { matchLabels: labels } : {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

const sortedPorts = (ports: Map<string, PortKey>) => [...ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
const sortedPeers = (rules: Rules) => [...rules.peers.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);

/** NetworkPolicy: one rule per peer with its ports; entities and names become the addresses seen. */
function networkPolicy(namespace: string, plan: WorkloadPlan): Record<string, unknown> {
  const npPeer = (p: Peer, own: string): Record<string, unknown>[] => {
    switch (p.kind) {
      case 'pod':
        return [p.namespace === own ? { podSelector: { matchLabels: p.labels } } : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } }, podSelector: { matchLabels: p.labels } }];
      case 'cidr':
        return [{ ipBlock: { cidr: p.cidr } }];
      case 'fqdn':
        return [...new Set(p.ips)].sort().map((ip) => ({ ipBlock: { cidr: hostCidr(ip) } }));
      case 'entity':
        return p.entity === 'world' ? [{ ipBlock: { cidr: '0.0.0.0/0' } }] : [...new Set(p.ips)].sort().map((ip) => ({ ipBlock: { cidr: hostCidr(ip) } }));
    }
  };
  const rules = (r: Rules, side: 'from' | 'to') =>
    sortedPeers(r)
      .map(({ peer, ports }) => ({ [side]: npPeer(peer, namespace), ports: sortedPorts(ports).map((p) => ({ protocol: p.protocol, port: p.port })) }))
      .filter((rule) => (rule[side] as unknown[]).length > 0);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${plan.name}-least-privilege`, namespace },
    spec: {
      podSelector: { matchLabels: plan.labels },
      policyTypes: ['Ingress', 'Egress'],
      ingress: rules(plan.ingress, 'from'),
      egress: [
        {
          to: [KUBE_DNS_NP],
          ports: [
            { protocol: 'UDP', port: DNS_PORT },
            { protocol: 'TCP', port: DNS_PORT },
          ],
        },
        ...rules(plan.egress, 'to'),
      ],
    },
  };
}

/** CiliumNetworkPolicy: endpoints by labels, entities, toFQDNs behind the DNS proxy rule, ICMP as icmps. */
function ciliumPolicy(namespace: string, plan: WorkloadPlan): Record<string, unknown> {
  const toPorts = (ports: Map<string, PortKey>) => {
    const l4 = sortedPorts(ports).filter((p) => !p.protocol.startsWith('ICMP'));
    return l4.length ? { toPorts: [{ ports: l4.map((p) => ({ port: String(p.port), protocol: p.protocol })) }] } : {};
  };
  const icmps = (ports: Map<string, PortKey>) => {
    const list = sortedPorts(ports).filter((p) => p.protocol.startsWith('ICMP'));
    return list.length ? { icmps: [{ fields: list.map((p) => ({ type: 8, family: p.protocol === 'ICMPv6' ? 'IPv6' : 'IPv4' })) }] } : {};
  };
  const endpoint = (p: Extract<Peer, { kind: 'pod' }>) => ({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': p.namespace, ...Object.fromEntries(Object.entries(p.labels).map(([k, v]) => [`k8s:${k}`, v])) } });
  const rules = (r: Rules, dir: 'from' | 'to') =>
    sortedPeers(r).flatMap(({ peer, ports }) => {
      const selector =
        peer.kind === 'pod'
          ? { [`${dir}Endpoints`]: [endpoint(peer)] }
          : peer.kind === 'entity'
            ? { [`${dir}Entities`]: [peer.entity] }
            : peer.kind === 'fqdn'
              ? dir === 'to'
                ? { toFQDNs: [{ matchName: peer.name }] }
                : { fromCIDR: [...new Set(peer.ips)].sort().map(hostCidr) }
              : { [`${dir}CIDR`]: [peer.cidr] };
      const l4 = toPorts(ports);
      const icmp = icmps(ports);
      // A rule with both toPorts and icmps would need both to match; keep them apart.
      return [...(Object.keys(l4).length ? [{ ...selector, ...l4 }] : []), ...(Object.keys(icmp).length ? [{ ...selector, ...icmp }] : [])];
    });
  const ingress = rules(plan.ingress, 'from');
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: `${plan.name}-least-privilege`, namespace },
    spec: {
      endpointSelector: { matchLabels: plan.labels },
      ...(ingress.length ? { ingress } : {}),
      egress: [{ toEndpoints: [KUBE_DNS_CILIUM], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }, ...rules(plan.egress, 'to')],
    },
  };
}

/**
 * The change that puts a recommendation in place: its policies applied and, for a whole namespace, the
 * namespace's other deployed policies deleted (least privilege means the broader rules go). For one
 * workload the policies are added beside what is deployed (others' policies may select it too).
 */
export function recommendationChange(snapshot: ClusterSnapshot, rec: Recommendation): { yaml: string; delete: PolicyId[] } {
  if (rec.scope.workload) return { yaml: rec.yaml, delete: [] };
  const written = new Set(rec.manifests.map((m) => `${String(m.kind)}/${rec.scope.namespace}/${String((m.metadata as { name?: unknown }).name)}`));
  const del = snapshot.policies
    .filter((p) => p.namespace === rec.scope.namespace && !written.has(`${p.kind}/${p.namespace}/${p.name}`))
    .map((p) => ({ kind: p.kind, namespace: rec.scope.namespace, name: p.name }))
    .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  return { yaml: rec.yaml, delete: del };
}

/**
 * The recommendation as a change ready to replay, read without the caps on typed changes (it is ours,
 * and a large namespace writes many documents). Throws if it does not read: replaying the deletions
 * without the policies that replace them would report a namespace left open as "nothing breaks".
 */
export function recommendationParsed(snapshot: ClusterSnapshot, rec: Recommendation): { change: { yaml: string; delete: PolicyId[] }; parsed: ParsedChange } {
  const change = recommendationChange(snapshot, rec);
  const parsed = parseChange(change, { maxChars: Infinity, maxDocuments: Infinity });
  if (!changeRunnable(parsed)) throw new Error(`the recommended policies do not read back: ${parsed.problems.find((p) => p.severity === 'error')?.message}`);
  return { change, parsed };
}
