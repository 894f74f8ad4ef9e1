import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli as run } from './testing/run-cli';

const LOCKED = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.0.4}
`;
const OPEN = `apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.0.4}
---
kind: ConfigMap
metadata: {name: stray}
`;

describe('flowsight findings', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-findings-'));
    await writeFile(path.join(dir, 'locked.yaml'), LOCKED);
    await writeFile(path.join(dir, 'open.yaml'), OPEN);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('--fail-on high exits 1 when a high finding exists, and warns about skipped documents', async () => {
    const r = await run(['findings', '--manifests', path.join(dir, 'open.yaml'), '--fail-on', 'high']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/HIGH\s+unprotected-namespace:shop/);
    expect(r.err).toMatch(/note: skipped 1 document of kinds Flowsight does not need \(1 ConfigMap\)/);
  });

  it('an alias bomb or an undefined alias is bad input naming the file and line; --allow-partial loads the rest', async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'flowsight-findings-alias-'));
    try {
      await writeFile(path.join(d, 'a-locked.yaml'), LOCKED);
      const lol = (n: string, of: string) => `  ${n}: &${n} [${Array(9).fill(of).join(',')}]\n`;
      await writeFile(path.join(d, 'bomb.yaml'), `kind: NetworkPolicy\nmetadata: {name: bomb, namespace: shop}\nspec:\n${lol('a', '"lol"')}${['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n, i) => lol(n, `*${'abcdefg'[i]}`)).join('')}`);
      await writeFile(path.join(d, 'undefined.yaml'), 'kind: Pod\nmetadata:\n  name: *nope\n');
      const refused = await run(['findings', '--manifests', d, '--fail-on', 'high', '-o', 'json']);
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/bomb\.yaml doc 0 line 1: more than 100 alias expansions/);
      const r = await run(['findings', '--manifests', d, '--fail-on', 'high', '-o', 'json', '--allow-partial']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ partial: true, scores: { namespaces: { shop: { score: 100, pods: 1 } } } });
      expect(r.err).toMatch(/bomb\.yaml doc 0 line 1: more than 100 alias expansions.*\[yaml-alias-limit\]/);
      expect(r.err).toMatch(/undefined\.yaml doc 0 line 3:9: undefined alias \*nope.*\[yaml-syntax\]/);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });

  it('exits 0 when nothing reaches the threshold', async () => {
    const r = await run(['findings', '--manifests', path.join(dir, 'locked.yaml'), '--fail-on', 'high', '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.findings.map((f: { key: string }) => f.key)).toEqual([]);
    expect(out.scores.namespaces.shop).toEqual({ score: 100, pods: 1, deductions: [] });
  });

  it('-o json on the demo lists findings with evidence, fixes and an explainable score', async () => {
    const r = await run(['findings', '--demo', '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const legacy = out.findings.find((f: { key: string }) => f.key === 'unprotected-namespace:legacy');
    expect(legacy).toMatchObject({ id: 'unprotected-namespace', severity: 'high', fix: { yaml: expect.stringContaining('default-deny-all') } });
    expect(out.scores.namespaces.legacy.deductions.map((d: { findingKey: string }) => d.findingKey)).toContain('unprotected-namespace:legacy');
    expect(out.scores.cluster.score).toBeLessThan(100);
  });

  it.each([
    ['an unknown severity', ['--demo', '--fail-on', 'severe']],
    ['no cluster source', []],
    ['a missing flows file', ['--demo', '--flows', '/nonexistent/flows.json']],
  ])('exits 2 on %s', async (_n, args) => {
    const r = await run(['findings', ...args]);
    expect(r.code).toBe(2);
    expect(r.err.length).toBeGreaterThan(0);
  });
});

describe('flowsight findings --azure', () => {
  const EXPORT = path.join(__dirname, '..', '..', 'lib', 'azure', 'testdata', 'az-export');
  const TESTDATA = path.join(__dirname, '..', '..', 'lib', 'azure', 'testdata');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-findings-azure-'));
    await writeFile(path.join(dir, 'open.yaml'), OPEN);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('--fail-on high exits 1 on the NSG open to SSH and the too-broad firewall rule', async () => {
    const r = await run(['findings', '--azure', EXPORT, '--fail-on', 'high']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/CRITICAL\s+nsg-open-inbound:aks-agentpool-12345678-nsg\/AllowSSHFromOffice/);
    expect(r.out).toMatch(/HIGH\s+firewall-rule-too-broad:afw-prod\/anything-dot-io\/io-wildcard/);
    expect(r.out).not.toMatch(/posture score/);
  });

  it('exits 0 when nothing reaches the threshold, and -o json carries the Azure source errors', async () => {
    const r = await run(['findings', '--azure', EXPORT, '--fail-on', 'critical', '-o', 'json']);
    expect(r.code).toBe(1);
    expect((await run(['findings', '--azure', TESTDATA, '-o', 'json'])).code).toBe(2);
    const ok = await run(['findings', '--azure', TESTDATA, '-o', 'json', '--allow-partial']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).partial).toBe(true);
    const out = JSON.parse(ok.out);
    expect(out.azure.sourceErrors.map((e: { code: string }) => e.code)).toEqual(expect.arrayContaining(['malformed-json', 'invalid-object', 'unrecognized-shape']));
    expect(ok.err).toMatch(/warning: azure malformed-json \(broken\/truncated\.json:8:11\)/);
  });

  it('without a cluster input nsg-only-control is not judged; with one that has no policy it is raised', async () => {
    const alone = await run(['findings', '--azure', EXPORT, '-o', 'json']);
    expect(JSON.parse(alone.out).findings.some((f: { id: string }) => f.id === 'nsg-only-control')).toBe(false);
    const both = await run(['findings', '--azure', EXPORT, '--manifests', path.join(dir, 'open.yaml'), '-o', 'json']);
    const out = JSON.parse(both.out);
    const ids = out.findings.map((f: { id: string }) => f.id);
    expect(ids).toContain('nsg-only-control');
    expect(ids).toContain('unprotected-namespace');
    expect(out.scores.namespaces.shop).toBeDefined();
  });

  it('the demo cluster has policies: both layers, no nsg-only-control', async () => {
    const r = await run(['findings', '--azure-demo', '--demo', '-o', 'json']);
    const keys = JSON.parse(r.out).findings.map((f: { key: string }) => f.key);
    expect(keys).toContain('nsg-open-inbound:aks-agentpool-31415926-nsg/allow-ssh-from-anywhere');
    expect(keys).toContain('unprotected-namespace:legacy');
    expect(keys.some((k: string) => k.startsWith('nsg-only-control'))).toBe(false);
  });

  it('bad input exits 2', async () => {
    expect((await run(['findings', '--azure', '/nonexistent/azure'])).code).toBe(2);
    expect((await run(['findings', '--azure', EXPORT, '--azure-demo'])).code).toBe(2);
    expect((await run(['findings'])).err).toMatch(/--manifests PATH/);
  });
});

describe('flowsight findings --azure with a cluster and --flows (issue 16, items 10 and 12)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-findings-egress-'));
    const { demoScenario } = await import('../../lib/demo/scenario');
    const { demoFlows } = await import('../../lib/posture/testing/demo-flows');
    await writeFile(path.join(dir, 'flows.jsonl'), demoFlows(demoScenario()).map((f) => JSON.stringify(f)).join('\n'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('open-egress runs the observed internet flows through the firewall, and fixes that would stop observed traffic are withheld', async () => {
    const r = await run(['findings', '--demo', '--azure-demo', '--flows', path.join(dir, 'flows.jsonl'), '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const byKey = new Map(out.findings.map((f: { key: string }) => [f.key, f]));
    const app = byKey.get('open-egress:legacy/legacy-app') as { title: string; fix: { check: { status: string } } };
    expect(app.title).toBe('legacy/legacy-app can reach the internet and did: api.github.com (2 flows); Azure Firewall denied pypi.org');
    expect(app.fix.check.status).toBe('verified');
    const legacy = byKey.get('unprotected-namespace:legacy') as { fix: { yaml?: string; check: { status: string } } };
    expect(legacy.fix.yaml).toBeUndefined();
    expect(legacy.fix.check.status).toBe('refused');
  });

  it('without --azure the same finding says the Azure layers were not evaluated', async () => {
    const r = await run(['findings', '--demo', '--flows', path.join(dir, 'flows.jsonl'), '-o', 'json']);
    const app = JSON.parse(r.out).findings.find((f: { key: string }) => f.key === 'open-egress:legacy/legacy-app');
    expect(app.title).toBe('legacy/legacy-app can reach the internet and sent 4 flows there');
    expect(app.evidence[1].text).toMatch(/not evaluated: no Azure network data is loaded/);
  });
});
