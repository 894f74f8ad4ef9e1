/**
 * Azure NSG evaluation with IP-flow-verify semantics (network-security-group-how-it-works.md):
 * per NSG, rules by ascending priority, first match decides; inbound the subnet NSG then the NIC NSG,
 * outbound the NIC NSG then the subnet NSG; every NSG on the path must allow; no NSG allows.
 * NSGs are stateful: callers pass the flow as initiated, replies are never evaluated.
 *
 * What cannot be known is said, never guessed: a rule naming a service tag whose ranges are not
 * loaded may or may not match, so both outcomes are followed; when they differ the NSG's verdict is
 * `unknown`, naming the tag. An NSG that a subnet or NIC references but the input lacks is unknown too.
 */

import type { NetworkInterface, NetworkSecurityGroup, NsgAccess, NsgDirection, SecurityRule, Subnet, VirtualNetwork } from '../azure/types';
import { anyPortMatches, coversAllPorts, inAnyPrefix } from './azure-address';
import { serviceTagIndex, unexpandedTagMessage } from './azure-service-tags';
import { AZURE_HOST_VIP, type AzureTopology } from './azure-topology';
import { defaultRulesOf } from './nsg-default-rules';
import { AZURE_IMDS, matchNsgPrefix, PLATFORM_TAGS, type TagContext } from './nsg-service-tags';

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
  /** `Unknown` when a rule naming an unexpandable service tag might match and would change the outcome. */
  access: NsgAccess | 'Unknown';
  /** The deciding rule; for an unknown NSG, the first rule whose match could not be decided. */
  rule: NsgRuleRef;
  /** Service tags (or ASGs) that could not be expanded for this NSG. */
  unresolved?: string[];
}

export type LayerVerdict = 'allowed' | 'denied' | 'not-on-path' | 'unknown';

export interface NsgVerdict {
  verdict: LayerVerdict;
  /** One sentence: why this verdict; for unknown, which tag or object is missing. */
  reason: string;
  /** NSGs evaluated, in Azure's order (source outbound, then destination inbound); stops at a deny. */
  decisions: NsgDecision[];
  /** The denying rule, or when allowed the rule of the first NSG that allowed. */
  decidingRule?: NsgRuleRef;
  /** Service tags that could not be expanded on the way (they make the verdict unknown when they matter). */
  unresolvedTags?: string[];
  /** Things worth knowing that did not change the verdict (the UDR trap, tags that did not matter). */
  notes: string[];
}

/** Addresses that bypass NSGs: host VIP (DNS, DHCP, health probes) and IMDS (how-it-works.md). */
export const PLATFORM_ADDRESSES = [AZURE_HOST_VIP, AZURE_IMDS];

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

/** A condition that could not be decided, and what to tell a person about it. */
interface Unresolved {
  /** The service tag, when that is what is missing. */
  tag?: string;
  what: string;
}

type SideMatch = 'match' | 'no-match' | Unresolved[];

function sideMatches(prefixes: string[], asgIds: string[], endpoint: Endpoint, ctx: TagContext): SideMatch {
  if (asgIds.length > 0 && asgIds.some((id) => endpoint.asgIds.some((x) => x.toLowerCase() === id.toLowerCase()))) return 'match';
  const unresolved: Unresolved[] = [];
  for (const p of prefixes) {
    const m = matchNsgPrefix(p, endpoint.ip, ctx);
    if (m === 'match') return 'match';
    if (m === 'unresolved') unresolved.push({ tag: p, what: unexpandedTagMessage(p, serviceTagIndex(ctx.topology.snapshot)) });
  }
  // ASG members are NICs: an address in a subnet whose NIC is not loaded may belong to one.
  if (asgIds.length > 0 && endpoint.subnet && !endpoint.nic) {
    unresolved.push({ what: `whether ${endpoint.ip} belongs to application security group ${asgIds.map((id) => id.split('/').pop()).join(', ')} is unknown: its NIC is not loaded` });
  }
  return unresolved.length ? unresolved : 'no-match';
}

/** A rule that matches for certain, or might match (an unexpandable tag decides). */
interface RuleMatch {
  rule: SecurityRule;
  unresolved: Unresolved[];
}

/**
 * The rules of one NSG direction that the flow meets: those that might match, in order, up to and
 * including the first that matches for certain (the DenyAll default guarantees one). `only` keeps
 * rules for which it returns true (platform traffic is filtered only by the platform-tag rules).
 */
