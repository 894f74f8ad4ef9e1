/**
 * The Azure part of the open-egress finding: what the controls on a workload's egress path do to traffic
 * bound for the internet. The path is Azure's (egress-path.ts): the NSGs of the node (outbound, NIC then
 * subnet), then the route chosen for the destination - a user-defined route to an Azure Firewall (AKS
 * outboundType userDefinedRouting), a route to None (dropped), or the system route to the internet through a
 * NAT gateway or the load balancer's SNAT, which translate but never filter (outbound-rules-control-egress.md,
 * nat-gateway-resource.md). Probes to names the firewall has no reason to allow tell whether a layer
 * restricts arbitrary internet egress; observed internet connections are run through the same path.
 */

import type { AzureSnapshot } from '../azure/types';
import { parseNodeId } from '../graph/graph-ids';
import type { ClusterSnapshot } from '../k8s/types';
import { evaluateAzureFlow, type AzureFlowInput, type AzureFlowLayers } from '../azure-rules/azure-flow-layers';
import { topologyOf } from '../azure-rules/azure-topology';
import type { Evidence, ObjectRef } from './finding';
import type { FirewallRuleRef } from '../azure-rules/firewall-evaluator';
import type { NsgRuleRef } from '../azure-rules/nsg-evaluator';

/** One observed connection from a workload to an internet address (aggregate several flows freely). */
export interface WorldFlowObservation {
  /** `namespace/workload`. */
  workload: string;
  sourceIp: string;
  /** Node of the source pod: Azure sees this address after SNAT. */
  sourceNodeIp?: string;
  destinationIp: string;
  destinationPort: number;
  protocol: string;
  fqdn?: string;
  flowUuids?: string[];
  flowCount?: number;
}

export type EgressLayer = 'nsg' | 'route' | 'firewall' | 'appliance';

export interface WorldDestinationVerdict {
  destination: string;
  destinationPort: number;
  verdict: 'allowed' | 'denied' | 'unknown' | 'not-on-path';
  /** The layer that denied (or could not tell). */
  layer?: EgressLayer;
  /** The firewall rule that decided, when the firewall did. */
  rule?: FirewallRuleRef;
  nsgRule?: NsgRuleRef;
  reason: string;
  flowUuids: string[];
  flowCount: number;
}

export interface FirewallEgressExposure {
  workload: string;
  /** False when this workload's egress does not pass an Azure Firewall at all. */
  firewallOnPath: boolean;
  allowed: WorldDestinationVerdict[];
  denied: WorldDestinationVerdict[];
  undecided: WorldDestinationVerdict[];
}

/** How one connection fares across the Azure layers, with the layer and rule that decided. */
interface Classified {
  verdict: 'allowed' | 'denied' | 'unknown';
  layer?: EgressLayer;
  reason: string;
  rule?: FirewallRuleRef;
  nsgRule?: NsgRuleRef;
  objects: ObjectRef[];
}

function firewallRuleText(r: FirewallRuleRef): string {
  return `rule ${r.rule} (${r.ruleCollectionGroup ? `${r.ruleCollectionGroup.name} / ` : ''}${r.ruleCollection.name})`;
}

