import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli as run } from './testing/run-cli';
import { demoScenario, podsOf } from '../../lib/demo/scenario';

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
    // No rule allows web-1: db-from-api isolates db-0 for ingress (policyTypes defaults to Ingress), so it denies.
    expect(out[1]).toMatchObject({
      allowed: false,
      ingress: {
        allowed: false,
        isolated: true,
        reason: 'default-deny',
        by: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'db-from-api', section: 'ingress', action: 'isolate' }],
        decision: 'isolated for ingress by NetworkPolicy shop/db-from-api with no rule allowing this connection (default deny)',
      },
    });
    expect(out[1].ingress.by[0]).not.toHaveProperty('rule');
    expect(out[2].allowed).toBe(true); // IPs resolve to the same pods
  });

  it('the table names the isolating policy of a default deny', async () => {
    const r = await run(['evaluate', '--manifests', path.join(dir, 'cluster.yaml'), '--probes', path.join(dir, 'probes.json')]);
    expect(r.code).toBe(0);
    const web = r.out.split('\n').findIndex((l) => l.startsWith('shop/web-1 -> shop/db-0'));
    expect(r.out.split('\n')[web + 2]).toBe('  ingress: deny (default-deny: isolated for ingress by NetworkPolicy shop/db-from-api with no rule allowing this connection (default deny))');
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

describe('flowsight evaluate --azure', () => {
  const EXPORT = path.join(__dirname, '..', '..', 'lib', 'azure', 'testdata', 'az-export');
  const BROKEN = path.join(__dirname, '..', '..', 'lib', 'azure', 'testdata', 'broken');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-azure-probes-'));
    await writeFile(
      path.join(dir, 'probes.json'),
      JSON.stringify([
        { from: 'Internet', to: '10.10.0.4', port: 22, protocol: 'tcp' },
        { from: '198.51.100.20', to: 'vm-jumpbox-nic', port: 3389 },
        { from: 'snet-aks-nodes', to: '140.82.121.6', port: 443, fqdn: 'api.github.com' },
        { from: '10.10.0.5', to: '151.101.0.223', port: 443, fqdn: 'pypi.org' },
      ]),
    );
    await writeFile(path.join(dir, 'bad-probes.json'), JSON.stringify([{ from: 'Internet', to: '10.10.0.4', port: 22 }, { from: 'nowhere', to: '10.10.0.4', port: 'ssh' }]));
    await writeFile(path.join(dir, 'demo-probes.json'), JSON.stringify([{ from: 'Internet', to: 'aks-subnet', port: 22 }]));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('-o json answers each node-level probe per layer with the deciding rule', async () => {
    const r = await run(['evaluate', '--azure', EXPORT, '--probes', path.join(dir, 'probes.json'), '-o', 'json']);
    expect(r.code).toBe(0);
    const [ssh, rdp, github, pypi] = JSON.parse(r.out);
    expect(ssh).toMatchObject({ verdict: 'allowed', nsg: { verdict: 'allowed', decidingRule: { nsgName: 'aks-agentpool-12345678-nsg', ruleName: 'AllowSSHFromOffice', priority: 1000 } }, firewall: { verdict: 'not-on-path' } });
    expect(rdp).toMatchObject({ verdict: 'denied', to: { resolvedFrom: 'nic' }, nsg: { verdict: 'denied', decidingRule: { nsgName: 'nsg-jumpbox-nic', ruleName: 'deny-rdp' } } });
    expect(github).toMatchObject({ verdict: 'allowed', firewall: { verdict: 'allowed', firewall: { name: 'afw-prod' }, decidingRule: { ruleCollection: { name: 'github' }, rule: 'github' } }, egress: { kind: 'firewall' } });
    expect(pypi).toMatchObject({ verdict: 'denied', firewall: { verdict: 'denied' } });
    expect(pypi.firewall.decidingRule).toBeUndefined();
  });

  it('table output names the deciding rules', async () => {
    const r = await run(['evaluate', '--azure', EXPORT, '--probes', path.join(dir, 'probes.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Internet -> 10\.10\.0\.4 22\/TCP: allowed\n {2}nsg: {6}allowed by aks-agentpool-12345678-nsg \/ AllowSSHFromOffice \(priority 1000\)/);
    expect(r.out).toMatch(/firewall: allowed by afwp-prod › DefaultApplicationRuleCollectionGroup › github › github/);
  });

  it('--azure-demo uses the demo network', async () => {
    const r = await run(['evaluate', '--azure-demo', '--probes', path.join(dir, 'demo-probes.json'), '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)[0]).toMatchObject({ nsg: { verdict: 'allowed', decidingRule: { ruleName: 'allow-ssh-from-anywhere' } } });
  });

  it('bad probes exit 2 naming the probe and field', async () => {
    const r = await run(['evaluate', '--azure', EXPORT, '--probes', path.join(dir, 'bad-probes.json'), '-o', 'json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/probe #1 field "port"/);
    expect(r.out).toBe('');
  });

  it.each([
    [['--probes', 'PROBES', '--demo'], /separate run/],
    [['--matrix'], /--azure needs --probes/],
    [['--probes', '/nonexistent/probes.json'], /--probes: cannot read/],
  ])('rejects %j with exit 2', async (extra, message) => {
    const args = extra.map((a) => (a === 'PROBES' ? path.join(dir, 'probes.json') : a));
    const r = await run(['evaluate', '--azure', EXPORT, ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('an unreadable directory exits 2; a directory of broken files says why per file', async () => {
    const missing = await run(['evaluate', '--azure', '/nonexistent/azure', '--probes', path.join(dir, 'probes.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read the Azure export directory/);
    const broken = await run(['evaluate', '--azure', BROKEN, '--probes', path.join(dir, 'probes.json')]);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/truncated\.json:8:11/);
  });
});
