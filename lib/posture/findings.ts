/**
 * Posture findings of the cluster-policy layer (IDs from DOMAIN.md): computed from the policy engine
 * (so they agree with every verdict the UI explains) plus a summary of observed flows, and, for
 * open-egress, the Azure controls on each workload's egress path. Each finding names its objects, its
 * evidence (policies, observed flow uuids and counts) and a fix that the engine checked (fix-check.ts).
 */

import { parseAllDocuments } from 'yaml';
import type { AzureSnapshot } from '../azure/types';
import { AUDIT_PHRASE } from '../flows/audit-verdict';
import { attributeAuditedPath } from './audit-by-namespace';
import { fqdnOfWorldNode, parseNodeId, workloadNodeId } from '../graph/graph-ids';
import { workloadNodeIdOfPod } from '../graph/node-identity';
import type { ClusterSnapshot } from '../k8s/types';
import { AzureEgress, type AzureEgressAssessment, type EgressLayer, type WorldFlowObservationInput, openEgressEvidence } from './azure-open-egress';
import type { Evidence, Finding, Fix, ObjectRef, Severity } from './finding';
import { sortFindings } from './finding';
import type { CompiledRule, Direction, PolicyRef } from '../policy-engine/compiled-policy';
import { reservedEndpoint, type PodEndpoint } from '../policy-engine/endpoint';
import { PolicyEngine, isEngineError, type DecidingRule } from '../policy-engine/engine';
import { allowOnlyIntent, defaultDenyIntent, dnsToKubeDnsOnlyIntent, egressAllowlistIntent, FixChecker, type FixCheckContext, type FixIntent, type FixTarget } from './fix-check';
import { DnsNames } from '../policy-engine/fqdn';
import { defaultDenyPolicy, dnsEgressPolicy, dnsRuleToKubeDns, egressAllowlistNetworkPolicy, egressAllowlistPolicy, fqdnEgressPolicy, manifestsYaml, selectorForWorkloads, withSelector, type AllowedDestination } from './fix-manifests';
import type { FlowSummarySnapshot } from './flow-summary';
import { fqdnWithoutDnsProxyFindings } from './fqdn-proxy-finding';
import { peerRefOf, type ObservedConnection } from './observed-connections';
import { portMatches } from '../policy-engine/ports';
import { runToEnd, type Steps } from '../util/time-slices';
import { nodeIdOfWorkload, stableLabels, workloadKey, workloadRef, workloadsOf, type Workload } from './workloads';

/** Namespaces run by the platform (AKS add-ons, Cilium): findings there are real but rank lower. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system', 'calico-system', 'tigera-operator', 'aks-command', 'app-routing-system']);

export interface FindingsInput {
  snapshot: ClusterSnapshot;
  /** Reuse a compiled engine; built from the snapshot (with the flows' DNS answers) when absent. */
  engine?: PolicyEngine;
  flows?: FlowSummarySnapshot;
  /**
   * Connections seen in flows (ObservedConnections): their internet destinations go through the Azure
   * layers for open-egress, and every generated fix must keep them working.
   */
  connections?: readonly ObservedConnection[];
  /**
   * Azure network data (NSGs, route tables, NAT gateways, firewalls). open-egress then weighs every egress
   * control on each workload's path; without it the finding says the Azure layers were not evaluated.
   */
  azure?: AzureSnapshot;
  /** A checker kept across runs on the same snapshot and engine (it caches the engines it compiles). */
  fixChecker?: FixChecker;
}

// Addresses used to ask "could this pod reach the internet?": public, and not special in any rule we know.
const INTERNET_PROBES = ['1.1.1.1', '93.184.216.34'];
/** Names no allow-list has a reason to contain (RFC 2606): a toFQDNs rule matching them matches any name. */
const INTERNET_PROBE_NAMES = ['example.com', 'example.org'];
const DNS_PROBE = '8.8.8.8';
const NO_DNS_NAMES = new DnsNames();
const ENGINE_PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);

/** Azure NPM's DaemonSet pods (Azure/azure-container-networking npm/azure-npm.yaml: `k8s-app: azure-npm` in kube-system). */
const AZURE_NPM_LABEL = ['k8s-app', 'azure-npm'] as const;

