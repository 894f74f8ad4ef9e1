import { describe, expect, it } from 'vitest';
import type { ApplicationRule, AzureFirewall, FirewallPolicy, FirewallRuleCollection, NetworkRule } from '../azure/types';
import { emptySnapshot } from '../azure/types';
import { AzureTopology } from './azure-topology';
import { evaluateFirewall, orderedRuleCollections, type FirewallFlow } from './firewall-evaluator';
import { expandFqdnTag, fqdnBreadth, fqdnMatches } from './firewall-fqdn';
import { timeRatio } from '../match/testing/time-ratio';

const P = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network';

const net = (name: string, o: Partial<NetworkRule>): NetworkRule => ({
  kind: 'network', name, protocols: ['TCP'], sourceAddresses: ['*'], sourceIpGroups: [], destinationAddresses: [], destinationIpGroups: [], destinationFqdns: [], destinationPorts: ['*'], ...o,
});
const app = (name: string, o: Partial<ApplicationRule>): ApplicationRule => ({
  kind: 'application', name, sourceAddresses: ['*'], sourceIpGroups: [], protocols: [{ type: 'Https', port: 443 }], targetFqdns: [], fqdnTags: [], targetUrls: [], webCategories: [], ...o,
});
const coll = (name: string, priority: number, kind: FirewallRuleCollection['kind'], action: FirewallRuleCollection['action'], rules: FirewallRuleCollection['rules']): FirewallRuleCollection => ({ name, priority, kind, action, rules });

/**
 * A child policy inheriting from a base. Group priorities are chosen so that "type beats priority"
 * is visible: the application group `app-first` (150) comes before the network group `net` (200).
 */
function policySnapshot() {
  const s = emptySnapshot('demo', 'test');
  const base: FirewallPolicy = {
    id: `${P}/firewallPolicies/fwp-base`, name: 'fwp-base', dnsProxyEnabled: false,
    ruleCollectionGroups: [{ name: 'base-rcg', priority: 500, ruleCollections: [coll('base-deny', 100, 'network', 'Deny', [net('block-pastebin-ip', { destinationAddresses: ['104.20.67.143'], destinationPorts: ['443'] })])] }],
  };
  const child: FirewallPolicy = {
    id: `${P}/firewallPolicies/fwp`, name: 'fwp', basePolicyId: base.id, dnsProxyEnabled: true,
    ruleCollectionGroups: [
      {
        name: 'app', priority: 300, ruleCollections: [
          coll('wild', 200, 'application', 'Allow', [app('contoso-subdomains', { targetFqdns: ['*.contoso.com'] })]),
          coll('aks', 100, 'application', 'Allow', [app('aks-tag', { fqdnTags: ['AzureKubernetesService'], protocols: [{ type: 'Http', port: 80 }, { type: 'Https', port: 443 }] })]),
          coll('deny-evil', 150, 'application', 'Deny', [app('evil', { targetFqdns: ['evil.contoso.com'] })]),
        ],
      },
      { name: 'app-first', priority: 150, ruleCollections: [coll('deny-github-app', 100, 'application', 'Deny', [app('no-github', { targetFqdns: ['api.github.com'] })])] },
      {
        name: 'net', priority: 200, ruleCollections: [
          coll('allow-net', 200, 'network', 'Allow', [
            net('github-ip', { protocols: ['tcp'], destinationAddresses: ['140.82.121.0/24'], destinationPorts: ['443'] }),
            net('pastebin-too', { destinationAddresses: ['104.20.67.143'], destinationPorts: ['443'] }),
            net('ntp', { protocols: ['UDP'], destinationFqdns: ['ntp.ubuntu.com'], destinationPorts: ['123'] }),
            net('nodes-only', { sourceAddresses: ['10.224.0.0/16'], destinationAddresses: ['20.50.0.0/16'], destinationPorts: ['9000-9100'] }),
          ]),
        ],
      },
      { name: 'DefaultDnatRuleCollectionGroup', priority: 100, ruleCollections: [coll('dnat', 100, 'nat', 'Dnat', [{ kind: 'nat', name: 'web-in', protocols: ['TCP'], sourceAddresses: ['*'], sourceIpGroups: [], destinationAddresses: ['20.31.8.100'], destinationPorts: ['443'], translatedAddress: '10.224.0.10', translatedPort: '443' }])] },
    ],
  };
  s.firewallPolicies.push(base, child);
  const firewall: AzureFirewall = {
    id: `${P}/azureFirewalls/afw`, name: 'afw', location: 'westeurope', privateIp: '10.225.0.4', publicIps: ['20.31.8.100'], firewallPolicyId: child.id,
    natRuleCollections: [], networkRuleCollections: [], applicationRuleCollections: [],
  };
  s.azureFirewalls.push(firewall);
  return { topology: new AzureTopology(s), firewall };
}

