/**
 * `flowsight simulate` as a CI gate: exit 0 when no observed traffic breaks, 1 when the change would
 * deny traffic that passes today, 2 on bad input (a YAML error names file:line:column), 3 when the
 * replay cannot run. Verdicts are the policy engine's (kubernetes.io "Network Policies": a default
 * deny with an empty podSelector isolates every pod of the namespace both ways). Flows are the demo
 * scenario's, written to a temporary file.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowGenerator } from '../../lib/demo/flow-generator';
import { demoScenario } from '../../lib/demo/scenario';
import type { SimulationResult } from '../../lib/what-if/replay';
import { formatProblem, parseDefaultDeny, parseDelete } from './simulate';
import { runCli } from './testing/run-cli';

const OPEN_DB = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-legacy-to-db, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  policyTypes: [Ingress]
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: legacy}}}]
      ports: [{protocol: TCP, port: 5432}]
`;
const MALFORMED = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: broken
  namespace: legacy
spec:
  podSelector: {}
  policyTypes: [Ingress
`;
const BAD_OPERATOR = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-op, namespace: legacy}
spec:
  podSelector:
    matchExpressions:
      - {key: app, operator: Maybe, values: [a]}
`;

describe('flowsight simulate', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const envManifests = process.env.FLOWSIGHT_MANIFESTS;

  beforeAll(async () => {
    // An inherited FLOWSIGHT_MANIFESTS would count as a cluster input.
    delete process.env.FLOWSIGHT_MANIFESTS;
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-simulate-'));
    // Inside the default window (the last 24 h).
    const flows = new FlowGenerator(demoScenario(), 3).generate(2_000, Date.now() - 3_600_000, 200);
    await writeFile(file('flows.jsonl'), flows.map((f) => JSON.stringify(f)).join('\n'));
    await writeFile(file('flows.json'), JSON.stringify(flows));
    await writeFile(file('open-db.yaml'), OPEN_DB);
    await writeFile(file('malformed.yaml'), MALFORMED);
    await writeFile(file('bad-operator.yaml'), BAD_OPERATOR);
    await writeFile(file('not-json.jsonl'), '{"uuid": "a"}\nnot json\n');
  });
  afterAll(async () => {
    if (envManifests !== undefined) process.env.FLOWSIGHT_MANIFESTS = envManifests;
    await rm(dir, { recursive: true, force: true });
  });

  it('a default deny for legacy breaks observed traffic: exit 1, DNS breakage first', async () => {
    const r = await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--default-deny', 'legacy']);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toMatch(/: [\d,]+ flows in \d+ connections replayed \(datapath cilium\)/);
    expect(r.out).toContain('adds NetworkPolicy legacy/default-deny-all');
    const dns = r.out.indexOf('DNS BREAKAGE');
    const breaks = r.out.indexOf('BREAKS (passes today, denied with the change)');
    expect(dns).toBeGreaterThan(0);
    expect(breaks).toBeGreaterThan(dns);
    expect(r.out.slice(dns, breaks)).toContain('legacy/legacy-app -> kube-system/coredns 53/UDP');
    expect(r.out).toContain('closed legacy/legacy-app: egress to any internet address');
    expect(r.out).toMatch(/result: the change breaks \d+ observed connection\(s\)/);
  });

  it('-o json prints the whole result, and the flows may be a JSON array', async () => {
    const r = await runCli(['simulate', '--demo', '--flows', file('flows.json'), '--default-deny', 'legacy:egress', '-o', 'json']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.out) as SimulationResult;
    expect(result.breaksTraffic).toBe(true);
    expect(result.change.added).toEqual([{ kind: 'NetworkPolicy', namespace: 'legacy', name: 'default-deny-egress' }]);
    expect(result.dns.map((e) => e.id)).toEqual(['legacy/legacy-app|kube-system/coredns|53|UDP']);
    // Egress only: legacy-cron's own egress is denied, so its calls to legacy-app break; ingress from the internet stays open.
    expect(result.edges.find((e) => e.id === 'legacy/legacy-cron|legacy/legacy-app|8080|TCP')?.outcome).toBe('breaks');
    expect(result.unobserved.map((u) => u.path)).not.toContain('ingress from the internet on 8080/TCP');
  });

  it('a change that breaks nothing exits 0', async () => {
    const r = await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--change', file('open-db.yaml'), '-o', 'json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as SimulationResult;
    expect(result.breaksTraffic).toBe(false);
    expect(result.edges.filter((e) => e.outcome !== 'unchanged').map((e) => [e.id, e.outcome])).toEqual([['legacy/legacy-app|production/postgres|5432|TCP', 'opens']]);
    const table = await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--change', file('open-db.yaml')]);
    expect(table.code).toBe(0);
    expect(table.out).toContain('NEWLY ALLOWED (denied today): 1 edge(s)');
    expect(table.out).toContain('result: no observed traffic breaks');
  });

  it('malformed YAML exits 2 naming file:line:column, and nothing runs', async () => {
    const r = await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--change', file('malformed.yaml')]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`flowsight simulate: the change cannot run:\\n${file('malformed.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `));
    const m = /malformed\.yaml:(\d+):(\d+)/.exec(r.err)!;
    expect(Number(m[1])).toBeGreaterThanOrEqual(7);
  });

  it('a policy field error exits 2 at the field’s line and column', async () => {
    const r = await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--change', file('bad-operator.yaml')]);
    expect(r.code).toBe(2);
    const line = BAD_OPERATOR.split('\n').findIndex((l) => l.includes('Maybe')) + 1;
    const column = BAD_OPERATOR.split('\n')[line - 1].indexOf('Maybe') + 1;
    expect(r.err).toContain(`${file('bad-operator.yaml')}:${line}:${column}: error: NetworkPolicy legacy/bad-op: spec.podSelector.matchExpressions[0].operator`);
  });

  it('bad input exits 2: --flows without a cluster, no change, bad flags, unreadable or non-JSON flows', async () => {
    const noCluster = await runCli(['simulate', '--flows', file('flows.jsonl'), '--default-deny', 'legacy', '--url', 'http://127.0.0.1:9']);
    expect(noCluster.code).toBe(2);
    expect(noCluster.err).toContain('--flows replays a file against a cluster given here: add --manifests PATH or --demo');
    const nothing = await runCli(['simulate', '--demo', '--flows', file('flows.jsonl')]);
    expect(nothing.code).toBe(2);
    expect(nothing.err).toContain('nothing to simulate');
    expect((await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--default-deny', 'legacy:sideways'])).code).toBe(2);
    expect((await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--delete', 'Pod/legacy/x'])).code).toBe(2);
    const missing = await runCli(['simulate', '--demo', '--flows', file('nope.jsonl'), '--default-deny', 'legacy']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--flows: cannot read');
    const notJson = await runCli(['simulate', '--demo', '--flows', file('not-json.jsonl'), '--default-deny', 'legacy']);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toContain('line 2: not JSON');
    const since = await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--default-deny', 'legacy', '--since', '1h', '--until', '2h']);
    expect(since.code).toBe(2);
    expect(since.err).toContain('--since: must be before until');
    expect((await runCli(['simulate', '--default-deny', 'legacy', '--url', 'not a url'])).code).toBe(2);
  });

  it('an unreachable server exits 3, for a server-side replay and for a local one reading its history', async () => {
    const remote = await runCli(['simulate', '--default-deny', 'legacy', '--url', 'http://127.0.0.1:9']);
    expect(remote.code).toBe(3);
    expect(remote.err).toMatch(/^flowsight simulate: no Flowsight answers at http:\/\/127\.0\.0\.1:9/);
    const local = await runCli(['simulate', '--demo', '--default-deny', 'legacy', '--url', 'http://127.0.0.1:9']);
    expect(local.code).toBe(3);
  });

  it('an empty window replays nothing, and a gate that checked nothing does not pass: exit 3', async () => {
    const r = await runCli(['simulate', '--demo', '--flows', file('flows.jsonl'), '--default-deny', 'legacy', '--since', '2026-01-01T00:00:00Z', '--until', '2026-01-02T00:00:00Z', '-o', 'json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out).replayed).toEqual({ flows: 0, connections: 0, truncated: false });
    expect(r.err).toMatch(/no traffic in the window/);
  });
});

describe('simulate flag parsing', () => {
  it('reads --delete and --default-deny', () => {
    expect(parseDelete('NetworkPolicy/production/allow-dns')).toEqual({ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-dns' });
    expect(parseDelete('CiliumClusterwideNetworkPolicy/world')).toEqual({ kind: 'CiliumClusterwideNetworkPolicy', name: 'world' });
    expect(() => parseDelete('NetworkPolicy/allow-dns')).toThrow(/kind\/namespace\/name/);
    expect(() => parseDelete('CiliumClusterwideNetworkPolicy/a/b')).toThrow(/kind\/name/);
    expect(() => parseDelete('NetworkPolicy//x')).toThrow(/empty part/);
    expect(parseDefaultDeny('legacy')).toEqual({ preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] });
    expect(parseDefaultDeny('legacy:ingress')).toEqual({ preset: 'default-deny', namespace: 'legacy', directions: ['ingress'] });
    expect(() => parseDefaultDeny('legacy:ingress:egress')).toThrow();
    expect(() => parseDefaultDeny(':egress')).toThrow();
  });

  it('formats a problem as file:line:column', () => {
    expect(formatProblem('c.yaml', { severity: 'error', message: 'bad', line: 3, column: 7 })).toBe('c.yaml:3:7: error: bad');
    expect(formatProblem(undefined, { severity: 'warning', message: 'w', line: 1, column: 1 })).toBe('change:1:1: warning: w');
    expect(formatProblem('c.yaml', { severity: 'error', message: 'both' })).toBe('c.yaml: error: both');
  });
});