const policyObject = (ref: { kind: string; namespace?: string; name: string }): ObjectRef => ({ kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name });
const describeRule = (r: DecidingRule | CompiledRule['ref']) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} ${r.section}[${r.rule}]`;

const LAYER_NAMES: Record<EgressLayer, string> = { nsg: 'the NSG', route: 'the route table', firewall: 'Azure Firewall', appliance: 'a network appliance' };

function flowEvidence(text: string, counter: { count: number; sampleUuids: string[] } | undefined): Evidence[] {
  return counter && counter.count > 0 ? [{ text, flowUuids: [...counter.sampleUuids], flowCount: counter.count }] : [];
}

interface OpenEgress {
  /** Why policy lets it out, in words. */
  how: string;
  by: DecidingRule[];
}

/**
 * Whether network policy lets a pod reach arbitrary internet addresses: an address probe (CIDR, `world`,
 * no isolation, audit mode), then a name probe for toFQDNs patterns broad enough to match any name
 * (matchPattern `*`), which allow every address the pod's DNS proxy learns.
 */
function openEgressOf(engine: PolicyEngine, pod: PodEndpoint): OpenEgress | undefined {
  const verdicts = INTERNET_PROBES.map((ip) => engine.evaluateEndpoints(pod, reservedEndpoint('world', { ip }), 443, 'TCP'));
  const passing = verdicts.find((v) => v.allowed);
  if (passing) {
    const by = passing.egress.by.filter((b) => b.action === 'allow');
    const how =
      passing.egress.reason === 'not-isolated'
        ? 'no policy isolates its egress'
        : passing.verdict === 'AUDIT'
          ? 'its egress lockdown runs in audit mode (not enforced)'
          : `${by.map(describeRule).join(', ')} allow${by.length === 1 ? 's' : ''} any internet address`;
    return { how, by };
  }
  if (verdicts.some((v) => v.egress.reason === 'denied')) return undefined;
  for (const { section } of engine.sectionsFor(pod, 'egress')) {
    for (const rule of section.allow) {
      if (!rule.fqdns || rule.l7 !== null) continue;
      if (rule.ports && !rule.ports.some((p) => portMatches(p, 443, 'TCP', undefined))) continue;
      const name = INTERNET_PROBE_NAMES.find((n) => rule.fqdns!.some((s) => s.matches(n)) && engine.dnsProxyLearns(pod, n));
      if (!name) continue;
      const by: DecidingRule = { ...rule.ref, action: 'allow' };
      return { how: `${describeRule(by)} has toFQDNs ${rule.fqdns.map((s) => s.text).join(', ')}, which matches any name (e.g. ${name}), and the pod's DNS proxy learns every such name`, by: [by] };
    }
  }
  return undefined;
}

/** The restricting layer by name: `Azure Firewall aks-egress-fw`, `NSG aks-nsg`, `route table`. */
function azureLayerName(a: AzureEgressAssessment): string {
  const byKind = (kind: string) => a.objects.find((o) => o.kind === kind)?.name;
  if (a.layer === 'firewall') return `Azure Firewall ${byKind('AzureFirewall') ?? ''}`.trim();
  if (a.layer === 'nsg') return `NSG ${byKind('NetworkSecurityGroup') ?? ''}`.trim();
  return LAYER_NAMES[a.layer ?? 'route'];
}

/** The names (or addresses) of a few destinations, for titles. */
function names(list: readonly { destination: string }[], max = 3): string {
  const all = [...new Set(list.map((d) => d.destination))];
  return all.slice(0, max).join(', ') + (all.length > max ? ` and ${all.length - max} more` : '');
}

const flowTotal = (list: readonly { flowCount: number }[]) => list.reduce((n, d) => n + d.flowCount, 0);

