/**
 * `flowsight recommend`: least-privilege policies from the demo's observed traffic, printed as YAML
 * ready for a pull request (stdout) with the simulation over the same window and the comparison
 * with what is deployed (stderr), or all of it as JSON. Shapes follow kubernetes.io "Network
 * Policies" (NetworkPolicy, networking.k8s.io/v1) and docs.cilium.io "Policy Language"
 * (CiliumNetworkPolicy, toFQDNs behind a DNS rule with `rules.dns`).
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FlowGenerator } from '../../lib/demo/flow-generator';
import { demoScenario } from '../../lib/demo/scenario';
import type { RecommendAnswer } from '../../lib/server/what-if';
import { parseChange } from '../../lib/what-if/proposed-change';
import { runCli } from './testing/run-cli';

describe('flowsight recommend', () => {
  let dir: string;
  let flows: string;
  const envManifests = process.env.FLOWSIGHT_MANIFESTS;

  beforeAll(async () => {
    delete process.env.FLOWSIGHT_MANIFESTS;
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-recommend-'));
    flows = path.join(dir, 'flows.jsonl');
    const list = new FlowGenerator(demoScenario(), 5).generate(2_000, Date.now() - 3_600_000, 200);
    await writeFile(flows, list.map((f) => JSON.stringify(f)).join('\n'));
  });
  afterAll(async () => {
    if (envManifests !== undefined) process.env.FLOWSIGHT_MANIFESTS = envManifests;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints YAML that parses into valid policies, and the summary on stderr; exit 0', async () => {
    const r = await runCli(['recommend', '--demo', '--flows', flows, '--namespace', 'production']);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const manifests = docs.map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } });
    expect(manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'NetworkPolicy/production/default-deny-all',
      'CiliumNetworkPolicy/production/api-server-least-privilege',
      'CiliumNetworkPolicy/production/frontend-least-privilege',
      'CiliumNetworkPolicy/production/postgres-least-privilege',
    ]);
    // The demo's datapath is Cilium: the cilium flavour, with toFQDNs for api.stripe.com behind the DNS rule.
    expect(r.out).toContain('matchName: api.stripe.com');
    expect(r.out).toContain('matchPattern: "*"');
    expect(parseChange({ yaml: r.out }).problems).toEqual([]);
    // stdout is the YAML only; everything else is a comment line on stderr.
    expect(r.err.split('\n').filter(Boolean).every((l) => l.startsWith('# '))).toBe(true);
    expect(r.err).toMatch(/^# cilium policies for production from \d+ allowed connection\(s\), \d+ flows/);
    expect(r.err).toContain('# in place of the deployed');
    expect(r.err).toContain('result: no observed traffic breaks');
    expect(r.err).toMatch(/deployed NetworkPolicy production\/allow-prometheus-scrape ingress rule 0 allows 3 path\(s\) no flow took, e.g. monitoring\/grafana-/);
  });

  it('-o json prints the recommendation, its change, the simulation and the deployed diff', async () => {
    const r = await runCli(['recommend', '--demo', '--flows', flows, '--namespace', 'legacy', '--flavour', 'kubernetes', '-o', 'json']);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.out) as RecommendAnswer;
    expect(a.recommendation.flavour).toBe('kubernetes');
    expect(a.recommendation.scope).toEqual({ namespace: 'legacy' });
    expect(a.recommendation.manifests.every((m) => m.kind === 'NetworkPolicy')).toBe(true);
    expect(a.recommendation.notes.some((n) => /NetworkPolicy has no FQDN rules/.test(n))).toBe(true);
    expect(a.change.delete).toEqual([]);
    expect(a.simulation.breaksTraffic).toBe(false);
    expect(a.simulation.unobserved.map((u) => `${u.workload}: ${u.path}`)).toContain('legacy/legacy-app: egress to any internet address');
    expect(a.deployed.namespace).toBe('legacy');
    expect(a.deployed.uncovered.every((u) => u.status === 'allowed-by-default')).toBe(true);
  });

  it('a workload scope writes only that workload’s policies', async () => {
    const r = await runCli(['recommend', '--demo', '--flows', flows, '--namespace', 'production', '--workload', 'api-server', '-o', 'json']);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.out) as RecommendAnswer;
    expect(a.recommendation.manifests.map((m) => (m.metadata as { name: string }).name)).toEqual(['api-server-default-deny', 'api-server-least-privilege']);
    expect(a.change.delete).toEqual([]);
    expect(a.simulation.breaksTraffic).toBe(false);
  });

  it('bad input exits 2: a bad or unknown namespace, a bad workload, --flows without a cluster', async () => {
    const bad = await runCli(['recommend', '--demo', '--flows', flows, '--namespace', 'Prod']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--namespace Prod: not a namespace name');
    const unknown = await runCli(['recommend', '--demo', '--flows', flows, '--namespace', 'nowhere']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('the cluster input has no such namespace');
    expect((await runCli(['recommend', '--demo', '--flows', flows, '--namespace', 'production', '--workload', 'a_b'])).code).toBe(2);
    expect((await runCli(['recommend', '--demo', '--flows', flows, '--namespace', 'production', '--flavour', 'calico'])).code).toBe(2);
    expect((await runCli(['recommend', '--demo', '--flows', flows])).code).toBe(2);
    const noCluster = await runCli(['recommend', '--flows', flows, '--namespace', 'production', '--url', 'http://127.0.0.1:9']);
    expect(noCluster.code).toBe(2);
    expect(noCluster.err).toContain('add --manifests PATH or --demo');
  });

  it('an unreachable server exits 3', async () => {
    const r = await runCli(['recommend', '--namespace', 'production', '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('flowsight recommend: no Flowsight answers at http://127.0.0.1:9');
  });
});
