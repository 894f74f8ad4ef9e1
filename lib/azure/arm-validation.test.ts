import { describe, expect, it } from 'vitest';
import { evaluateFirewall } from '../azure-rules/firewall-evaluator';
import { AzureTopology } from '../azure-rules/azure-topology';
import { SnapshotAssembler } from './snapshot-assembler';
import type { AzureSnapshot } from './types';

/**
 * Item 9 of issue 16: what Azure refuses at creation is an error naming file, object and field, never
 * accepted silently. Sources:
 * - NSG rule properties: learn.microsoft.com/azure/virtual-network/network-security-groups-overview,
 *   "Security rules" (priority 100-4096; protocol; source/destination; ports; "you can't specify
 *   multiple service tags or application groups" in augmented rules).
 * - network-security-group-how-it-works: "You can't create two security rules with the same priority and direction."
 * - ARM enum SecurityRuleProtocol: Tcp, Udp, Icmp, Esp, *, Ah.
 * - Firewall: learn.microsoft.com/azure/firewall/rule-processing ("priority order ... from 100 to 65,000")
 *   and policy-rule-sets (groups hold collections of one rule type and one action).
 */

const NSG_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-app';
const POLICY_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/firewallPolicies/fwp';

const goodRule = (name: string, o: Record<string, unknown> = {}) => ({
  name,
  priority: 100,
  direction: 'Inbound',
  access: 'Allow',
  protocol: 'Tcp',
  sourceAddressPrefix: '*',
  sourcePortRange: '*',
  destinationAddressPrefix: '*',
  destinationPortRange: '443',
  ...o,
});

function load(file: string, objects: unknown[]): AzureSnapshot {
  const a = new SnapshotAssembler('files', 'test');
  objects.forEach((o, index) => a.addRaw(o, { file, index }));
  return a.finish();
}

const nsg = (rules: unknown[]) => ({ id: NSG_ID, name: 'nsg-app', type: 'Microsoft.Network/networkSecurityGroups', securityRules: rules });