const https = (fqdn: string | undefined, destinationIp = '93.184.216.34', port = 443): FirewallFlow => ({ sourceIp: '10.224.0.4', destinationIp, destinationPort: port, protocol: 'TCP', fqdn });

describe('evaluateFirewall: policy rule processing', () => {
  const { topology, firewall } = policySnapshot();
  const cases: { name: string; flow: FirewallFlow; verdict: string; rule: string }[] = [
    { name: 'network rules before application rules whatever the group priority', flow: https('api.github.com', '140.82.121.6'), verdict: 'allowed', rule: 'net/allow-net/github-ip' },
    { name: 'base policy collections before the child policy', flow: https('pastebin.com', '104.20.67.143'), verdict: 'denied', rule: 'base-rcg/base-deny/block-pastebin-ip' },
    { name: 'FQDN tag AzureKubernetesService: mcr.microsoft.com', flow: https('mcr.microsoft.com', '204.79.197.219'), verdict: 'allowed', rule: 'app/aks/aks-tag' },
    { name: 'FQDN tag: wildcard entry *.data.mcr.microsoft.com', flow: https('westeurope.data.mcr.microsoft.com.'), verdict: 'allowed', rule: 'app/aks/aks-tag' },
    { name: 'FQDN tag: API server FQDN in the firewall region', flow: https('aks-prod-abc123.hcp.westeurope.azmk8s.io'), verdict: 'allowed', rule: 'app/aks/aks-tag' },
    { name: 'FQDN tag: API server FQDN of another region is not covered', flow: https('aks-prod-abc123.hcp.eastus.azmk8s.io'), verdict: 'denied', rule: '' },
    { name: 'FQDN tag: HTTP 80 listed in the rule', flow: { ...https('packages.microsoft.com', '13.107.1.1', 80) }, verdict: 'allowed', rule: 'app/aks/aks-tag' },
    { name: 'app-rule application group with lower priority number still after network', flow: https('api.github.com', '140.82.112.5'), verdict: 'denied', rule: 'app-first/deny-github-app/no-github' },
    { name: 'wildcard matches a subdomain', flow: https('www.contoso.com'), verdict: 'allowed', rule: 'app/wild/contoso-subdomains' },
    { name: 'wildcard matches any depth', flow: https('a.b.contoso.com'), verdict: 'allowed', rule: 'app/wild/contoso-subdomains' },
    { name: 'wildcard does not match the apex: default deny', flow: https('contoso.com'), verdict: 'denied', rule: '' },
    { name: 'collection priority inside a group: deny 150 before allow 200', flow: https('EVIL.contoso.com'), verdict: 'denied', rule: 'app/deny-evil/evil' },
    { name: 'port must match the application protocol', flow: https('www.contoso.com', '93.184.216.34', 8443), verdict: 'denied', rule: '' },
    { name: 'application rules do not see UDP', flow: { ...https('www.contoso.com'), protocol: 'UDP' }, verdict: 'denied', rule: '' },
    { name: 'network FQDN with DNS proxy enabled', flow: { sourceIp: '10.224.0.4', destinationIp: '185.125.190.56', destinationPort: 123, protocol: 'udp', fqdn: 'ntp.ubuntu.com' }, verdict: 'allowed', rule: 'net/allow-net/ntp' },
    { name: 'network rule port range and source CIDR', flow: { sourceIp: '10.224.0.5', destinationIp: '20.50.12.7', destinationPort: 9050, protocol: 'TCP' }, verdict: 'allowed', rule: 'net/allow-net/nodes-only' },
    { name: 'network rule source CIDR excludes other subnets', flow: { sourceIp: '10.99.0.5', destinationIp: '20.50.12.7', destinationPort: 9050, protocol: 'TCP' }, verdict: 'denied', rule: '' },
    { name: 'DNAT first for inbound to the firewall public IP', flow: { sourceIp: '203.0.113.42', destinationIp: '20.31.8.100', destinationPort: 443, protocol: 'TCP' }, verdict: 'allowed', rule: 'DefaultDnatRuleCollectionGroup/dnat/web-in' },
    { name: 'no rule: default deny', flow: https('pypi.org', '151.101.0.223'), verdict: 'denied', rule: '' },
  ];
  it.each(cases)('$name', ({ flow, verdict, rule }) => {
    const v = evaluateFirewall(topology, firewall, flow);
    expect(v.verdict).toBe(verdict);
    const r = v.decidingRule;
    expect(r ? `${r.ruleCollectionGroup?.name}/${r.ruleCollection.name}/${r.rule}` : '').toBe(rule);
  });

  it('names group, collection, rule and action', () => {
    const v = evaluateFirewall(topology, firewall, https('mcr.microsoft.com'));
    expect(v.decidingRule).toMatchObject({ policy: { name: 'fwp' }, ruleCollectionGroup: { name: 'app', priority: 300 }, ruleCollection: { name: 'aks', priority: 100, kind: 'application' }, rule: 'aks-tag', action: 'Allow' });
    expect(evaluateFirewall(topology, firewall, https('pypi.org')).reason).toMatch(/denies by default/);
  });

  it('says unknown instead of guessing when an application rule needs the DNS name', () => {
    const v = evaluateFirewall(topology, firewall, https(undefined, '93.184.216.34'));
    expect(v.verdict).toBe('unknown');
  });

  it('orders collections DNAT, network, application; base policy first', () => {
    const o = orderedRuleCollections(topology, firewall);
    expect(o.mode).toBe('policy');
    expect(o.nat.map((e) => e.collection.name)).toEqual(['dnat']);
    expect(o.network.map((e) => `${e.policy?.name}:${e.collection.name}`)).toEqual(['fwp-base:base-deny', 'fwp:allow-net']);
    expect(o.application.map((e) => e.collection.name)).toEqual(['deny-github-app', 'aks', 'deny-evil', 'wild']);
  });
});

