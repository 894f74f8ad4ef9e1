import { describe, expect, it } from 'vitest';
import type { AzureSnapshot, NetworkSecurityGroup, SecurityRule } from '../azure/types';
import { emptySnapshot } from '../azure/types';
import { AzureTopology } from './azure-topology';
import { isDefaultRuleName } from './nsg-default-rules';
import { effectiveRules, evaluateNsg, type NsgFlow } from './nsg-evaluator';
import { matchNsgPrefix } from './nsg-service-tags';

const SUB = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network';

function rule(name: string, priority: number, direction: 'Inbound' | 'Outbound', access: 'Allow' | 'Deny', o: Partial<SecurityRule> = {}): SecurityRule {
  return {
    name,
    priority,
    direction,
    access,
    protocol: 'Tcp',
    sourcePrefixes: ['*'],
    sourcePorts: ['*'],
    destinationPrefixes: ['*'],
    destinationPorts: ['*'],
    sourceAsgIds: [],
    destinationAsgIds: [],
    isDefault: false,
    ...o,
  };
}

function nsg(name: string, rules: SecurityRule[], defaults: SecurityRule[] = []): NetworkSecurityGroup {
  return { id: `${SUB}/networkSecurityGroups/${name}`, name, securityRules: rules, defaultSecurityRules: defaults, subnetIds: [], networkInterfaceIds: [] };
}

/**
 * VNet 10.0.0.0/16 peered with 10.1.0.0/16. Subnets: web (subnet NSG + NIC NSG on web-vm), db (subnet
 * NSG only), bare (no NSG). Rules are listed out of priority order on purpose.
 */