/** The Azure verdict of one connection in path order: NSG (outbound), then the route, then the firewall. */
function classify(l: AzureFlowLayers, what: string): Classified {
  const objects: ObjectRef[] = [];
  const nsgVerdict: string = l.nsg.verdict;
  const nsgRule = l.nsg.decidingRule;
  if (nsgRule) objects.push({ kind: 'NetworkSecurityGroup', name: nsgRule.nsgName, id: nsgRule.nsgId });
  if (nsgVerdict === 'denied') {
    return { verdict: 'denied', layer: 'nsg', reason: `NSG ${nsgRule?.nsgName ?? ''} denies ${what}: ${l.nsg.reason}`, ...(nsgRule ? { nsgRule } : {}), objects };
  }
  const path = l.egress;
  if (path?.kind === 'blackhole') return { verdict: 'denied', layer: 'route', reason: `${path.explanation}`, objects: [{ kind: 'Subnet', name: path.subnet.name, id: path.subnet.id }] };
  if (path?.kind === 'virtual-appliance' || path?.kind === 'gateway') {
    return { verdict: 'unknown', layer: 'appliance', reason: `${path.explanation}; Flowsight does not evaluate that hop, so whether ${what} gets out is unknown`, objects };
  }
  if (nsgVerdict !== 'allowed' && nsgVerdict !== 'not-on-path') {
    return { verdict: 'unknown', layer: 'nsg', reason: `the NSGs could not decide ${what}: ${l.nsg.reason}`, objects };
  }
  const fw = l.firewall;
  if (fw.firewall) objects.push({ kind: 'AzureFirewall', name: fw.firewall.name, id: fw.firewall.id });
  if (fw.verdict === 'denied') {
    return { verdict: 'denied', layer: 'firewall', reason: `Azure Firewall ${fw.firewall?.name ?? ''} denies ${what}: ${fw.decidingRule ? `${firewallRuleText(fw.decidingRule)}` : 'no rule matched (default deny)'}`, ...(fw.decidingRule ? { rule: fw.decidingRule } : {}), objects };
  }
  if (fw.verdict === 'unknown') return { verdict: 'unknown', layer: 'firewall', reason: `Azure Firewall ${fw.firewall?.name ?? ''} cannot be judged for ${what}: ${fw.reason}`, objects };
  if (fw.verdict === 'allowed') {
    return { verdict: 'allowed', layer: 'firewall', reason: `Azure Firewall ${fw.firewall?.name ?? ''} allows ${what} by ${fw.decidingRule ? firewallRuleText(fw.decidingRule) : 'a rule'}`, ...(fw.decidingRule ? { rule: fw.decidingRule } : {}), objects };
  }
  // No firewall on the path: NAT gateway and load-balancer SNAT translate but never filter, so the NSG is the only control.
  const filter = path?.kind === 'nat-gateway' ? `${path.explanation}` : path?.kind === 'load-balancer' ? `${path.explanation}` : fw.reason;
  const nsgText = nsgRule ? `NSG ${nsgRule.nsgName} allows it by ${nsgRule.isDefault ? 'default rule' : 'rule'} ${nsgRule.ruleName} (priority ${nsgRule.priority})` : l.nsg.reason;
  return { verdict: 'allowed', reason: `${filter}; ${nsgText}`, ...(nsgRule ? { nsgRule } : {}), objects };
}

function toAzureProtocol(p: string): string {
  const up = p.toUpperCase();
  return up.startsWith('ICMP') ? 'ICMP' : up;
}

/** Groups observations by workload and evaluates each against the NSGs, the egress path and the firewall. */
export function firewallEgressExposure(snapshot: AzureSnapshot, observations: readonly WorldFlowObservation[]): FirewallEgressExposure[] {
  const byWorkload = new Map<string, FirewallEgressExposure>();
  for (const o of observations) {
    let e = byWorkload.get(o.workload);
    if (!e) byWorkload.set(o.workload, (e = { workload: o.workload, firewallOnPath: false, allowed: [], denied: [], undecided: [] }));
    const layers = evaluateAzureFlow(snapshot, flowInput(o));
    if (layers.firewall.verdict !== 'not-on-path') e.firewallOnPath = true;
    const destination = o.fqdn ?? o.destinationIp;
    const c = classify(layers, `${destination}:${o.destinationPort}`);
    const v: WorldDestinationVerdict = {
      destination,
      destinationPort: o.destinationPort,
      verdict: c.verdict,
      ...(c.layer ? { layer: c.layer } : {}),
      ...(c.rule ? { rule: c.rule } : {}),
      ...(c.nsgRule ? { nsgRule: c.nsgRule } : {}),
      reason: c.reason,
      flowUuids: o.flowUuids ?? [],
      flowCount: o.flowCount ?? o.flowUuids?.length ?? 1,
    };
    (c.verdict === 'allowed' ? e.allowed : c.verdict === 'denied' ? e.denied : e.undecided).push(v);
  }
  return [...byWorkload.values()];
}