describe('evaluateFirewall: classic rule collections', () => {
  const s = emptySnapshot('demo', 'test');
  const firewall: AzureFirewall = {
    id: `${P}/azureFirewalls/legacy`, name: 'legacy', privateIp: '10.0.8.4', publicIps: [],
    natRuleCollections: [],
    networkRuleCollections: [coll('net', 300, 'network', 'Allow', [net('dns', { protocols: ['UDP', 'TCP'], destinationAddresses: ['1.1.1.1'], destinationPorts: ['53'] })])],
    applicationRuleCollections: [
      coll('everything', 200, 'application', 'Allow', [app('all', { targetFqdns: ['*'] })]),
      coll('block', 100, 'application', 'Deny', [app('pastebin', { targetFqdns: ['pastebin.com'] })]),
    ],
  };
  s.azureFirewalls.push(firewall);
  const t = new AzureTopology(s);

  it.each([
    { flow: { sourceIp: '10.0.0.4', destinationIp: '1.1.1.1', destinationPort: 53, protocol: 'udp' }, verdict: 'allowed', rule: 'net/dns' },
    { flow: https('pastebin.com'), verdict: 'denied', rule: 'block/pastebin' },
    { flow: https('anything.example'), verdict: 'allowed', rule: 'everything/all' },
    // The deny for pastebin.com comes first: without the name the firewall's choice is unknowable.
    { flow: https(undefined), verdict: 'unknown', rule: '' },
  ])('$flow.fqdn $flow.destinationIp:$flow.destinationPort -> $verdict', ({ flow, verdict, rule }) => {
    const v = evaluateFirewall(t, firewall, flow);
    expect(v.verdict).toBe(verdict);
    expect(v.decidingRule ? `${v.decidingRule.ruleCollection.name}/${v.decidingRule.rule}` : '').toBe(rule);
    expect(v.decidingRule?.ruleCollectionGroup).toBeUndefined();
  });

  it('a firewall whose policy is not loaded is unknown, not allowed', () => {
    const fw = { ...firewall, firewallPolicyId: `${P}/firewallPolicies/missing` };
    expect(evaluateFirewall(t, fw, https('pastebin.com')).verdict).toBe('unknown');
  });
});

