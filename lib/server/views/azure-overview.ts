/**
 * What the /azure page shows, computed from one Azure snapshot: NSGs with every rule (defaults
 * marked, rules with a finding flagged), effective rules per subnet and NIC, the egress path of each
 * cluster subnet, firewall rules in processing order with hit counts, findings and source errors.
 * Every list is capped so a large subscription cannot produce an unbounded response.
 */

import type { AzureSnapshot, FirewallRule, SecurityRule, SourceError } from '../../azure/types';
import { azureFindings, type AzureFindingsOptions } from '../../posture/azure-findings';
import { clusterSubnets } from '../../azure-rules/azure-cluster-subnets';
import { topologyOf } from '../../azure-rules/azure-topology';
import { egressPath, type EgressKind } from '../../azure-rules/egress-path';
import type { Finding, Severity } from '../../posture/finding';
import { orderedRuleCollections, type OrderedCollection } from '../../azure-rules/firewall-evaluator';
import { firewallHits, firewallRuleKey, type DeniedFqdn, type WorldObservation } from '../../azure-rules/firewall-hits';
import { effectiveRules, orderedRules, type EffectiveNsg } from '../../azure-rules/nsg-evaluator';
import { isAddressLiteral, isWildcard } from '../../azure-rules/azure-address';
import { serviceTagIndex, type ServiceTagIndex } from '../../azure-rules/azure-service-tags';

export const OVERVIEW_LIMITS = { nsgs: 100, rulesPerNsg: 400, targets: 300, firewalls: 10, firewallRules: 1000, findings: 300, errors: 100, denied: 10, tagUsers: 20 } as const;

export interface RuleFlag {
  key: string;
  id: string;
  severity: Severity;
  title: string;
}

export interface NsgRuleRow {
  name: string;
  priority: number;
  direction: 'Inbound' | 'Outbound';
  access: 'Allow' | 'Deny';
  protocol: string;
  source: string;
  sourcePorts: string;
  destination: string;
  destinationPorts: string;
  description?: string;
  isDefault: boolean;
  flag?: RuleFlag;
  /** Service tags the rule names whose ranges are not loaded: verdicts through this rule are unknown. */
  unresolvedTags?: string[];
}

export interface NsgView {
  id: string;
  name: string;
  subnets: string[];
  nics: string[];
  /** Inbound then outbound, each in evaluation order (custom by priority, then the defaults). */
  rules: NsgRuleRow[];
  truncated: boolean;
}

export interface EffectiveNsgView {
  nsg: string;
  attachedTo: 'subnet' | 'nic';
  rules: NsgRuleRow[];
}

export interface EffectiveTargetView {
  kind: 'subnet' | 'nic';
  id: string;
  name: string;
  /** Subnet of a NIC; the VNet of a subnet. */
  parent?: string;
  addressPrefixes: string[];
  /** Subnet NSG then NIC NSG. */
  inbound: EffectiveNsgView[];
  /** NIC NSG then subnet NSG. */
  outbound: EffectiveNsgView[];
}

export interface EgressView {
  subnet: string;
  addressPrefixes: string[];
  nsg?: string;
  routeTable?: string;
  route?: { name: string; addressPrefix: string; nextHopType: string; nextHopIp?: string };
  kind: EgressKind;
  firewall?: { name: string; privateIp?: string; policy?: string };
  natGateway?: string;
  explanation: string;
  controls: string[];
}

export interface FirewallRuleRow {
  key: string;
  kind: 'nat' | 'network' | 'application';
  group?: string;
  groupPriority?: number;
  collection: string;
  collectionPriority: number;
  action: string;
  rule: string;
  /** Sources, destinations / FQDNs and ports in words. */
  match: string;
  hits: number;
  flag?: RuleFlag;
  /** Service tags the rule names whose ranges are not loaded: verdicts through this rule are unknown. */
  unresolvedTags?: string[];
}

export interface ServiceTagsView {
  /** Published lists loaded: where from, which cloud and version, how many tags. */
  lists: { origin: string; cloud?: string; changeNumber?: string; tags: number }[];
  /** Tags rules name that are not in those lists, with the rules naming them (`nsg / rule`, `firewall › collection › rule`). */
  unresolved: { tag: string; usedBy: string[] }[];
}

export interface FirewallView {
  name: string;
  privateIp?: string;
  policy?: string;
  mode: 'policy' | 'classic';
  /** DNAT, then network, then application rules: the order Azure processes them. */
  rules: FirewallRuleRow[];
  defaultDenyHits: number;
  notes: string[];
  truncated: boolean;
}

