import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAzureProbes } from '../../bin/commands/azure-support';
import { loadAzureDir } from './files-source';
import { recognizeResource } from './resource-kind';

/**
 * Service tag lists in an export directory, recognized by shape like every other file:
 * - `az network list-service-tags --location L -o json` / the Service Tags API (learn.microsoft.com/
 *   rest/api/virtualnetwork/service-tags/list): `{ changeNumber, cloud, id, name, type, values: [...] }`;
 * - the weekly ServiceTags_Public_*.json download (service-tags-overview.md): same, without `type`;
 * - `az network list-service-tags --query values`: the tags alone.
 * Prefixes in the fixtures are documentation ranges or illustrative Azure-like ones (see the files).
 */

const EXPORT = path.join(__dirname, 'testdata', 'az-export');

describe('service tag lists in an az export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-tags-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('recognizes list-service-tags output by its shape and loads it with no errors', async () => {
    const s = await loadAzureDir(EXPORT);
    expect(s.errors).toEqual([]);
    expect(s.serviceTags).toEqual([
      expect.objectContaining({ origin: 'service-tags.json', cloud: 'Public', changeNumber: '412', tags: [expect.objectContaining({ name: 'AzureCloud.westeurope', region: 'westeurope' }), expect.objectContaining({ name: 'Storage.WestEurope', systemService: 'AzureStorage' })] }),
    ]);
  });

  it('the AKS recipe rules apitcp / apiudp to AzureCloud.westeurope are allowed with the ranges (issue 16)', async () => {
    const s = await loadAzureDir(EXPORT);
    const [tcp, udp, outside] = evaluateAzureProbes(s, [
      { from: 'snet-aks-nodes', to: '20.50.12.7', port: 9000, protocol: 'TCP' },
      { from: 'snet-aks-nodes', to: '20.50.12.7', port: 1194, protocol: 'UDP' },
      { from: 'snet-aks-nodes', to: '52.1.2.3', port: 9000, protocol: 'TCP' },
    ]);
    expect(tcp.layers.firewall).toMatchObject({ verdict: 'allowed', decidingRule: { rule: 'apitcp' } });
    expect(udp.layers.firewall).toMatchObject({ verdict: 'allowed', decidingRule: { rule: 'apiudp' } });
    expect(outside.layers.firewall.verdict).toBe('denied');
  });

  it('without the ranges the same probes are unknown, naming the tag, not denied', async () => {
    const without = path.join(dir, 'no-tags');
    await cp(EXPORT, without, { recursive: true });
    await rm(path.join(without, 'service-tags.json'));
    const s = await loadAzureDir(without);
    const [tcp] = evaluateAzureProbes(s, [{ from: 'snet-aks-nodes', to: '20.50.12.7', port: 9000, protocol: 'TCP' }]);
    expect(tcp.verdict).toBe('unknown');
    expect(tcp.layers.firewall.unresolvedTags).toEqual(['AzureCloud.westeurope']);
    expect(tcp.layers.firewall.reason).toMatch(/service tag AzureCloud\.westeurope cannot be expanded: no service tag list is loaded/);
  });

  it('reads the weekly download and the `--query values` shape too', async () => {
    const d = path.join(dir, 'shapes');
    await cp(EXPORT, d, { recursive: true });
    await rm(path.join(d, 'service-tags.json'));
    await writeFile(
      path.join(d, 'ServiceTags_Public_20260105.json'),
      JSON.stringify({ changeNumber: 412, cloud: 'Public', values: [{ name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { changeNumber: 7, region: 'westeurope', regionId: 18, platform: 'Azure', systemService: '', addressPrefixes: ['20.50.0.0/16'], networkFeatures: ['API', 'NSG'] } }] }),
    );
    await writeFile(path.join(d, 'values.json'), JSON.stringify([{ id: 'Storage', name: 'Storage', properties: { addressPrefixes: ['203.0.113.0/24'], changeNumber: '3', region: '', systemService: 'AzureStorage' }, serviceTagChangeNumber: '412' }]));
    const s = await loadAzureDir(d);
    expect(s.errors).toEqual([]);
    expect(s.serviceTags.map((l) => [l.origin, l.changeNumber, l.tags.map((t) => t.name)])).toEqual([
      ['ServiceTags_Public_20260105.json', '412', ['AzureCloud.westeurope']],
      ['values.json', undefined, ['Storage']],
    ]);
    const [tcp] = evaluateAzureProbes(s, [{ from: 'snet-aks-nodes', to: '20.50.12.7', port: 9000, protocol: 'TCP' }]);
    expect(tcp.verdict).toBe('allowed');
  });

  it('a malformed tag is skipped alone, named with file, tag and field; rules on it are unknown', async () => {
    const d = path.join(dir, 'bad');
    await cp(EXPORT, d, { recursive: true });
    await writeFile(
      path.join(d, 'service-tags.json'),
      JSON.stringify({ changeNumber: '1', cloud: 'Public', values: [{ name: 'AzureCloud.westeurope', properties: { addressPrefixes: ['20.50.0.0/16', '20.50.0.0/33'] } }, { name: 'Storage', properties: { addressPrefixes: ['203.0.113.0/24'] } }] }),
    );
    const s = await loadAzureDir(d);
    expect(s.serviceTags[0].tags.map((t) => t.name)).toEqual(['Storage']);
    expect(s.errors).toEqual([
      {
        code: 'invalid-object',
        message: expect.stringMatching(/^the object in service-tags\.json \(service tag list\): tag AzureCloud\.westeurope, field values\[0\]\.addressPrefixes\[1\]: "20\.50\.0\.0\/33" is not an IP address or CIDR; that tag is skipped, rules naming it evaluate to unknown$/),
        where: { file: 'service-tags.json', resource: 'AzureCloud.westeurope', field: 'values[0].addressPrefixes[1]' },
      },
    ]);
    const [tcp] = evaluateAzureProbes(s, [{ from: 'snet-aks-nodes', to: '20.50.12.7', port: 9000, protocol: 'TCP' }]);
    expect(tcp.verdict).toBe('unknown');
  });

  it.each([
    [{ changeNumber: '1', cloud: 'Public', values: [] }, 'serviceTagList'],
    [{ name: 'Public', type: 'Microsoft.Network/serviceTags', values: [] }, 'serviceTagList'],
    [{ name: 'Storage', id: 'Storage', properties: { addressPrefixes: [], systemService: 'AzureStorage' } }, 'serviceTag'],
    // An ARM `{ value: [...] }` page is a list of resources, not a tag list.
    [{ value: [] }, undefined],
  ])('recognizes %j as %s', (raw, kind) => {
    expect(recognizeResource(raw)).toBe(kind);
  });
});
