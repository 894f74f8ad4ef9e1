/**
 * Ready-to-apply manifests that fix what the findings report (default deny, DNS egress, egress
 * allow-lists), and the edits the fix check makes to them (scoping a selector to some workloads).
 * Every manifest here is checked by the policy engine before it is shown (fix-check.ts).
 */

import { stringify } from 'yaml';
import type { Labels } from '../k8s/types';
import type { RuleRef } from '../policy-engine/compiled-policy';

const toYaml = (docs: Record<string, unknown>[]) => docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');

type Direction = 'Ingress' | 'Egress';

/** A Kubernetes label selector as written in a manifest. */
export interface SelectorSpec {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Where kube-dns runs on AKS (and upstream): CoreDNS pods labelled k8s-app=kube-dns in kube-system. */
const KUBE_DNS_NP_PEER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const KUBE_DNS_CILIUM_PEER = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const DNS_PORTS_NP = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

/** The seed's default-deny NetworkPolicy, for the given directions (every pod of the namespace, or `selector`'s). */
export function defaultDenyPolicy(namespace: string, directions: Direction[] = ['Ingress', 'Egress'], selector: SelectorSpec = {}): Record<string, unknown> {
  const suffix = directions.length === 2 ? 'all' : directions[0].toLowerCase();
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `default-deny-${suffix}`, namespace },
    spec: { podSelector: selector, policyTypes: directions },
  };
}

/**
 * Egress to kube-dns on UDP and TCP 53 for the pods `selector` picks (every pod of the namespace when empty).
 * A policy with Egress in policyTypes isolates every pod it selects for egress (kubernetes.io, Network
 * Policies, "Isolated and Non-isolated Pods"): select only pods that are already isolated, or on purpose.
 */
export function dnsEgressPolicy(namespace: string, selector: SelectorSpec = {}, name = 'allow-dns-egress'): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: {
      podSelector: selector,
      policyTypes: ['Egress'],
      egress: [{ to: [KUBE_DNS_NP_PEER], ports: DNS_PORTS_NP }],
    },
  };
}

/** One destination an egress allow-list keeps open, on one port. */
export type AllowedDestination =
  /** `ips`: the addresses seen for the name, for datapaths without FQDN rules. */
  | { kind: 'fqdn'; name: string; port: number; protocol: string; ips?: string[] }
  | { kind: 'workload'; namespace: string; labels: Labels; port: number; protocol: string }
  | { kind: 'cidr'; cidr: string; port: number; protocol: string }
  /** `ip`: the address seen, for datapaths without entities. */
  | { kind: 'entity'; entity: 'host' | 'remote-node' | 'kube-apiserver'; port: number; protocol: string; ip?: string };

const portKey = (d: AllowedDestination) => `${d.port}/${d.protocol}`;
const toPorts = (key: string) => {
  const [port, protocol] = key.split('/');
  return [{ ports: [{ port, protocol }] }];
};

/** Groups destinations of one kind by port, in first-seen order: one rule per (kind, port). */
function rulesOf<D extends AllowedDestination>(dests: D[], peer: (group: D[]) => Record<string, unknown>): Record<string, unknown>[] {
  const byPort = new Map<string, D[]>();
  for (const d of dests) {
    const list = byPort.get(portKey(d)) ?? [];
    list.push(d);
    byPort.set(portKey(d), list);
  }
  return [...byPort].map(([key, group]) => ({ ...peer(group), toPorts: toPorts(key) }));
}

/**
 * A CiliumNetworkPolicy that lets a workload reach only what it was seen reaching: DNS through the proxy
 * (so toFQDNs learns the addresses: docs.cilium.io, Policy Language, "DNS based"), the internet names it
 * used, and the in-cluster peers, addresses and entities of its observed connections.
 */
