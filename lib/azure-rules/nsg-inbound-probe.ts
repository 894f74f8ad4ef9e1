/**
 * Can the internet open a connection through an NSG's inbound Allow rule? Answered by evaluating probes
 * from internet addresses through every NSG on the inbound path, with IP-flow-verify semantics
 * (network-security-groups-overview.md: rules by priority, the first match decides and processing stops;
 * network-security-group-how-it-works.md: inbound, the subnet NSG first, then the NIC NSG, both must allow).
 * A higher-priority Deny shadows the Allow for the ports it covers; a Deny in the other NSG blocks it too.
 *
 * Unlike `evaluateNsg`, the destination may lie outside the subnets: AKS load-balancer rules name the
 * service's frontend IP (floating IP), which reaches the nodes with that destination address.
 */

import type { NetworkInterface, NetworkSecurityGroup, SecurityRule, Subnet } from '../azure/types';
import { anyPortMatches, coversAllPorts, coversEverything, firstAssignableAddress, isAddressLiteral, prefixLength } from './azure-address';
import { isIp } from '../net/ip';
import type { AzureTopology } from './azure-topology';
import { matchingRules, type NsgFlow } from './nsg-evaluator';
import type { TagContext } from './nsg-service-tags';

/** Internet hosts (RFC 5737 documentation ranges, which the Internet tag covers): several, so one rule for one range cannot hide the rest. */
export const INBOUND_PROBE_SOURCES = ['203.0.113.200', '198.51.100.200', '192.0.2.200'] as const;

/** Ports tried for a rule open on every port: management first (they decide the severity), then common services. */
const ALL_PORT_PROBES = [22, 3389, 443, 80, 445, 1433, 5985, 10250, 1, 65535];
export const MANAGEMENT_PORTS = [22, 3389];

/** One place the NSG applies: a subnet it is attached to (with one NIC there, if any), or a NIC. */
interface Attachment {
  kind: 'subnet' | 'nic' | 'none';
  name: string;
  subnet?: Subnet;
  nic?: NetworkInterface;
}

export interface ProbeOutcome {
  port: number;
  sourceIp: string;
  destinationIp: string;
  /** Where the probe went in (subnet or NIC name). */
  via: string;
  /**
   * admitted: the candidate rule decided and every other NSG on the path allowed; uncertain: it would, unless
   * a rule naming a service tag or group that is not loaded (or an NSG missing from the input) decides.
   */
  outcome: 'admitted' | 'uncertain' | 'shadowed' | 'blocked' | 'other-allow';
  /** The rule that decided instead of the candidate (shadowed / other-allow), or the NSG rule that blocked. */
  by?: { nsg: string; rule: string; priority: number };
  /** For uncertain: what is not known. */
  why?: string;
}

export interface InboundExposure {
  nsg: NetworkSecurityGroup;
  rule: SecurityRule;
  /** False when the NSG is attached to no subnet and no NIC: it filters nothing today. */
  attached: boolean;
  protocol: 'Tcp' | 'Udp' | 'Icmp';
  /** Probes the rule admitted (an internet host got in through it). */
  admitted: ProbeOutcome[];
  /** Probes the rule admits unless an unknown (unloaded tag, missing NSG) rule decides otherwise. */
  uncertain: ProbeOutcome[];
  /** Probes a higher-priority rule of the same NSG decided, or another NSG on the path denied. */
  stopped: ProbeOutcome[];
  /** The rule covers every port and every probe port got in. */
  everyPort: boolean;
  notes: string[];
}

/** Custom inbound Allow rules whose source is the whole internet, each evaluated with internet probes. */
export function internetInboundExposures(topology: AzureTopology): InboundExposure[] {
  const out: InboundExposure[] = [];
  for (const nsg of topology.snapshot.networkSecurityGroups) {
    for (const rule of nsg.securityRules) {
      if (rule.direction !== 'Inbound' || rule.access !== 'Allow' || !coversEverything(rule.sourcePrefixes)) continue;
      out.push(probeRule(topology, nsg, rule));
    }
  }
  return out;
}

