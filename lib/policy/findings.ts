/**
 * Posture findings of the cluster-policy layer (IDs from DOMAIN.md): computed from the policy engine
 * (so they agree with every verdict the UI explains) plus a summary of observed flows. Each finding names
 * its objects, its evidence (policies, observed flow uuids and counts) and a ready-to-apply fix.
 */

import type { ClusterSnapshot } from '../k8s/types';
import type { Evidence, Finding, ObjectRef, Severity } from './finding';
import { sortFindings } from './finding';
import type { CompiledRule, Direction, PolicyRef } from './compiled-policy';
import { reservedEndpoint, type PodEndpoint } from './endpoint';
import { PolicyEngine, type DecidingRule } from './engine';
import { DnsNames } from './fqdn';
import { defaultDenyPolicy, dnsEgressPolicy, fqdnEgressPolicy, manifestsYaml } from './fix-manifests';
import type { FlowSummarySnapshot } from './flow-summary';
import { portMatches } from './ports';

/** Namespaces run by the platform (AKS add-ons, Cilium): findings there are real but rank lower. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system', 'calico-system', 'tigera-operator', 'aks-command', 'app-routing-system']);

export interface FindingsInput {
  snapshot: ClusterSnapshot;
  /** Reuse a compiled engine; built from the snapshot (with the flows' DNS answers) when absent. */
  engine?: PolicyEngine;
  flows?: FlowSummarySnapshot;
  /**
   * Whether an egress firewall (Azure Firewall / UDR) restricts traffic leaving the cluster. Undefined:
   * unknown (the Azure layer refines it); true lowers open-egress to low severity.
   */
  egressFirewall?: { restricts: boolean; name?: string };
}

// Addresses used to ask "could this pod reach the internet?": public, and not special in any rule we know.
const INTERNET_PROBES = ['1.1.1.1', '93.184.216.34'];
const DNS_PROBE = '8.8.8.8';
const NO_DNS_NAMES = new DnsNames();

