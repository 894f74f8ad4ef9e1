/**
 * `flowsight evaluate --probes` with a Service as the destination: by DNS name or ClusterIP, evaluated at
 * every backend on its target port (kubernetes.io/docs/reference/networking/virtual-ips/: the Service address
 * is translated to a backend before policy applies), and allowed only when every backend allows it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli as run } from './testing/run-cli';

const MANIFESTS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db, role: primary}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: api}}}]
    ports: [{port: pg}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db, role: primary}}
spec: {containers: [{name: pg, ports: [{name: pg, containerPort: 5432}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: db-1, namespace: shop, labels: {app: db, role: replica}}
spec: {containers: [{name: pg, ports: [{name: pg, containerPort: 5432}]}]}
status: {podIP: 10.0.0.5}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: replica-locked, namespace: shop}
spec:
  podSelector: {matchLabels: {role: replica}}
  policyTypes: [Ingress]
---
apiVersion: v1
kind: Pod
metadata: {name: api-1, namespace: shop, labels: {app: api}}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: 10.96.0.20
  selector: {app: db}
  ports: [{name: pg, port: 5432, targetPort: pg}]
---
apiVersion: v1
kind: Service
metadata: {name: primary, namespace: shop}
spec:
  clusterIP: 10.96.0.21
  selector: {app: db}
  ports: [{port: 15432, targetPort: 5432}]
`;

describe('flowsight evaluate: Services', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-evaluate-svc-'));
    await writeFile(path.join(dir, 'cluster.yaml'), MANIFESTS);
    await writeFile(
      path.join(dir, 'probes.json'),
      JSON.stringify([
        { from: 'shop/api-1', to: 'db.shop.svc.cluster.local', port: 5432 },
        { from: 'shop/api-1', to: '10.96.0.21', port: 15432 },
      ]),
    );
    await writeFile(path.join(dir, 'bad-port.json'), JSON.stringify([{ from: 'shop/api-1', to: 'db.shop', port: 80 }]));
    await writeFile(path.join(dir, 'unknown.json'), JSON.stringify([{ from: 'shop/api-1', to: 'nope.shop.svc', port: 80 }]));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('-o json: one verdict per backend; allowed to one backend and denied to the other is DROPPED, outcome partly-allowed', async () => {
    const r = await run(['evaluate', '--manifests', path.join(dir, 'cluster.yaml'), '--probes', path.join(dir, 'probes.json'), '-o', 'json']);
    expect(r.code).toBe(0);
    const [byName, byIp] = JSON.parse(r.out);
    expect(byName).toMatchObject({
      allowed: false,
      verdict: 'DROPPED',
      outcome: 'partly-allowed',
      service: { namespace: 'shop', name: 'db', port: 5432, targetPort: 'pg' },
      backends: [
        { backend: 'shop/db-0', port: 5432, allowed: true, ingress: { by: [{ name: 'db-from-api' }] } },
        { backend: 'shop/db-1', port: 5432, allowed: false, enforcedAt: 'ingress' },
      ],
    });
    expect(byName.summary).toContain('Allowed to 1 of 2 backends');
    // By ClusterIP, on a Service port that differs from the pod port.
    expect(byIp).toMatchObject({ service: { name: 'primary', clusterIP: '10.96.0.21', port: 15432 }, backends: [{ port: 5432 }, { port: 5432 }] });
  });

  it('table output names the Service, the outcome and each backend', async () => {
    const r = await run(['evaluate', '--manifests', path.join(dir, 'cluster.yaml'), '--probes', path.join(dir, 'probes.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('shop/api-1 -> db.shop.svc.cluster.local 5432/TCP: DROPPED (partly-allowed)');
    expect(r.out).toContain('Service shop/db 5432/TCP -> target port pg');
    expect(r.out).toMatch(/backend shop\/db-1 on 5432\/TCP: DROPPED\n {4}egress: {2}allow/);
  });

  it.each([
    ['a port the Service does not expose', 'bad-port.json', /probe 0: Service shop\/db has no port 80\/TCP \(its ports: 5432\/TCP \(pg\)\)/],
    ['an unknown Service', 'unknown.json', /probe 0: no Service shop\/nope in the cluster/],
  ])('exits 2 on %s', async (_n, file, message) => {
    const r = await run(['evaluate', '--manifests', path.join(dir, 'cluster.yaml'), '--probes', path.join(dir, file)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
