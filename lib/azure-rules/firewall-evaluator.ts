/**
 * Azure Firewall rule processing (firewall/rule-processing.md, policy-rule-sets.md):
 * all DNAT rules, then all network rules, then all application rules, whatever the group priority;
 * within one type, base (parent) policy first, then rule collection group priority, then rule
 * collection priority. The first matching rule ends processing, so a network-rule match means the
 * application rules are never consulted. Nothing matched: denied (Azure Firewall's default).
 *
 * A rule whose match cannot be decided (a service tag whose ranges are not loaded, an IP group, an
 * application rule without the destination name) may or may not end processing: both outcomes are
 * followed, and when they differ the verdict is `unknown`, naming what is missing.
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
import { serviceTagIndex, unexpandedTagMessage, type ServiceTagIndex } from './azure-service-tags';
import type { AzureTopology } from './azure-topology';
import { normalizeDnsName } from '../match/dns-name';
import { expandFqdnTag, fqdnMatches } from './firewall-fqdn';

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
  /** The matching rule; absent for the default deny and when unknown. */
  decidingRule?: FirewallRuleRef;
  /** Service tags that could not be expanded on the way (they make the verdict unknown when they matter). */
  unresolvedTags?: string[];
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

/** Something that keeps a rule's match undecided, said so a person can fix it. */
interface Unresolved {
  tag?: string;
  what: string;
}

/** Matches for certain, does not match, or might match (the unresolved items decide). */
type Match = 'match' | 'no-match' | Unresolved[];

function anyOf(results: Match[]): Match {
  if (results.includes('match')) return 'match';
  const unresolved = results.flatMap((r) => (Array.isArray(r) ? r : []));
  return unresolved.length ? unresolved : 'no-match';
}

function allOf(results: Match[]): Match {
  if (results.includes('no-match')) return 'no-match';
  const unresolved = results.flatMap((r) => (Array.isArray(r) ? r : []));
  return unresolved.length ? unresolved : 'match';
}

interface MatchContext {
  tags: ServiceTagIndex;
  dnsProxy: boolean;
  location?: string;
  notes: Set<string>;
}

/** One address of a rule: a literal, or a service tag looked up in the published ranges. */
function addressMatch(address: string, ip: string, ctx: MatchContext): Match {
  const literal = addressMatches(address, ip);
  if (literal !== undefined) return literal ? 'match' : 'no-match';
  const published = ctx.tags.contains(address, ip);
  if (published === undefined) return [{ tag: address, what: unexpandedTagMessage(address, ctx.tags) }];
  return published ? 'match' : 'no-match';
}

/** IP groups (Microsoft.Network/ipGroups) are not read: a rule using one might match. */
function ipGroupMatch(groups: string[]): Match {
  return groups.length ? groups.map((g) => ({ what: `IP group ${g.split('/').pop()} is not loaded, so whether it holds the address is unknown` })) : 'no-match';
}

function sourceMatch(rule: { sourceAddresses: string[]; sourceIpGroups: string[] }, ip: string, ctx: MatchContext): Match {
  return anyOf([...rule.sourceAddresses.map((a) => addressMatch(a, ip, ctx)), ipGroupMatch(rule.sourceIpGroups)]);
}

function matchesNetworkRule(rule: NetworkRule, flow: FirewallFlow, ctx: MatchContext): Match {
  if (!protocolListMatches(rule.protocols, flow.protocol)) return 'no-match';
  if (!anyPortMatches(rule.destinationPorts, flow.destinationPort)) return 'no-match';
  let fqdn: Match = 'no-match';
  if (rule.destinationFqdns.length > 0 && flow.fqdn && rule.destinationFqdns.some((f) => fqdnMatches(f, flow.fqdn!))) {
    // Network-rule FQDNs resolve through the firewall's DNS proxy; without it they never match.
    if (ctx.dnsProxy) fqdn = 'match';
    else ctx.notes.add(`network rule ${rule.name} uses FQDNs but DNS proxy is not enabled, so they do not match`);
  }
  const destination = anyOf([...rule.destinationAddresses.map((a) => addressMatch(a, flow.destinationIp, ctx)), ipGroupMatch(rule.destinationIpGroups), fqdn]);
  return allOf([sourceMatch(rule, flow.sourceIp, ctx), destination]);
}