function flowInput(o: WorldFlowObservation): AzureFlowInput {
  return {
    sourceIp: o.sourceIp,
    ...(o.sourceNodeIp ? { sourceNodeIp: o.sourceNodeIp } : {}),
    destinationIp: o.destinationIp,
    destinationPort: o.destinationPort,
    protocol: toAzureProtocol(o.protocol),
    ...(o.fqdn ? { fqdn: o.fqdn } : {}),
  };
}

/** Evidence sentences for an open-egress finding about this workload. */
export function openEgressEvidence(exposure: FirewallEgressExposure): Evidence[] {
  const w = parseNodeId(exposure.workload);
  const objects: ObjectRef[] = w?.kind === 'workload' ? [{ kind: 'Workload', namespace: w.namespace, name: w.name }] : [];
  const out: Evidence[] = exposure.allowed.map((a) => ({
    text: a.rule
      ? `The egress firewall allows ${exposure.workload} to reach ${a.destination}:${a.destinationPort} by ${firewallRuleText(a.rule)}.`
      : `${exposure.workload} reached ${a.destination}:${a.destinationPort}: ${a.reason}.`,
    objects,
    flowUuids: a.flowUuids.slice(0, 20),
    flowCount: a.flowCount,
  }));
  for (const d of exposure.denied) out.push({ text: `Flows from ${exposure.workload} to ${d.destination}:${d.destinationPort} left the pod, but ${d.reason}.`, objects, flowUuids: d.flowUuids.slice(0, 20), flowCount: d.flowCount });
  for (const u of exposure.undecided) out.push({ text: `Whether ${exposure.workload}'s flows to ${u.destination}:${u.destinationPort} got out is unknown: ${u.reason}.`, objects, flowUuids: u.flowUuids.slice(0, 20), flowCount: u.flowCount });
  return out;
}

/** Names nobody's firewall has a reason to allow (RFC 2606 reserved), on the web ports: "any internet name". */
export const EGRESS_PROBES: readonly { fqdn: string; port: number }[] = [
  { fqdn: 'example.com', port: 443 },
  { fqdn: 'example.org', port: 443 },
  { fqdn: 'example.net', port: 80 },
];
/** A documentation address (RFC 5737) standing for an arbitrary internet server. */
export const EGRESS_PROBE_IP = '198.51.100.80';

export interface AzureEgressAssessment {
  /**
   * restricts: every probe to an arbitrary internet name is denied by an Azure layer; open: one passes
   * every layer; unknown: a layer could not be judged (never read as restricted).
   */
  verdict: 'restricts' | 'open' | 'unknown';
  /** The layer that restricts (or, for unknown, the one that could not be judged). */
  layer?: EgressLayer;
  /** One sentence: what the path does to arbitrary internet egress. */
  reason: string;
  objects: ObjectRef[];
  exposure: FirewallEgressExposure;
}

const MAX_OBSERVED_PER_WORKLOAD = 50;

/**
 * The Azure layers for the pods of one cluster. Built once per findings run: probes are evaluated once per
 * node address. When no node of the cluster is in the Azure data (another cluster's export, or none),
 * `coversCluster` is false and findings treat the Azure layers as not loaded.
 */
export class AzureEgress {
  readonly coversCluster: boolean;
  private readonly nodeIp = new Map<string, string>();
  private readonly probeCache = new Map<string, Omit<AzureEgressAssessment, 'exposure'>>();

  constructor(
    private readonly azure: AzureSnapshot,
    cluster: ClusterSnapshot,
  ) {
    const topology = topologyOf(azure);
    for (const n of cluster.nodes) {
      const ip = n.ips.find((a) => topology.subnetOf(a)) ?? n.ips[0];
      if (ip) this.nodeIp.set(n.name, ip);
    }
    this.coversCluster = [...this.nodeIp.values()].some((ip) => topology.subnetOf(ip)) || cluster.pods.some((p) => !!p.ip && !!topology.subnetOf(p.ip));
  }

  /** Where Azure sees a pod's traffic come from: the pod IP when it is a VNet address, else its node's. */
  private seenFrom(pod: { ip?: string; node?: string }): { sourceIp: string; sourceNodeIp?: string } | undefined {
    const topology = topologyOf(this.azure);
    const nodeIp = pod.node ? this.nodeIp.get(pod.node) : undefined;
    if (pod.ip && topology.subnetOf(pod.ip)) return { sourceIp: pod.ip };
    if (nodeIp && topology.subnetOf(nodeIp)) return { sourceIp: pod.ip ?? nodeIp, sourceNodeIp: nodeIp };
    return undefined;
  }

