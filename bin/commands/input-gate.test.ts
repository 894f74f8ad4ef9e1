import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli as run } from './testing/run-cli';

// Issue 16 (verdicts you can trust), item 14: `findings` and `evaluate` are CI gates. A broken input
// must never pass as a clean one: every problem is printed with file, document, line and field, and
// the run exits 2 (docs: README "CLI", exit codes 0 ok / 1 gate failed / 2 bad input).
const GOOD = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.0.4}
`;
// Kinds real repositories hold that Flowsight does not need: skipped and counted, never errors.
const NOISE = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: shop}
---
apiVersion: cilium.io/v2
kind: CiliumLoadBalancerIPPool
metadata: {name: pool}
`;
const TYPO_KIND = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicyy
metadata: {name: allow-web, namespace: shop}
spec: {podSelector: {}}
`;
const TYPO_CILIUM = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicies
metadata: {name: allow-dns, namespace: shop}
spec: {endpointSelector: {}}
`;
const SYNTAX = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken
`;
const BAD_FIELD = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-selector, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: Sideways, values: [web]}]}
`;

let dir: string;
async function repo(files: Record<string, string>): Promise<string> {
  const d = await mkdtemp(path.join(dir, 'repo-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(d, name), text);
  return d;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-gate-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('findings and evaluate as CI gates on bad input', () => {
  it('skips and counts kinds Flowsight does not need; the good input is evaluated normally (exit 0)', async () => {
    const d = await repo({ 'a.yaml': GOOD, 'noise.yaml': NOISE });
    const r = await run(['findings', '--manifests', d, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/note: skipped 5 documents of kinds Flowsight does not need \(.*1 ConfigMap \(v1\).*1 HorizontalPodAutoscaler \(autoscaling\/v2\)/);
    const out = JSON.parse(r.out);
    expect(out.partial).toBe(false);
    expect(out.sourceErrors).toEqual([]);
  });

  it.each([
    ['a typo in a networking.k8s.io kind', { 'typo.yaml': TYPO_KIND }, /typo\.yaml doc 0 line 1: networking\.k8s\.io\/v1 has no kind NetworkPolicyy \(did you mean NetworkPolicy\?\)/],
    ['a plural Cilium kind', { 'typo.yaml': TYPO_CILIUM }, /cilium\.io\/v2 has no kind CiliumNetworkPolicies \(did you mean CiliumNetworkPolicy\?\)/],
    ['YAML syntax', { 'broken.yaml': SYNTAX }, /broken\.yaml doc 0 line \d+(:\d+)?: .*\[yaml-syntax\]/],
    ['an invalid policy field', { 'bad.yaml': BAD_FIELD }, /bad\.yaml doc 0 line 1: NetworkPolicy shop\/bad-selector spec\.podSelector\.matchExpressions\[0\]\.operator/],
  ])('%s: exit 2, every problem printed, nothing on stdout', async (_, files, message) => {
    const d = await repo({ 'a.yaml': GOOD, ...files });
    for (const cmd of [['findings'], ['evaluate', '--matrix', '--ports', '80/TCP']]) {
      const r = await run([...cmd, '--manifests', d]);
      expect(r.code, cmd[0]).toBe(2);
      expect(r.err, cmd[0]).toMatch(message);
      expect(r.err).toMatch(/--allow-partial/);
      expect(r.out).toBe('');
    }
  });

  it('lists every problem, not only the first', async () => {
    const d = await repo({ 'a.yaml': GOOD, 'b.yaml': TYPO_KIND, 'c.yaml': SYNTAX, 'd.yaml': BAD_FIELD });
    const r = await run(['findings', '--manifests', d]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/3 problems in the input/);
    for (const f of ['b.yaml', 'c.yaml', 'd.yaml']) expect(r.err).toContain(f);
  });

  it('an input with no objects is bad input ("no objects found"), never a score of 100', async () => {
    const d = await repo({ 'noise.yaml': NOISE });
    const r = await run(['findings', '--manifests', d, '--fail-on', 'high']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no objects found/);
    expect(r.out).not.toMatch(/100\/100/);
    const empty = await repo({ 'empty.yaml': '' });
    expect((await run(['findings', '--manifests', empty])).code).toBe(2);
  });

  it('--allow-partial evaluates the good documents and marks the result partial', async () => {
    const d = await repo({ 'a.yaml': GOOD, 'b.yaml': TYPO_KIND });
    const table = await run(['findings', '--manifests', d, '--allow-partial']);
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^PARTIAL RESULT/);
    expect(table.err).toMatch(/warning: .*NetworkPolicyy/);
    const json = await run(['findings', '--manifests', d, '--allow-partial', '-o', 'json']);
    expect(JSON.parse(json.out).partial).toBe(true);
  });

  it('broken Azure JSON is bad input too (exit 2 naming the file), partial with --allow-partial', async () => {
    const az = await mkdtemp(path.join(dir, 'az-'));
    await cp(path.join(__dirname, '../../lib/azure/testdata/az-export'), az, { recursive: true });
    await writeFile(path.join(az, 'truncated.json'), '[{"name": "nsg-1", "securityRules": [');
    const r = await run(['findings', '--azure', az]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/truncated\.json/);
    const partial = await run(['findings', '--azure', az, '--allow-partial', '-o', 'json']);
    expect(partial.code).toBe(0);
    expect(JSON.parse(partial.out).partial).toBe(true);
  });
});

// Issue 12 (daily workflow), item 4: a namespace whose workloads no policy selects is unprotected,
// whether the repository holds Pods or (as repositories do) Deployments.
describe('findings on a repository of workloads', () => {
  const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: billing}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, ports: [{containerPort: 8080}]}]}
`;
  it('flags the namespace of a Deployment that no policy selects, and its score is not 100', async () => {
    const d = await repo({ 'api.yaml': DEPLOYMENT });
    const r = await run(['findings', '--manifests', d, '--fail-on', 'high', '-o', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out);
    expect(out.findings.map((f: { key: string }) => f.key)).toContain('unprotected-namespace:billing');
    expect(out.scores.namespaces.billing.score).toBeLessThan(100);
  });

  it('passes once a default-deny policy selects it', async () => {
    const d = await repo({ 'api.yaml': DEPLOYMENT, 'deny.yaml': GOOD.replace(/shop/g, 'billing') });
    const r = await run(['findings', '--manifests', d, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).findings.map((f: { key: string }) => f.key)).not.toContain('unprotected-namespace:billing');
  });
});
