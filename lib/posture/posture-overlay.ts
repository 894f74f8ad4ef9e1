/**
 * What the findings look like on the map: a badge per namespace and finding family, the posture layer
 * (unprotected namespaces and open-egress workloads to outline), and the links from a finding to the
 * objects it names (map node ids are `namespace/workload`).
 */

import type { Finding, FindingId, Severity } from './finding';
import { SEVERITY_ORDER } from './finding';
import { POLICY_KINDS as POLICY_KIND_LIST } from '../k8s/types';
import { edgeIdOf, workloadNodeId } from '../graph/graph-ids';
import { workloadNodeIdOfPod } from '../graph/node-identity';

export type BadgeKind = 'unprotected' | 'no-default-deny' | 'dns-missing' | 'open-egress';

export interface NamespaceBadge {
  kind: BadgeKind;
  label: string;
  /** The most severe of its findings. */
  severity: Severity;
  findingKeys: string[];
}

const BADGE_OF: Partial<Record<FindingId, { kind: BadgeKind; label: string }>> = {
  'unprotected-namespace': { kind: 'unprotected', label: 'unprotected' },
  'no-default-deny': { kind: 'no-default-deny', label: 'no default deny' },
  'dns-egress-missing': { kind: 'dns-missing', label: 'DNS missing' },
  'open-egress': { kind: 'open-egress', label: 'open egress' },
};

const BADGE_ORDER: BadgeKind[] = ['unprotected', 'no-default-deny', 'dns-missing', 'open-egress'];

/** Badges per namespace, in a fixed order (unprotected first). */
export function namespaceBadges(findings: readonly Finding[]): Record<string, NamespaceBadge[]> {
  const byNs = new Map<string, Map<BadgeKind, NamespaceBadge>>();
  for (const f of findings) {
    const b = BADGE_OF[f.id];
    // Contained by another layer (e.g. open egress that Azure Firewall restricts): not a badge.
    if (!b || !f.namespace || f.mitigatedBy) continue;
    let badges = byNs.get(f.namespace);
    if (!badges) byNs.set(f.namespace, (badges = new Map()));
    const existing = badges.get(b.kind);
    if (!existing) badges.set(b.kind, { ...b, severity: f.severity, findingKeys: [f.key] });
    else {
      existing.findingKeys.push(f.key);
      if (SEVERITY_ORDER.indexOf(f.severity) < SEVERITY_ORDER.indexOf(existing.severity)) existing.severity = f.severity;
    }
  }
  const out: Record<string, NamespaceBadge[]> = {};
  for (const [ns, badges] of [...byNs].sort(([a], [b]) => a.localeCompare(b))) {
    out[ns] = BADGE_ORDER.flatMap((k) => (badges.has(k) ? [badges.get(k)!] : []));
  }
  return out;
}

export interface PostureLayer {
  /** Namespaces with no policy at all: outlined. */
  namespaces: string[];
  /** Workload node ids (`ns/name`) that may reach the internet: outlined. */
  workloads: string[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'Workload']);

/** The map node of a workload a finding names; a bare pod's node is named as the graph names it. */
function nodeIdOfObject(o: { kind: string; namespace: string; name: string }): string {
  return o.kind === 'Pod' ? workloadNodeIdOfPod(o) : workloadNodeId(o.namespace, o.name);
}

/** The objects the map's posture layer outlines. */
export function postureLayer(findings: readonly Finding[]): PostureLayer {
  const namespaces = new Set<string>();
  const workloads = new Set<string>();
  for (const f of findings) {
    if (f.id === 'unprotected-namespace' && f.namespace) namespaces.add(f.namespace);
    if (f.id === 'open-egress' && !f.mitigatedBy) {
      const w = f.objects.find((o) => WORKLOAD_KINDS.has(o.kind) && o.namespace);
      if (w) workloads.add(nodeIdOfObject({ ...w, namespace: w.namespace! }));
    }
  }
  return { namespaces: [...namespaces].sort(), workloads: [...workloads].sort() };
}

/** A query string with `/` kept readable (it is legal in a query and node ids are full of it). */
function query(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2F/g, '/')}`)
    .join('&');
}

export interface FindingLinks {
  /** The map, narrowed to the namespace, with the main object selected when it is a workload. */
  map?: string;
  /** The policies page, for findings about policies. */
  policies?: string;
}

const POLICY_KINDS: ReadonlySet<string> = new Set(POLICY_KIND_LIST);

/** Where a finding's objects are: the map node, or the policy on the policies page. */
export function findingLinks(f: Finding): FindingLinks {
  const links: FindingLinks = {};
  const workload = f.objects.find((o) => WORKLOAD_KINDS.has(o.kind) && o.namespace);
  const policy = f.objects.find((o) => POLICY_KINDS.has(o.kind));
  const ns = f.namespace ?? workload?.namespace;
  const c = f.connection;
  if (c && ns) links.map = `/map?${query({ ns, select: edgeIdOf(c.from, c.to, c.port, c.protocol) })}`;
  else if (workload) links.map = `/map?${query({ ns: workload.namespace!, select: nodeIdOfObject({ ...workload, namespace: workload.namespace! }) })}`;
  else if (ns) links.map = `/map?${query({ ns })}`;
  if (policy) links.policies = `/policies?${query({ ...(policy.namespace ? { ns: policy.namespace } : {}), q: policy.name })}`;
  return links;
}
