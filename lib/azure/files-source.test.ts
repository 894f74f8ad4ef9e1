import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAzureDir, parseJsonFile } from './files-source';
import { recognizeResource } from './resource-kind';

const TESTDATA = path.join(__dirname, 'testdata');

describe('FilesAzureSource on recorded az -o json exports (flattened shape)', async () => {
  const s = await loadAzureDir(path.join(TESTDATA, 'az-export'));

  it('loads every resource with no errors', () => {
    expect(s.errors).toEqual([]);
    expect(s.source).toBe('files');
    expect(s.virtualNetworks.map((v) => v.name)).toEqual(['vnet-aks-prod']);
    expect(s.networkSecurityGroups.map((n) => n.name).sort()).toEqual(['aks-agentpool-12345678-nsg', 'nsg-jumpbox', 'nsg-jumpbox-nic']);
    expect(s.networkInterfaces).toHaveLength(3);
    expect(s.routeTables).toHaveLength(1);
    expect(s.natGateways).toHaveLength(1);
    expect(s.azureFirewalls).toHaveLength(1);
  });

  it('recognizes objects by shape even without a type field (route tables, NAT gateways)', () => {
    expect(s.routeTables[0].routes.map((r) => r.name)).toEqual(['default-to-firewall', 'firewall-public-ip']);
    expect(s.natGateways[0]).toMatchObject({ name: 'ng-jumpbox', subnetIds: [expect.stringMatching(/snet-jumpbox$/)] });
  });

  it('merges singular and plural fields of augmented rules', () => {
    const aks = s.networkSecurityGroups.find((n) => n.name === 'aks-agentpool-12345678-nsg')!;
    const lb = aks.securityRules.find((r) => r.name.startsWith('k8s-azure-lb'))!;
    expect(lb).toMatchObject({ sourcePrefixes: ['Internet'], destinationPrefixes: ['20.31.8.20'], destinationPorts: ['80', '443'], isDefault: false });
    const rdp = s.networkSecurityGroups.find((n) => n.name === 'nsg-jumpbox')!.securityRules[0];
    expect(rdp.sourcePrefixes).toEqual(['198.51.100.0/24', '192.0.2.10']);
    expect(aks.defaultSecurityRules.map((r) => r.name)).toContain('AllowAzureLoadBalancerInBound');
    expect(aks.defaultSecurityRules.every((r) => r.isDefault)).toBe(true);
  });

  it('reads az spellings: privateIpAddress, hubIpAddresses, VMSS NIC ids, peerings', () => {
    const node = s.networkInterfaces.find((n) => n.ipConfigurations[0].privateIp === '10.10.0.4')!;
    expect(node.virtualMachineScaleSet).toBe('aks-nodepool1-12345678-vmss');
    expect(s.azureFirewalls[0]).toMatchObject({ privateIp: '10.10.8.4', publicIps: ['20.31.8.100'], firewallPolicyId: expect.stringMatching(/afwp-prod$/) });
    expect(s.virtualNetworks[0].peerings[0]).toMatchObject({ name: 'to-hub', remoteAddressPrefixes: ['10.100.0.0/16'], state: 'Connected' });
  });

  it('joins a rule-collection-group list to its (implied) policy, with ipProtocols and protocols', () => {
    expect(s.firewallPolicies).toHaveLength(1);
    const p = s.firewallPolicies[0];
    expect(p.name).toBe('afwp-prod');
    expect(p.ruleCollectionGroups.map((g) => `${g.name}:${g.priority}`)).toEqual(['DefaultNetworkRuleCollectionGroup:200', 'DefaultApplicationRuleCollectionGroup:300']);
    const net = p.ruleCollectionGroups[0].ruleCollections[0];
    expect(net).toMatchObject({ kind: 'network', action: 'Allow', rules: [expect.objectContaining({ name: 'apiudp', protocols: ['UDP'] }), expect.anything(), expect.anything()] });
    const app = p.ruleCollectionGroups[1].ruleCollections[0].rules[0];
    expect(app).toMatchObject({ kind: 'application', fqdnTags: ['AzureKubernetesService'], protocols: [{ type: 'Http', port: 80 }, { type: 'Https', port: 443 }] });
  });
});

describe('FilesAzureSource on ARM REST shape (properties wrappers, { value } lists)', async () => {
  const s = await loadAzureDir(path.join(TESTDATA, 'rest-shape'));

  it('unwraps properties at every level', () => {
    expect(s.errors).toEqual([]);
    const rule = s.networkSecurityGroups[0].securityRules[0];
    expect(rule).toMatchObject({ priority: 500, direction: 'Inbound', sourcePrefixes: ['Internet'], destinationPrefixes: ['20.1.2.3'], destinationPorts: ['80', '443'] });
    expect(s.virtualNetworks[0].subnets[0]).toMatchObject({ name: 'default', addressPrefixes: ['10.50.0.0/24'], networkSecurityGroupId: expect.stringMatching(/nsg-rest$/) });
  });

  it('reads classic firewall rule collections (protocols, not ipProtocols) and the ip configuration address', () => {
    const fw = s.azureFirewalls[0];
    expect(fw.privateIp).toBe('10.50.1.4');
    expect(fw.networkRuleCollections[0]).toMatchObject({ name: 'dns', priority: 200, kind: 'network', rules: [expect.objectContaining({ protocols: ['UDP', 'TCP'] })] });
    expect(fw.applicationRuleCollections[0].rules[0]).toMatchObject({ kind: 'application', targetFqdns: ['*'] });
  });

  it('reads DNAT rule collections from a { value } list; DNAT spelled in any case', () => {
    const g = s.firewallPolicies[0].ruleCollectionGroups[0];
    expect(g.ruleCollections[0]).toMatchObject({ kind: 'nat', action: 'Dnat', rules: [expect.objectContaining({ kind: 'nat', translatedAddress: '10.50.0.10' })] });
  });
});