describe('NSG security rules are held to what Azure accepts', () => {
  it.each([
    ['priority below 100', { priority: 99 }, 'securityRules[0].priority', /99 is outside 100-4096/],
    ['priority above 4096', { priority: 4097 }, 'securityRules[0].priority', /4097 is outside 100-4096/],
    ['priority missing', { priority: undefined }, 'securityRules[0].priority', /missing: every security rule needs a priority/],
    ['priority not a number', { priority: 'high' }, 'securityRules[0].priority', /expected an integer, got "high"/],
    ['direction missing', { direction: undefined }, 'securityRules[0].direction', /missing: expected one of Inbound, Outbound/],
    ['access misspelt', { access: 'Permit' }, 'securityRules[0].access', /expected one of Allow, Deny, got "Permit"/],
    ['protocol not in the ARM enum', { protocol: 'Any' }, 'securityRules[0].protocol', /expected one of Tcp, Udp, Icmp, Esp, Ah, \*, got "Any"/],
    ['no source at all', { sourceAddressPrefix: null }, 'securityRules[0].sourceAddressPrefix', /missing: a rule needs a source/],
    ['a prefix that is neither IP, CIDR nor tag', { destinationAddressPrefix: '10.0.0.0/33' }, 'securityRules[0].destinationAddressPrefix', /"10\.0\.0\.0\/33" is not an IP address, a CIDR, "\*" or a service tag/],
    ['two service tags on one side', { sourceAddressPrefix: '', sourceAddressPrefixes: ['Internet', 'AzureCloud'] }, 'securityRules[0].sourceAddressPrefixes', /only one service tag/],
    ['a port out of range', { destinationPortRange: '70000' }, 'securityRules[0].destinationPortRange', /"70000" is outside 0-65535/],
    ['a port range backwards', { destinationPortRange: '', destinationPortRanges: ['80', '9000-8000'] }, 'securityRules[0].destinationPortRanges[1]', /ends below where it starts/],
    ['no destination port', { destinationPortRange: null }, 'securityRules[0].destinationPortRange', /missing: a rule needs destination ports/],
  ])('%s: error names file, object and field', (_name, change, field, message) => {
    const s = load('nsg.json', [nsg([goodRule('r1', change)])]);
    expect(s.networkSecurityGroups).toEqual([]);
    const e = s.errors.find((x) => x.where.field === field);
    expect(e, JSON.stringify(s.errors)).toMatchObject({ code: 'invalid-object', where: { file: 'nsg.json', resource: NSG_ID, field } });
    expect(e!.message).toMatch(/^object #0 "nsg-app" in nsg\.json \(networkSecurityGroup\): field /);
    expect(e!.message).toMatch(message);
  });

  it('accepts what Azure accepts: tags, CIDRs, IPv6, port lists, the defaults at 65000+', () => {
    const s = load('nsg.json', [
      {
        ...nsg([
          goodRule('a', { sourceAddressPrefix: 'AzureCloud.westeurope' }),
          goodRule('b', { priority: 4096, sourceAddressPrefix: '', sourceAddressPrefixes: ['198.51.100.0/24', '2001:db8::/32'], destinationPortRange: '', destinationPortRanges: ['80', '8000-8999'] }),
          // Same priority, other direction: allowed.
          goodRule('c', { direction: 'Outbound', protocol: '*' }),
        ]),
        defaultSecurityRules: [goodRule('DenyAllInBound', { priority: 65500, access: 'Deny', protocol: '*', destinationPortRange: '*' })],
      },
    ]);
    expect(s.errors).toEqual([]);
    expect(s.networkSecurityGroups[0].securityRules.map((r) => `${r.name}:${r.protocol}`)).toEqual(['a:Tcp', 'b:Tcp', 'c:*']);
  });

  it('two rules with one priority and direction: the second is named', () => {
    const s = load('nsg.json', [nsg([goodRule('first'), goodRule('second', { destinationPortRange: '22' })])]);
    expect(s.errors).toEqual([expect.objectContaining({ where: expect.objectContaining({ field: 'securityRules[1].priority' }) })]);
    expect(s.errors[0].message).toMatch(/priority 100 is also used by inbound rule "first" \(securityRules\[0\]\)/);
  });

  it('reports every problem of a rule, not only the first', () => {
    const s = load('nsg.json', [nsg([goodRule('bad', { priority: 5000, access: 'Maybe', protocol: 'Sctp', destinationPortRange: 'http' })])]);
    expect(s.errors.map((e) => e.where.field)).toEqual(['securityRules[0].priority', 'securityRules[0].access', 'securityRules[0].protocol', 'securityRules[0].destinationPortRange']);
  });

  it('a rule listed on its own (`az network nsg rule list`) whose priority clashes is skipped and named', () => {
    const s = load('rules.json', [nsg([goodRule('first')]), { ...goodRule('late', { destinationPortRange: '22' }), id: `${NSG_ID}/securityRules/late` }]);
    expect(s.networkSecurityGroups[0].securityRules.map((r) => r.name)).toEqual(['first']);
    expect(s.errors[0]).toMatchObject({ code: 'invalid-object', where: { file: 'rules.json', field: 'priority', resource: `${NSG_ID}/securityRules/late` } });
    expect(s.errors[0].message).toMatch(/security rule late of NSG nsg-app: field priority: 100 is also used by inbound rule "first"/);
  });
});

const netRule = (o: Record<string, unknown> = {}) => ({ ruleType: 'NetworkRule', name: 'n', ipProtocols: ['TCP'], sourceAddresses: ['10.0.0.0/16'], destinationAddresses: ['AzureCloud.westeurope'], destinationPorts: ['9000'], ...o });
const appRule = (o: Record<string, unknown> = {}) => ({ ruleType: 'ApplicationRule', name: 'a', sourceAddresses: ['10.0.0.0/16'], protocols: [{ protocolType: 'Https', port: 443 }], targetFqdns: ['mcr.microsoft.com'], ...o });
const natRule = (o: Record<string, unknown> = {}) => ({ ruleType: 'NatRule', name: 'd', ipProtocols: ['TCP'], sourceAddresses: ['*'], destinationAddresses: ['20.31.8.100'], destinationPorts: ['443'], translatedAddress: '10.0.0.10', translatedPort: '443', ...o });
const filter = (rules: unknown[], o: Record<string, unknown> = {}) => ({ ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: 'c', priority: 100, action: { type: 'Allow' }, rules, ...o });
const group = (collections: unknown[], o: Record<string, unknown> = {}) => ({ id: `${POLICY_ID}/ruleCollectionGroups/g`, name: 'g', priority: 200, ruleCollections: collections, ...o });

describe('Firewall Policy rule collection groups, collections and rules', () => {
  it.each([
    ['group without priority', group([filter([netRule()])], { priority: undefined }), 'priority', /missing: every rule collection group needs a priority \(100-65000\)/],
    ['group priority out of range', group([filter([netRule()])], { priority: 65001 }), 'priority', /65001 is outside 100-65000/],
    ['collection without priority', group([filter([netRule()], { priority: null })]), 'ruleCollections[0].priority', /missing: every rule collection needs a priority/],
    ['collection without action', group([filter([netRule()], { action: undefined })]), 'ruleCollections[0].action.type', /missing: a rule collection needs an action \(Allow or Deny\)/],
    ['filter collection with a DNAT action', group([filter([netRule()], { action: { type: 'DNAT' } })]), 'ruleCollections[0].action.type', /expected Allow or Deny for a filter rule collection, got "DNAT"/],
    ['collection type missing', group([filter([netRule()], { ruleCollectionType: undefined })]), 'ruleCollections[0].ruleCollectionType', /missing: expected FirewallPolicyFilterRuleCollection or FirewallPolicyNatRuleCollection/],
    ['rule without ruleType', group([filter([netRule({ ruleType: undefined })])]), 'ruleCollections[0].rules[0].ruleType', /missing: expected NetworkRule, ApplicationRule or NatRule/],
    ['network rule without ports', group([filter([netRule({ destinationPorts: [] })])]), 'ruleCollections[0].rules[0].destinationPorts', /missing: a network rule needs destination ports/],
    ['network rule without destination', group([filter([netRule({ destinationAddresses: null })])]), 'ruleCollections[0].rules[0].destinationAddresses', /missing: a network rule needs destination addresses, IP groups or FQDNs/],
    ['network rule without source', group([filter([netRule({ sourceAddresses: [] })])]), 'ruleCollections[0].rules[0].sourceAddresses', /missing: a network rule needs source addresses or source IP groups/],
    ['network rule without protocols', group([filter([netRule({ ipProtocols: undefined })])]), 'ruleCollections[0].rules[0].ipProtocols', /missing: expected a list of TCP, UDP, ICMP, ANY/],
    ['network rule with a bad port', group([filter([netRule({ destinationPorts: ['9000-'] })])]), 'ruleCollections[0].rules[0].destinationPorts[0]', /"9000-" is not a port/],
    ['application rule without targets', group([filter([appRule({ targetFqdns: [] })])]), 'ruleCollections[0].rules[0].targetFqdns', /missing: an application rule needs target FQDNs, FQDN tags/],
    ['application rule without protocols', group([filter([appRule({ protocols: [] })])]), 'ruleCollections[0].rules[0].protocols', /missing: an application rule needs protocols/],
    ['application rule with an unknown protocol', group([filter([appRule({ protocols: [{ protocolType: 'Ftp', port: 21 }] })])]), 'ruleCollections[0].rules[0].protocols[0].protocolType', /expected one of Http, Https, Mssql, got "Ftp"/],
    ['DNAT rule without translated address', group([filter([natRule({ translatedAddress: null })], { ruleCollectionType: 'FirewallPolicyNatRuleCollection', action: { type: 'DNAT' } })]), 'ruleCollections[0].rules[0].translatedAddress', /missing: a DNAT rule needs a translated address or FQDN/],
    ['NatRule in a filter collection', group([filter([natRule()])]), 'ruleCollections[0].rules[0].ruleType', /a filter rule collection cannot hold a NatRule/],
    ['network and application rules mixed', group([filter([netRule(), appRule()])]), 'ruleCollections[0].rules', /mixes network and application rules/],
  ])('%s: error names file, object and field', (_name, raw, field, message) => {
    const s = load('rcg.json', [raw]);
    const e = s.errors.find((x) => x.where.field === field);
    expect(e, JSON.stringify(s.errors)).toMatchObject({ code: 'invalid-object', where: { file: 'rcg.json', field } });
    expect(e!.message).toMatch(/^object #0 "g" in rcg\.json \(ruleCollectionGroup\): field /);
    expect(e!.message).toMatch(message);
  });

  it('the recipe as az prints it loads without errors', () => {
    const s = load('rcg.json', [group([filter([netRule(), netRule({ name: 'm', ipProtocols: ['UDP'], destinationPorts: ['1194'] })]), filter([appRule()], { name: 'apps', priority: 200 })])]);
    expect(s.errors).toEqual([]);
    expect(s.firewallPolicies[0].ruleCollectionGroups[0].ruleCollections.map((c) => c.kind)).toEqual(['network', 'application']);
  });

  it('a rejected group leaves a gap the evaluator reports: the firewall verdict is unknown, not "default deny"', () => {
    const s = load('rcg.json', [
      group([filter([netRule({ name: 'good', destinationAddresses: ['*'], destinationPorts: ['443'] })])], { name: 'ok', id: `${POLICY_ID}/ruleCollectionGroups/ok`, priority: 100 }),
      group([filter([netRule({ destinationPorts: [] })], { action: { type: 'Deny' } })], { name: 'deny-list', id: `${POLICY_ID}/ruleCollectionGroups/deny-list`, priority: 150 }),
    ]);
    s.azureFirewalls.push({ id: 'fw', name: 'fw', privateIp: '10.1.0.4', publicIps: [], firewallPolicyId: POLICY_ID, natRuleCollections: [], networkRuleCollections: [], applicationRuleCollections: [] });
    const v = evaluateFirewall(new AzureTopology(s), s.azureFirewalls[0], { sourceIp: '10.0.0.4', destinationIp: '198.51.100.7', destinationPort: 443, protocol: 'TCP' });
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/rule collection group fwp\/deny-list of the firewall policy is not loaded \(not exported, or rejected as invalid\)/);
  });

  it('an invalid group embedded in a policy rejects the policy, naming the path through it', () => {
    const s = load('policy.json', [{ id: POLICY_ID, name: 'fwp', type: 'Microsoft.Network/firewallPolicies', ruleCollectionGroups: [group([filter([netRule({ destinationPorts: [] })])])] }]);
    expect(s.firewallPolicies).toEqual([]);
    expect(s.errors[0].where.field).toBe('ruleCollectionGroups[0].ruleCollections[0].rules[0].destinationPorts');
  });

  it('classic collections on the firewall: priority range and action, rules with `protocols`', () => {
    const s = load('fw.json', [
      {
        id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/legacy',
        name: 'legacy',
        type: 'Microsoft.Network/azureFirewalls',
        networkRuleCollections: [{ name: 'net', priority: 99, action: { type: 'Allow' }, rules: [{ name: 'dns', sourceAddresses: ['10.0.0.0/16'], destinationAddresses: ['1.1.1.1'], destinationPorts: ['53'] }] }],
      },
    ]);
    expect(s.azureFirewalls).toEqual([]);
    expect(s.errors.map((e) => e.where.field)).toEqual(['networkRuleCollections[0].priority', 'networkRuleCollections[0].rules[0].protocols']);
    expect(s.errors[0].message).toMatch(/99 is outside 100-65000/);
  });
});