/** Severity and title of open-egress from policy, the Azure layers and what observed flows did. */
function openEgressVerdict(key: string, system: boolean, azure: AzureEgressAssessment | undefined, seen: number): { severity: Severity; title: string } {
  const cap = (s: Severity): Severity => (system && s !== 'info' ? 'low' : s);
  if (!azure) {
    return { severity: cap(seen ? 'high' : 'medium'), title: `${key} can reach the internet${seen ? ` and sent ${seen} flows there` : ''}` };
  }
  const { allowed, denied, undecided } = azure.exposure;
  const layer = azure.layer ? LAYER_NAMES[azure.layer] : 'the Azure layers';
  if (azure.verdict === 'restricts') {
    // Not open: an Azure layer denies arbitrary internet egress. Only defence in depth is missing.
    if (allowed.length) return { severity: 'low', title: `${key} is not restricted by network policy; ${layer} restricts its egress and allowed ${names(allowed)}` };
    if (denied.length) return { severity: 'low', title: `${key} is not restricted by network policy; ${layer} denied its internet flows (${flowTotal(denied)} to ${names(denied)})` };
    return { severity: 'low', title: `${key} is not restricted by network policy; only ${layer} restricts its internet egress` };
  }
  const deniedNote = denied.length ? `; ${denied.every((d) => d.layer === denied[0].layer) && denied[0].layer ? LAYER_NAMES[denied[0].layer] : 'Azure'} denied ${names(denied)}` : '';
  if (allowed.length) return { severity: cap('high'), title: `${key} can reach the internet and did: ${names(allowed)} (${flowTotal(allowed)} flows)${deniedNote}` };
  if (undecided.length) return { severity: cap('high'), title: `${key} can reach the internet; whether its ${flowTotal(undecided)} flows to ${names(undecided)} got out is unknown${deniedNote}` };
  if (denied.length) return { severity: cap('medium'), title: `${key} can reach the internet; the flows seen were denied (${names(denied)} by ${layer === 'the Azure layers' ? 'Azure' : layer})` };
  if (seen) return { severity: cap('high'), title: `${key} can reach the internet and sent ${seen} flows there` };
  return { severity: cap('medium'), title: `${key} can reach the internet` };
}

/** YAML of checked fixes: the checker keeps results across runs, so their YAML is written once. */
const yamlOf = new WeakMap<object, string>();

/** Computes every cluster-policy finding, most severe first. */
export function computeFindings(input: FindingsInput): Finding[] {
  return runToEnd(findingSteps(input));
}

/**
 * The findings as steps (time-slices.ts): the server runs them in slices so that seconds of work on a
 * 5,000-workload cluster never hold its event loop; a pause comes after each namespace, workload,
 * policy and audited path, and inside each fix check.
 */
