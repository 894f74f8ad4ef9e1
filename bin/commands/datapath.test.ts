import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli as run } from './testing/run-cli';

// A NetworkPolicy allowing web's egress only to an ipBlock that covers db's pod IP. Upstream Kubernetes
// conformance ("should allow egress access to server in CIDR block") allows it; Cilium never matches pod
// IPs with CIDR rules (docs.cilium.io, Policy Language, "CIDR based"). Issue 16, item 3.
const MANIFESTS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/24}}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.0.4}
`;

describe('flowsight --datapath', () => {
  let dir: string;
  let manifests: string;
  let probes: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-datapath-'));
    manifests = path.join(dir, 'cluster.yaml');
    probes = path.join(dir, 'probes.json');
    await writeFile(manifests, MANIFESTS);
    await writeFile(probes, JSON.stringify([{ from: 'shop/web-1', to: 'shop/db-0', port: 5432 }]));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('detects kubernetes without Cilium objects, and says so: ipBlock matches the pod IP', async () => {
    const r = await run(['evaluate', '--manifests', manifests, '--probes', probes]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('datapath: kubernetes (detected: no Cilium policies, agent pods or Hubble Relay: upstream Kubernetes NetworkPolicy semantics)');
    expect(r.out).toMatch(/shop\/web-1 -> shop\/db-0 5432\/TCP: FORWARDED/);
  });

  it('--datapath cilium: the same ipBlock never matches a pod, and the JSON names the datapath', async () => {
    const r = await run(['evaluate', '--manifests', manifests, '--probes', probes, '--datapath', 'cilium', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject([{ datapath: 'cilium', verdict: 'DROPPED', enforcedAt: 'egress', egress: { reason: 'default-deny' } }]);
  });

  it('--matrix JSON carries the choice and why', async () => {
    const r = await run(['evaluate', '--manifests', manifests, '--matrix', '--ports', '5432/tcp', '--datapath', 'cilium', '-o', 'json']);
    expect(JSON.parse(r.out).datapath).toEqual({ datapath: 'cilium', source: 'configured', reason: 'set by --datapath' });
  });

  it('findings print it first (table) and carry it (json); the demo is detected as Cilium', async () => {
    const table = await run(['findings', '--demo']);
    expect(table.out.split('\n')[0]).toMatch(/^datapath: cilium \(detected: the cluster has \d+ Cilium policies/);
    const json = await run(['findings', '--manifests', manifests, '--datapath', 'kubernetes', '-o', 'json']);
    expect(JSON.parse(json.out).datapath).toEqual({ datapath: 'kubernetes', source: 'configured', reason: 'set by --datapath' });
  });

  it('exits 2 on an unknown datapath, naming the choices', async () => {
    const r = await run(['evaluate', '--manifests', manifests, '--probes', probes, '--datapath', 'calico']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--datapath.*calico.*auto, cilium, kubernetes/s);
  });
});