function network(opts: { udrDefaultToAppliance?: boolean; webRules?: SecurityRule[] } = {}): AzureSnapshot {
  const s = emptySnapshot('demo', 'test');
  const subnet = (name: string, prefix: string, nsgName?: string) => ({
    id: `${SUB}/virtualNetworks/vnet/subnets/${name}`,
    name,
    vnetId: `${SUB}/virtualNetworks/vnet`,
    addressPrefixes: [prefix],
    networkSecurityGroupId: nsgName && `${SUB}/networkSecurityGroups/${nsgName}`,
    routeTableId: opts.udrDefaultToAppliance ? `${SUB}/routeTables/rt` : undefined,
    ipConfigurationIds: [],
  });
  s.virtualNetworks.push({
    id: `${SUB}/virtualNetworks/vnet`,
    name: 'vnet',
    addressPrefixes: ['10.0.0.0/16'],
    subnets: [subnet('web', '10.0.1.0/24', 'nsg-web'), subnet('db', '10.0.2.0/24', 'nsg-db'), subnet('bare', '10.0.3.0/24')],
    peerings: [{ name: 'to-hub', remoteAddressPrefixes: ['10.1.0.0/16'] }],
  });
  if (opts.udrDefaultToAppliance) {
    s.routeTables.push({ id: `${SUB}/routeTables/rt`, name: 'rt', routes: [{ name: 'default', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.1.0.4' }], subnetIds: [] });
  }
  s.networkSecurityGroups.push(
    nsg('nsg-web', opts.webRules ?? [
      rule('allow-ssh-any', 200, 'Inbound', 'Allow', { destinationPorts: ['22'] }),
      rule('allow-https', 100, 'Inbound', 'Allow', { sourcePrefixes: ['Internet'], destinationPorts: ['443'] }),
      rule('augmented', 300, 'Inbound', 'Allow', { sourcePrefixes: ['198.51.100.0/24', '192.0.2.7'], destinationPorts: ['80', '8000-8999'] }),
      rule('asg-admin', 400, 'Inbound', 'Allow', { sourcePrefixes: ['10.1.0.0/16'], destinationPrefixes: [], destinationAsgIds: [`${SUB}/applicationSecurityGroups/admin`], destinationPorts: ['9443'] }),
      rule('deny-9443', 500, 'Inbound', 'Deny', { destinationPorts: ['9443'] }),
    ]),
    nsg('nsg-web-nic', [
      rule('allow-https-nic', 100, 'Inbound', 'Allow', { destinationPorts: ['443'] }),
      rule('deny-ssh', 110, 'Inbound', 'Deny', { destinationPorts: ['22'] }),
      rule('deny-dns-out', 100, 'Outbound', 'Deny', { protocol: 'Udp', destinationPorts: ['53'] }),
      rule('allow-admin-any', 120, 'Inbound', 'Allow', { destinationPorts: ['9443'] }),
    ]),
    nsg(
      'nsg-db',
      [
        rule('deny-postgres-late', 300, 'Inbound', 'Deny', { destinationPorts: ['5432'], sourcePrefixes: ['10.0.1.0/24'] }),
        rule('allow-postgres-from-web', 200, 'Inbound', 'Allow', { destinationPorts: ['5432'], sourcePrefixes: ['10.0.1.0/24'] }),
        rule('allow-dns-tcp-only', 250, 'Inbound', 'Allow', { destinationPorts: ['53'], sourcePrefixes: ['203.0.113.0/24'] }),
      ],
      // As ARM returns them, in the docs' casing to check names are not compared case-sensitively.
      [
        rule('AllowVNetInBound', 65000, 'Inbound', 'Allow', { protocol: '*', sourcePrefixes: ['VirtualNetwork'], destinationPrefixes: ['VirtualNetwork'], isDefault: true }),
        rule('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', { protocol: '*', sourcePrefixes: ['AzureLoadBalancer'], isDefault: true }),
        rule('DenyAllInbound', 65500, 'Inbound', 'Deny', { protocol: '*', isDefault: true }),
        rule('AllowVnetOutBound', 65000, 'Outbound', 'Allow', { protocol: '*', sourcePrefixes: ['VirtualNetwork'], destinationPrefixes: ['VirtualNetwork'], isDefault: true }),
        rule('AllowInternetOutBound', 65001, 'Outbound', 'Allow', { protocol: '*', destinationPrefixes: ['Internet'], isDefault: true }),
        rule('DenyAllOutBound', 65500, 'Outbound', 'Deny', { protocol: '*', isDefault: true }),
      ],
    ),
  );
  s.networkInterfaces.push(
    { id: `${SUB}/networkInterfaces/web-vm`, name: 'web-vm', networkSecurityGroupId: `${SUB}/networkSecurityGroups/nsg-web-nic`, ipConfigurations: [{ name: 'ipconfig1', privateIp: '10.0.1.4', subnetId: `${SUB}/virtualNetworks/vnet/subnets/web`, asgIds: [`${SUB}/applicationSecurityGroups/admin`] }] },
    { id: `${SUB}/networkInterfaces/web-vm2`, name: 'web-vm2', ipConfigurations: [{ name: 'ipconfig1', privateIp: '10.0.1.5', subnetId: `${SUB}/virtualNetworks/vnet/subnets/web`, asgIds: [] }] },
    { id: `${SUB}/networkInterfaces/db-vm`, name: 'db-vm', ipConfigurations: [{ name: 'ipconfig1', privateIp: '10.0.2.4', subnetId: `${SUB}/virtualNetworks/vnet/subnets/db`, asgIds: [] }] },
  );
  return s;
}

const flow = (sourceIp: string, destinationIp: string, destinationPort: number, protocol = 'TCP'): NsgFlow => ({ sourceIp, destinationIp, destinationPort, protocol });

describe('evaluateNsg: ordering, both NSGs, defaults', () => {
  const t = new AzureTopology(network());
  const cases: { name: string; flow: NsgFlow; verdict: string; decided: string; path: string[] }[] = [
    { name: 'subnet then NIC inbound, both allow', flow: flow('203.0.113.9', '10.0.1.4', 443), verdict: 'allowed', decided: 'nsg-web/allow-https', path: ['subnet:nsg-web:Inbound', 'nic:nsg-web-nic:Inbound'] },
    { name: 'subnet allows, NIC denies: both must allow', flow: flow('203.0.113.9', '10.0.1.4', 22), verdict: 'denied', decided: 'nsg-web-nic/deny-ssh', path: ['subnet:nsg-web:Inbound', 'nic:nsg-web-nic:Inbound'] },
    { name: 'subnet denies by default: NIC never evaluated', flow: flow('203.0.113.9', '10.0.1.4', 3389), verdict: 'denied', decided: 'nsg-web/DenyAllInBound', path: ['subnet:nsg-web:Inbound'] },
    { name: 'VNet to VNet: every NSG on the path evaluated', flow: flow('10.0.1.4', '10.0.2.4', 5432), verdict: 'allowed', decided: 'nsg-web-nic/AllowVnetOutBound', path: ['nic:nsg-web-nic:Outbound', 'subnet:nsg-web:Outbound', 'subnet:nsg-db:Inbound'] },
    { name: 'outbound: NIC NSG first, deny stops there', flow: flow('10.0.1.4', '8.8.8.8', 53, 'UDP'), verdict: 'denied', decided: 'nsg-web-nic/deny-dns-out', path: ['nic:nsg-web-nic:Outbound'] },
    { name: 'default AllowInternetOutBound', flow: flow('10.0.2.4', '54.187.174.169', 443), verdict: 'allowed', decided: 'nsg-db/AllowInternetOutBound', path: ['subnet:nsg-db:Outbound'] },
    { name: 'default AllowVnetInBound covers peered VNets', flow: flow('10.1.0.5', '10.0.2.4', 8080), verdict: 'allowed', decided: 'nsg-db/AllowVNetInBound', path: ['subnet:nsg-db:Inbound'] },
    { name: 'no NSG on the path: allowed', flow: flow('10.0.3.4', '10.0.3.5', 22), verdict: 'allowed', decided: '', path: [] },
    { name: 'protocol must match: a TCP rule does not allow UDP', flow: flow('203.0.113.9', '10.0.2.4', 53, 'UDP'), verdict: 'denied', decided: 'nsg-db/DenyAllInbound', path: ['subnet:nsg-db:Inbound'] },
    { name: 'protocol must match: TCP 53 allowed', flow: flow('203.0.113.9', '10.0.2.4', 53, 'tcp'), verdict: 'allowed', decided: 'nsg-db/allow-dns-tcp-only', path: ['subnet:nsg-db:Inbound'] },
    { name: 'augmented rule: plural source prefixes and port ranges', flow: flow('192.0.2.7', '10.0.1.5', 8443), verdict: 'allowed', decided: 'nsg-web/augmented', path: ['subnet:nsg-web:Inbound'] },
    { name: 'augmented rule: port outside every range', flow: flow('192.0.2.7', '10.0.1.5', 9000), verdict: 'denied', decided: 'nsg-web/DenyAllInBound', path: ['subnet:nsg-web:Inbound'] },
    { name: 'application security group on the destination NIC', flow: flow('10.1.0.9', '10.0.1.4', 9443), verdict: 'allowed', decided: 'nsg-web/asg-admin', path: ['subnet:nsg-web:Inbound', 'nic:nsg-web-nic:Inbound'] },
    { name: 'NIC outside the ASG falls through to the deny', flow: flow('10.1.0.9', '10.0.1.5', 9443), verdict: 'denied', decided: 'nsg-web/deny-9443', path: ['subnet:nsg-web:Inbound'] },
    { name: 'platform address bypasses NSGs', flow: flow('10.0.1.4', '168.63.129.16', 53, 'UDP'), verdict: 'allowed', decided: '', path: [] },
    { name: 'IMDS bypasses NSGs', flow: flow('10.0.1.4', '169.254.169.254', 80), verdict: 'allowed', decided: '', path: [] },
    { name: 'neither end in a known subnet', flow: flow('203.0.113.9', '54.187.174.169', 443), verdict: 'not-on-path', decided: '', path: [] },
  ];
  it.each(cases)('$name', ({ flow: f, verdict, decided, path }) => {
    const v = evaluateNsg(t, f);
    expect(v.verdict).toBe(verdict);
    expect(v.decidingRule ? `${v.decidingRule.nsgName}/${v.decidingRule.ruleName}` : '').toBe(decided);
    expect(v.decisions.map((d) => `${d.attachedTo}:${d.nsg.name}:${d.direction}`)).toEqual(path);
  });

  it('lower priority number wins whatever the list order (allow 200 before deny 300)', () => {
    const v = evaluateNsg(t, flow('10.0.1.4', '10.0.2.4', 5432));
    expect(v.decisions.at(-1)?.rule).toMatchObject({ nsgName: 'nsg-db', ruleName: 'allow-postgres-from-web', priority: 200, access: 'Allow' });
  });

  it('marks default rules as default and custom rules as custom', () => {
    expect(evaluateNsg(t, flow('203.0.113.9', '10.0.1.4', 3389)).decidingRule).toMatchObject({ isDefault: true, priority: 65500 });
    expect(evaluateNsg(t, flow('203.0.113.9', '10.0.1.4', 22)).decidingRule).toMatchObject({ isDefault: false, priority: 110, access: 'Deny' });
  });

  it('is stateful: only the initiating direction is evaluated', () => {
    // db-vm may open connections to the internet though the internet may not open them to db-vm.
    const out = evaluateNsg(t, flow('10.0.2.4', '54.187.174.169', 443));
    expect(out.verdict).toBe('allowed');
    expect(out.decisions.every((d) => d.direction === 'Outbound')).toBe(true);
    expect(evaluateNsg(t, flow('54.187.174.169', '10.0.2.4', 443)).verdict).toBe('denied');
  });
});

describe('service tags', () => {
  it('VirtualNetwork includes the VNet, peers and the host VIP; Internet excludes private space', () => {
    const t = new AzureTopology(network());
    const ctx = { topology: t, vnet: t.snapshot.virtualNetworks[0] };
    expect(matchNsgPrefix('VirtualNetwork', '10.0.9.9', ctx)).toBe('match');
    expect(matchNsgPrefix('VirtualNetwork', '10.1.2.3', ctx)).toBe('match');
    expect(matchNsgPrefix('VirtualNetwork', '168.63.129.16', ctx)).toBe('match');
    expect(matchNsgPrefix('VirtualNetwork', '10.2.0.1', ctx)).toBe('no-match');
    expect(matchNsgPrefix('Internet', '54.187.174.169', ctx)).toBe('match');
    expect(matchNsgPrefix('Internet', '192.168.1.1', ctx)).toBe('no-match');
    expect(matchNsgPrefix('Internet', '10.0.1.4', ctx)).toBe('no-match');
    expect(matchNsgPrefix('AzureLoadBalancer', '168.63.129.16', ctx)).toBe('match');
    expect(matchNsgPrefix('AzureLoadBalancer', '10.0.1.4', ctx)).toBe('no-match');
    expect(matchNsgPrefix('*', '1.2.3.4', ctx)).toBe('match');
    expect(matchNsgPrefix('AzureCloud.westeurope', '20.1.2.3', ctx)).toBe('unresolved');
  });

  it('the 0.0.0.0/0 UDR trap: VirtualNetwork then covers internet sources and AllowVnetInBound admits them', () => {
    const before = evaluateNsg(new AzureTopology(network()), flow('203.0.113.9', '10.0.2.4', 5432));
    expect(before.decidingRule?.ruleName).toBe('DenyAllInbound');
    const after = evaluateNsg(new AzureTopology(network({ udrDefaultToAppliance: true })), flow('203.0.113.9', '10.0.2.4', 5432));
    expect(after.verdict).toBe('allowed');
    expect(after.decidingRule?.ruleName).toBe('AllowVNetInBound');
    expect(after.notes.join(' ')).toMatch(/user-defined route/);
  });

  it('an unexpandable tag that could change the outcome makes the verdict unknown, naming the tag', () => {
    // service-tags-overview.md: Storage is a published tag; without its ranges a Deny on it may or may not apply.
    const t = new AzureTopology(network({ webRules: [rule('deny-storage', 100, 'Outbound', 'Deny', { destinationPrefixes: ['Storage'] })] }));
    const v = evaluateNsg(t, flow('10.0.1.5', '52.239.1.1', 443));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/deny-storage \(priority 100\) of subnet NSG nsg-web denies the traffic if it matches, otherwise outbound rule AllowInternetOutBound/);
    expect(v.reason).toMatch(/service tag Storage cannot be expanded: no service tag list is loaded/);
    expect(v.unresolvedTags).toEqual(['Storage']);
    expect(v.decisions[0]).toMatchObject({ access: 'Unknown', rule: { ruleName: 'deny-storage' }, unresolved: ['Storage'] });
  });
});

/** A published list as `az network list-service-tags` prints it (documentation-range prefixes). */
function withTags(s: AzureSnapshot): AzureSnapshot {
  s.serviceTags.push({
    origin: 'service-tags.json',
    cloud: 'Public',
    changeNumber: '9',
    tags: [
      { name: 'AzureCloud.westeurope', region: 'westeurope', addressPrefixes: ['198.51.100.0/25', '2001:db8:20::/48'] },
      { name: 'AzureCloud', addressPrefixes: ['198.51.100.0/24', '2001:db8:20::/48'] },
      { name: 'Storage', addressPrefixes: ['192.0.2.128/25'] },
    ],
  });
  return s;
}

describe('service tags from the published list (service-tags-overview.md, "Discover service tags by using downloadable JSON files")', () => {
  const denyAzureCloud = [rule('deny-azurecloud', 100, 'Outbound', 'Deny', { protocol: '*', destinationPrefixes: ['AzureCloud'] })];

  it('issue 16: an NSG Deny to AzureCloud is unknown without the ranges, never reported as allowed', () => {
    const v = evaluateNsg(new AzureTopology(network({ webRules: denyAzureCloud })), flow('10.0.1.5', '198.51.100.9', 443));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/service tag AzureCloud cannot be expanded/);
  });

  it('with the ranges loaded, the Deny applies to an address in AzureCloud and not to one outside it', () => {
    const t = new AzureTopology(withTags(network({ webRules: denyAzureCloud })));
    expect(evaluateNsg(t, flow('10.0.1.5', '198.51.100.9', 443))).toMatchObject({ verdict: 'denied', decidingRule: { ruleName: 'deny-azurecloud' } });
    expect(evaluateNsg(t, flow('10.0.1.5', '54.187.174.169', 443))).toMatchObject({ verdict: 'allowed', decidingRule: { ruleName: 'AllowInternetOutBound' } });
  });

  it('IPv6 prefixes of a tag match IPv6 addresses', () => {
    const t = new AzureTopology(withTags(network({ webRules: denyAzureCloud })));
    expect(evaluateNsg(t, flow('10.0.1.5', '2001:db8:20::7', 443)).verdict).toBe('denied');
  });

  it('regional tags and case: AzureCloud.WestEurope in a rule matches the list\'s AzureCloud.westeurope', () => {
    const t = new AzureTopology(withTags(network({ webRules: [rule('deny-weu', 100, 'Outbound', 'Deny', { protocol: '*', destinationPrefixes: ['AzureCloud.WestEurope'] })] })));
    expect(evaluateNsg(t, flow('10.0.1.5', '198.51.100.9', 443)).verdict).toBe('denied');
    // 198.51.100.200 is in AzureCloud but not in the regional tag (198.51.100.0/25).
    expect(evaluateNsg(t, flow('10.0.1.5', '198.51.100.200', 443)).verdict).toBe('allowed');
  });

  it('a tag missing from a loaded list is unknown too, and says which list was loaded', () => {
    const t = new AzureTopology(withTags(network({ webRules: [rule('deny-sql', 100, 'Outbound', 'Deny', { destinationPrefixes: ['Sql.WestEurope'] })] })));
    const v = evaluateNsg(t, flow('10.0.1.5', '198.51.100.9', 1433));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/Sql\.WestEurope cannot be expanded: it is not among the 3 tags loaded from service-tags\.json \(Public, change 9\)/);
  });

  it('when both outcomes agree the verdict stands: an unexpandable Allow before AllowInternetOutBound still allows', () => {
    const t = new AzureTopology(network({ webRules: [rule('allow-monitor', 100, 'Outbound', 'Allow', { destinationPrefixes: ['AzureMonitor'] })] }));
    const v = evaluateNsg(t, flow('10.0.1.5', '54.187.174.169', 443));
    expect(v.verdict).toBe('allowed');
    expect(v.decidingRule?.ruleName).toBe('AllowInternetOutBound');
    expect(v.notes.join(' ')).toMatch(/allow-monitor .* names AzureMonitor, which could not be expanded; whether or not it matches, the NSG allows/);
  });

  it('an unknown NSG does not hide a certain deny further on the path (every NSG must allow)', () => {
    // nsg-web (outbound) cannot tell through the tag; nsg-db (inbound) denies UDP from the web subnet for certain.
    const s = network({ webRules: [rule('deny-storage', 100, 'Outbound', 'Deny', { protocol: '*', destinationPrefixes: ['Storage'] })] });
    s.networkSecurityGroups.find((n) => n.name === 'nsg-db')!.securityRules.push(rule('deny-udp-from-web', 100, 'Inbound', 'Deny', { protocol: 'Udp', sourcePrefixes: ['10.0.1.0/24'] }));
    const v = evaluateNsg(new AzureTopology(s), flow('10.0.1.5', '10.0.2.4', 5432, 'UDP'));
    expect(v.verdict).toBe('denied');
    expect(v.decidingRule).toMatchObject({ nsgName: 'nsg-db', ruleName: 'deny-udp-from-web' });
    expect(v.decisions[0].access).toBe('Unknown');
  });

  it('a subnet referencing an NSG that is not in the input is unknown, not "no NSG, allowed"', () => {
    const s = network();
    s.virtualNetworks[0].subnets[2].networkSecurityGroupId = `${SUB}/networkSecurityGroups/not-exported`;
    const v = evaluateNsg(new AzureTopology(s), flow('10.0.3.4', '10.0.3.5', 22));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/NSG not-exported of subnet bare is referenced but not in the input/);
  });

  it('an ASG rule is unknown for an address whose NIC is not loaded (ASG members are NICs)', () => {
    // 10.0.1.9 is in subnet web but no NIC is loaded for it; the deny-9443 rule after the ASG allow would decide otherwise.
    const v = evaluateNsg(new AzureTopology(network()), flow('10.1.0.9', '10.0.1.9', 9443));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/whether 10\.0\.1\.9 belongs to application security group admin is unknown/);
  });
});