export interface AzureOverview {
  source: { kind: AzureSnapshot['source']; origin: string };
  counts: { nsgs: number; subnets: number; nics: number; routeTables: number; firewalls: number; firewallPolicies: number };
  nsgs: NsgView[];
  targets: EffectiveTargetView[];
  egress: EgressView[];
  firewalls: FirewallView[];
  topDenied: DeniedFqdn[];
  hits: { evaluated: number; notOnPath: number };
  findings: Finding[];
  serviceTags: ServiceTagsView;
  errors: (SourceError & { signIn: boolean })[];
  errorCount: number;
}

/** `/api/azure`: the overview and when its Azure snapshot was loaded. */
export interface AzurePageData extends AzureOverview {
  loadedAt: number;
}

const flagKey = (...parts: string[]) => parts.join('/');

/** Tags computed from the VNet or the platform, never looked up in the published lists. */
const COMPUTED_TAGS = new Set(['virtualnetwork', 'internet', 'azureloadbalancer', 'azureplatformdns', 'azureplatformimds']);

/** The tags among `addresses` whose published ranges are not loaded. */
function unresolvedIn(addresses: string[], tags: ServiceTagIndex): string[] {
  return addresses.filter((a) => !isWildcard(a) && !isAddressLiteral(a) && !COMPUTED_TAGS.has(a.trim().toLowerCase()) && !tags.has(a));
}

function ruleRow(r: SecurityRule, flags: Map<string, RuleFlag>, nsgName: string, tags: ServiceTagIndex): NsgRuleRow {
  const list = (xs: string[]) => (xs.length ? xs.join(', ') : '*');
  const flag = flags.get(flagKey(nsgName, r.name));
  const unresolvedTags = unresolvedIn([...r.sourcePrefixes, ...r.destinationPrefixes], tags);
  return {
    name: r.name,
    priority: r.priority,
    direction: r.direction,
    access: r.access,
    protocol: r.protocol,
    source: list([...r.sourcePrefixes, ...r.sourceAsgIds.map((id) => `ASG ${id.split('/').pop()}`)]),
    sourcePorts: list(r.sourcePorts),
    destination: list([...r.destinationPrefixes, ...r.destinationAsgIds.map((id) => `ASG ${id.split('/').pop()}`)]),
    destinationPorts: list(r.destinationPorts),
    ...(r.description ? { description: r.description } : {}),
    isDefault: r.isDefault,
    ...(flag ? { flag } : {}),
    ...(unresolvedTags.length ? { unresolvedTags } : {}),
  };
}

function ruleMatch(rule: FirewallRule): string {
  const src = [...rule.sourceAddresses, ...rule.sourceIpGroups].join(', ') || '*';
  if (rule.kind === 'application') {
    const targets = [...rule.targetFqdns, ...rule.fqdnTags.map((t) => `tag ${t}`), ...rule.targetUrls, ...rule.webCategories.map((c) => `category ${c}`)];
    return `${src} → ${targets.join(', ') || '(none)'} on ${rule.protocols.map((p) => `${p.type}:${p.port}`).join(', ') || '*'}`;
  }
  const dst = [...rule.destinationAddresses, ...(rule.kind === 'network' ? [...rule.destinationIpGroups, ...rule.destinationFqdns] : [])].join(', ') || '*';
  const ports = rule.destinationPorts.join(', ') || '*';
  const nat = rule.kind === 'nat' && (rule.translatedAddress || rule.translatedFqdn) ? ` ⇒ ${rule.translatedAddress ?? rule.translatedFqdn}:${rule.translatedPort ?? ''}` : '';
  return `${rule.protocols.join('/') || '*'} ${src} → ${dst} : ${ports}${nat}`;
}

