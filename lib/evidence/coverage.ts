/**
 * The namespace coverage table of an evidence report: per namespace, whether its pods are isolated
 * (default deny) for ingress and for egress, whether DNS is allowed where egress is locked, and whether
 * workloads can reach the internet, and if not, which layer closes it. Read from the same engine and
 * findings the dashboard shows, so the table and the findings never disagree.
 */

import type { Finding } from '../posture/finding';
import { SYSTEM_NAMESPACES } from '../posture/findings';
import { workloadsOf } from '../posture/workloads';
import type { PolicyEngine } from '../policy-engine/engine';

/**
 * How many of a namespace's pods a policy isolates for a direction (only what a policy allows then
 * passes: a default deny). Pods isolated by a policy in audit mode are counted apart: Cilium lets
 * their traffic pass and only reports it, so they are not protected.
 */
export interface IsolationCoverage {
  state: 'all' | 'partial' | 'audit' | 'none';
  /** Pods isolated and enforced. */
  isolatedPods: number;
  /** Pods isolated by policy in audit mode only (not enforced). */
  auditPods: number;
  pods: number;
}

export interface EgressCoverage {
  /** `open`: some workload reaches the internet through every layer; `closed`: none does. */
  state: 'open' | 'closed';
  /** Workloads (`namespace/name`) that can reach the internet. */
  open: string[];
  /** Workloads network policy lets out but another layer closes, with that layer. */
  closedElsewhere: { workload: string; layer: string }[];
  /** Workloads whose internet egress network policy itself denies. */
  closedByPolicy: number;
  /** The layers that close internet egress here, in words ("network policy", "Azure Firewall"). */
  closedBy: string[];
}

export interface CoverageRow {
  namespace: string;
  system: boolean;
  pods: number;
  workloads: number;
  /** No policy selects any pod here. */
  unprotected: boolean;
  ingress: IsolationCoverage;
  egress: IsolationCoverage;
  /**
   * DNS where egress is locked: allowed, missing for some workloads, allowed over UDP only, not needed
   * (egress open), or unknown (no kube-dns pod is known to check against, or this is its namespace).
   */
  dns: { state: 'allowed' | 'missing' | 'udp-only' | 'not-needed' | 'unknown'; detail: string };
  internet: EgressCoverage;
  /** The finding keys behind this row, for the reader to look up. */
  findingKeys: string[];
}

function isolation(iso: readonly { isolated: boolean; audit: boolean }[]): IsolationCoverage {
  const isolatedPods = iso.filter((i) => i.isolated && !i.audit).length;
  const auditPods = iso.filter((i) => i.isolated && i.audit).length;
  const pods = iso.length;
  const state = isolatedPods === pods ? 'all' : isolatedPods > 0 ? 'partial' : auditPods > 0 ? 'audit' : 'none';
  return { state, isolatedPods, auditPods, pods };
}

/** One row per namespace with pods, sorted by name; `namespaces` narrows it (undefined: all). */
export function namespaceCoverage(engine: PolicyEngine, findings: readonly Finding[], namespaces?: ReadonlySet<string>): CoverageRow[] {
  const byNs = new Map<string, ReturnType<PolicyEngine['pods']>[number][]>();
  for (const p of engine.pods()) {
    if (namespaces && !namespaces.has(p.namespace)) continue;
    const list = byNs.get(p.namespace) ?? [];
    list.push(p);
    byNs.set(p.namespace, list);
  }
  const findingsOf = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.namespace) continue;
    const list = findingsOf.get(f.namespace) ?? [];
    list.push(f);
    findingsOf.set(f.namespace, list);
  }
  // findings.ts checks DNS egress against the kube-dns pods, and not in their own namespace.
  const kubeDnsNamespaces = new Set(engine.pods().filter((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns').map((p) => p.namespace));
  const dnsChecked = (ns: string) => kubeDnsNamespaces.size > 0 && !kubeDnsNamespaces.has(ns);
  const rows: CoverageRow[] = [];
  for (const [ns, pods] of byNs) {
    const nsFindings = findingsOf.get(ns) ?? [];
    const workloads = workloadsOf(pods);
    const iso = pods.map((p) => engine.isolation(p));
    const ingress = isolation(iso.map((i) => ({ isolated: i.ingress, audit: i.audit })));
    const egress = isolation(iso.map((i) => ({ isolated: i.egress, audit: i.audit })));
    const dnsMissing = nsFindings.filter((f) => f.id === 'dns-egress-missing');
    // findings.ts keys the UDP-allowed, TCP-missing case `dns-egress-missing:<ns>:tcp`.
    const udpOnly = dnsMissing.length > 0 && dnsMissing.every((f) => f.key.endsWith(':tcp'));
    const dns: CoverageRow['dns'] =
      dnsMissing.length > 0
        ? { state: udpOnly ? 'udp-only' : 'missing', detail: dnsMissing.map((f) => f.title).join('; ') }
        : egress.isolatedPods === 0
          ? { state: 'not-needed', detail: egress.auditPods > 0 ? 'egress is locked down in audit mode only: nothing is blocked' : 'egress is not locked down' }
          : !dnsChecked(ns)
            ? { state: 'unknown', detail: kubeDnsNamespaces.size === 0 ? 'no kube-dns pod is known: DNS egress was not checked' : 'the DNS servers run here: their own egress was not checked' }
            : { state: 'allowed', detail: 'every egress-isolated workload may query kube-dns on port 53' };
    const openEgress = nsFindings.filter((f) => f.id === 'open-egress');
    const workloadOf = (f: Finding) => f.key.slice('open-egress:'.length);
    const open = openEgress.filter((f) => !f.mitigatedBy).map(workloadOf).sort();
    const closedElsewhere = openEgress.filter((f) => f.mitigatedBy).map((f) => ({ workload: workloadOf(f), layer: f.mitigatedBy! })).sort((a, b) => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0));
    const closedByPolicy = Math.max(0, workloads.length - openEgress.length);
    const closedBy = [...(closedByPolicy > 0 ? ['network policy'] : []), ...[...new Set(closedElsewhere.map((c) => c.layer))].sort()];
    rows.push({
      namespace: ns,
      system: SYSTEM_NAMESPACES.has(ns),
      pods: pods.length,
      workloads: workloads.length,
      unprotected: nsFindings.some((f) => f.id === 'unprotected-namespace'),
      ingress,
      egress,
      dns,
      internet: { state: open.length > 0 ? 'open' : 'closed', open, closedElsewhere, closedByPolicy, closedBy },
      findingKeys: nsFindings.map((f) => f.key).sort(),
    });
  }
  return rows.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
}
