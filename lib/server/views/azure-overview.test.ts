import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../../azure/demo';
import { loadAzureDir } from '../../azure/files-source';
import type { AzureSnapshot } from '../../azure/types';
import { azureOverview } from './azure-overview';
import { firewallHits, UNKNOWN_INTERNET_IP } from '../../azure-rules/firewall-hits';

const demo = demoAzureSnapshot();
const observations = [
  { workload: 'legacy/legacy-app', fqdn: 'api.github.com', destinationPort: 443, protocol: 'TCP', flows: 5, sourceNodeIp: '10.224.0.5', destinationIp: '140.82.121.6' },
  { workload: 'legacy/legacy-app', fqdn: 'pypi.org', destinationPort: 443, protocol: 'TCP', flows: 3, sourceNodeIp: '10.224.0.5' },
  { workload: 'monitoring/grafana', fqdn: 'pypi.org', destinationPort: 443, protocol: 'TCP', flows: 1 },
  { workload: 'production/api-server', fqdn: 'api.stripe.com', destinationPort: 443, protocol: 'TCP', flows: 8, sourceNodeIp: '10.224.0.4' },
  { workload: 'payments/payments-api', fqdn: 'evil.example.net', destinationPort: 443, protocol: 'TCP', flows: 2 },
];

describe('firewallHits', () => {
  it('counts flows on the deciding rule and the default deny, and ranks denied names', () => {
    const h = firewallHits(demo, observations);
    expect(h.byRule['aks-egress-fw|aks-egress-fwp|aks-application|dev-convenience|allow-all-com']).toBe(5);
    expect(h.byRule['aks-egress-fw|aks-egress-fwp|aks-application|production-egress|payments-stripe']).toBe(8);
    expect(h.defaultDeny['aks-egress-fw']).toBe(6);
    expect(h.topDenied).toEqual([
      { fqdn: 'pypi.org', flows: 4, workloads: ['legacy/legacy-app', 'monitoring/grafana'] },
      { fqdn: 'evil.example.net', flows: 2, workloads: ['payments/payments-api'] },
    ]);
    expect(h.evaluated).toBe(5);
  });

  it('bounds the denied list and counts traffic that does not pass a firewall', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ workload: 'a/b', fqdn: `x${i}.example.org`, destinationPort: 443, protocol: 'TCP', flows: i + 1 }));
    const h = firewallHits(demo, many, 10);
    expect(h.topDenied).toHaveLength(10);
    expect(h.topDenied[0]).toMatchObject({ fqdn: 'x29.example.org', flows: 30 });
    const noRoutes: AzureSnapshot = { ...structuredClone(demo), routeTables: [] };
    noRoutes.virtualNetworks[0].subnets[0].routeTableId = undefined;
    expect(firewallHits(noRoutes, many).notOnPath).toBe(30);
    expect(UNKNOWN_INTERNET_IP).toMatch(/^203\.0\.113\./);
  });
});