/** Builds the page model; `observations` are the internet flows seen, for firewall hit counts. */
export function azureOverview(snapshot: AzureSnapshot, observations: readonly WorldObservation[] = [], opts: AzureFindingsOptions = {}): AzureOverview {
  const topology = topologyOf(snapshot);
  const tags = serviceTagIndex(snapshot);
  const findings = azureFindings(snapshot, opts);
  const flags = new Map<string, RuleFlag>();
  for (const f of findings) {
    // Keys are `<id>:<nsg or firewall>/<rule>` or `<id>:<firewall>/<collection>/<rule>`.
    const body = f.key.slice(f.key.indexOf(':') + 1);
    const flag = { key: f.key, id: f.id, severity: f.severity, title: f.title };
    if (!flags.has(body)) flags.set(body, flag);
  }

  const subnetName = (id: string) => topology.subnet(id)?.name ?? id.split('/').pop() ?? id;
  const nicName = (id: string) => snapshot.networkInterfaces.find((n) => n.id.toLowerCase() === id.toLowerCase())?.name ?? id.split('/').pop() ?? id;

  const nsgs: NsgView[] = snapshot.networkSecurityGroups.slice(0, OVERVIEW_LIMITS.nsgs).map((nsg) => {
    const subnets = new Set(nsg.subnetIds.map(subnetName));
    for (const s of topology.subnets) if (topology.subnetNsg(s)?.id.toLowerCase() === nsg.id.toLowerCase()) subnets.add(s.name);
    const nics = new Set(nsg.networkInterfaceIds.map(nicName));
    for (const n of snapshot.networkInterfaces) if (n.networkSecurityGroupId?.toLowerCase() === nsg.id.toLowerCase()) nics.add(n.name);
    const rules = [...orderedRules(nsg, 'Inbound'), ...orderedRules(nsg, 'Outbound')].map((r) => ruleRow(r, flags, nsg.name, tags));
    return { id: nsg.id, name: nsg.name, subnets: [...subnets].sort(), nics: [...nics].sort(), rules: rules.slice(0, OVERVIEW_LIMITS.rulesPerNsg), truncated: rules.length > OVERVIEW_LIMITS.rulesPerNsg };
  });

  const effView = (e: EffectiveNsg): EffectiveNsgView => ({ nsg: e.nsg.name, attachedTo: e.attachedTo, rules: e.rules.slice(0, OVERVIEW_LIMITS.rulesPerNsg).map((r) => ruleRow(r, flags, e.nsg.name, tags)) });
  const targets: EffectiveTargetView[] = [];
  for (const s of topology.subnets) {
    if (targets.length >= OVERVIEW_LIMITS.targets) break;
    const eff = effectiveRules(topology, { subnetId: s.id });
    if (!eff) continue;
    targets.push({ kind: 'subnet', id: s.id, name: s.name, parent: topology.vnetOf(s)?.name, addressPrefixes: s.addressPrefixes, inbound: eff.inbound.map(effView), outbound: eff.outbound.map(effView) });
  }
  for (const n of snapshot.networkInterfaces) {
    if (targets.length >= OVERVIEW_LIMITS.targets) break;
    const eff = effectiveRules(topology, { nicId: n.id });
    if (!eff) continue;
    const subnet = topology.subnet(n.ipConfigurations.find((c) => c.subnetId)?.subnetId);
    targets.push({
      kind: 'nic',
      id: n.id,
      name: n.name,
      parent: subnet?.name,
      addressPrefixes: n.ipConfigurations.map((c) => c.privateIp).filter((ip): ip is string => !!ip),
      inbound: eff.inbound.map(effView),
      outbound: eff.outbound.map(effView),
    });
  }

  const egress: EgressView[] = clusterSubnets(topology, opts).map((s) => {
    const p = egressPath(topology, s);
    const fw = p.firewall ? topology.firewallAt(p.firewall.privateIp) : undefined;
    const policy = fw?.firewallPolicyId ? topology.policy(fw.firewallPolicyId)?.name : undefined;
    return {
      subnet: s.name,
      addressPrefixes: s.addressPrefixes,
      ...(topology.subnetNsg(s) ? { nsg: topology.subnetNsg(s)!.name } : {}),
      ...(topology.routeTableOf(s) ? { routeTable: topology.routeTableOf(s)!.name } : {}),
      ...(p.nextHop.route ? { route: { name: p.nextHop.route.name, addressPrefix: p.nextHop.route.addressPrefix, nextHopType: p.nextHop.type, ...(p.nextHop.ipAddress ? { nextHopIp: p.nextHop.ipAddress } : {}) } } : {}),
      kind: p.kind,
      ...(p.firewall ? { firewall: { name: p.firewall.name, ...(p.firewall.privateIp ? { privateIp: p.firewall.privateIp } : {}), ...(policy ? { policy } : {}) } } : {}),
      ...(p.natGateway ? { natGateway: p.natGateway.name } : {}),
      explanation: p.explanation,
      controls: p.controls,
    };
  });

  const hits = firewallHits(snapshot, observations, OVERVIEW_LIMITS.denied);
  const firewalls: FirewallView[] = snapshot.azureFirewalls.slice(0, OVERVIEW_LIMITS.firewalls).map((fw) => {
    const ordered = orderedRuleCollections(topology, fw);
    const rows: FirewallRuleRow[] = [];
    const add = (entries: OrderedCollection[]) => {
      for (const entry of entries) {
        for (const rule of entry.collection.rules) {
          const key = firewallRuleKey({ firewall: fw, policy: entry.policy, ruleCollectionGroup: entry.group, ruleCollection: entry.collection, rule: rule.name });
          const flag = flags.get(flagKey(fw.name, entry.collection.name, rule.name));
          const unresolvedTags = rule.kind === 'application' ? [] : unresolvedIn([...rule.sourceAddresses, ...rule.destinationAddresses], tags);
          rows.push({
            key,
            kind: entry.collection.kind,
            ...(entry.group ? { group: entry.group.name, groupPriority: entry.group.priority } : {}),
            collection: entry.collection.name,
            collectionPriority: entry.collection.priority,
            action: entry.collection.action,
            rule: rule.name,
            match: ruleMatch(rule),
            hits: hits.byRule[key] ?? 0,
            ...(flag ? { flag } : {}),
            ...(unresolvedTags.length ? { unresolvedTags } : {}),
          });
        }
      }
    };
    add(ordered.nat);
    add(ordered.network);
    add(ordered.application);
    const policy = fw.firewallPolicyId ? topology.policy(fw.firewallPolicyId)?.name : undefined;
    return {
      name: fw.name,
      ...(fw.privateIp ? { privateIp: fw.privateIp } : {}),
      ...(policy ? { policy } : {}),
      mode: ordered.mode,
      rules: rows.slice(0, OVERVIEW_LIMITS.firewallRules),
      defaultDenyHits: hits.defaultDeny[fw.name] ?? 0,
      notes: ordered.notes,
      truncated: rows.length > OVERVIEW_LIMITS.firewallRules,
    };
  });

  return {
    source: { kind: snapshot.source, origin: snapshot.origin },
    counts: {
      nsgs: snapshot.networkSecurityGroups.length,
      subnets: topology.subnets.length,
      nics: snapshot.networkInterfaces.length,
      routeTables: snapshot.routeTables.length,
      firewalls: snapshot.azureFirewalls.length,
      firewallPolicies: snapshot.firewallPolicies.length,
    },
    nsgs,
    targets,
    egress,
    firewalls,
    topDenied: hits.topDenied,
    hits: { evaluated: hits.evaluated, notOnPath: hits.notOnPath },
    findings: findings.slice(0, OVERVIEW_LIMITS.findings),
    serviceTags: serviceTagsView(snapshot, nsgs, firewalls),
    errors: snapshot.errors.slice(0, OVERVIEW_LIMITS.errors).map((e) => ({ ...e, signIn: e.code === 'no-credential' })),
    errorCount: snapshot.errors.length,
  };
}