describe('FilesAzureSource on bad input', async () => {
  const s = await loadAzureDir(path.join(TESTDATA, 'broken'));
  const byFile = (f: string) => s.errors.filter((e) => e.where.file === f);

  it('names the malformed file with line and column, and keeps loading the others', () => {
    const [e] = byFile('truncated.json');
    expect(e.code).toBe('malformed-json');
    expect(e.message).toMatch(/truncated\.json is not valid JSON at line \d+, column \d+/);
    expect(e.where.line).toBeGreaterThan(1);
  });

  it('skips only the bad object and names its field', () => {
    expect(s.routeTables.map((t) => t.name)).toEqual(['rt-ok']);
    const [e] = byFile('route-tables.json');
    expect(e).toMatchObject({ code: 'invalid-object', where: { field: 'routes[0].nextHopType', resource: expect.stringMatching(/rt-bad$/) } });
    expect(e.message).toMatch(/object #1 "rt-bad" in route-tables\.json/);
  });

  it('reports a bad enum value with the accepted values', () => {
    const [e] = byFile('nsg-bad-direction.json');
    expect(e.where.field).toBe('securityRules[0].direction');
    expect(e.message).toMatch(/expected one of Inbound, Outbound, got "Sideways"/);
    expect(s.networkSecurityGroups).toEqual([]);
  });

  it('says when a file holds something that is not an Azure network resource', () => {
    expect(byFile('not-azure.json')[0]).toMatchObject({ code: 'unrecognized-shape' });
  });

  it('reports an unreadable directory as an error value', async () => {
    const missing = await loadAzureDir(path.join(TESTDATA, 'does-not-exist'));
    expect(missing.errors[0]).toMatchObject({ code: 'unreadable' });
  });
});

describe('parseJsonFile and recognizeResource', () => {
  it('computes line and column from the JSON.parse position', () => {
    const r = parseJsonFile('[\n  {"a": 1,,}\n]', 'x.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.where).toMatchObject({ file: 'x.json', line: 2 });
  });

  it.each([
    [{ name: 'r', priority: 100, direction: 'Inbound', access: 'Allow', protocol: '*' }, 'securityRule'],
    [{ id: '/x/virtualNetworks/v', name: 'v', properties: { addressSpace: { addressPrefixes: [] } } }, 'virtualNetwork'],
    [{ id: '/x/firewallPolicies/p/ruleCollectionGroups/g', name: 'g', properties: { priority: 1, ruleCollections: [] } }, 'ruleCollectionGroup'],
    [{ id: '/x', name: 'nic', ipConfigurations: [], macAddress: '00' }, 'networkInterface'],
    [{ name: 'fw', hubIPAddresses: { privateIPAddress: '10.0.0.4' } }, 'azureFirewall'],
    [{ id: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/natGateways/ng', name: 'ng' }, 'natGateway'],
    [{ kind: 'Pod' }, undefined],
  ])('%j is a %s', (raw, kind) => {
    expect(recognizeResource(raw)).toBe(kind);
  });
});

describe('FilesAzureSource on hazardous files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-az-'));
    await cp(path.join(TESTDATA, 'az-export'), dir, { recursive: true });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it.skipIf(process.platform === 'win32')('skips a FIFO named x.json without hanging, and a file over the size cap, naming each; the others load', async () => {
    execFileSync('mkfifo', [path.join(dir, 'x.json')]);
    // Sparse: 120 MB by size, nothing on disk; JSON.parse of it would block the server for seconds.
    await writeFile(path.join(dir, 'huge.json'), '');
    await truncate(path.join(dir, 'huge.json'), 120 * 1024 * 1024);
    const s = await loadAzureDir(dir);
    expect(s.virtualNetworks.map((v) => v.name)).toEqual(['vnet-aks-prod']);
    expect(s.networkSecurityGroups).toHaveLength(3);
    expect(s.errors).toEqual([
      { code: 'unreadable', message: 'huge.json is 120 MB, over the limit of 8 MB per file: skipped (split it)', where: { file: 'huge.json' } },
      { code: 'unreadable', message: 'x.json is a FIFO, not a regular file: skipped', where: { file: 'x.json' } },
    ]);
  });

  it('caps the number of files, saying so', async () => {
    const s = await loadAzureDir(dir, { maxFiles: 2 });
    expect(s.errors.filter((e) => /at most 2 files/.test(e.message))).toHaveLength(1);
  });

  it('reports a path that is not a directory', async () => {
    const s = await loadAzureDir(path.join(dir, 'nics.json'));
    expect(s.errors).toEqual([expect.objectContaining({ code: 'unreadable', message: expect.stringMatching(/nics\.json is a regular file, not a directory/) })]);
  });
});