function attachmentsOf(topology: AzureTopology, nsg: NetworkSecurityGroup): Attachment[] {
  const id = nsg.id.toLowerCase();
  const out: Attachment[] = [];
  const nics = topology.snapshot.networkInterfaces;
  for (const subnet of topology.subnets) {
    if (topology.subnetNsg(subnet)?.id.toLowerCase() !== id) continue;
    const inSubnet = nics.filter((n) => n.ipConfigurations.some((c) => c.subnetId?.toLowerCase() === subnet.id.toLowerCase()));
    // Every NIC of the subnet may carry its own NSG: probe through each distinct one (and a NIC without).
    const byNicNsg = new Map<string, NetworkInterface>();
    for (const n of inSubnet) {
      const k = topology.nicNsg(n)?.id.toLowerCase() ?? '';
      if (!byNicNsg.has(k)) byNicNsg.set(k, n);
    }
    if (byNicNsg.size === 0) out.push({ kind: 'subnet', name: subnet.name, subnet });
    for (const nic of byNicNsg.values()) out.push({ kind: 'subnet', name: subnet.name, subnet, nic });
  }
  for (const nic of nics) {
    if (topology.nicNsg(nic)?.id.toLowerCase() !== id) continue;
    const subnet = topology.subnet(nic.ipConfigurations.find((c) => c.subnetId)?.subnetId);
    out.push({ kind: 'nic', name: nic.name, nic, ...(subnet ? { subnet } : {}) });
  }
  return out;
}

/** An NSG on the inbound path, or one a subnet or NIC references that the input lacks. */
type ChainEntry = { nsg: NetworkSecurityGroup } | { missing: string };

/** Inbound order: the subnet NSG, then the NIC NSG. */
function inboundChain(topology: AzureTopology, a: Attachment, nsg: NetworkSecurityGroup): ChainEntry[] {
  if (a.kind === 'none') return [{ nsg }];
  const chain: ChainEntry[] = [];
  const subnetNsg = a.subnet && topology.subnetNsg(a.subnet);
  if (subnetNsg) chain.push({ nsg: subnetNsg });
  else if (a.subnet?.networkSecurityGroupId) chain.push({ missing: `NSG ${a.subnet.networkSecurityGroupId.split('/').pop()} of subnet ${a.subnet.name}` });
  const nicNsg = a.nic && topology.nicNsg(a.nic);
  if (nicNsg && nicNsg.id.toLowerCase() !== subnetNsg?.id.toLowerCase()) chain.push({ nsg: nicNsg });
  else if (!nicNsg && a.nic?.networkSecurityGroupId) chain.push({ missing: `NSG ${a.nic.networkSecurityGroupId.split('/').pop()} of NIC ${a.nic.name}` });
  return chain;
}

/** An address the rule's destination covers, on this attachment when the rule names no literal address. */
function destinationFor(topology: AzureTopology, rule: SecurityRule, a: Attachment): string | undefined {
  if (rule.destinationAsgIds.length > 0) {
    const asgs = new Set(rule.destinationAsgIds.map((x) => x.toLowerCase()));
    const nic = topology.snapshot.networkInterfaces.find((n) => n.ipConfigurations.some((c) => c.privateIp && c.asgIds.some((x) => asgs.has(x.toLowerCase()))));
    return nic?.ipConfigurations.find((c) => c.privateIp)?.privateIp;
  }
  const literal = rule.destinationPrefixes.find((p) => isAddressLiteral(p) && p !== '0.0.0.0/0');
  if (literal && !coversEverything(rule.destinationPrefixes)) {
    if (isIp(literal)) return literal;
    const base = literal.split('/')[0];
    return prefixLength(literal) >= 30 ? base : firstAssignableAddress(literal) ?? base;
  }
  const nicIp = a.nic?.ipConfigurations.find((c) => c.privateIp)?.privateIp;
  return nicIp ?? a.subnet?.addressPrefixes.map(firstAssignableAddress).find((x): x is string => !!x) ?? '10.0.0.4';
}

function portsFor(rule: SecurityRule): number[] {
  if (coversAllPorts(rule.destinationPorts)) return ALL_PORT_PROBES;
  const ports = new Set<number>();
  for (const p of MANAGEMENT_PORTS) if (anyPortMatches(rule.destinationPorts, p)) ports.add(p);
  for (const expr of rule.destinationPorts) {
    const [lo, hi] = String(expr).split('-').map((x) => Number(x.trim()));
    if (Number.isFinite(lo)) ports.add(lo);
    if (Number.isFinite(hi)) ports.add(hi);
  }
  return [...ports];
}

function protocolFor(rule: SecurityRule): InboundExposure['protocol'] {
  const p = rule.protocol.toLowerCase();
  return p === 'udp' ? 'Udp' : p === 'icmp' ? 'Icmp' : 'Tcp';
}