describe('FQDN matching', () => {
  it.each([
    ['*.contoso.com', 'www.contoso.com', true],
    ['*.contoso.com', 'contoso.com', false],
    ['*.contoso.com', 'a.b.contoso.com', true],
    ['*.contoso.com', 'evilcontoso.com', false],
    ['www.contoso.com', 'WWW.Contoso.com.', true],
    ['www.contoso.com', 'contoso.com', false],
    ['*', 'pastebin.com', true],
    ['*.com', 'pastebin.com', true],
    ['mcr.microsoft.com', 'x.mcr.microsoft.com', false],
    // The pattern is normalized like the name; only a leading star is a wildcard in Azure's target FQDNs.
    ['*.Contoso.COM.', 'a.contoso.com', true],
    ['a*.contoso.com', 'ab.contoso.com', false],
    ['a*.contoso.com', 'a*.contoso.com', true],
    ['*', '', false],
    ['*', '.', false],
  ])('%s vs %s -> %s', (pattern, name, expected) => {
    expect(fqdnMatches(pattern, name)).toBe(expected);
  });

  it.each([
    ['*.hcp.<location>.azmk8s.io', 'x.hcp.westeurope.azmk8s.io', true],
    ['*.hcp.<location>.azmk8s.io', 'x.hcp.west.europe.azmk8s.io', false],
    ['*.hcp.<location>.azmk8s.io', '.hcp.westeurope.azmk8s.io', false],
  ])('placeholder %s vs %s -> %s', (pattern, name, expected) => {
    expect(fqdnMatches(pattern, name)).toBe(expected);
  });

  // Issue 8 (hardening), item 1: target FQDNs come from exported firewall policies; a hostile one with
  // a placeholder must not backtrack.
  it('a pathological target FQDN costs about a plain one', () => {
    const name = `${'a'.repeat(60)}c.westeurope.azmk8s.io`;
    const hostile = `${'*a'.repeat(24)}*b.<location>.azmk8s.io`;
    expect(fqdnMatches(hostile, name)).toBe(false);
    expect(timeRatio(() => fqdnMatches(hostile, name), () => fqdnMatches('*.hcp.<location>.azmk8s.io', name))).toBeLessThan(100);
  });

  it('expands AzureKubernetesService with the region and knows no other tag', () => {
    const list = expandFqdnTag('azurekubernetesservice', 'West Europe')!;
    expect(list).toContain('*.hcp.westeurope.azmk8s.io');
    expect(list).toContain('mcr.microsoft.com');
    expect(list).toContain('login.microsoftonline.com');
    expect(expandFqdnTag('WindowsUpdate')).toBeUndefined();
  });

  it('rates breadth', () => {
    expect(fqdnBreadth('*')).toBe('everything');
    expect(fqdnBreadth('*.com')).toBe('top-level-domain');
    expect(fqdnBreadth('*.contoso.com')).toBe('domain');
    expect(fqdnBreadth('api.stripe.com')).toBe('exact');
  });
});

/**
 * The AKS egress recipe (learn.microsoft.com/azure/aks/limit-egress-traffic, "Add firewall rules"):
 * network rules `apiudp` UDP 1194 and `apitcp` TCP 9000 to the service tag AzureCloud.<region>, and an
 * application rule for the AzureKubernetesService FQDN tag. Service tags in network rules resolve
 * through Azure's published ranges (firewall/service-tags.md).
 */