describe('AzureLoadBalancer: health probes come from 168.63.129.16 and NSG rules apply to them', () => {
  // load-balancer-custom-probe-overview.md: "Load Balancer health probes originate from the IP address
  // 168.63.129.16 and must not be blocked"; network-security-groups-overview.md: AllowAzureLoadBalancerInBound.
  const probe = flow('168.63.129.16', '10.0.2.4', 10256);

  it('the default rules admit probes', () => {
    const v = evaluateNsg(new AzureTopology(network()), probe);
    expect(v.verdict).toBe('allowed');
    expect(v.decisions.map((d) => d.direction)).toEqual(['Inbound']);
  });

  it('a custom Deny on AzureLoadBalancer blocks them (the probe fails)', () => {
    const s = network();
    s.networkSecurityGroups.find((n) => n.name === 'nsg-db')!.securityRules.push(rule('deny-lb', 150, 'Inbound', 'Deny', { protocol: '*', sourcePrefixes: ['AzureLoadBalancer'] }));
    expect(evaluateNsg(new AzureTopology(s), probe)).toMatchObject({ verdict: 'denied', decidingRule: { ruleName: 'deny-lb', priority: 150 } });
  });

  it('a custom deny-all inbound above the defaults blocks them too', () => {
    const s = network();
    s.networkSecurityGroups.find((n) => n.name === 'nsg-db')!.securityRules.push(rule('deny-all-in', 4096, 'Inbound', 'Deny', { protocol: '*' }));
    expect(evaluateNsg(new AzureTopology(s), probe)).toMatchObject({ verdict: 'denied', decidingRule: { ruleName: 'deny-all-in' } });
  });

  it('a Deny on Internet does not: the host VIP belongs to VirtualNetwork, not to Internet (service-tags-overview.md)', () => {
    const s = network();
    s.networkSecurityGroups.find((n) => n.name === 'nsg-db')!.securityRules.push(rule('deny-internet-in', 4000, 'Inbound', 'Deny', { protocol: '*', sourcePrefixes: ['Internet'] }));
    expect(evaluateNsg(new AzureTopology(s), probe).verdict).toBe('allowed');
    expect(evaluateNsg(new AzureTopology(s), flow('54.187.174.169', '10.0.2.4', 10256)).verdict).toBe('denied');
  });
});