  /** What the Azure layers do to the internet egress of these pods (one workload), and to its observed internet connections. */
  assess(workload: string, pods: readonly { ip?: string; node?: string; name: string }[], observed: readonly WorldFlowObservationInput[]): AzureEgressAssessment {
    const sources = new Map<string, { sourceIp: string; sourceNodeIp?: string }>();
    for (const p of pods) {
      const s = this.seenFrom(p);
      if (s) sources.set(s.sourceNodeIp ?? s.sourceIp, s);
    }
    const observations: WorldFlowObservation[] = [];
    for (const o of observed.slice(0, MAX_OBSERVED_PER_WORKLOAD)) {
      const pod = pods.find((p) => p.name === o.pod) ?? pods[0];
      const s = pod && this.seenFrom(pod);
      if (!s) continue;
      observations.push({ workload, ...s, destinationIp: o.destinationIp, destinationPort: o.destinationPort, protocol: o.protocol, ...(o.fqdn ? { fqdn: o.fqdn } : {}), flowUuids: o.flowUuids, flowCount: o.flowCount });
    }
    const exposure = firewallEgressExposure(this.azure, observations)[0] ?? { workload, firewallOnPath: false, allowed: [], denied: [], undecided: [] };
    if (sources.size === 0) {
      return { verdict: 'unknown', reason: `the Azure network data does not contain the node${pods.length === 1 ? '' : 's'} of ${workload}, so the NSG, route and firewall on its path are unknown`, objects: [], exposure };
    }
    const perSource = [...sources.values()].map((s) => this.probe(s));
    // Several node pools may differ: open if one is open, restricted only if all are.
    const open = perSource.find((a) => a.verdict === 'open');
    if (open) return { ...open, exposure };
    const unknown = perSource.find((a) => a.verdict === 'unknown');
    if (unknown) return { ...unknown, exposure };
    return { ...perSource[0], exposure };
  }

  private probe(source: { sourceIp: string; sourceNodeIp?: string }): Omit<AzureEgressAssessment, 'exposure'> {
    const key = source.sourceNodeIp ?? source.sourceIp;
    const cached = this.probeCache.get(key);
    if (cached) return cached;
    const results = EGRESS_PROBES.map((p) => ({ p, c: classify(evaluateAzureFlow(this.azure, { ...source, destinationIp: EGRESS_PROBE_IP, destinationPort: p.port, protocol: 'TCP', fqdn: p.fqdn }), `an arbitrary internet name such as ${p.fqdn}:${p.port}`) }));
    const allowed = results.find((r) => r.c.verdict === 'allowed');
    const unknown = results.find((r) => r.c.verdict === 'unknown');
    const objects = dedupe(results.flatMap((r) => r.c.objects));
    let out: Omit<AzureEgressAssessment, 'exposure'>;
    if (allowed) out = { verdict: 'open', ...(allowed.c.layer ? { layer: allowed.c.layer } : {}), reason: allowed.c.reason, objects };
    else if (unknown) out = { verdict: 'unknown', ...(unknown.c.layer ? { layer: unknown.c.layer } : {}), reason: unknown.c.reason, objects };
    else out = { verdict: 'restricts', ...(results[0].c.layer ? { layer: results[0].c.layer } : {}), reason: results[0].c.reason, objects };
    this.probeCache.set(key, out);
    return out;
  }
}

/** An observed internet connection of one workload, as findings hand it over. */
export interface WorldFlowObservationInput {
  /** The pod that opened it (its node decides the source Azure sees). */
  pod?: string;
  destinationIp: string;
  destinationPort: number;
  protocol: string;
  fqdn?: string;
  flowUuids: string[];
  flowCount: number;
}

function dedupe(objects: ObjectRef[]): ObjectRef[] {
  return [...new Map(objects.map((o) => [`${o.kind}/${o.id ?? o.name}`, o])).values()];
}