export function egressAllowlistPolicy(namespace: string, name: string, podLabels: Labels, allow: readonly AllowedDestination[]): Record<string, unknown> {
  const of = <K extends AllowedDestination['kind']>(kind: K) => allow.filter((d): d is Extract<AllowedDestination, { kind: K }> => d.kind === kind);
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: `${name}-egress-allowlist`, namespace },
    spec: {
      endpointSelector: { matchLabels: podLabels },
      egress: [
        { toEndpoints: [KUBE_DNS_CILIUM_PEER], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
        ...rulesOf(of('fqdn'), (g) => ({ toFQDNs: g.map((d) => ({ matchName: d.name })) })),
        ...rulesOf(of('workload'), (g) => ({ toEndpoints: g.map((d) => ({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': d.namespace, ...d.labels } })) })),
        ...rulesOf(of('cidr'), (g) => ({ toCIDR: [...new Set(g.map((d) => d.cidr))] })),
        ...rulesOf(of('entity'), (g) => ({ toEntities: [...new Set(g.map((d) => d.entity))] })),
      ],
    },
  };
}

const hostCidr = (ip: string) => `${ip}/${ip.includes(':') ? 128 : 32}`;

/**
 * The same allow-list as a NetworkPolicy, for clusters whose datapath enforces only NetworkPolicy (no FQDN
 * rules, no entities): internet names and entities become the addresses seen for them (ipBlock /32), which
 * is as narrow as NetworkPolicy can say it.
 */
export function egressAllowlistNetworkPolicy(namespace: string, name: string, podLabels: Labels, allow: readonly AllowedDestination[]): Record<string, unknown> {
  const byPort = new Map<string, Record<string, unknown>[]>();
  const add = (d: AllowedDestination, peer: Record<string, unknown>) => {
    const list = byPort.get(portKey(d)) ?? [];
    if (!list.some((p) => JSON.stringify(p) === JSON.stringify(peer))) list.push(peer);
    byPort.set(portKey(d), list);
  };
  for (const d of allow) {
    if (d.kind === 'workload') add(d, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': d.namespace } }, podSelector: { matchLabels: d.labels } });
    else if (d.kind === 'cidr') add(d, { ipBlock: { cidr: d.cidr } });
    else if (d.kind === 'fqdn') for (const ip of d.ips ?? []) add(d, { ipBlock: { cidr: hostCidr(ip) } });
    else if (d.ip) add(d, { ipBlock: { cidr: hostCidr(d.ip) } });
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${name}-egress-allowlist`, namespace },
    spec: {
      podSelector: { matchLabels: podLabels },
      policyTypes: ['Egress'],
      egress: [
        { to: [KUBE_DNS_NP_PEER], ports: DNS_PORTS_NP },
        ...[...byPort].map(([key, to]) => {
          const [port, protocol] = key.split('/');
          return { to, ports: [{ protocol, port: Number(port) }] };
        }),
      ],
    },
  };
}

/** The allow-list for a few internet names on 443 (the audit-mode finding's fix). */
export function fqdnEgressPolicy(namespace: string, name: string, podLabels: Labels, fqdns: string[]): Record<string, unknown> {
  return egressAllowlistPolicy(namespace, name, podLabels, fqdns.map((f) => ({ kind: 'fqdn', name: f, port: 443, protocol: 'TCP' })));
}

export function manifestsYaml(...docs: Record<string, unknown>[]): string {
  return toYaml(docs);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of a policy manifest that selects pods by `selector` instead (podSelector or endpointSelector). */
export function withSelector(m: Record<string, unknown>, selector: SelectorSpec, nameSuffix?: string): Record<string, unknown> {
  const copy = structuredClone(m);
  const spec = isRecord(copy.spec) ? copy.spec : {};
  if (copy.kind === 'NetworkPolicy') spec.podSelector = selector;
  else spec.endpointSelector = selector;
  copy.spec = spec;
  if (nameSuffix) {
    const meta = isRecord(copy.metadata) ? copy.metadata : {};
    meta.name = dnsLabel(`${String(meta.name ?? 'policy')}-${nameSuffix}`);
    copy.metadata = meta;
  }
  return copy;
}

/** Object names are DNS subdomains of at most 253 characters; keep names short and valid. */
function dnsLabel(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 253);
}

/**
 * One selector that picks exactly these workloads by their stable labels: the labels themselves for one
 * workload, `key In (values)` when one label key tells them apart. Undefined when no single selector does
 * (the caller then writes one policy per workload). A workload without labels cannot be selected alone.
 */
export function selectorForWorkloads(workloads: readonly { labels: Labels }[]): SelectorSpec | undefined {
  if (workloads.length === 0 || workloads.some((w) => Object.keys(w.labels).length === 0)) return undefined;
  if (workloads.length === 1) return { matchLabels: { ...workloads[0].labels } };
  const keys = Object.keys(workloads[0].labels).filter((k) => workloads.every((w) => k in w.labels));
  for (const k of keys.sort()) {
    const values = workloads.map((w) => w.labels[k]);
    if (new Set(values).size === values.length) return { matchExpressions: [{ key: k, operator: 'In', values: [...values].sort() }] };
  }
  return undefined;
}

/**
 * The policy `m` with one rule changed so that its port-53 traffic may reach kube-dns only: the rule at
 * `ref` keeps its other ports for its original peers, and its DNS ports go to a new rule towards kube-dns.
 * Undefined when the rule cannot be found or written that way (the finding then gives advice only).
 */
export function dnsRuleToKubeDns(m: Record<string, unknown>, ref: RuleRef): Record<string, unknown> | undefined {
  if (ref.section !== 'egress') return undefined;
  const copy = structuredClone(m);
  const spec = ref.spec !== undefined ? (Array.isArray(copy.specs) ? copy.specs[ref.spec] : undefined) : copy.spec;
  if (!isRecord(spec) || !Array.isArray(spec.egress) || !isRecord(spec.egress[ref.rule])) return undefined;
  const rule = spec.egress[ref.rule] as Record<string, unknown>;
  const rewritten = copy.kind === 'NetworkPolicy' ? splitNetworkPolicyRule(rule) : splitCiliumRule(rule);
  if (!rewritten) return undefined;
  spec.egress.splice(ref.rule, 1, ...rewritten);
  return copy;
}

const isDnsPort = (p: unknown) => isRecord(p) && (String(p.port) === '53' || p.port === 'dns' || p.port === 'dns-tcp');

function splitNetworkPolicyRule(rule: Record<string, unknown>): Record<string, unknown>[] | undefined {
  if (!Array.isArray(rule.ports)) return undefined;
  const dns = rule.ports.filter(isDnsPort);
  const other = rule.ports.filter((p) => !isDnsPort(p));
  if (dns.length === 0) return undefined;
  return [...(other.length ? [{ ...rule, ports: other }] : []), { to: [KUBE_DNS_NP_PEER], ports: dns }];
}

function splitCiliumRule(rule: Record<string, unknown>): Record<string, unknown>[] | undefined {
  if (!Array.isArray(rule.toPorts)) return undefined;
  const dnsPorts: Record<string, unknown>[] = [];
  const otherPorts: Record<string, unknown>[] = [];
  for (const pr of rule.toPorts) {
    if (!isRecord(pr) || !Array.isArray(pr.ports)) return undefined;
    const dns = pr.ports.filter(isDnsPort);
    const other = pr.ports.filter((p) => !isDnsPort(p));
    if (dns.length) dnsPorts.push({ ...pr, ports: dns });
    if (other.length) otherPorts.push({ ...pr, ports: other });
  }
  if (dnsPorts.length === 0) return undefined;
  // The peers of the original rule (toCIDR, toEntities, ...) keep the other ports; DNS goes to kube-dns only.
  return [...(otherPorts.length ? [{ ...rule, toPorts: otherPorts }] : []), { toEndpoints: [KUBE_DNS_CILIUM_PEER], toPorts: dnsPorts }];
}
