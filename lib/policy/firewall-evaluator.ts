/**
 * Azure Firewall rule processing (firewall/rule-processing.md, policy-rule-sets.md):
 * all DNAT rules, then all network rules, then all application rules, whatever the group priority;
 * within one type, base (parent) policy first, then rule collection group priority, then rule
 * collection priority. The first matching rule ends processing, so a network-rule match means the
 * application rules are never consulted. Nothing matched: denied (Azure Firewall's default).
 */

import type {
  ApplicationRule,
  AzureFirewall,
  FirewallAction,
  FirewallPolicy,
  FirewallRule,
  FirewallRuleCollection,
  FirewallRuleKind,
  NatRule,
  NetworkRule,
  RuleCollectionGroup,
} from '../azure/types';
import { addressMatches, anyPortMatches } from './azure-address';
import type { AzureTopology } from './azure-topology';
import { expandFqdnTag, fqdnMatches, normalizeFqdn } from './firewall-fqdn';

/** A connection reaching the firewall: source as the firewall sees it (node IP), destination, DNS name. */
export interface FirewallFlow {
  sourceIp: string;
  destinationIp: string;
  destinationPort: number;
  /** TCP, UDP or ICMP (any case). */
  protocol: string;
  /** The DNS name the client asked for (TLS SNI / HTTP Host), when known. */
  fqdn?: string;
  /** Http, Https or Mssql; inferred from the port (80, 443, 1433) when absent. */
  applicationProtocol?: string;
}

export interface FirewallRuleRef {
  firewall: { id: string; name: string };
  /** Set for Firewall Policy rules; classic rules live on the firewall itself. */
  policy?: { id: string; name: string };
  ruleCollectionGroup?: { name: string; priority: number };
  ruleCollection: { name: string; priority: number; kind: FirewallRuleKind };
  rule: string;
  action: FirewallAction;
}

export type FirewallVerdictKind = 'allowed' | 'denied' | 'unknown';

export interface FirewallVerdict {
  verdict: FirewallVerdictKind;
  reason: string;
  /** The matching rule; absent for the default deny. */
  decidingRule?: FirewallRuleRef;
  notes: string[];
}

export interface OrderedCollection {
  collection: FirewallRuleCollection;
  group?: RuleCollectionGroup;
  policy?: FirewallPolicy;
}

export interface OrderedRules {
  /** Where the rules come from: the attached policy (and its bases) or the classic collections. */
  mode: 'policy' | 'classic';
  nat: OrderedCollection[];
  network: OrderedCollection[];
  application: OrderedCollection[];
  notes: string[];
}

const byPriority = <T extends { priority: number }>(a: T, b: T) => a.priority - b.priority;

/** Policies from the root base policy down to `policy` (parents are processed first). */
function policyChain(topology: AzureTopology, policy: FirewallPolicy, notes: string[]): FirewallPolicy[] {
  const chain = [policy];
  const seen = new Set([policy.id.toLowerCase()]);
  let current = policy;
  while (current.basePolicyId) {
    const parent = topology.policy(current.basePolicyId);
    if (!parent) {
      notes.push(`base policy ${current.basePolicyId} of ${current.name} is not loaded; its rules (processed first) are missing`);
      break;
    }
    if (seen.has(parent.id.toLowerCase())) break;
    seen.add(parent.id.toLowerCase());
    chain.unshift(parent);
    current = parent;
  }
  return chain;
}

/** The firewall's rule collections in processing order, split by rule type. */
export function orderedRuleCollections(topology: AzureTopology, firewall: AzureFirewall): OrderedRules {
  const notes: string[] = [];
  const out: OrderedRules = { mode: firewall.firewallPolicyId ? 'policy' : 'classic', nat: [], network: [], application: [], notes };
  if (firewall.firewallPolicyId) {
    const policy = topology.policy(firewall.firewallPolicyId);
    if (!policy) {
      notes.push(`firewall policy ${firewall.firewallPolicyId} is not loaded; the firewall's rules are unknown`);
      return out;
    }
    for (const p of policyChain(topology, policy, notes)) {
      for (const group of [...p.ruleCollectionGroups].sort(byPriority)) {
        for (const collection of [...group.ruleCollections].sort(byPriority)) out[collection.kind].push({ collection, group, policy: p });
      }
    }
    return out;
  }
  for (const collection of [...firewall.natRuleCollections].sort(byPriority)) out.nat.push({ collection });
  for (const collection of [...firewall.networkRuleCollections].sort(byPriority)) out.network.push({ collection });
  for (const collection of [...firewall.applicationRuleCollections].sort(byPriority)) out.application.push({ collection });
  return out;
}