describe('evaluateFirewall: service tags in network rules (issue 16)', () => {
  function recipe(opts: { tags?: boolean; extra?: NetworkRule[]; groupIds?: string[] } = {}) {
    const s = emptySnapshot('demo', 'test');
    if (opts.tags) {
      s.serviceTags.push({ origin: 'service-tags.json', cloud: 'Public', tags: [{ name: 'AzureCloud.westeurope', region: 'westeurope', addressPrefixes: ['20.50.0.0/16', '20.31.0.0/16'] }] });
    }
    const policy: FirewallPolicy = {
      id: `${P}/firewallPolicies/aks-fwp`, name: 'aks-fwp', dnsProxyEnabled: true,
      ...(opts.groupIds ? { ruleCollectionGroupIds: opts.groupIds } : {}),
      ruleCollectionGroups: [
        {
          name: 'aks-network', priority: 200, ruleCollections: [
            coll('aks-required-net', 100, 'network', 'Allow', [
              ...(opts.extra ?? []),
              net('apiudp', { protocols: ['UDP'], sourceAddresses: ['10.224.0.0/16'], destinationAddresses: ['AzureCloud.westeurope'], destinationPorts: ['1194'] }),
              net('apitcp', { protocols: ['TCP'], sourceAddresses: ['10.224.0.0/16'], destinationAddresses: ['AzureCloud.westeurope'], destinationPorts: ['9000'] }),
            ]),
          ],
        },
        { name: 'aks-application', priority: 300, ruleCollections: [coll('aks-required', 100, 'application', 'Allow', [app('aks-tag', { fqdnTags: ['AzureKubernetesService'] })])] },
      ],
    };
    s.firewallPolicies.push(policy);
    const firewall: AzureFirewall = { id: `${P}/azureFirewalls/afw`, name: 'afw', location: 'westeurope', privateIp: '10.225.0.4', publicIps: [], firewallPolicyId: policy.id, natRuleCollections: [], networkRuleCollections: [], applicationRuleCollections: [] };
    s.azureFirewalls.push(firewall);
    return { topology: new AzureTopology(s), firewall };
  }
  const tunnel = (port: number, protocol: string, destinationIp = '20.50.12.7'): FirewallFlow => ({ sourceIp: '10.224.0.5', destinationIp, destinationPort: port, protocol });

  it('without the ranges, apitcp/apiudp are unknown naming the tag, never "denied by default"', () => {
    const { topology, firewall } = recipe();
    for (const f of [tunnel(9000, 'TCP'), tunnel(1194, 'UDP')]) {
      const v = evaluateFirewall(topology, firewall, f);
      expect(v.verdict).toBe('unknown');
      expect(v.unresolvedTags).toEqual(['AzureCloud.westeurope']);
      expect(v.reason).toMatch(/network rule api(tcp|udp) in aks-network \/ aks-required-net would allow it if it matched, otherwise no rule matched; Azure Firewall denies by default; service tag AzureCloud\.westeurope cannot be expanded/);
    }
  });

  it('with the ranges, the tunnel to the API server is allowed by apitcp / apiudp', () => {
    const { topology, firewall } = recipe({ tags: true });
    expect(evaluateFirewall(topology, firewall, tunnel(9000, 'TCP'))).toMatchObject({ verdict: 'allowed', decidingRule: { rule: 'apitcp' } });
    expect(evaluateFirewall(topology, firewall, tunnel(1194, 'UDP'))).toMatchObject({ verdict: 'allowed', decidingRule: { rule: 'apiudp' } });
  });

  it('with the ranges, an address outside AzureCloud.westeurope falls to the default deny', () => {
    const { topology, firewall } = recipe({ tags: true });
    const v = evaluateFirewall(topology, firewall, tunnel(9000, 'TCP', '52.1.2.3'));
    expect(v).toMatchObject({ verdict: 'denied', reason: expect.stringMatching(/denies by default/) });
    expect(v.unresolvedTags).toBeUndefined();
  });

  it('a rule that cannot be decided but would give the same verdict leaves the verdict certain', () => {
    // apitcp (Allow, tag not loaded) comes first; a later rule allows TCP 9000 anywhere: allowed either way.
    const { topology, firewall } = recipe();
    topology.policy(firewall.firewallPolicyId)!.ruleCollectionGroups[0].ruleCollections[0].rules.push(net('tunnel-anywhere', { destinationAddresses: ['*'], destinationPorts: ['9000'] }));
    const v = evaluateFirewall(topology, firewall, tunnel(9000, 'TCP'));
    expect(v).toMatchObject({ verdict: 'allowed', decidingRule: { rule: 'tunnel-anywhere' }, unresolvedTags: ['AzureCloud.westeurope'] });
    expect(v.notes.join(' ')).toMatch(/apitcp .* might match .*AzureCloud\.westeurope cannot be expanded.*; either way the firewall allows this traffic/);
  });

  it('an IP group is not loaded: a deny rule using it makes an otherwise allowed flow unknown', () => {
    const blockByGroup = net('block-group', { protocols: ['TCP'], destinationIpGroups: [`${P}/ipGroups/blocked-hosts`], destinationPorts: ['9000'] });
    const { topology, firewall } = recipe({ tags: true });
    const policy = topology.policy(firewall.firewallPolicyId)!;
    policy.ruleCollectionGroups.unshift({ name: 'deny-first', priority: 100, ruleCollections: [coll('deny', 100, 'network', 'Deny', [blockByGroup])] });
    const v = evaluateFirewall(topology, firewall, tunnel(9000, 'TCP'));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/IP group blocked-hosts is not loaded/);
  });

  it('a rule collection group the policy lists but the input lacks (or rejected) makes the firewall unknown', () => {
    const { topology, firewall } = recipe({ tags: true, groupIds: [`${P}/firewallPolicies/aks-fwp/ruleCollectionGroups/aks-network`, `${P}/firewallPolicies/aks-fwp/ruleCollectionGroups/deny-list`] });
    const v = evaluateFirewall(topology, firewall, tunnel(9000, 'TCP'));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/rule collection group aks-fwp\/deny-list of the firewall policy is not loaded/);
  });
});