export function matchingRules(nsg: NetworkSecurityGroup, direction: NsgDirection, flow: NsgFlow, ctx: TagContext, notes: Set<string> = new Set(), only?: (r: SecurityRule) => boolean): RuleMatch[] {
  const src = locate(ctx.topology, flow.sourceIp);
  const dst = locate(ctx.topology, flow.destinationIp);
  const out: RuleMatch[] = [];
  for (const r of orderedRules(nsg, direction)) {
    if (only && !only(r)) continue;
    if (!protocolMatches(r.protocol, flow.protocol)) continue;
    if (!(flow.sourcePort === undefined ? coversAllPorts(r.sourcePorts) : anyPortMatches(r.sourcePorts, flow.sourcePort))) continue;
    if (!anyPortMatches(r.destinationPorts, flow.destinationPort)) continue;
    const s = sideMatches(r.sourcePrefixes, r.sourceAsgIds, src, ctx);
    if (s === 'no-match') continue;
    const d = sideMatches(r.destinationPrefixes, r.destinationAsgIds, dst, ctx);
    if (d === 'no-match') continue;
    const unresolved = [...(s === 'match' ? [] : s), ...(d === 'match' ? [] : d)];
    out.push({ rule: r, unresolved });
    if (unresolved.length === 0) {
      noteUdrTrap(r, src, dst, ctx, notes);
      break;
    }
  }
  return out;
}