export function* findingSteps(input: FindingsInput): Steps<Finding[]> {
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
  // Each a pass over every pod: a pause between them (at 5,000 workloads the three were one 40-50 ms step).
  yield;
  const allWorkloads = workloadsOf(pods);
  const workloadByKey = new Map(allWorkloads.map((w) => [workloadKey(w), w]));
  yield;
  const kubeDns = pods.filter((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns');

  // Every manifest fix goes through the engine first: applied to the snapshot, it must deny only what it means to.
  const connections = input.connections ?? [];
  const checker = input.fixChecker ?? new FixChecker(input.snapshot, engine);
  checker.beginRun();
  const checkContext: FixCheckContext = { observed: connections, dns: input.flows?.dnsAnswers ?? {} };
  const checkedFix = function* (text: string, manifests: Record<string, unknown>[], intent: FixIntent): Steps<Fix> {
    const r = yield* checker.checkSteps(manifests, intent, checkContext);
    // Refused or not checked yet: the YAML is withheld, the summary says why.
    if (!r.manifests) return { text: `${text} ${r.check.summary}`, check: r.check };
    let yaml = yamlOf.get(r);
    if (yaml === undefined) yamlOf.set(r, (yaml = manifestsYaml(...r.manifests)));
    return { text: r.check.status === 'narrowed' ? `${text} ${r.check.summary}` : text, yaml, check: r.check };
  };
  /** A policy name not taken in the namespace (`kubectl apply` would replace an existing one). */
  const policyNames = new Set(input.snapshot.policies.map((p) => `${p.kind}/${p.namespace ?? ''}/${p.name}`));
  const freeName = (kind: string, ns: string, base: string) => {
    const taken = { has: (name: string) => policyNames.has(`${kind}/${ns}/${name}`) };
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  };
  const named = (m: Record<string, unknown>) => {
    const meta = m.metadata as { name: string; namespace: string };
    meta.name = freeName(String(m.kind), meta.namespace, meta.name);
    return m;
  };
  /** DNS egress for exactly these workloads: one selector if their labels allow it, else one policy each. */
  const scopedDnsPolicies = (ns: string, workloads: Workload[]) => {
    const labelled = workloads.map((w) => ({ w, labels: stableLabels(w) }));
    const selector = selectorForWorkloads(labelled);
    const base = named(dnsEgressPolicy(ns, selector ?? {}));
    return selector ? [base] : labelled.map((l) => withSelector(base, { matchLabels: l.labels }, l.w.name));
  };
  const dnsTargets = (workloads: Workload[], protocols: ('UDP' | 'TCP')[]): FixTarget[] =>
    kubeDns.length === 0
      ? []
      : workloads.flatMap((w) => protocols.map((protocol): FixTarget => ({ from: { pod: `${w.pods[0].namespace}/${w.pods[0].name}` }, to: { pod: `${kubeDns[0].namespace}/${kubeDns[0].name}` }, port: 53, protocol, expect: 'allowed', label: `${workloadKey(w)} -> kube-dns:53/${protocol}` })));

  // unprotected-namespace / no-default-deny
  for (const [ns, nsPods] of podsByNamespace) {
    yield;
    const system = SYSTEM_NAMESPACES.has(ns);
    const nsWorkloads = workloadsOf(nsPods);
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
        evidence: [{ text: `No policy selects any of the ${nsPods.length} pods in ${ns} (default allow-all, both directions).`, objects: nsWorkloads.map(workloadRef) }],
        fix: yield* checkedFix(
          system
            ? `Add policies for the add-ons' known paths first (DNS, API server, metrics), trial them in audit mode, then default deny.`
            : `Apply a default-deny policy, then allow each path the workloads need; include DNS egress.`,
          [named(defaultDenyPolicy(ns)), named(dnsEgressPolicy(ns))],
          defaultDenyIntent(nsWorkloads.map(workloadKey), ['ingress', 'egress']),
        ),
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
        fix: yield* checkedFix(
          `Add a default-deny ${direction} policy for ${ns}${direction === 'egress' ? ' together with DNS egress' : ''}.`,
          [named(defaultDenyPolicy(ns, [direction === 'ingress' ? 'Ingress' : 'Egress'])), ...(direction === 'egress' ? [named(dnsEgressPolicy(ns))] : [])],
          defaultDenyIntent(workloads.map(workloadKey), [direction]),
        ),
      });
    }
  }

  const flows = input.flows;
  const worldBySource = new Map(flows?.worldEgress.map((w) => [w.source, w]) ?? []);
  const dnsDropsBySource = new Map(flows?.dnsDrops.map((d) => [d.source, d]) ?? []);
  const connectionsBySource = new Map<string, ObservedConnection[]>();
  for (const c of connections) {
    if (c.source.kind !== 'pod') continue;
    const k = workloadNodeId(c.source.namespace, c.source.workload);
    const list = connectionsBySource.get(k) ?? [];
    list.push(c);
    connectionsBySource.set(k, list);
  }

  /** What a workload was seen reaching and is allowed to today: kept open by its egress allow-list. */
  const observedDestinations = (w: Workload): AllowedDestination[] | undefined => {
    const list = connectionsBySource.get(workloadKey(w));
    if (!list) return undefined;
    const out: AllowedDestination[] = [];
    for (const c of list) {
      if (c.passed === 0 || !ENGINE_PROTOCOLS.has(c.protocol)) continue;
      const v = engine.evaluate({ from: peerRefOf(c.source), to: peerRefOf(c.destination), port: c.port, protocol: c.protocol as 'TCP' | 'UDP' | 'SCTP' });
      if (isEngineError(v) || !v.allowed) continue;
      const d = c.destination;
      if (d.kind === 'world') out.push(d.name ? { kind: 'fqdn', name: d.name, port: c.port, protocol: c.protocol, ips: [d.ip] } : { kind: 'cidr', cidr: `${d.ip}/${d.ip.includes(':') ? 128 : 32}`, port: c.port, protocol: c.protocol });
      else if (d.kind === 'reserved') out.push({ kind: 'entity', entity: d.entity, port: c.port, protocol: c.protocol, ...(d.ip ? { ip: d.ip } : {}) });
      else if (d.kind === 'pod') {
        // DNS to kube-dns is the allow-list's first rule already.
        if (d.namespace === 'kube-system' && c.port === 53 && kubeDns.some((p) => p.name === d.pod)) continue;
        const target = workloadByKey.get(workloadNodeId(d.namespace, d.workload));
        const labels = target ? stableLabels(target) : {};
        if (Object.keys(labels).length) out.push({ kind: 'workload', namespace: d.namespace, labels, port: c.port, protocol: c.protocol });
      }
    }
    return out;
  };

  // open-egress, per workload: network policy first (addresses and toFQDNs), then the Azure controls on the path.
  // Only Cilium enforces CiliumNetworkPolicy (toFQDNs); on the kubernetes datapath the allow-list is a NetworkPolicy.
  const allowlistPolicy = engine.datapath.datapath === 'cilium' ? egressAllowlistPolicy : egressAllowlistNetworkPolicy;
  const azureEgress = input.azure ? new AzureEgress(input.azure, input.snapshot) : undefined;
  for (const w of allWorkloads) {
    yield;
    const pod = w.pods[0];
    const open = openEgressOf(engine, pod);
    if (!open) continue;
    const key = workloadKey(w);
    // Flow counters are keyed by map node (the same as the key but for bare pods).
    const observed = worldBySource.get(nodeIdOfWorkload(w));
    const system = SYSTEM_NAMESPACES.has(w.namespace);
    const worldConnections: WorldFlowObservationInput[] = (connectionsBySource.get(key) ?? [])
      .filter((c) => c.destination.kind === 'world' && c.passed > 0)
      .map((c) => {
        const d = c.destination as Extract<ObservedConnection['destination'], { kind: 'world' }>;
        return { ...(c.source.kind === 'pod' ? { pod: c.source.pod } : {}), destinationIp: d.ip, destinationPort: c.port, protocol: c.protocol, ...(d.name ? { fqdn: d.name } : {}), flowUuids: c.sampleUuids, flowCount: c.passed };
      });
    const azure = azureEgress?.coversCluster ? azureEgress.assess(key, w.pods, worldConnections) : undefined;
    const { severity, title } = openEgressVerdict(key, system, azure, observed?.count ?? 0);
    const azureEvidence: Evidence[] = !input.azure
      ? [{ text: 'The Azure egress controls (NSG, route table, NAT gateway, Azure Firewall) were not evaluated: no Azure network data is loaded.' }]
      : !azure
        ? [{ text: `The Azure network data (${input.azure.origin}) does not contain this cluster's nodes, so the Azure egress controls were not evaluated.` }]
        : [{ text: `Azure: ${azure.reason}.`, objects: azure.objects }];
    const observedEvidence = azure && azure.exposure.allowed.length + azure.exposure.denied.length + azure.exposure.undecided.length > 0
      ? openEgressEvidence(azure.exposure)
      : flowEvidence(`Flows to the internet left the pod${observed?.destinations.length ? `: ${observed.destinations.join(', ')}` : ''}.`, observed);
    const allow = observedDestinations(w) ?? (observed?.destinations ?? []).filter((d) => /[a-z]/i.test(d)).map((name): AllowedDestination => ({ kind: 'fqdn', name, port: 443, protocol: 'TCP' }));
    const byRule = open.by.length > 0 && !open.how.startsWith('its egress lockdown');
    findings.push({
      id: 'open-egress',
      key: `open-egress:${key}`,
      severity,
      title,
      ...(azure?.verdict === 'restricts' && azure.layer ? { mitigatedBy: azureLayerName(azure) } : {}),
      namespace: w.namespace,
      objects: [workloadRef(w), ...open.by.map(policyObject), ...(azure?.objects ?? [])],
      evidence: [{ text: `Network policy lets it out: ${open.how}.`, objects: open.by.map(policyObject) }, ...azureEvidence, ...observedEvidence],
      fix: yield* checkedFix(
        byRule
          ? `Narrow ${open.by.map(describeRule).join(', ')} to what ${w.name} needs (it allows the whole internet); the allow-list below is what it was seen using.`
          : `Default-deny egress for ${w.name} and allow only what it was seen using (Cilium toFQDNs for internet names), or route egress through Azure Firewall.`,
        [named(allowlistPolicy(w.namespace, w.name, stableLabels(w), allow))],
        egressAllowlistIntent([key], [{ from: { pod: `${pod.namespace}/${pod.name}` }, to: { ip: INTERNET_PROBES[0] }, port: 443, protocol: 'TCP', expect: 'denied', label: `${key} -> an arbitrary internet address:443/TCP` }]),
      ),
    });
  }

  // dns-egress-missing, per namespace
  for (const [ns, nsPods] of podsByNamespace) {
    yield;
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
    const dropped = workloadsOf(nsPods).filter((w) => dnsDropsBySource.has(nodeIdOfWorkload(w)));
    const affected = [...new Map([...udpMissing, ...dropped].map((w) => [w.name, w])).values()];
    if (affected.length > 0) {
      const drops = dropped.map((w) => dnsDropsBySource.get(nodeIdOfWorkload(w))!);
      const dropCount = drops.reduce((a, d) => a + d.count, 0);
      findings.push({
        id: 'dns-egress-missing',
        key: `dns-egress-missing:${ns}`,
        // Observed DNS drops mean something is failing now; a policy gap alone may hit a pod that never resolves.
        severity: dropCount > 0 ? 'high' : 'medium',
        title: `Pods in ${ns} cannot resolve names: egress is locked down without DNS`,
        namespace: ns,
        objects: affected.map(workloadRef),
        // The failing path on the map: DNS from the workload whose queries are dropped (else the first affected).
        ...(kubeDns[0] ? { connection: { from: nodeIdOfWorkload(dropped[0] ?? affected[0]), to: workloadNodeIdOfPod(kubeDns[0]), port: 53, protocol: 'UDP' } } : {}),
        evidence: [
          ...(udpMissing.length ? [{ text: `Egress-isolated and no rule allows UDP/53 to kube-dns: ${udpMissing.map((w) => w.name).join(', ')}.`, objects: namespacePolicies(ns).map(policyObject) }] : []),
          ...(dropCount ? [{ text: `DNS flows dropped: ${dropCount}.`, flowUuids: drops.flatMap((d) => d.sampleUuids).slice(0, 10), flowCount: dropCount }] : []),
        ],
        // Scoped to the affected workloads: a DNS policy selecting every pod would isolate the others for egress.
        fix: yield* checkedFix(`Allow UDP and TCP 53 to kube-dns for ${affected.map((w) => w.name).join(', ')}.`, scopedDnsPolicies(ns, affected), allowOnlyIntent(affected.map(workloadKey), dnsTargets(affected, ['UDP', 'TCP']))),
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
        fix: yield* checkedFix(`Add TCP 53 next to UDP 53 in the DNS egress rule.`, scopedDnsPolicies(ns, tcpMissing), allowOnlyIntent(tcpMissing.map(workloadKey), dnsTargets(tcpMissing, ['TCP']))),
      });
    }
  }

  // dns-egress-too-broad, per rule
  const dnsProbe = reservedEndpoint('world', { ip: DNS_PROBE });
  for (const policy of engine.policies()) {
    yield;
    for (const rule of policy.egress?.allow ?? []) {
      if (!rule.ports || !rule.ports.some((p) => portMatches(p, 53, 'UDP', undefined) || portMatches(p, 53, 'TCP', undefined))) continue;
      if (!rule.peer(dnsProbe, NO_DNS_NAMES)) continue;
      const ns = policy.namespace;
      const selected = workloadsOf(engine.selectedPods(policy.ref));
      const original = input.snapshot.policies.find((p) => p.kind === policy.ref.kind && p.name === policy.ref.name && p.namespace === policy.ref.namespace);
      const edited = original && dnsRuleToKubeDns(appliedManifest(original.manifest), rule.ref);
      const rep = selected[0]?.pods[0];
      const targets: FixTarget[] = rep
        ? [
            { from: { pod: `${rep.namespace}/${rep.name}` }, to: { ip: DNS_PROBE }, port: 53, protocol: 'UDP', expect: 'denied', label: `${workloadKey(selected[0])} -> ${DNS_PROBE}:53/UDP` },
            ...(kubeDns[0] ? [{ from: { pod: `${rep.namespace}/${rep.name}` }, to: { pod: `${kubeDns[0].namespace}/${kubeDns[0].name}` }, port: 53, protocol: 'UDP' as const, expect: 'allowed' as const, label: `${workloadKey(selected[0])} -> kube-dns:53/UDP` }] : []),
          ]
        : [];
      const advice = `Limit port 53 in ${describeRule(rule.ref)} to kube-dns.`;
      findings.push({
        id: 'dns-egress-too-broad',
        key: `dns-egress-too-broad:${policy.ref.namespace ?? ''}/${policy.ref.name}:${rule.ref.rule}`,
        severity: 'medium',
        title: `${policy.ref.name} allows DNS to any address (a DNS exfiltration path)`,
        ...(ns ? { namespace: ns } : {}),
        objects: [policyObject(policy.ref)],
        evidence: [{ text: `${describeRule(rule.ref)} allows port 53 to any destination, e.g. ${DNS_PROBE}.`, objects: [policyObject(policy.ref)] }],
        // The fix is the policy itself with that rule's DNS ports sent to kube-dns: applying it replaces the policy.
        fix: edited ? yield* checkedFix(`${advice} Applying this replaces ${policy.ref.name}.`, [edited], dnsToKubeDnsOnlyIntent(selected.map(workloadKey), targets)) : { text: `${advice} (The rule could not be rewritten automatically.)` },
      });
    }
  }

  // policy-selects-nothing
  for (const policy of engine.policies()) {
    yield;
    // A host policy selects nodes, never pods: "selects no pod" would be a false alarm.
    if (policy.hostPolicy || engine.selectedPods(policy.ref).length > 0) continue;
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
      evidence: [{ text: nsPods.length ? `Its selector matches none of the ${nsPods.length} pods${ns ? ` in ${ns}` : ''}; workload labels there: ${workloadsOf(nsPods).slice(0, 5).map((w) => JSON.stringify(stableLabels(w))).join(' ')}` : `There are no pods${ns ? ` in ${ns}` : ''}.` }],
      fix: { text: 'Check the selector labels against the pods it should protect (a typo leaves them unprotected).' },
    });
  }

  // fqdn-without-dns-proxy, per policy
  findings.push(...fqdnWithoutDnsProxyFindings(engine, flows?.dnsAnswers));

  // audit-would-deny, per audited path, in the namespace whose policy would deny it (the destination's at ingress)
  for (const a of flows?.audited ?? []) {
    yield;
    const source = parseNodeId(a.source);
    const { namespace: ns, denial } = attributeAuditedPath(engine, a);
    if (!ns) continue;
    const src = source?.kind === 'workload' ? workloadsOf(podsByNamespace.get(source.namespace) ?? []).find((w) => nodeIdOfWorkload(w) === a.source) : undefined;
    // The policies that would deny it; else those in audit mode selecting the source.
    const auditPolicies = denial.policies.length
      ? denial.policies
      : src
        ? engine.policies().filter((p) => p.audit && engine.selectedPods(p.ref).some((pod) => src.pods.includes(pod))).map((p) => p.ref)
        : [];
    const fqdn = fqdnOfWorldNode(a.destination);
    const text = `Before enforcing, add a rule for this path if it is legitimate${fqdn ? ` (e.g. toFQDNs ${fqdn})` : ''}, or confirm it should be blocked.`;
    findings.push({
      id: 'audit-would-deny',
      key: `audit-would-deny:${a.source}->${a.destination}:${a.port}/${a.protocol}`,
      severity: 'medium',
      title: `${a.source} -> ${a.destination} ${a.port}/${a.protocol} ${AUDIT_PHRASE}${denial.policies.length ? ` by ${denial.policies.map((p) => p.name).join(', ')}` : ''}`,
      namespace: ns,
      objects: [...(src ? [workloadRef(src)] : []), ...auditPolicies.map(policyObject)],
      // The audited path on the map: flow counters name the same nodes as the graph, so this is its edge.
      connection: { from: a.source, to: a.destination, port: a.port, protocol: a.protocol },
      evidence: [{ text: `Flows with verdict AUDIT: the audit-mode policy has no rule for this path.`, flowUuids: [...a.sampleUuids], flowCount: a.count, objects: auditPolicies.map(policyObject) }],
      fix:
        src && fqdn
          ? yield* checkedFix(text, [named(fqdnEgressPolicy(src.namespace, src.name, stableLabels(src), [fqdn]))], allowOnlyIntent([workloadKey(src)]))
          : { text },
    });
  }

  // legacy-policy-engine: Azure NPM enforces NetworkPolicy only (no Cilium policies, FQDN or L7 rules).
  const npm = input.snapshot.pods.filter((p) => p.namespace === 'kube-system' && p.labels[AZURE_NPM_LABEL[0]] === AZURE_NPM_LABEL[1]);
  if (npm.length > 0) {
    const cilium = input.snapshot.policies.filter((p) => p.kind !== 'NetworkPolicy');
    findings.push({
      id: 'legacy-policy-engine',
      key: 'legacy-policy-engine:azure-npm',
      // Cilium policies on an NPM cluster are not enforced at all: the cluster is less protected than it reads.
      severity: cilium.length ? 'high' : 'medium',
      title: cilium.length ? `Azure NPM enforces network policy: the ${cilium.length} Cilium policies have no effect` : 'Azure NPM (legacy) enforces network policy; Cilium is recommended',
      namespace: 'kube-system',
      objects: [{ kind: 'DaemonSet', namespace: 'kube-system', name: npm[0].workload?.name ?? 'azure-npm' }, ...cilium.slice(0, 20).map((p) => policyObject(p))],
      evidence: [
        { text: `${npm.length} Azure Network Policy Manager pod${npm.length === 1 ? '' : 's'} (label k8s-app=azure-npm) run in kube-system: the cluster was created with --network-policy azure. NPM implements Kubernetes NetworkPolicy only, without FQDN or L7 rules.` },
        ...(cilium.length ? [{ text: `${cilium.map((p) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`).slice(0, 5).join(', ')}${cilium.length > 5 ? ` and ${cilium.length - 5} more` : ''} are not enforced by Azure NPM.` }] : []),
      ],
      fix: {
        text: 'Move the cluster to Azure CNI powered by Cilium (AKS docs: "Upgrade Azure CNI IPAM modes and dataplane technology"); the node pools are reimaged. Check the existing NetworkPolicies with Flowsight first: Cilium enforces them with the same semantics.',
        commands: ['az aks update -g <resource-group> -n <cluster> --network-dataplane cilium'],
      },
    });
  }

  // Fixes generated elsewhere (e.g. by a finding module) are checked too: they may only add allows for their workloads.
  for (const f of findings) {
    yield;
    if (!f.fix.yaml || f.fix.check) continue;
    const manifests = parseAllDocuments(f.fix.yaml).map((d) => d.toJS() as Record<string, unknown>).filter((m) => m && typeof m === 'object');
    const workloads = f.objects.filter((o) => o.namespace && workloadByKey.has(workloadNodeId(o.namespace, o.name))).map((o) => workloadNodeId(o.namespace!, o.name));
    f.fix = yield* checkedFix(f.fix.text, manifests, allowOnlyIntent(workloads));
  }

  return sortFindings(findings);
}

/** A stored manifest as one would re-apply it: identity, labels, annotations and spec; no status or server fields. */
function appliedManifest(m: Record<string, unknown>): Record<string, unknown> {
  const meta = (m.metadata ?? {}) as Record<string, unknown>;
  const annotations = { ...((meta.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  return {
    apiVersion: m.apiVersion,
    kind: m.kind,
    metadata: {
      name: meta.name,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    ...(m.spec !== undefined ? { spec: structuredClone(m.spec) } : {}),
    ...(m.specs !== undefined ? { specs: structuredClone(m.specs) } : {}),
  };
}
