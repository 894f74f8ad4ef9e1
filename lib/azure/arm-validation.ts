/**
 * The checks Azure itself applies when a rule is created, applied to what we read, so an input Azure
 * would have refused (a hand-edited export, a template never deployed) is reported field by field
 * instead of being evaluated as if it were real. Every problem is reported, not only the first.
 *
 * Sources:
 * - NSG rules: learn.microsoft.com/azure/virtual-network/network-security-groups-overview
 *   ("Security rules": priority 100-4096, protocol TCP/UDP/ICMP/ESP/AH/Any, augmented rules cannot
 *   hold several service tags or ASGs) and network-security-group-how-it-works ("You can't create two
 *   security rules with the same priority and direction"); protocol values from the ARM enum
 *   SecurityRuleProtocol (`Tcp`, `Udp`, `Icmp`, `Esp`, `*`, `Ah`).
 * - Firewall: learn.microsoft.com/azure/firewall/rule-processing and policy-rule-sets (collections and
 *   groups have a priority from 100 to 65,000, a collection has one action and one rule type).
 */

import ipaddr from 'ipaddr.js';

export type Issue = (path: (string | number)[], message: string) => void;
type Json = Record<string, unknown>;

export const NSG_PROTOCOLS = ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', '*'] as const;
export const NSG_PRIORITY = { min: 100, max: 4096 } as const;
export const FIREWALL_PRIORITY = { min: 100, max: 65000 } as const;
const NETWORK_PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ANY'];
const NAT_PROTOCOLS = ['TCP', 'UDP'];
const APPLICATION_PROTOCOLS = ['Http', 'Https', 'Mssql'];

/** A service tag name as Azure spells them: `Internet`, `AzureCloud.westeurope`, `AzureFrontDoor.FirstParty`. */
const TAG_NAME = /^[A-Za-z][A-Za-z0-9]*(?:[.-][A-Za-z0-9]+)*$/;

export function isServiceTagName(value: string): boolean {
  return TAG_NAME.test(value.trim());
}