describe('traffic to platform addresses (network-security-groups-overview.md, "Azure platform considerations")', () => {
  it('is not filtered by ordinary rules, even a deny-all outbound', () => {
    const t = new AzureTopology(network({ webRules: [rule('deny-all-out', 100, 'Outbound', 'Deny', { protocol: '*' })] }));
    expect(evaluateNsg(t, flow('10.0.1.5', '168.63.129.16', 53, 'UDP')).verdict).toBe('allowed');
    expect(evaluateNsg(t, flow('10.0.1.5', '8.8.8.8', 53, 'UDP')).verdict).toBe('denied');
  });

  it('is denied by a rule naming AzurePlatformDNS / AzurePlatformIMDS', () => {
    const t = new AzureTopology(
      network({
        webRules: [
          rule('no-azure-dns', 100, 'Outbound', 'Deny', { protocol: '*', destinationPrefixes: ['AzurePlatformDNS'], destinationPorts: ['53'] }),
          rule('no-imds', 110, 'Outbound', 'Deny', { protocol: '*', destinationPrefixes: ['AzurePlatformIMDS'] }),
        ],
      }),
    );
    expect(evaluateNsg(t, flow('10.0.1.5', '168.63.129.16', 53, 'UDP'))).toMatchObject({ verdict: 'denied', decidingRule: { ruleName: 'no-azure-dns' } });
    expect(evaluateNsg(t, flow('10.0.1.5', '169.254.169.254', 80))).toMatchObject({ verdict: 'denied', decidingRule: { ruleName: 'no-imds' } });
    // The wire server on 168.63.129.16:32526 is not DNS: the DNS rule's port does not match.
    expect(evaluateNsg(t, flow('10.0.1.5', '168.63.129.16', 32526)).verdict).toBe('allowed');
  });
});