function protocolListMatches(protocols: string[], protocol: string): boolean {
  const p = protocol.toUpperCase();
  return protocols.some((x) => {
    const u = x.toUpperCase();
    return u === 'ANY' || u === '*' || u === p;
  });
}

function sourceMatches(rule: { sourceAddresses: string[]; sourceIpGroups: string[] }, ip: string, notes: Set<string>): boolean {
  if (rule.sourceIpGroups.length > 0) notes.add('IP groups are not loaded; rules using them as source were treated as not matching by group');
  return rule.sourceAddresses.some((a) => addressMatches(a, ip) === true);
}

function destinationAddressMatches(addresses: string[], ip: string, notes: Set<string>): boolean {
  for (const a of addresses) {
    const m = addressMatches(a, ip);
    if (m === true) return true;
    if (m === undefined) notes.add(`service tag ${a} in a network rule is not expanded offline; treated as not matching`);
  }
  return false;
}

function matchesNetworkRule(rule: NetworkRule, flow: FirewallFlow, dnsProxy: boolean, notes: Set<string>): boolean {
  if (!protocolListMatches(rule.protocols, flow.protocol)) return false;
  if (!anyPortMatches(rule.destinationPorts, flow.destinationPort)) return false;
  if (!sourceMatches(rule, flow.sourceIp, notes)) return false;
  if (destinationAddressMatches(rule.destinationAddresses, flow.destinationIp, notes)) return true;
  if (rule.destinationIpGroups.length > 0) notes.add('IP groups are not loaded; rules using them as destination were treated as not matching by group');
  if (rule.destinationFqdns.length > 0 && flow.fqdn && rule.destinationFqdns.some((f) => fqdnMatches(f, flow.fqdn!))) {
    // Network-rule FQDNs resolve through the firewall's DNS proxy; without it they never match.
    if (dnsProxy) return true;
    notes.add(`network rule ${rule.name} uses FQDNs but DNS proxy is not enabled, so they do not match`);
  }
  return false;
}

function matchesNatRule(rule: NatRule, flow: FirewallFlow, notes: Set<string>): boolean {
  return (
    protocolListMatches(rule.protocols, flow.protocol) &&
    anyPortMatches(rule.destinationPorts, flow.destinationPort) &&
    sourceMatches(rule, flow.sourceIp, notes) &&
    destinationAddressMatches(rule.destinationAddresses, flow.destinationIp, notes)
  );
}

const PORT_PROTOCOL: Record<number, string> = { 80: 'http', 443: 'https', 1433: 'mssql' };

type AppMatch = 'match' | 'no-match' | 'needs-fqdn';

function matchesApplicationRule(rule: ApplicationRule, flow: FirewallFlow, location: string | undefined, notes: Set<string>): AppMatch {
  // Application rules see only HTTP(S)/MSSQL over TCP (rule-processing.md).
  if (flow.protocol.toUpperCase() !== 'TCP') return 'no-match';
  const appProtocol = (flow.applicationProtocol ?? PORT_PROTOCOL[flow.destinationPort])?.toLowerCase();
  const portOk = rule.protocols.some((p) => p.port === flow.destinationPort && (!appProtocol || p.type.toLowerCase() === appProtocol));
  if (!portOk) return 'no-match';
  if (!sourceMatches(rule, flow.sourceIp, notes)) return 'no-match';
  const patterns = [...rule.targetFqdns];
  for (const tag of rule.fqdnTags) {
    const expanded = expandFqdnTag(tag, location);
    if (expanded) patterns.push(...expanded);
    else notes.add(`FQDN tag ${tag} is not expanded offline; treated as not matching`);
  }
  if (rule.targetUrls.length > 0 || rule.webCategories.length > 0) notes.add(`rule ${rule.name} uses target URLs or web categories, which are not evaluated`);
  if (patterns.some((p) => normalizeFqdn(p) === '*')) return 'match';
  if (!flow.fqdn) return patterns.length > 0 ? 'needs-fqdn' : 'no-match';
  return patterns.some((p) => fqdnMatches(p, flow.fqdn!)) ? 'match' : 'no-match';
}

