/**
 * Azure NSG evaluation with IP-flow-verify semantics (network-security-group-how-it-works.md):
 * per NSG, rules by ascending priority, first match decides; inbound the subnet NSG then the NIC NSG,
 * outbound the NIC NSG then the subnet NSG; every NSG on the path must allow; no NSG allows.
 * NSGs are stateful: callers pass the flow as initiated, replies are never evaluated.
 */

import type { NetworkInterface, NetworkSecurityGroup, NsgAccess, NsgDirection, SecurityRule, Subnet, VirtualNetwork } from '../azure/types';
import { anyPortMatches, coversAllPorts, inAnyPrefix } from './azure-address';
import type { AzureTopology } from './azure-topology';
import { defaultRulesOf } from './nsg-default-rules';
import { matchNsgPrefix, type TagContext } from './nsg-service-tags';

/** A connection as its initiator opened it, with the addresses the NSG sees (node IPs, after DNAT). */
export interface NsgFlow {
  sourceIp: string;
  destinationIp: string;
  destinationPort: number;
  /** Unknown source ports match only rules that allow every source port. */
  sourcePort?: number;
  /** TCP, UDP, ICMP, ESP, AH (any case). */
  protocol: string;
}

export interface NsgRuleRef {
  nsgId: string;
  nsgName: string;
  ruleName: string;
  priority: number;
  direction: NsgDirection;
  access: NsgAccess;
  isDefault: boolean;
}

export interface NsgDecision {
  nsg: { id: string; name: string };
  attachedTo: 'subnet' | 'nic';
  /** The subnet or NIC the NSG is attached to. */
  target: { id: string; name: string };
  direction: NsgDirection;
  access: NsgAccess;
  rule: NsgRuleRef;
}

export type LayerVerdict = 'allowed' | 'denied' | 'not-on-path';

export interface NsgVerdict {
  verdict: LayerVerdict;
  /** One sentence: why this verdict. */
  reason: string;
  /** NSGs evaluated, in Azure's order (source outbound, then destination inbound); stops at a deny. */
  decisions: NsgDecision[];
  /** The denying rule, or when allowed the rule of the first NSG that allowed. */
  decidingRule?: NsgRuleRef;
  /** Things the evaluation could not know (unexpanded service tags, ASGs, the UDR trap). */
  notes: string[];
}

/** Addresses that bypass NSGs: host VIP (DNS, DHCP, health probes) and IMDS (how-it-works.md). */
export const PLATFORM_ADDRESSES = ['168.63.129.16', '169.254.169.254'];

/** Custom and default rules of one direction, in evaluation order. */
export function orderedRules(nsg: NetworkSecurityGroup, direction: NsgDirection): SecurityRule[] {
  return [...nsg.securityRules, ...defaultRulesOf(nsg)]
    .filter((r) => r.direction === direction)
    .sort((a, b) => a.priority - b.priority || Number(a.isDefault) - Number(b.isDefault));
}

export interface EffectiveNsg {
  nsg: { id: string; name: string };
  attachedTo: 'subnet' | 'nic';
  rules: SecurityRule[];
}

export interface EffectiveRules {
  target: { kind: 'subnet' | 'nic'; id: string; name: string };
  /** In evaluation order: subnet NSG then NIC NSG. */
  inbound: EffectiveNsg[];
  /** In evaluation order: NIC NSG then subnet NSG. */
  outbound: EffectiveNsg[];
}