function matchesNatRule(rule: NatRule, flow: FirewallFlow, ctx: MatchContext): Match {
  if (!protocolListMatches(rule.protocols, flow.protocol) || !anyPortMatches(rule.destinationPorts, flow.destinationPort)) return 'no-match';
  return allOf([sourceMatch(rule, flow.sourceIp, ctx), anyOf(rule.destinationAddresses.map((a) => addressMatch(a, flow.destinationIp, ctx)))]);
}

const PORT_PROTOCOL: Record<number, string> = { 80: 'http', 443: 'https', 1433: 'mssql' };

function matchesApplicationRule(rule: ApplicationRule, flow: FirewallFlow, ctx: MatchContext): Match {
  // Application rules see only HTTP(S)/MSSQL over TCP (rule-processing.md).
  if (flow.protocol.toUpperCase() !== 'TCP') return 'no-match';
  const appProtocol = (flow.applicationProtocol ?? PORT_PROTOCOL[flow.destinationPort])?.toLowerCase();
  const portOk = rule.protocols.some((p) => p.port === flow.destinationPort && (!appProtocol || p.type.toLowerCase() === appProtocol));
  if (!portOk) return 'no-match';
  const source = sourceMatch(rule, flow.sourceIp, ctx);
  if (source === 'no-match') return 'no-match';
  const patterns = [...rule.targetFqdns];
  const unresolved: Unresolved[] = [];
  for (const tag of rule.fqdnTags) {
    const expanded = expandFqdnTag(tag, ctx.location);
    if (expanded) patterns.push(...expanded);
    else unresolved.push({ what: `FQDN tag ${tag} is not expanded offline` });
  }
  if (rule.targetUrls.length > 0 || rule.webCategories.length > 0) ctx.notes.add(`rule ${rule.name} uses target URLs or web categories, which are not evaluated`);
  let target: Match;
  if (patterns.some((p) => normalizeDnsName(p) === '*')) target = 'match';
  else if (!flow.fqdn) target = patterns.length > 0 || unresolved.length > 0 ? [{ what: 'the DNS name of the destination is unknown and an application rule depends on it' }] : 'no-match';
  else target = patterns.some((p) => fqdnMatches(p, flow.fqdn!)) ? 'match' : unresolved.length ? unresolved : 'no-match';
  return allOf([source, target]);
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

const verdictOf = (action: FirewallAction): 'allowed' | 'denied' => (action === 'Deny' ? 'denied' : 'allowed');

interface Candidate {
  verdict: 'allowed' | 'denied';
  decidingRule?: FirewallRuleRef;
  reason: string;
}

/** Would the firewall let this connection through, and by which rule. */
export function evaluateFirewall(topology: AzureTopology, firewall: AzureFirewall, flow: FirewallFlow): FirewallVerdict {
  const ordered = orderedRuleCollections(topology, firewall);
  const notes = new Set<string>(ordered.notes);
  const policyMissing = ordered.mode === 'policy' && !topology.policy(firewall.firewallPolicyId);
  if (policyMissing) return { verdict: 'unknown', reason: `the firewall's policy is not loaded`, notes: [...notes] };
  const missingGroups = unloadedGroups(topology, firewall);
  if (missingGroups.length) {
    return { verdict: 'unknown', reason: `rule collection group ${missingGroups.join(', ')} of the firewall policy is not loaded (not exported, or rejected as invalid), so its rules are unknown`, notes: [...notes] };
  }

  const ctx: MatchContext = { tags: serviceTagIndex(topology.snapshot), dnsProxy: attachedPolicy(topology, firewall)?.dnsProxyEnabled ?? false, location: firewall.location, notes };
  // Rules that might have matched before the deciding one, each with what kept it undecided.
  const undecided: { candidate: Candidate; unresolved: Unresolved[] }[] = [];
  const phases: { entries: OrderedCollection[]; match: (rule: FirewallRule) => Match; describe: (r: FirewallRuleRef) => string }[] = [
    { entries: ordered.nat, match: (r) => (r.kind === 'nat' ? matchesNatRule(r, flow, ctx) : 'no-match'), describe: (r) => `${describeRule(r)} translates it (DNAT adds an implicit allow)` },
    {
      entries: ordered.network,
      match: (r) => (r.kind === 'network' ? matchesNetworkRule(r, flow, ctx) : 'no-match'),
      describe: (r) => `${describeRule(r)} ${r.action === 'Deny' ? 'denies' : 'allows'} it; application rules are not consulted after a network match`,
    },
    {
      entries: ordered.application,
      match: (r) => (r.kind === 'application' ? matchesApplicationRule(r, flow, ctx) : 'no-match'),
      describe: (r) => `${describeRule(r)} ${r.action === 'Deny' ? 'denies' : 'allows'} ${flow.fqdn ?? flow.destinationIp}`,
    },
  ];
  for (const phase of phases) {
    for (const entry of phase.entries) {
      for (const rule of entry.collection.rules) {
        const m = phase.match(rule);
        if (m === 'no-match') continue;
        const decidingRule = ref(firewall, entry, rule);
        const candidate: Candidate = { verdict: entry.collection.kind === 'nat' ? 'allowed' : verdictOf(entry.collection.action), decidingRule, reason: phase.describe(decidingRule) };
        if (m === 'match') return settle(candidate, undecided, notes);
        undecided.push({ candidate, unresolved: m });
      }
    }
  }
  // Azure's built-in infrastructure collection (platform storage, diagnostics) is not modelled.
  return settle({ verdict: 'denied', reason: 'no rule matched; Azure Firewall denies by default' }, undecided, notes);
}

/**
 * The verdict when `final` decides unless an undecided rule before it matched: the same verdict on
 * every branch is still certain (the rule that decides is not); different verdicts are unknown.
 */
function settle(final: Candidate, undecided: { candidate: Candidate; unresolved: Unresolved[] }[], notes: Set<string>): FirewallVerdict {
  const unresolvedTags = [...new Set(undecided.flatMap((u) => u.unresolved.map((x) => x.tag)).filter((t): t is string => !!t))];
  const tags = unresolvedTags.length ? { unresolvedTags } : {};
  if (undecided.every((u) => u.candidate.verdict === final.verdict)) {
    for (const u of undecided) {
      notes.add(`${u.candidate.decidingRule ? describeRule(u.candidate.decidingRule) : 'a rule'} might match (${u.unresolved.map((x) => x.what).join('; ')}); either way the firewall ${final.verdict === 'denied' ? 'denies' : 'allows'} this traffic`);
    }
    return { verdict: final.verdict, reason: final.reason, ...(final.decidingRule ? { decidingRule: final.decidingRule } : {}), ...tags, notes: [...notes] };
  }
  const first = undecided.find((u) => u.candidate.verdict !== final.verdict)!;
  const rule = first.candidate.decidingRule ? describeRule(first.candidate.decidingRule) : 'a rule';
  const reason = `${rule} would ${first.candidate.verdict === 'denied' ? 'deny' : 'allow'} it if it matched, otherwise ${lowerFirst(final.reason)}; ${first.unresolved.map((x) => x.what).join('; ')}`;
  return { verdict: 'unknown', reason, ...tags, notes: [...notes] };
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Groups the attached policy (or a base) lists by id but that are not loaded. */
function unloadedGroups(topology: AzureTopology, firewall: AzureFirewall): string[] {
  const policy = topology.policy(firewall.firewallPolicyId);
  if (!policy) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (let p: FirewallPolicy | undefined = policy; p && !seen.has(p.id.toLowerCase()); p = topology.policy(p.basePolicyId)) {
    seen.add(p.id.toLowerCase());
    const current = p;
    for (const id of current.ruleCollectionGroupIds ?? []) {
      const name = id.split('/').pop() ?? id;
      if (!current.ruleCollectionGroups.some((g) => g.name.toLowerCase() === name.toLowerCase())) out.push(`${current.name}/${name}`);
    }
  }
  return out;
}

function attachedPolicy(topology: AzureTopology, firewall: AzureFirewall): FirewallPolicy | undefined {
  return topology.policy(firewall.firewallPolicyId);
}
