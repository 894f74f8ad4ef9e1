import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManifestsSource } from './manifests-source';
import { parseManifestText } from './parse-manifests';
import { formatSourceError } from './source-error';

const MULTI = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
---
kind: NetworkPolicy
metadata:
  name: broken
  namespace: shop
spec:
  podSelector: { matchLabels: [ }
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: cluster-dns
spec:
  endpointSelector: {}
---
`;

const LIST_JSON = JSON.stringify(
  {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'web' } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d6f7', controller: true }] }, spec: { hostNetwork: false, containers: [{ ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }] }] }, status: { podIP: '10.0.0.7' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop' } },
    ],
  },
  null,
  2,
);

describe('parseManifestText', () => {
  it('loads the good documents and reports each bad one with document index and line', () => {
    const r = parseManifestText(MULTI, 'p.yaml');
    expect(r.objects.map((o) => `${o.kind}/${o.value.name}`)).toEqual(['NetworkPolicy/default-deny', 'CiliumClusterwideNetworkPolicy/cluster-dns']);
    expect(r.errors).toEqual([
      { code: 'unknown-kind', message: expect.stringContaining('Deployment'), where: { file: 'p.yaml', documentIndex: 1, line: 9 } },
      { code: 'yaml-syntax', message: expect.any(String), where: expect.objectContaining({ file: 'p.yaml', documentIndex: 2, line: expect.any(Number) }) },
    ]);
    const syntaxLine = r.errors[1].where.line ?? 0;
    expect(syntaxLine).toBeGreaterThanOrEqual(14);
    expect(syntaxLine).toBeLessThanOrEqual(21);
    expect(formatSourceError(r.errors[0])).toMatch(/^p\.yaml doc 1 line 9: unknown kind Deployment/);
  });

  it('unwraps kind: List and reports a broken item with its own line', () => {
    const r = parseManifestText(LIST_JSON, 'l.json');
    expect(r.objects.map((o) => o.kind)).toEqual(['Namespace', 'Pod']);
    const pod = r.objects[1].value;
    expect(pod).toMatchObject({ ip: '10.0.0.7', workload: { kind: 'ReplicaSet', name: 'web-5d6f7' }, containerPorts: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] });
    expect(r.objects[0].value).toMatchObject({ labels: { team: 'web', 'kubernetes.io/metadata.name': 'shop' } });
    const thirdItemLine = LIST_JSON.split('\n').lastIndexOf('    {') + 1;
    expect(r.errors).toEqual([{ code: 'invalid-object', message: expect.stringContaining('item 2'), where: { file: 'l.json', documentIndex: 0, line: thirdItemLine } }]);
  });

  it('collapses a ReplicaSet owner into its Deployment when the pod-template-hash matches', () => {
    const r = parseManifestText(
      'kind: Pod\nmetadata:\n  name: api-7c9-x\n  namespace: a\n  labels: {pod-template-hash: 7c9}\n  ownerReferences: [{kind: ReplicaSet, name: api-7c9, controller: true}]\n',
      'pod.yaml',
    );
    expect(r.objects[0].value).toMatchObject({ workload: { kind: 'Deployment', name: 'api' } });
  });
});

describe('ManifestsSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-manifests-'));
    await mkdir(path.join(dir, 'nested'));
    await writeFile(path.join(dir, 'policies.yaml'), MULTI);
    await writeFile(path.join(dir, 'nested', 'objects.json'), LIST_JSON);
    await writeFile(path.join(dir, 'README.md'), '# not a manifest');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads a directory recursively and keeps every loadable object', async () => {
    const source = new ManifestsSource(dir);
    await source.start();
    const snap = source.snapshot();
    expect(snap.namespaces.map((n) => n.name)).toEqual(['shop']);
    expect(snap.pods.map((p) => p.name)).toEqual(['web-1']);
    expect(snap.policies.map((p) => p.name).sort()).toEqual(['cluster-dns', 'default-deny']);
    const status = source.status();
    expect(status.kind).toBe('manifests');
    expect(status.errors.map((e) => `${path.basename(e.where.file ?? '')}#${e.where.documentIndex}:${e.code}`)).toEqual([
      'objects.json#0:invalid-object',
      'policies.yaml#1:unknown-kind',
      'policies.yaml#2:yaml-syntax',
    ]);
  });

  it('reads a single file, and reports a missing path as an error value', async () => {
    const one = new ManifestsSource(path.join(dir, 'policies.yaml'));
    await one.start();
    expect(one.snapshot().policies).toHaveLength(2);
    const missing = new ManifestsSource(path.join(dir, 'nope'));
    await missing.start();
    expect(missing.snapshot().policies).toEqual([]);
    expect(missing.status().errors).toEqual([expect.objectContaining({ code: 'file-unreadable' })]);
  });
});