/** Which service tag lists are loaded, and which tags named by the rules shown are missing from them. */
function serviceTagsView(snapshot: AzureSnapshot, nsgs: NsgView[], firewalls: FirewallView[]): ServiceTagsView {
  const usedBy = new Map<string, Set<string>>();
  const add = (tag: string, where: string) => {
    const set = usedBy.get(tag) ?? new Set<string>();
    if (set.size < OVERVIEW_LIMITS.tagUsers) set.add(where);
    usedBy.set(tag, set);
  };
  for (const n of nsgs) for (const r of n.rules) for (const t of r.unresolvedTags ?? []) add(t, `${n.name} / ${r.name}`);
  for (const f of firewalls) for (const r of f.rules) for (const t of r.unresolvedTags ?? []) add(t, [f.policy ?? f.name, r.group, r.collection, r.rule].filter(Boolean).join(' › '));
  return {
    lists: (snapshot.serviceTags ?? []).map((l) => ({ origin: l.origin, ...(l.cloud ? { cloud: l.cloud } : {}), ...(l.changeNumber ? { changeNumber: l.changeNumber } : {}), tags: l.tags.length })),
    unresolved: [...usedBy.entries()].map(([tag, where]) => ({ tag, usedBy: [...where].sort() })).sort((a, b) => a.tag.localeCompare(b.tag)),
  };
}