/** The first rule of the NSG (one direction) that matches the flow for certain. */
export function firstMatchingRule(nsg: NetworkSecurityGroup, direction: NsgDirection, flow: NsgFlow, ctx: TagContext, notes: Set<string> = new Set()): SecurityRule | undefined {
  return matchingRules(nsg, direction, flow, ctx, notes).find((m) => m.unresolved.length === 0)?.rule;
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

const describe = (r: SecurityRule) => `${r.direction.toLowerCase()} rule ${r.name} (priority ${r.priority})`;

/** One NSG's outcome: decided by a rule, or unknown because a possible match would change it. */
type NsgOutcome =
  | { kind: 'decided'; rule: SecurityRule; access: NsgAccess; undecidedBefore: RuleMatch[] }
  | { kind: 'unknown'; first: RuleMatch; decided?: SecurityRule; reason: string; unresolved: Unresolved[] }
  | { kind: 'none' };

function decideNsg(matches: RuleMatch[], nsgLabel: string): NsgOutcome {
  const decided = matches.find((m) => m.unresolved.length === 0)?.rule;
  const maybe = matches.filter((m) => m.unresolved.length > 0);
  if (maybe.length === 0) return decided ? { kind: 'decided', rule: decided, access: decided.access, undecidedBefore: [] } : { kind: 'none' };
  // Either a possible match decides or the flow falls through to `decided`: same access, same verdict.
  const accesses = new Set([...maybe.map((m) => m.rule.access), ...(decided ? [decided.access] : [])]);
  if (decided && accesses.size === 1) return { kind: 'decided', rule: decided, access: decided.access, undecidedBefore: maybe };
  const first = maybe[0];
  const unresolved = maybe.flatMap((m) => m.unresolved);
  const verb = (a: NsgAccess) => (a === 'Deny' ? 'denies' : 'allows');
  const otherwise = decided ? `otherwise ${describe(decided)} ${verb(decided.access)} it` : 'otherwise no rule decides';
  const reason = `${describe(first.rule)} of ${nsgLabel} ${verb(first.rule.access)} the traffic if it matches, ${otherwise}; ${first.unresolved.map((u) => u.what).join('; ')}`;
  return { kind: 'unknown', first, decided, reason, unresolved };
}

function uniqueTags(unresolved: Unresolved[]): string[] {
  return [...new Set(unresolved.map((u) => u.tag).filter((t): t is string => !!t))];
}

/** NSGs a subnet or NIC references that the input does not hold: their rules are unknown. */
function missingNsgs(topology: AzureTopology, subnet: Subnet | undefined, nic: NetworkInterface | undefined): string[] {
  const out: string[] = [];
  if (subnet?.networkSecurityGroupId && !topology.subnetNsg(subnet)) out.push(`NSG ${subnet.networkSecurityGroupId.split('/').pop()} of subnet ${subnet.name}`);
  if (nic?.networkSecurityGroupId && !topology.nicNsg(nic)) out.push(`NSG ${nic.networkSecurityGroupId.split('/').pop()} of NIC ${nic.name}`);
  return out;
}

/** Evaluates a connection against every NSG on its path, in Azure's order; a deny anywhere decides. */
export function evaluateNsg(topology: AzureTopology, flow: NsgFlow): NsgVerdict {
  const platform = PLATFORM_ADDRESSES.find((a) => a === flow.destinationIp);
  if (platform) return evaluatePlatformTraffic(topology, flow, platform);
  const src = locate(topology, flow.sourceIp);
  const dst = locate(topology, flow.destinationIp);
  if (!src.subnet && !dst.subnet) {
    return { verdict: 'not-on-path', reason: `neither ${flow.sourceIp} nor ${flow.destinationIp} is in a known subnet`, decisions: [], notes: [] };
  }
  const missing = [...(src.subnet ? missingNsgs(topology, src.subnet, src.nic) : []), ...(dst.subnet ? missingNsgs(topology, dst.subnet, dst.nic) : [])];
  const steps: { attached: AttachedNsg; direction: NsgDirection; vnet?: VirtualNetwork }[] = [];
  if (src.subnet) for (const a of [...attachedNsgs(topology, src.subnet, src.nic)].reverse()) steps.push({ attached: a, direction: 'Outbound', vnet: src.vnet });
  if (dst.subnet) for (const a of attachedNsgs(topology, dst.subnet, dst.nic)) steps.push({ attached: a, direction: 'Inbound', vnet: dst.vnet });
  if (steps.length === 0 && missing.length === 0) {
    return { verdict: 'allowed', reason: 'no NSG is associated with the subnets or NICs on the path, so Azure allows the traffic', decisions: [], notes: [] };
  }
  const notes = new Set<string>();
  const decisions: NsgDecision[] = [];
  const unknowns: string[] = missing.map((m) => `${m} is referenced but not in the input (not exported, or rejected as invalid), so its rules are unknown`);
  const unresolved: Unresolved[] = [];
  for (const { attached, direction, vnet } of steps) {
    const label = `${attached.attachedTo} NSG ${attached.nsg.name}`;
    const outcome = decideNsg(matchingRules(attached.nsg, direction, flow, { topology, vnet }, notes), label);
    if (outcome.kind === 'none') continue; // unreachable with default rules present; kept so a malformed NSG cannot crash a page
    const base = { nsg: { id: attached.nsg.id, name: attached.nsg.name }, attachedTo: attached.attachedTo, target: attached.target, direction };
    if (outcome.kind === 'unknown') {
      decisions.push({ ...base, access: 'Unknown', rule: ruleRef(attached.nsg, outcome.first.rule), unresolved: uniqueTags(outcome.unresolved) });
      unknowns.push(outcome.reason);
      unresolved.push(...outcome.unresolved);
      continue;
    }
    for (const m of outcome.undecidedBefore) {
      notes.add(`${describe(m.rule)} of ${label} names ${uniqueTags(m.unresolved).join(', ') || 'an unexpanded group'}, which could not be expanded; whether or not it matches, the NSG ${outcome.access === 'Deny' ? 'denies' : 'allows'} this traffic`);
    }
    const ref = ruleRef(attached.nsg, outcome.rule);
    decisions.push({ ...base, access: outcome.access, rule: ref });
    if (outcome.access === 'Deny') {
      // Every NSG must allow: one certain deny decides, whatever the NSGs before it could not tell.
      return { verdict: 'denied', reason: `${describe(outcome.rule)} of ${label} denies it`, decisions, decidingRule: ref, ...tagsField(unresolved), notes: [...notes] };
    }
  }
  if (unknowns.length > 0) {
    return { verdict: 'unknown', reason: unknowns.join('; '), decisions, ...tagsField(unresolved), notes: [...notes] };
  }
  const names = decisions.map((d) => `${d.nsg.name}/${d.rule.ruleName}`).join(', ');
  return { verdict: 'allowed', reason: `allowed by every NSG on the path (${names})`, decisions, decidingRule: decisions[0]?.rule, notes: [...notes] };
}

function tagsField(unresolved: Unresolved[]): { unresolvedTags?: string[] } {
  const tags = uniqueTags(unresolved);
  return tags.length ? { unresolvedTags: tags } : {};
}

/**
 * Traffic to the host VIP (DNS, DHCP, wire server) or IMDS is not filtered by NSG rules, except by
 * rules naming AzurePlatformDNS / AzurePlatformIMDS, which exist to deny it (network-security-groups-
 * overview.md, "Azure platform considerations"). Health probes come FROM the host VIP and take the
 * normal path: rules on AzureLoadBalancer (and `*`) apply to them.
 */
function evaluatePlatformTraffic(topology: AzureTopology, flow: NsgFlow, platform: string): NsgVerdict {
  const tag = platform === AZURE_HOST_VIP ? 'AzurePlatformDNS' : 'AzurePlatformIMDS';
  const bypass: NsgVerdict = {
    verdict: 'allowed',
    reason: `${platform} is an Azure platform address; NSGs filter traffic to it only through rules naming ${tag}, and none applies`,
    decisions: [],
    notes: [],
  };
  const src = locate(topology, flow.sourceIp);
  if (!src.subnet) return bypass;
  const namesPlatform = (r: SecurityRule) => r.destinationPrefixes.some((p) => PLATFORM_TAGS[p.trim().toLowerCase()] === platform);
  for (const a of [...attachedNsgs(topology, src.subnet, src.nic)].reverse()) {
    const m = matchingRules(a.nsg, 'Outbound', flow, { topology, vnet: src.vnet }, new Set(), namesPlatform).find((x) => x.unresolved.length === 0);
    if (m && m.rule.access === 'Deny') {
      const ref = ruleRef(a.nsg, m.rule);
      return {
        verdict: 'denied',
        reason: `${describe(m.rule)} of ${a.attachedTo} NSG ${a.nsg.name} names ${tag}, which blocks the platform service at ${platform}`,
        decisions: [{ nsg: { id: a.nsg.id, name: a.nsg.name }, attachedTo: a.attachedTo, target: a.target, direction: 'Outbound', access: 'Deny', rule: ref }],
        decidingRule: ref,
        notes: [],
      };
    }
  }
  return bypass;
}