describe('azureOverview', () => {
  const o = azureOverview(demo, observations);

  it('lists NSG rules in evaluation order with the defaults marked and the broad SSH rule flagged', () => {
    const nsg = o.nsgs.find((n) => n.name === 'aks-agentpool-31415926-nsg')!;
    expect(nsg.subnets).toContain('aks-subnet');
    const inbound = nsg.rules.filter((r) => r.direction === 'Inbound');
    expect(inbound.map((r) => [r.priority, r.isDefault])).toEqual([
      [500, false],
      [1000, false],
      [65000, true],
      [65001, true],
      [65500, true],
    ]);
    const ssh = inbound.find((r) => r.name === 'allow-ssh-from-anywhere')!;
    expect(ssh).toMatchObject({ source: 'Internet', destinationPorts: '22', flag: { id: 'nsg-open-inbound', severity: 'critical' } });
    expect(nsg.rules.filter((r) => r.isDefault)).toHaveLength(6);
  });

  it('gives effective rules per subnet and NIC: inbound subnet then NIC, outbound NIC then subnet', () => {
    const subnet = o.targets.find((t) => t.kind === 'subnet' && t.name === 'aks-subnet')!;
    expect(subnet.inbound.map((e) => e.attachedTo)).toEqual(['subnet']);
    const nic = o.targets.find((t) => t.kind === 'nic')!;
    expect(nic.parent).toBe('aks-subnet');
    expect(nic.inbound[0].rules[0].name).toBe('k8s-azure-lb_allow_IPv4_443');
  });

  it('draws the egress path of the node subnet through the route table to the firewall', () => {
    expect(o.egress).toHaveLength(1);
    expect(o.egress[0]).toMatchObject({
      subnet: 'aks-subnet',
      nsg: 'aks-agentpool-31415926-nsg',
      routeTable: 'aks-egress-rt',
      route: { name: 'default-via-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance' },
      kind: 'firewall',
      firewall: { name: 'aks-egress-fw', policy: 'aks-egress-fwp' },
    });
  });

  it('lists firewall rules network before application, with hit counts and the too-broad rule flagged', () => {
    const fw = o.firewalls[0];
    expect(fw.mode).toBe('policy');
    const kinds = fw.rules.map((r) => r.kind);
    expect(kinds.indexOf('application')).toBeGreaterThan(kinds.lastIndexOf('network'));
    const wildcard = fw.rules.find((r) => r.rule === 'allow-all-com')!;
    expect(wildcard).toMatchObject({ hits: 5, match: expect.stringContaining('*.com'), flag: { id: 'firewall-rule-too-broad' } });
    expect(fw.rules.find((r) => r.rule === 'payments-stripe')?.hits).toBe(8);
    expect(fw.defaultDenyHits).toBe(6);
    expect(o.topDenied[0].fqdn).toBe('pypi.org');
  });

  it('carries findings and source errors (file, field) from a broken export', async () => {
    const broken = await loadAzureDir(path.join(__dirname, '..', '..', 'azure', 'testdata'));
    const b = azureOverview(broken);
    expect(b.errorCount).toBeGreaterThan(0);
    expect(b.errors.some((e) => e.code === 'malformed-json' && e.where.file?.endsWith('truncated.json'))).toBe(true);
    expect(b.errors.every((e) => e.signIn === false)).toBe(true);
    expect(b.findings.length).toBeGreaterThan(0);
  });

  it('marks credential errors as needing a sign-in', () => {
    const s: AzureSnapshot = { ...structuredClone(demo), errors: [{ code: 'no-credential', message: 'no Azure credential; sign in with `az login`', where: { resource: 'Azure credential' } }, { code: 'forbidden', message: 'no permission to read Microsoft.Network/azureFirewalls', where: { resource: 'Microsoft.Network/azureFirewalls' } }] };
    const e = azureOverview(s).errors;
    expect(e.map((x) => [x.code, x.signIn])).toEqual([
      ['no-credential', true],
      ['forbidden', false],
    ]);
  });

  it('shows which service tag lists are loaded; the demo names no tag it lacks', () => {
    expect(o.serviceTags.lists).toEqual([{ origin: 'demo', cloud: 'Public', changeNumber: '412', tags: 3 }]);
    expect(o.serviceTags.unresolved).toEqual([]);
    expect(o.firewalls[0].rules.every((r) => !r.unresolvedTags)).toBe(true);
  });

  it('without the ranges, names each unexpandable tag and the rules using it (their verdicts are unknown)', () => {
    const noTags: AzureSnapshot = { ...structuredClone(demo), serviceTags: [] };
    noTags.networkSecurityGroups[0].securityRules.push({ ...noTags.networkSecurityGroups[0].securityRules[0], name: 'deny-storage-out', priority: 300, direction: 'Outbound', access: 'Deny', destinationPrefixes: ['Storage'] });
    const v = azureOverview(noTags);
    expect(v.serviceTags).toEqual({
      lists: [],
      unresolved: [
        { tag: 'AzureCloud.westeurope', usedBy: ['aks-egress-fwp › aks-network › aks-required-net › apitcp', 'aks-egress-fwp › aks-network › aks-required-net › apiudp'] },
        { tag: 'Storage', usedBy: ['aks-agentpool-31415926-nsg / deny-storage-out'] },
      ],
    });
    expect(v.firewalls[0].rules.find((r) => r.rule === 'apiudp')?.unresolvedTags).toEqual(['AzureCloud.westeurope']);
    // VirtualNetwork, Internet and AzureLoadBalancer are computed from the VNet, never "not loaded".
    expect(v.nsgs[0].rules.filter((r) => r.unresolvedTags).map((r) => r.name)).toEqual(['deny-storage-out']);
  });
});