/** The NSGs and ordered rules that apply to a subnet, or to a NIC (its own NSG plus its subnet's). */
export function effectiveRules(topology: AzureTopology, target: { subnetId: string } | { nicId: string }): EffectiveRules | undefined {
  let subnet: Subnet | undefined;
  let nic: NetworkInterface | undefined;
  if ('nicId' in target) {
    nic = topology.snapshot.networkInterfaces.find((n) => n.id.toLowerCase() === target.nicId.toLowerCase());
    if (!nic) return undefined;
    subnet = topology.subnet(nic.ipConfigurations.find((c) => c.subnetId)?.subnetId);
  } else {
    subnet = topology.subnet(target.subnetId);
    if (!subnet) return undefined;
  }
  const attached = attachedNsgs(topology, subnet, nic);
  const layer = (a: AttachedNsg, direction: NsgDirection): EffectiveNsg => ({ nsg: { id: a.nsg.id, name: a.nsg.name }, attachedTo: a.attachedTo, rules: orderedRules(a.nsg, direction) });
  return {
    target: nic ? { kind: 'nic', id: nic.id, name: nic.name } : { kind: 'subnet', id: subnet!.id, name: subnet!.name },
    inbound: attached.map((a) => layer(a, 'Inbound')),
    outbound: [...attached].reverse().map((a) => layer(a, 'Outbound')),
  };
}

interface AttachedNsg {
  nsg: NetworkSecurityGroup;
  attachedTo: 'subnet' | 'nic';
  target: { id: string; name: string };
}

/** Subnet NSG first, then NIC NSG: the inbound order. */
function attachedNsgs(topology: AzureTopology, subnet: Subnet | undefined, nic: NetworkInterface | undefined): AttachedNsg[] {
  const out: AttachedNsg[] = [];
  const subnetNsg = subnet && topology.subnetNsg(subnet);
  if (subnet && subnetNsg) out.push({ nsg: subnetNsg, attachedTo: 'subnet', target: { id: subnet.id, name: subnet.name } });
  const nicNsg = nic && topology.nicNsg(nic);
  if (nic && nicNsg) out.push({ nsg: nicNsg, attachedTo: 'nic', target: { id: nic.id, name: nic.name } });
  return out;
}

interface Endpoint {
  ip: string;
  subnet?: Subnet;
  vnet?: VirtualNetwork;
  nic?: NetworkInterface;
  asgIds: string[];
}

function locate(topology: AzureTopology, ip: string): Endpoint {
  const nicAt = topology.nicAt(ip);
  const subnet = topology.subnetOf(ip);
  return { ip, subnet, vnet: subnet && topology.vnetOf(subnet), nic: nicAt?.nic, asgIds: nicAt?.ipConfiguration.asgIds ?? [] };
}

function protocolMatches(ruleProtocol: string, flowProtocol: string): boolean {
  return ruleProtocol === '*' || ruleProtocol.toLowerCase() === 'any' || ruleProtocol.toLowerCase() === flowProtocol.toLowerCase();
}

function sideMatches(prefixes: string[], asgIds: string[], endpoint: Endpoint, ctx: TagContext, notes: Set<string>): boolean {
  if (asgIds.length > 0 && asgIds.some((id) => endpoint.asgIds.some((x) => x.toLowerCase() === id.toLowerCase()))) return true;
  for (const p of prefixes) {
    const m = matchNsgPrefix(p, endpoint.ip, ctx);
    if (m === 'match') return true;
    if (m === 'unresolved') notes.add(`service tag ${p} is not expanded offline; rules using it were treated as not matching`);
  }
  return false;
}

/** The first rule of the NSG (one direction) that matches the flow; the DenyAll default guarantees one. */
export function firstMatchingRule(nsg: NetworkSecurityGroup, direction: NsgDirection, flow: NsgFlow, ctx: TagContext, notes: Set<string> = new Set()): SecurityRule | undefined {
  const src = locate(ctx.topology, flow.sourceIp);
  const dst = locate(ctx.topology, flow.destinationIp);
  for (const r of orderedRules(nsg, direction)) {
    if (!protocolMatches(r.protocol, flow.protocol)) continue;
    if (!(flow.sourcePort === undefined ? coversAllPorts(r.sourcePorts) : anyPortMatches(r.sourcePorts, flow.sourcePort))) continue;
    if (!anyPortMatches(r.destinationPorts, flow.destinationPort)) continue;
    if (!sideMatches(r.sourcePrefixes, r.sourceAsgIds, src, ctx, notes)) continue;
    if (!sideMatches(r.destinationPrefixes, r.destinationAsgIds, dst, ctx, notes)) continue;
    noteUdrTrap(r, src, dst, ctx, notes);
    return r;
  }
  return undefined;
}

