import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialUnavailableError } from '@azure/identity';
import { ArmAzureSource } from './arm-source';
import { FAKE_SUBSCRIPTION, FAKE_TOKEN, startFakeArm, type FakeArm } from './testdata/fake-arm';
import type { AzureSnapshot } from './types';

const CHILD = path.join(__dirname, 'testdata', 'arm-load-child.ts');

function runChild(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: path.resolve(__dirname, '../..'), env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ArmAzureSource against a loopback HTTPS ARM (real SDK pipeline)', () => {
  let arm: FakeArm;
  let dir: string;
  let snapshot: AzureSnapshot;

  beforeAll(async () => {
    arm = await startFakeArm();
    dir = await mkdtemp(path.join(tmpdir(), 'flowsight-arm-'));
    const caFile = path.join(dir, 'ca.pem');
    await writeFile(caFile, arm.certPem);
    const r = await runChild({
      NODE_EXTRA_CA_CERTS: caFile,
      FLOWSIGHT_AZURE_SUBSCRIPTION: FAKE_SUBSCRIPTION,
      FLOWSIGHT_AZURE_RESOURCE_GROUPS: 'rg-aks',
      FLOWSIGHT_AZURE_ENDPOINT: arm.url,
      FAKE_ARM_TOKEN: FAKE_TOKEN,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    snapshot = JSON.parse(r.stdout) as AzureSnapshot;
  }, 60_000);

  afterAll(async () => {
    await arm?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('follows nextLink pages', () => {
    expect(snapshot.networkSecurityGroups.map((n) => n.name)).toEqual(expect.arrayContaining(['nsg-a', 'nsg-b']));
    expect(arm.requests.filter((r) => r.endsWith('/networksecuritygroups?page=2'))).toHaveLength(1);
    const groups = snapshot.firewallPolicies.find((p) => p.name === 'fwp')?.ruleCollectionGroups.map((g) => g.name);
    expect(groups).toEqual(['net', 'app']);
  });

  it('normalizes REST-shaped bodies read through the SDK', () => {
    const vnet = snapshot.virtualNetworks.find((v) => v.name === 'vnet')!;
    expect(vnet.addressPrefixes).toEqual(['10.10.0.0/16']);
    expect(vnet.subnets.find((s) => s.name === 'aks')?.routeTableId).toMatch(/routeTables\/rt$/);
    expect(snapshot.azureFirewalls[0]).toMatchObject({ name: 'afw', privateIp: '10.10.8.4', publicIps: ['20.1.2.3'] });
    expect(snapshot.networkSecurityGroups.find((n) => n.name === 'nsg-a')?.securityRules[0]).toMatchObject({ name: 'a', priority: 100, sourcePrefixes: ['Internet'], destinationPorts: ['443'] });
  });

  it('retries a 429 after Retry-After and then loads the route tables', () => {
    expect(arm.requests.filter((r) => r.endsWith('/routetables'))).toHaveLength(2);
    expect(snapshot.routeTables[0]?.routes[0]).toMatchObject({ addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.10.8.4' });
    expect(snapshot.errors.filter((e) => e.code === 'throttled')).toEqual([]);
  });

  it('reports a 403 on one resource type as a source error and loads the rest', () => {
    const forbidden = snapshot.errors.filter((e) => e.code === 'forbidden');
    expect(forbidden).toHaveLength(1);
    expect(forbidden[0].where.resource).toBe('Microsoft.Network/natGateways in rg-aks');
    expect(forbidden[0].message).toMatch(/Reader/);
    expect(snapshot.natGateways).toEqual([]);
    expect(snapshot.virtualNetworks).toHaveLength(1);
  });

  it('fetches resources referenced from other groups: the MC_ node NSG and the scale-set NICs', () => {
    expect(snapshot.networkSecurityGroups.find((n) => n.name === 'aks-agentpool-nsg')?.securityRules[0].name).toBe('allow-ssh');
    expect(snapshot.networkInterfaces.map((n) => n.ipConfigurations[0].privateIp).sort()).toEqual(['10.10.0.4', '10.10.0.5']);
    expect(snapshot.networkInterfaces[0].virtualMachineScaleSet).toBe('aks-nodepool1-123-vmss');
  });

  it('reads service tag ranges through the Service Tags API (serviceTags.list) at the location of the loaded resources', () => {
    // learn.microsoft.com/rest/api/virtualnetwork/service-tags/list: GET .../locations/{location}/serviceTags
    expect(arm.requests).toContain(`/subscriptions/${FAKE_SUBSCRIPTION}/providers/microsoft.network/locations/westeurope/servicetags`);
    expect(snapshot.serviceTags).toHaveLength(1);
    const list = snapshot.serviceTags[0];
    expect(list).toMatchObject({ cloud: 'Public', changeNumber: '77', origin: 'Service Tags API (westeurope)' });
    expect(list.tags.find((t) => t.name === 'AzureCloud.westeurope')).toMatchObject({ region: 'westeurope', addressPrefixes: ['198.51.100.0/24', '2001:db8:1::/48'] });
    expect(list.tags.find((t) => t.name === 'Storage')?.systemService).toBe('AzureStorage');
  });

  it('skips a malformed service tag alone, naming it and its field', () => {
    expect(snapshot.serviceTags[0].tags.map((t) => t.name)).not.toContain('Broken');
    const e = snapshot.errors.find((x) => x.where.field === 'values[2].addressPrefixes[0]');
    expect(e).toMatchObject({ code: 'invalid-object', where: { resource: 'Broken' } });
    expect(e?.message).toMatch(/from Service Tags API \(westeurope\) \(service tag list\): tag Broken, field values\[2\]/);
    expect(e?.message).toMatch(/"not-a-prefix" is not an IP address or CIDR/);
    expect(e?.message).toMatch(/evaluate to unknown/);
  });

  it('reports a 404 for a referenced resource by its id', () => {
    const notFound = snapshot.errors.filter((e) => e.code === 'not-found');
    expect(notFound).toHaveLength(1);
    expect(notFound[0].where.resource).toMatch(/networkSecurityGroups\/missing-nsg$/);
  });
});

describe('ArmAzureSource without a credential', () => {
  it('says how to sign in, and makes no request', async () => {
    const credential = { getToken: async () => { throw new CredentialUnavailableError('DefaultAzureCredential: no credential in the chain'); } };
    const snapshot = await new ArmAzureSource({ subscriptionId: FAKE_SUBSCRIPTION, resourceGroups: ['rg'], credential, endpoint: 'https://127.0.0.1:9' }).load();
    expect(snapshot.errors).toHaveLength(1);
    expect(snapshot.errors[0].code).toBe('no-credential');
    expect(snapshot.errors[0].message).toMatch(/az login/);
    expect(snapshot.errors[0].message).toMatch(/managed identity/);
    expect(snapshot.errors[0].message).toMatch(/AZURE_CLIENT_ID/);
  });
});
