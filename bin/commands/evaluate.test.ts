import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../cli';
import { demoScenario, podsOf } from '../../lib/demo/scenario';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    const code = await main(['node', 'flowsight', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const s = demoScenario();
const pod = (w: string) => {
  const p = podsOf(s, w)[0];
  return `${p.namespace}/${p.name}`;
};

const MANIFESTS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: api-1, namespace: shop, labels: {app: api}}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.0.4}
`;

describe('flowsight evaluate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-evaluate-'));
    await writeFile(path.join(dir, 'cluster.yaml'), MANIFESTS);
    await writeFile(path.join(dir, 'probes.json'), JSON.stringify([
      { from: 'shop/api-1', to: 'shop/db-0', port: 5432, protocol: 'TCP' },
      { from: 'shop/web-1', to: 'shop/db-0', port: 5432, protocol: 'tcp' },
      { from: '10.0.0.3', to: '10.0.0.2', port: 5432 },
    ]));
    await writeFile(path.join(dir, 'demo-probes.json'), JSON.stringify([
      { from: pod('production/frontend'), to: pod('production/api-server'), port: 8080, protocol: 'TCP', l7: { http: { method: 'GET', path: '/api/products' } } },
      { from: pod('monitoring/grafana'), to: '34.120.177.193', port: 443, protocol: 'TCP' },
    ]));
    await writeFile(path.join(dir, 'bad-probes.json'), JSON.stringify([{ from: 'shop/api-1', to: 'shop/db-0', port: 'five' }]));
    await writeFile(path.join(dir, 'unknown-pod.json'), JSON.stringify([{ from: 'shop/nope', to: 'shop/db-0', port: 5432 }]));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  afterEach(() => {
    process.exitCode = 0;
  });

  it('--probes -o json prints the verdict per probe with the deciding policy and rule', async () => {
    const r = await run(['evaluate', '--manifests', path.join(dir, 'cluster.yaml'), '--probes', path.join(dir, 'probes.json'), '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({
      probe: { from: 'shop/api-1', to: 'shop/db-0', port: 5432, protocol: 'TCP' },
      allowed: true,
      egress: { allowed: true, isolated: false, by: [] },
      ingress: { allowed: true, isolated: true, by: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'db-from-api', rule: 0 }] },
    });
    expect(out[1]).toMatchObject({ allowed: false, ingress: { allowed: false, isolated: true, by: [] } });
    expect(out[2].allowed).toBe(true); // IPs resolve to the same pods
  });

  it('--demo is a cluster source; L7 and audit verdicts show', async () => {
    const r = await run(['evaluate', '--demo', '--probes', path.join(dir, 'demo-probes.json'), '-o', 'json']);
    expect(r.code).toBe(0);
    const [api, grafana] = JSON.parse(r.out);
    expect(api.ingress.by.map((b: { name: string }) => b.name)).toEqual(['allow-frontend-to-api', 'api-server-l7-ingress']);
    expect(grafana).toMatchObject({ allowed: true, verdict: 'AUDIT', egress: { allowed: false, audit: true } });
  });

  it('--matrix --ports prints the allow matrix of every pod pair', async () => {
    const r = await run(['evaluate', '--manifests', path.join(dir, 'cluster.yaml'), '--matrix', '--ports', '5432/tcp,53/udp', '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.pods).toEqual(['shop/api-1', 'shop/db-0', 'shop/web-1']);
    expect(out.ports).toEqual(['5432/TCP', '53/UDP']);
    // Only api may reach db on 5432; db's isolation blocks 53/udp to it from everyone.
    expect(out.matrix['5432/TCP']).toEqual([[true, true, true], [true, false, true], [true, false, true]]);
    expect(out.matrix['53/UDP'].map((row: boolean[]) => row[1])).toEqual([false, false, false]);
  });

  it.each([
    ['a malformed probes file', ['--probes', 'bad-probes.json'], /\[0\.port\]/],
    ['an unknown pod', ['--probes', 'unknown-pod.json'], /no pod shop\/nope/],
    ['a bad --ports list', ['--matrix', '--ports', '80/icmp'], /--ports: 80\/icmp/],
    ['neither --probes nor --matrix', [], /choose one of --probes FILE or --matrix/],
  ])('exits 2 on %s', async (_n, args, message) => {
    const resolved = args.map((a) => (a.endsWith('.json') ? path.join(dir, a) : a));
    const r = await run(['evaluate', '--manifests', path.join(dir, 'cluster.yaml'), ...resolved]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('exits 2 when the manifests path does not exist', async () => {
    const r = await run(['evaluate', '--manifests', path.join(dir, 'missing'), '--matrix']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing/);
  });
});