/** VirtualNetwork matching an address only through a UDR prefix is the documented trap: say so. */
function noteUdrTrap(r: SecurityRule, src: Endpoint, dst: Endpoint, ctx: TagContext, notes: Set<string>): void {
  if (!ctx.vnet) return;
  const own = [...ctx.vnet.addressPrefixes, ...ctx.vnet.peerings.flatMap((p) => p.remoteAddressPrefixes), '168.63.129.16/32'];
  for (const [prefixes, ep] of [[r.sourcePrefixes, src], [r.destinationPrefixes, dst]] as const) {
    if (prefixes.some((p) => p.toLowerCase() === 'virtualnetwork') && !inAnyPrefix(own, ep.ip)) {
      notes.add(
        `${r.name} matched ${ep.ip} through the VirtualNetwork tag only because a user-defined route prefix (e.g. 0.0.0.0/0) is part of the tag; add an explicit deny for Internet above priority ${r.priority}`,
      );
    }
  }
}

function ruleRef(nsg: NetworkSecurityGroup, r: SecurityRule): NsgRuleRef {
  return { nsgId: nsg.id, nsgName: nsg.name, ruleName: r.name, priority: r.priority, direction: r.direction, access: r.access, isDefault: r.isDefault };
}

/** Evaluates a connection against every NSG on its path, in Azure's order; the first deny ends it. */
export function evaluateNsg(topology: AzureTopology, flow: NsgFlow): NsgVerdict {
  const platform = PLATFORM_ADDRESSES.find((a) => a === flow.sourceIp || a === flow.destinationIp);
  if (platform) {
    return { verdict: 'allowed', reason: `${platform} is an Azure platform address; NSGs do not filter it`, decisions: [], notes: [] };
  }
  const src = locate(topology, flow.sourceIp);
  const dst = locate(topology, flow.destinationIp);
  if (!src.subnet && !dst.subnet) {
    return { verdict: 'not-on-path', reason: `neither ${flow.sourceIp} nor ${flow.destinationIp} is in a known subnet`, decisions: [], notes: [] };
  }
  const steps: { attached: AttachedNsg; direction: NsgDirection; vnet?: VirtualNetwork }[] = [];
  if (src.subnet) for (const a of [...attachedNsgs(topology, src.subnet, src.nic)].reverse()) steps.push({ attached: a, direction: 'Outbound', vnet: src.vnet });
  if (dst.subnet) for (const a of attachedNsgs(topology, dst.subnet, dst.nic)) steps.push({ attached: a, direction: 'Inbound', vnet: dst.vnet });
  if (steps.length === 0) {
    return { verdict: 'allowed', reason: 'no NSG is associated with the subnets or NICs on the path, so Azure allows the traffic', decisions: [], notes: [] };
  }
  const notes = new Set<string>();
  const decisions: NsgDecision[] = [];
  for (const { attached, direction, vnet } of steps) {
    const rule = firstMatchingRule(attached.nsg, direction, flow, { topology, vnet }, notes);
    if (!rule) continue; // unreachable with default rules present; kept so a malformed NSG cannot crash a page
    const ref = ruleRef(attached.nsg, rule);
    decisions.push({ nsg: { id: attached.nsg.id, name: attached.nsg.name }, attachedTo: attached.attachedTo, target: attached.target, direction, access: rule.access, rule: ref });
    if (rule.access === 'Deny') {
      return {
        verdict: 'denied',
        reason: `${direction.toLowerCase()} rule ${rule.name} (priority ${rule.priority}) of ${attached.attachedTo} NSG ${attached.nsg.name} denies it`,
        decisions,
        decidingRule: ref,
        notes: [...notes],
      };
    }
  }
  const names = decisions.map((d) => `${d.nsg.name}/${d.rule.ruleName}`).join(', ');
  return { verdict: 'allowed', reason: `allowed by every NSG on the path (${names})`, decisions, decidingRule: decisions[0]?.rule, notes: [...notes] };
}