function probeRule(topology: AzureTopology, nsg: NetworkSecurityGroup, rule: SecurityRule): InboundExposure {
  const attachments = attachmentsOf(topology, nsg);
  const attached = attachments.length > 0;
  const protocol = protocolFor(rule);
  const ports = protocol === 'Icmp' ? [0] : portsFor(rule);
  const admitted: ProbeOutcome[] = [];
  const uncertain: ProbeOutcome[] = [];
  const stopped: ProbeOutcome[] = [];
  const notes = new Set<string>();
  for (const a of attached ? attachments : [{ kind: 'none' as const, name: '(not attached)' }]) {
    const destinationIp = destinationFor(topology, rule, a);
    if (!destinationIp) {
      notes.add(`rule ${rule.name} targets application security groups with no known member: it was not probed`);
      continue;
    }
    const vnet = a.subnet ? topology.vnetOf(a.subnet) : undefined;
    const chain = inboundChain(topology, a, nsg);
    for (const port of ports) {
      for (const sourceIp of INBOUND_PROBE_SOURCES) {
        const flow: NsgFlow = { sourceIp, destinationIp, destinationPort: port, protocol };
        const outcome = evaluateChain(chain, nsg, rule, flow, { topology, vnet }, notes);
        const probe: ProbeOutcome = { port, sourceIp, destinationIp, via: a.name, ...outcome };
        if (outcome.outcome === 'admitted') admitted.push(probe);
        else if (outcome.outcome === 'uncertain') uncertain.push(probe);
        else stopped.push(probe);
      }
    }
  }
  const admittedPorts = new Set(admitted.map((p) => p.port));
  return { nsg, rule, attached, protocol, admitted, uncertain, stopped, everyPort: coversAllPorts(rule.destinationPorts) && ports.every((p) => admittedPorts.has(p)), notes: [...notes] };
}

type Match = ReturnType<typeof matchingRules>[number];

/**
 * One NSG's answer for the probe: the first rule that matches for certain, and the rules before it that
 * might match (a service tag or group not loaded). A possible match with another access makes it uncertain.
 */
function decide(nsg: NetworkSecurityGroup, flow: NsgFlow, ctx: TagContext, notes: Set<string>): { rule?: SecurityRule; doubt?: Match } {
  const matches = matchingRules(nsg, 'Inbound', flow, ctx, notes);
  const rule = matches.find((m) => m.unresolved.length === 0)?.rule;
  const doubt = matches.find((m) => m.unresolved.length > 0 && (!rule || m.rule.access !== rule.access));
  return { ...(rule ? { rule } : {}), ...(doubt ? { doubt } : {}) };
}

function evaluateChain(chain: ChainEntry[], nsg: NetworkSecurityGroup, candidate: SecurityRule, flow: NsgFlow, ctx: TagContext, notes: Set<string>): Pick<ProbeOutcome, 'outcome' | 'by' | 'why'> {
  let decidedByCandidate = false;
  let uncertain: Pick<ProbeOutcome, 'outcome' | 'by' | 'why'> | undefined;
  for (const entry of chain) {
    if ('missing' in entry) {
      uncertain ??= { outcome: 'uncertain', why: `${entry.missing} is not in the Azure input, so its rules are unknown` };
      continue;
    }
    const n = entry.nsg;
    const { rule, doubt } = decide(n, flow, ctx, notes);
    if (!rule) continue;
    const by = { nsg: n.name, rule: rule.name, priority: rule.priority };
    if (rule.access === 'Deny' && !doubt) return { outcome: n.id.toLowerCase() === nsg.id.toLowerCase() ? 'shadowed' : 'blocked', by };
    if (doubt) {
      uncertain ??= { outcome: 'uncertain', by: { nsg: n.name, rule: doubt.rule.name, priority: doubt.rule.priority }, why: `${n.name}/${doubt.rule.name} (priority ${doubt.rule.priority}) ${doubt.rule.access === 'Deny' ? 'denies' : 'allows'} it if it matches: ${doubt.unresolved.map((u) => u.what).join('; ')}` };
      if (rule.access === 'Deny') continue;
    }
    if (n.id.toLowerCase() === nsg.id.toLowerCase()) {
      if (rule.name !== candidate.name) return { outcome: 'other-allow', by };
      decidedByCandidate = true;
    }
  }
  if (!decidedByCandidate) return uncertain ?? { outcome: 'other-allow' };
  return uncertain ?? { outcome: 'admitted' };
}
