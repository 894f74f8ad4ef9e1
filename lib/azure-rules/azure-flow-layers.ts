/**
 * The two Azure layers of one connection, for the three-layer strip (NSG / network policy / egress
 * firewall) and for CLI probes: what the NSGs decide, whether the firewall is on the path and what it
 * decides, each with the deciding rule. Network policy is the policy engine's; this module knows Azure.
 *
 * Addresses: with Azure CNI overlay, pod IPs are not VNet addresses; traffic leaving the cluster is
 * SNATed to the node IP, so Azure sees the node. Callers pass the node IPs of pod endpoints.
 */

import type { AzureFirewall, AzureSnapshot } from '../azure/types';
import { topologyOf, type AzureTopology } from './azure-topology';
import { egressPath, type EgressPath } from './egress-path';
import { evaluateFirewall, type FirewallRuleRef } from './firewall-evaluator';
import { evaluateNsg, PLATFORM_ADDRESSES, type LayerVerdict, type NsgVerdict } from './nsg-evaluator';

export interface AzureFlowInput {
  sourceIp: string;
  destinationIp: string;
  destinationPort: number;
  /** TCP, UDP or ICMP. */
  protocol: string;
  /** DNS name of the destination (Hubble's destination names, the DNS query), when known. */
  fqdn?: string;
  sourcePort?: number;
  /** Node of the source, when the source is a pod: Azure sees this address after SNAT. */
  sourceNodeIp?: string;
  /** Node of the destination, when the destination is a pod. */
  destinationNodeIp?: string;
}

export interface FirewallLayer {
  verdict: LayerVerdict;
  reason: string;
  firewall?: { id: string; name: string };
  decidingRule?: FirewallRuleRef;
  /** Service tags the firewall rules name that could not be expanded. */
  unresolvedTags?: string[];
  notes: string[];
}

export interface AzureFlowLayers {
  /** The addresses Azure evaluates (node IPs stand in for overlay pod IPs). */
  seenAs: { sourceIp: string; destinationIp: string };
  nsg: NsgVerdict;
  firewall: FirewallLayer;
  /** How the source subnet reaches the destination, when the source is in a known subnet. */
  egress?: EgressPath;
  /** Denied if any layer denies, unknown if any layer cannot tell, else allowed. */
  verdict: 'allowed' | 'denied' | 'unknown';
}

/** NSG and firewall verdicts, with deciding rules, for one connection as its initiator opened it. */
export function evaluateAzureFlow(snapshot: AzureSnapshot, flow: AzureFlowInput): AzureFlowLayers {
  const topology = topologyOf(snapshot);
  const bothPods = !!flow.sourceNodeIp && !!flow.destinationNodeIp && !topology.subnetOf(flow.sourceIp) && !topology.subnetOf(flow.destinationIp);
  const sourceIp = seenAddress(topology, flow.sourceIp, flow.sourceNodeIp);
  const destinationIp = seenAddress(topology, flow.destinationIp, flow.destinationNodeIp);
  const nsg: NsgVerdict = bothPods
    ? {
        verdict: 'not-on-path',
        reason: 'pod-to-pod traffic inside the cluster: NSGs do not see or filter it (AKS does not support blocking internal subnet traffic with NSGs); network policy decides',
        decisions: [],
        notes: [],
      }
    : evaluateNsg(topology, { sourceIp, destinationIp, destinationPort: flow.destinationPort, sourcePort: flow.sourcePort, protocol: flow.protocol });
  const sourceSubnet = topology.subnetOf(sourceIp);
  const routed = !bothPods && !PLATFORM_ADDRESSES.includes(destinationIp);
  const egress = sourceSubnet && routed ? egressPath(topology, sourceSubnet, destinationIp) : undefined;
  const firewall = firewallLayer(topology, egress, { ...flow, sourceIp, destinationIp }, bothPods);
  return { seenAs: { sourceIp, destinationIp }, nsg, firewall, egress, verdict: combine(nsg.verdict, firewall.verdict) };
}

function seenAddress(topology: AzureTopology, ip: string, nodeIp: string | undefined): string {
  return nodeIp && !topology.subnetOf(ip) ? nodeIp : ip;
}

function firewallLayer(topology: AzureTopology, egress: EgressPath | undefined, flow: AzureFlowInput, bothPods: boolean): FirewallLayer {
  if (bothPods) return { verdict: 'not-on-path', reason: 'pod-to-pod traffic stays inside the cluster', notes: [] };
  if (PLATFORM_ADDRESSES.includes(flow.destinationIp)) {
    // Azure DNS / IMDS are answered by the host; user-defined routes do not apply to them.
    return { verdict: 'not-on-path', reason: `${flow.destinationIp} is an Azure platform address, served by the host without routing`, notes: [] };
  }
  if (egress?.kind === 'blackhole') return { verdict: 'denied', reason: egress.explanation, notes: [] };
  if (egress?.kind === 'virtual-appliance') {
    // An appliance Flowsight cannot read may drop the traffic: not "not on the path", not "allowed".
    return { verdict: 'unknown', reason: `${egress.explanation}; its filtering is not evaluated (a firewall that failed to load shows up this way too)`, notes: [] };
  }
  const dnatFirewall = topology.snapshot.azureFirewalls.find((f) => f.publicIps.includes(flow.destinationIp));
  const firewall: AzureFirewall | undefined = egress?.kind === 'firewall' ? topology.firewallAt(egress.firewall?.privateIp) : dnatFirewall;
  if (!firewall) {
    const reason = egress ? `${egress.explanation}; no Azure Firewall on the path` : 'the source is outside the known subnets and the destination is not a firewall address';
    return { verdict: 'not-on-path', reason, notes: [] };
  }
  const v = evaluateFirewall(topology, firewall, {
    sourceIp: flow.sourceIp,
    destinationIp: flow.destinationIp,
    destinationPort: flow.destinationPort,
    protocol: flow.protocol,
    fqdn: flow.fqdn,
  });
  return {
    verdict: v.verdict,
    reason: v.reason,
    firewall: { id: firewall.id, name: firewall.name },
    decidingRule: v.decidingRule,
    ...(v.unresolvedTags ? { unresolvedTags: v.unresolvedTags } : {}),
    notes: v.notes,
  };
}

/** Denied if any layer denies (each must let the traffic through), unknown if any cannot tell. */
function combine(...verdicts: LayerVerdict[]): 'allowed' | 'denied' | 'unknown' {
  if (verdicts.includes('denied')) return 'denied';
  if (verdicts.includes('unknown')) return 'unknown';
  return 'allowed';
}