const policyObject = (ref: PolicyRef): ObjectRef => ({ kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name });
const describeRule = (r: DecidingRule | CompiledRule['ref']) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} ${r.section}[${r.rule}]`;

interface Workload {
  namespace: string;
  name: string;
  kind: string;
  pods: PodEndpoint[];
}

function workloadsOf(pods: readonly PodEndpoint[]): Workload[] {
  const byKey = new Map<string, Workload>();
  for (const p of pods) {
    const name = p.workload?.name ?? p.name;
    const key = `${p.namespace}/${name}`;
    let w = byKey.get(key);
    if (!w) byKey.set(key, (w = { namespace: p.namespace, name, kind: p.workload?.kind ?? 'Pod', pods: [] }));
    w.pods.push(p);
  }
  return [...byKey.values()];
}

const workloadRef = (w: Workload): ObjectRef => ({ kind: w.kind, namespace: w.namespace, name: w.name });

/** Labels shared by all pods of a workload minus per-pod hashes: a selector for fixes. */
function workloadLabels(w: Workload): Record<string, string> {
  const [first, ...rest] = w.pods;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first.labels)) {
    if (k === 'pod-template-hash' || k === 'statefulset.kubernetes.io/pod-name' || k === 'controller-revision-hash') continue;
    if (rest.every((p) => p.labels[k] === v)) out[k] = v;
  }
  return out;
}

function flowEvidence(text: string, counter: { count: number; sampleUuids: string[] } | undefined): Evidence[] {
  return counter && counter.count > 0 ? [{ text, flowUuids: [...counter.sampleUuids], flowCount: counter.count }] : [];
}

/** Computes every cluster-policy finding, most severe first. */
export function computeFindings(input: FindingsInput): Finding[] {
  const engine = input.engine ?? new PolicyEngine(input.snapshot, { dns: input.flows?.dnsAnswers ?? {} });
  const pods = engine.pods();
  const findings: Finding[] = [];
  const podsByNamespace = new Map<string, PodEndpoint[]>();
  for (const p of pods) {
    const list = podsByNamespace.get(p.namespace) ?? [];
    list.push(p);
    podsByNamespace.set(p.namespace, list);
  }
  const namespacePolicies = (ns: string) => engine.policies().filter((p) => p.namespace === ns).map((p) => p.ref);

  // unprotected-namespace / no-default-deny
  for (const [ns, nsPods] of podsByNamespace) {
    const system = SYSTEM_NAMESPACES.has(ns);
    const selected = nsPods.filter((p) => engine.sectionsFor(p, 'ingress').length > 0 || engine.sectionsFor(p, 'egress').length > 0);
    if (selected.length === 0) {
      findings.push({
        id: 'unprotected-namespace',
        key: `unprotected-namespace:${ns}`,
        // kube-system holds AKS-managed add-ons (CoreDNS, konnectivity, metrics-server) that AKS ships without
        // policies and that break if isolated carelessly: still an exposure, but not the first thing to fix.
        severity: system ? 'medium' : 'high',
        title: system ? `System namespace ${ns} has no network policy` : `Namespace ${ns} has no network policy: every pod is open to all traffic`,
        namespace: ns,
        objects: [{ kind: 'Namespace', name: ns }],
        evidence: [{ text: `No policy selects any of the ${nsPods.length} pods in ${ns} (default allow-all, both directions).`, objects: workloadsOf(nsPods).map(workloadRef) }],
        fix: {
          text: system
            ? `Add policies for the add-ons' known paths first (DNS, API server, metrics), trial them in audit mode, then default deny.`
            : `Apply a default-deny policy, then allow each path the workloads need; include DNS egress.`,
          yaml: manifestsYaml(defaultDenyPolicy(ns), dnsEgressPolicy(ns)),
        },
      });
      continue;
    }
    for (const direction of ['ingress', 'egress'] as Direction[]) {
      const open = nsPods.filter((p) => !engine.isolation(p)[direction]);
      if (open.length === 0) continue;
      const workloads = workloadsOf(open);
      findings.push({
        id: 'no-default-deny',
        key: `no-default-deny:${ns}:${direction}`,
        severity: system ? 'low' : 'medium',
        title: `${ns} has policies, but ${open.length} of ${nsPods.length} pods are not isolated for ${direction}`,
        namespace: ns,
        objects: [{ kind: 'Namespace', name: ns }, ...workloads.map(workloadRef)],
        evidence: [{ text: `No policy selecting these pods has ${direction === 'ingress' ? 'Ingress' : 'Egress'} in effect: ${workloads.map((w) => w.name).join(', ')} accept${direction === 'egress' ? ' sending' : ''} any ${direction} traffic.`, objects: namespacePolicies(ns).map(policyObject) }],
        fix: { text: `Add a default-deny ${direction} policy for ${ns}${direction === 'egress' ? ' together with DNS egress' : ''}.`, yaml: manifestsYaml(defaultDenyPolicy(ns, [direction === 'ingress' ? 'Ingress' : 'Egress']), ...(direction === 'egress' ? [dnsEgressPolicy(ns)] : [])) },
      });
    }
  }

  const flows = input.flows;
  const worldBySource = new Map(flows?.worldEgress.map((w) => [w.source, w]) ?? []);
  const dnsDropsBySource = new Map(flows?.dnsDrops.map((d) => [d.source, d]) ?? []);

  // open-egress, per workload
  for (const w of workloadsOf(pods)) {
    const pod = w.pods[0];
    const verdicts = INTERNET_PROBES.map((ip) => engine.evaluateEndpoints(pod, reservedEndpoint('world', { ip }), 443, 'TCP'));
    const passing = verdicts.find((v) => v.allowed);
    if (!passing) continue;
    const key = `${w.namespace}/${w.name}`;
    const observed = worldBySource.get(key);
    const system = SYSTEM_NAMESPACES.has(w.namespace);
    const firewall = input.egressFirewall;
    let severity: Severity = observed ? 'high' : 'medium';
    if (system) severity = 'low';
    if (firewall?.restricts) severity = 'low';
    const how =
      passing.egress.reason === 'not-isolated'
        ? 'no policy isolates its egress'
        : passing.verdict === 'AUDIT'
          ? 'its egress lockdown runs in audit mode (not enforced)'
          : `${passing.egress.by.map(describeRule).join(', ')} allow${passing.egress.by.length === 1 ? 's' : ''} any internet address`;
    findings.push({
      id: 'open-egress',
      key: `open-egress:${key}`,
      severity,
      title: `${key} can reach the internet${observed ? ` and did (${observed.count} flows)` : ''}`,
      namespace: w.namespace,
      objects: [workloadRef(w), ...passing.egress.by.map(policyObject)],
      evidence: [
        { text: `Egress to internet addresses is allowed: ${how}.${firewall ? (firewall.restricts ? ` Firewall ${firewall.name ?? ''} restricts egress.` : ' No firewall restricts egress.') : ''}`, objects: passing.egress.by.map(policyObject) },
        ...flowEvidence(`Observed flows to the internet${observed?.destinations.length ? `: ${observed.destinations.join(', ')}` : ''}.`, observed),
      ],
      fix: {
        text: `Default-deny egress for ${w.name} and allow only the internet names it needs (Cilium toFQDNs) or route egress through Azure Firewall.`,
        yaml: manifestsYaml(fqdnEgressPolicy(w.namespace, w.name, workloadLabels(w), (observed?.destinations ?? []).filter((d) => /[a-z]/i.test(d)))),
      },
    });
  }

  // dns-egress-missing, per namespace
  const kubeDns = pods.filter((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns');
  for (const [ns, nsPods] of podsByNamespace) {
    if (kubeDns.some((d) => d.namespace === ns)) continue;
    const udpMissing: Workload[] = [];
    const tcpMissing: Workload[] = [];
    for (const w of workloadsOf(nsPods)) {
      const pod = w.pods[0];
      const iso = engine.isolation(pod);
      if (!iso.egress || kubeDns.length === 0) continue;
      const udp = engine.evaluateEndpoints(pod, kubeDns[0], 53, 'UDP');
      const tcp = engine.evaluateEndpoints(pod, kubeDns[0], 53, 'TCP');
      if (!udp.egress.allowed) udpMissing.push(w);
      else if (!tcp.egress.allowed) tcpMissing.push(w);
    }
    const dropped = workloadsOf(nsPods).filter((w) => dnsDropsBySource.has(`${w.namespace}/${w.name}`));
    const affected = [...new Map([...udpMissing, ...dropped].map((w) => [w.name, w])).values()];
    if (affected.length > 0) {
      const drops = dropped.map((w) => dnsDropsBySource.get(`${w.namespace}/${w.name}`)!);
      const dropCount = drops.reduce((a, d) => a + d.count, 0);
      findings.push({
        id: 'dns-egress-missing',
        key: `dns-egress-missing:${ns}`,
        // Observed DNS drops mean something is failing now; a policy gap alone may hit a pod that never resolves.
        severity: dropCount > 0 ? 'high' : 'medium',
        title: `Pods in ${ns} cannot resolve names: egress is locked down without DNS`,
        namespace: ns,
        objects: affected.map(workloadRef),
        evidence: [
          ...(udpMissing.length ? [{ text: `Egress-isolated and no rule allows UDP/53 to kube-dns: ${udpMissing.map((w) => w.name).join(', ')}.`, objects: namespacePolicies(ns).map(policyObject) }] : []),
          ...(dropCount ? [{ text: `DNS flows dropped: ${dropCount}.`, flowUuids: drops.flatMap((d) => d.sampleUuids).slice(0, 10), flowCount: dropCount }] : []),
        ],
        fix: { text: `Allow UDP and TCP 53 to kube-dns for ${ns}.`, yaml: manifestsYaml(dnsEgressPolicy(ns)) },
      });
    } else if (tcpMissing.length > 0) {
      findings.push({
        id: 'dns-egress-missing',
        key: `dns-egress-missing:${ns}:tcp`,
        severity: 'low',
        title: `Pods in ${ns} may resolve over UDP only: TCP/53 to kube-dns is not allowed`,
        namespace: ns,
        objects: tcpMissing.map(workloadRef),
        evidence: [{ text: `UDP/53 is allowed but TCP/53 is not (large answers and retries use TCP): ${tcpMissing.map((w) => w.name).join(', ')}.`, objects: namespacePolicies(ns).map(policyObject) }],
        fix: { text: `Add TCP 53 next to UDP 53 in the DNS egress rule.`, yaml: manifestsYaml(dnsEgressPolicy(ns)) },
      });
    }
  }

  // dns-egress-too-broad, per rule
  const dnsProbe = reservedEndpoint('world', { ip: DNS_PROBE });
  for (const policy of engine.policies()) {
    for (const rule of policy.egress?.allow ?? []) {
      if (!rule.ports || !rule.ports.some((p) => portMatches(p, 53, 'UDP', undefined) || portMatches(p, 53, 'TCP', undefined))) continue;
      if (!rule.peer(dnsProbe, NO_DNS_NAMES)) continue;
      const ns = policy.namespace;
      findings.push({
        id: 'dns-egress-too-broad',
        key: `dns-egress-too-broad:${policy.ref.namespace ?? ''}/${policy.ref.name}:${rule.ref.rule}`,
        severity: 'medium',
        title: `${policy.ref.name} allows DNS to any address (a DNS exfiltration path)`,
        ...(ns ? { namespace: ns } : {}),
        objects: [policyObject(policy.ref)],
        evidence: [{ text: `${describeRule(rule.ref)} allows port 53 to any destination, e.g. ${DNS_PROBE}.`, objects: [policyObject(policy.ref)] }],
        fix: { text: 'Limit port 53 to kube-dns.', yaml: manifestsYaml(dnsEgressPolicy(ns ?? 'default')) },
      });
    }
  }

  // policy-selects-nothing
  for (const policy of engine.policies()) {
    if (engine.selectedPods(policy.ref).length > 0) continue;
    const ns = policy.namespace;
    const nsPods = ns ? podsByNamespace.get(ns) ?? [] : pods;
    findings.push({
      id: 'policy-selects-nothing',
      key: `policy-selects-nothing:${ns ?? ''}/${policy.ref.name}`,
      // In a namespace without pods nothing can be selected yet; with pods it is likely a label typo.
      severity: nsPods.length > 0 ? 'medium' : 'info',
      title: `${policy.ref.kind} ${ns ? `${ns}/` : ''}${policy.ref.name} selects no pod`,
      ...(ns ? { namespace: ns } : {}),
      objects: [policyObject(policy.ref)],
      evidence: [{ text: nsPods.length ? `Its selector matches none of the ${nsPods.length} pods${ns ? ` in ${ns}` : ''}; workload labels there: ${workloadsOf(nsPods).slice(0, 5).map((w) => JSON.stringify(workloadLabels(w))).join(' ')}` : `There are no pods${ns ? ` in ${ns}` : ''}.` }],
      fix: { text: 'Check the selector labels against the pods it should protect (a typo leaves them unprotected).' },
    });
  }

  // audit-would-deny, per audited path
  for (const a of flows?.audited ?? []) {
    const [ns, name] = a.source.split('/');
    const src = workloadsOf(podsByNamespace.get(ns) ?? []).find((w) => w.name === name);
    const auditPolicies = src ? engine.policies().filter((p) => p.audit && engine.selectedPods(p.ref).some((pod) => src.pods.includes(pod))).map((p) => p.ref) : [];
    findings.push({
      id: 'audit-would-deny',
      key: `audit-would-deny:${a.source}->${a.destination}:${a.port}/${a.protocol}`,
      severity: 'medium',
      title: `${a.source} -> ${a.destination} ${a.port}/${a.protocol} would be dropped once the policy is enforced`,
      namespace: ns,
      objects: [...(src ? [workloadRef(src)] : []), ...auditPolicies.map(policyObject)],
      evidence: [{ text: `Flows with verdict AUDIT: the audit-mode policy has no rule for this path.`, flowUuids: [...a.sampleUuids], flowCount: a.count, objects: auditPolicies.map(policyObject) }],
      fix: {
        text: `Before enforcing, add a rule for this path if it is legitimate${a.destination.startsWith('world:') ? ` (e.g. toFQDNs ${a.destination.slice(6)})` : ''}, or confirm it should be blocked.`,
        ...(src && a.destination.startsWith('world:') && /[a-z]/i.test(a.destination.slice(6)) ? { yaml: manifestsYaml(fqdnEgressPolicy(ns, name, workloadLabels(src), [a.destination.slice(6)])) } : {}),
      },
    });
  }

  return sortFindings(findings);
}