function ref(firewall: AzureFirewall, entry: OrderedCollection, rule: FirewallRule): FirewallRuleRef {
  return {
    firewall: { id: firewall.id, name: firewall.name },
    policy: entry.policy && { id: entry.policy.id, name: entry.policy.name },
    ruleCollectionGroup: entry.group && { name: entry.group.name, priority: entry.group.priority },
    ruleCollection: { name: entry.collection.name, priority: entry.collection.priority, kind: entry.collection.kind },
    rule: rule.name,
    action: entry.collection.action,
  };
}

function describeRule(r: FirewallRuleRef): string {
  const where = r.ruleCollectionGroup ? `${r.ruleCollectionGroup.name} / ${r.ruleCollection.name}` : r.ruleCollection.name;
  return `${r.ruleCollection.kind} rule ${r.rule} in ${where}`;
}

/** Would the firewall let this connection through, and by which rule. */
export function evaluateFirewall(topology: AzureTopology, firewall: AzureFirewall, flow: FirewallFlow): FirewallVerdict {
  const ordered = orderedRuleCollections(topology, firewall);
  const notes = new Set<string>(ordered.notes);
  const policyMissing = ordered.mode === 'policy' && !topology.policy(firewall.firewallPolicyId);
  if (policyMissing) return { verdict: 'unknown', reason: `the firewall's policy is not loaded`, notes: [...notes] };

  for (const entry of ordered.nat) {
    const rule = entry.collection.rules.find((r) => r.kind === 'nat' && matchesNatRule(r, flow, notes));
    if (rule) {
      const decidingRule = ref(firewall, entry, rule);
      return { verdict: 'allowed', reason: `${describeRule(decidingRule)} translates it (DNAT adds an implicit allow)`, decidingRule, notes: [...notes] };
    }
  }
  const dnsProxy = attachedPolicy(topology, firewall)?.dnsProxyEnabled ?? false;
  for (const entry of ordered.network) {
    const rule = entry.collection.rules.find((r) => r.kind === 'network' && matchesNetworkRule(r, flow, dnsProxy, notes));
    if (rule) {
      const decidingRule = ref(firewall, entry, rule);
      const verb = decidingRule.action === 'Deny' ? 'denies' : 'allows';
      return { verdict: decidingRule.action === 'Deny' ? 'denied' : 'allowed', reason: `${describeRule(decidingRule)} ${verb} it; application rules are not consulted after a network match`, decidingRule, notes: [...notes] };
    }
  }
  let needsFqdn = false;
  for (const entry of ordered.application) {
    for (const rule of entry.collection.rules) {
      if (rule.kind !== 'application') continue;
      const m = matchesApplicationRule(rule, flow, firewall.location, notes);
      if (m === 'needs-fqdn') needsFqdn = true;
      if (m !== 'match') continue;
      if (needsFqdn) {
        // An earlier rule might have matched had we known the name: do not claim this one decided.
        return { verdict: 'unknown', reason: 'the DNS name of the destination is unknown and an application rule before the first match depends on it', notes: [...notes] };
      }
      const decidingRule = ref(firewall, entry, rule);
      const verb = decidingRule.action === 'Deny' ? 'denies' : 'allows';
      return { verdict: decidingRule.action === 'Deny' ? 'denied' : 'allowed', reason: `${describeRule(decidingRule)} ${verb} ${flow.fqdn ?? flow.destinationIp}`, decidingRule, notes: [...notes] };
    }
  }
  if (needsFqdn) {
    return { verdict: 'unknown', reason: 'no network rule matched and the application rules need the destination DNS name, which is unknown', notes: [...notes] };
  }
  // Azure's built-in infrastructure collection (platform storage, diagnostics) is not modelled.
  return { verdict: 'denied', reason: 'no rule matched; Azure Firewall denies by default', notes: [...notes] };
}

function attachedPolicy(topology: AzureTopology, firewall: AzureFirewall): FirewallPolicy | undefined {
  return topology.policy(firewall.firewallPolicyId);
}