describe('default rules', () => {
  it('matches default rule names case-insensitively', () => {
    expect(isDefaultRuleName('AllowVNetInBound')).toBe(true);
    expect(isDefaultRuleName('denyallinbound')).toBe(true);
    expect(isDefaultRuleName('allow-ssh')).toBe(false);
  });

  it('supplies Azure defaults when the input lacks them', () => {
    const t = new AzureTopology(network());
    const v = evaluateNsg(t, flow('10.0.1.5', '10.0.2.4', 8080));
    expect(v.decisions[0]).toMatchObject({ nsg: { name: 'nsg-web' }, rule: { ruleName: 'AllowVnetOutBound', isDefault: true } });
  });
});

describe('effectiveRules', () => {
  const t = new AzureTopology(network());

  it('for a NIC: subnet then NIC inbound, NIC then subnet outbound, each ordered by priority', () => {
    const e = effectiveRules(t, { nicId: `${SUB}/networkInterfaces/web-vm` })!;
    expect(e.target).toMatchObject({ kind: 'nic', name: 'web-vm' });
    expect(e.inbound.map((l) => `${l.attachedTo}:${l.nsg.name}`)).toEqual(['subnet:nsg-web', 'nic:nsg-web-nic']);
    expect(e.outbound.map((l) => `${l.attachedTo}:${l.nsg.name}`)).toEqual(['nic:nsg-web-nic', 'subnet:nsg-web']);
    expect(e.inbound[0].rules.map((r) => r.priority)).toEqual([100, 200, 300, 400, 500, 65000, 65001, 65500]);
    expect(e.inbound[0].rules.at(-1)).toMatchObject({ name: 'DenyAllInBound', isDefault: true });
  });

  it('for a subnet without NSG: nothing applies', () => {
    const e = effectiveRules(t, { subnetId: `${SUB}/virtualNetworks/vnet/subnets/bare` })!;
    expect(e.inbound).toEqual([]);
    expect(effectiveRules(t, { subnetId: `${SUB}/virtualNetworks/vnet/subnets/nope` })).toBeUndefined();
  });
});