/** Present and non-empty: az prints `null` and `""` for unset singular fields. */
function given(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** A list field as ARM writes it (strings; templates sometimes numbers); absent or null is empty. */
export function listOf(o: Json, key: string): string[] {
  const v = o[key];
  return Array.isArray(v) ? v.filter((x) => typeof x === 'string' || typeof x === 'number').map(String).filter((s) => s !== '') : [];
}

export function stringOf(o: Json, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** An integer, or a string of digits (hand-written templates); undefined otherwise. */
export function integerOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** The value of `values` equal to `v` ignoring case, spelled as `values` spells it. */
export function canonical<T extends string>(values: readonly T[], v: unknown): T | undefined {
  return typeof v === 'string' ? values.find((x) => x.toLowerCase() === v.trim().toLowerCase()) : undefined;
}

function isIpLiteral(v: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(v) || ipaddr.IPv6.isValid(v);
}

/** A single IP or a CIDR whose address part is a plain IP (ipaddr.js also accepts `10` or hex forms). */
export function isIpOrCidr(value: string): boolean {
  const v = value.trim();
  const slash = v.indexOf('/');
  if (slash < 0) return isIpLiteral(v);
  return isIpLiteral(v.slice(0, slash)) && ipaddr.isValidCIDR(v);
}

function isIpRange(value: string): boolean {
  const parts = value.split('-');
  return parts.length === 2 && isIpLiteral(parts[0].trim()) && isIpLiteral(parts[1].trim());
}

const isWildcard = (v: string) => v.trim() === '*' || v.trim().toLowerCase() === 'any';

/** `*`, `443` or `8000-8999` within 0-65535; the problem in words otherwise. */
export function portProblem(expr: string): string | undefined {
  const e = expr.trim();
  if (e === '*') return undefined;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(e);
  if (!m) return `"${expr}" is not a port, a port range (low-high) or "*"`;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535) return `"${expr}" is outside 0-65535`;
  if (lo > hi) return `port range "${expr}" ends below where it starts`;
  return undefined;
}

function checkPriority(o: Json, issue: Issue, range: { min: number; max: number } | undefined, what: string): void {
  if (!given(o.priority)) return issue(['priority'], `missing: every ${what} needs a priority${range ? ` (${range.min}-${range.max})` : ''}`);
  const p = integerOf(o.priority);
  if (p === undefined) return issue(['priority'], `expected an integer, got ${JSON.stringify(o.priority)}`);
  if (range && (p < range.min || p > range.max)) issue(['priority'], `${p} is outside ${range.min}-${range.max}, the priorities Azure accepts for a ${what}`);
}

function checkName(o: Json, issue: Issue, what: string): void {
  if (typeof o.name !== 'string' || o.name.trim() === '') issue(['name'], `missing: every ${what} needs a name`);
}

function checkEnum(o: Json, key: string, values: readonly string[], issue: Issue): void {
  if (!given(o[key])) return issue([key], `missing: expected one of ${values.join(', ')}`);
  if (!canonical(values, o[key])) issue([key], `expected one of ${values.join(', ')}, got ${JSON.stringify(o[key])}`);
}

function checkPorts(o: Json, key: string, issue: Issue): void {
  listOf(o, key).forEach((p, i) => {
    const problem = portProblem(p);
    if (problem) issue([key, i], problem);
  });
}

/** NSG rule fields as ARM and az write them (flattened), every problem reported. */
export function checkSecurityRule(o: Json, isDefault: boolean, issue: Issue): void {
  checkName(o, issue, 'security rule');
  checkPriority(o, issue, isDefault ? undefined : NSG_PRIORITY, 'security rule');
  checkEnum(o, 'direction', ['Inbound', 'Outbound'], issue);
  checkEnum(o, 'access', ['Allow', 'Deny'], issue);
  checkEnum(o, 'protocol', NSG_PROTOCOLS, issue);
  for (const side of ['source', 'destination'] as const) {
    const single = `${side}AddressPrefix`;
    const plural = `${side}AddressPrefixes`;
    const asgs = Array.isArray(o[`${side}ApplicationSecurityGroups`]) ? (o[`${side}ApplicationSecurityGroups`] as unknown[]).length : 0;
    const prefixes: [(string | number)[], string][] = [];
    if (given(o[single])) {
      if (typeof o[single] === 'string') prefixes.push([[single], o[single] as string]);
      else issue([single], `expected a string, got ${JSON.stringify(o[single])}`);
    }
    listOf(o, plural).forEach((p, i) => prefixes.push([[plural, i], p]));
    if (prefixes.length === 0 && asgs === 0) issue([single], `missing: a rule needs a ${side} (an address prefix, a list of prefixes or an application security group)`);
    let tags = 0;
    for (const [path, p] of prefixes) {
      if (isWildcard(p) || isIpOrCidr(p)) continue;
      if (isServiceTagName(p)) tags++;
      else issue(path, `"${p}" is not an IP address, a CIDR, "*" or a service tag`);
    }
    if (tags > 1 || (tags > 0 && asgs > 0)) issue([plural], `a rule may name only one service tag or application security group per side (augmented rules take several IPs, not several tags)`);
    const portSingle = `${side}PortRange`;
    const portPlural = `${side}PortRanges`;
    const ports = [...(given(o[portSingle]) ? [String(o[portSingle])] : []), ...listOf(o, portPlural)];
    if (ports.length === 0) issue([portSingle], `missing: a rule needs ${side} ports ("*" for all)`);
    if (given(o[portSingle])) {
      const problem = portProblem(String(o[portSingle]));
      if (problem) issue([portSingle], problem);
    }
    checkPorts(o, portPlural, issue);
  }
}

/** Duplicate priorities within one direction of one NSG, which Azure refuses. */
export function checkUniquePriorities(rules: readonly unknown[], issue: Issue, field = 'securityRules'): void {
  const seen = new Map<string, number>();
  (rules as { name: string; priority: unknown; direction: unknown }[]).forEach((r, i) => {
    // Rules that failed their own checks arrive raw: they are reported already.
    if (typeof r?.priority !== 'number' || typeof r.direction !== 'string') return;
    const key = `${r.direction.toLowerCase()}:${r.priority}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else issue([field, i, 'priority'], `priority ${r.priority} is also used by ${r.direction.toLowerCase()} rule "${(rules[first] as { name: string }).name}" (${field}[${first}]); Azure allows one rule per priority and direction`);
  });
}

function checkAddresses(o: Json, keys: string[], issue: Issue, message: string, literalsOnly: string[] = []): void {
  if (keys.every((k) => listOf(o, k).length === 0)) issue([keys[0]], message);
  for (const key of keys) {
    if (key.endsWith('IpGroups') || key.endsWith('Fqdns')) continue;
    listOf(o, key).forEach((a, i) => {
      if (isWildcard(a) || isIpOrCidr(a) || isIpRange(a)) return;
      if (literalsOnly.includes(key) || !isServiceTagName(a)) issue([key, i], `"${a}" is not an IP address, a CIDR, an IP range, "*"${literalsOnly.includes(key) ? '' : ' or a service tag'}`);
    });
  }
}

function checkProtocolList(o: Json, key: string, allowed: string[], issue: Issue): void {
  const list = listOf(o, key);
  if (list.length === 0) return issue([key], `missing: expected a list of ${allowed.join(', ')}`);
  list.forEach((p, i) => {
    if (!allowed.includes(p.toUpperCase())) issue([key, i], `expected one of ${allowed.join(', ')}, got "${p}"`);
  });
}

/** A firewall network rule; `protocolsKey` is `ipProtocols` in policies, `protocols` in classic rules. */
export function checkNetworkRule(o: Json, protocolsKey: string, issue: Issue): void {
  checkName(o, issue, 'rule');
  checkProtocolList(o, protocolsKey, NETWORK_PROTOCOLS, issue);
  checkAddresses(o, ['sourceAddresses', 'sourceIpGroups'], issue, 'missing: a network rule needs source addresses or source IP groups', ['sourceAddresses']);
  checkAddresses(o, ['destinationAddresses', 'destinationIpGroups', 'destinationFqdns'], issue, 'missing: a network rule needs destination addresses, IP groups or FQDNs');
  if (listOf(o, 'destinationPorts').length === 0) issue(['destinationPorts'], 'missing: a network rule needs destination ports ("*" for all)');
  checkPorts(o, 'destinationPorts', issue);
}

export function checkApplicationRule(o: Json, issue: Issue): void {
  checkName(o, issue, 'rule');
  checkAddresses(o, ['sourceAddresses', 'sourceIpGroups'], issue, 'missing: an application rule needs source addresses or source IP groups', ['sourceAddresses']);
  const protocols = Array.isArray(o.protocols) ? (o.protocols as unknown[]) : [];
  if (protocols.length === 0) issue(['protocols'], 'missing: an application rule needs protocols (Http, Https or Mssql with a port)');
  protocols.forEach((p, i) => {
    const q = (typeof p === 'object' && p !== null ? p : {}) as Json;
    if (!canonical(APPLICATION_PROTOCOLS, q.protocolType)) issue(['protocols', i, 'protocolType'], `expected one of ${APPLICATION_PROTOCOLS.join(', ')}, got ${JSON.stringify(q.protocolType)}`);
    const port = integerOf(q.port);
    if (port === undefined || port > 65535) issue(['protocols', i, 'port'], `expected a port number, got ${JSON.stringify(q.port)}`);
  });
  if (['targetFqdns', 'fqdnTags', 'targetUrls', 'webCategories'].every((k) => listOf(o, k).length === 0)) {
    issue(['targetFqdns'], 'missing: an application rule needs target FQDNs, FQDN tags, target URLs or web categories');
  }
}

export function checkNatRule(o: Json, protocolsKey: string, issue: Issue): void {
  checkName(o, issue, 'rule');
  checkProtocolList(o, protocolsKey, NAT_PROTOCOLS, issue);
  checkAddresses(o, ['sourceAddresses', 'sourceIpGroups'], issue, 'missing: a DNAT rule needs source addresses or source IP groups', ['sourceAddresses']);
  checkAddresses(o, ['destinationAddresses'], issue, 'missing: a DNAT rule needs the firewall public IP as destination address', ['destinationAddresses']);
  if (listOf(o, 'destinationPorts').length === 0) issue(['destinationPorts'], 'missing: a DNAT rule needs destination ports');
  checkPorts(o, 'destinationPorts', issue);
  if (!given(o.translatedAddress) && !given(o.translatedFqdn)) issue(['translatedAddress'], 'missing: a DNAT rule needs a translated address or FQDN');
  if (!given(o.translatedPort)) issue(['translatedPort'], 'missing: a DNAT rule needs a translated port');
  else if (portProblem(String(o.translatedPort))) issue(['translatedPort'], portProblem(String(o.translatedPort))!);
}

export const POLICY_RULE_TYPES = ['NetworkRule', 'ApplicationRule', 'NatRule'] as const;
export const POLICY_COLLECTION_TYPES = ['FirewallPolicyFilterRuleCollection', 'FirewallPolicyNatRuleCollection'] as const;

/** The collection-level fields of a Firewall Policy rule collection (rules are checked by their own schema). */
export function checkPolicyCollection(o: Json, issue: Issue): void {
  checkName(o, issue, 'rule collection');
  checkPriority(o, issue, FIREWALL_PRIORITY, 'rule collection');
  const type = canonical(POLICY_COLLECTION_TYPES, o.ruleCollectionType);
  if (!type) issue(['ruleCollectionType'], `${given(o.ruleCollectionType) ? `got ${JSON.stringify(o.ruleCollectionType)}` : 'missing'}: expected ${POLICY_COLLECTION_TYPES.join(' or ')}`);
  const action = (typeof o.action === 'object' && o.action !== null ? (o.action as Json).type : undefined) as unknown;
  const allowed = type === 'FirewallPolicyNatRuleCollection' ? ['DNAT'] : type ? ['Allow', 'Deny'] : ['Allow', 'Deny', 'DNAT'];
  if (!given(action)) issue(['action', 'type'], `missing: a rule collection needs an action (${allowed.join(' or ')})`);
  else if (!canonical(allowed, action)) issue(['action', 'type'], `expected ${allowed.join(' or ')} for a ${type === 'FirewallPolicyNatRuleCollection' ? 'DNAT' : 'filter'} rule collection, got ${JSON.stringify(action)}`);
  const rules = Array.isArray(o.rules) ? (o.rules as unknown[]) : [];
  const kinds = new Set<string>();
  rules.forEach((r, i) => {
    const ruleType = typeof r === 'object' && r !== null ? (r as Json).ruleType : undefined;
    const t = canonical(POLICY_RULE_TYPES, ruleType);
    if (!t) return; // reported by the rule's own parse, with the rule's other fields
    kinds.add(t);
    if (type === 'FirewallPolicyNatRuleCollection' && t !== 'NatRule') issue(['rules', i, 'ruleType'], `a DNAT rule collection holds only NatRule rules, got ${t}`);
    if (type === 'FirewallPolicyFilterRuleCollection' && t === 'NatRule') issue(['rules', i, 'ruleType'], 'a filter rule collection cannot hold a NatRule');
  });
  // Azure refuses collections mixing network and application rules: the processing order would be meaningless.
  if (kinds.has('NetworkRule') && kinds.has('ApplicationRule')) issue(['rules'], `rule collection "${String(o.name)}" mixes network and application rules`);
}

/** Classic (inline) rule collections: `{ name, priority, action: { type }, rules }`. */
export function checkClassicCollection(o: Json, kind: 'network' | 'application' | 'nat', issue: Issue): void {
  checkName(o, issue, 'rule collection');
  checkPriority(o, issue, FIREWALL_PRIORITY, 'rule collection');
  const action = (typeof o.action === 'object' && o.action !== null ? (o.action as Json).type : undefined) as unknown;
  const allowed = kind === 'nat' ? ['Dnat'] : ['Allow', 'Deny'];
  if (!given(action)) issue(['action', 'type'], `missing: a rule collection needs an action (${allowed.join(' or ')})`);
  else if (!canonical(allowed, action)) issue(['action', 'type'], `expected ${allowed.join(' or ')} for a ${kind} rule collection, got ${JSON.stringify(action)}`);
}

export function checkRuleCollectionGroup(o: Json, issue: Issue): void {
  checkName(o, issue, 'rule collection group');
  checkPriority(o, issue, FIREWALL_PRIORITY, 'rule collection group');
  if (given(o.ruleCollections) && !Array.isArray(o.ruleCollections)) issue(['ruleCollections'], 'expected a list of rule collections');
}
