/**
 * simulate: observed traffic replayed through the policy engine with and without a proposed change.
 * The expected verdicts follow kubernetes.io "Network Policies" (a pod selected by a policy with
 * Ingress/Egress in policyTypes is isolated that way and only what some rule allows passes; an empty
 * podSelector selects every pod of the namespace; rules of several policies are additive) and
 * docs.cilium.io "Policy Language" (L7 HTTP rules admit only matching requests on their port, while
 * an L4-only allow of the same peer and port admits any request; toFQDNs; policy audit mode, modelled
 * by Flowsight's `flowsight.io/policy-audit-mode` annotation, reports would-be drops as AUDIT).
 * Traffic is the demo scenario's (lib/demo), whose observed verdicts are those of its policies.
 */

import { describe, expect, it } from 'vitest';
import { FlowGenerator } from '../demo/flow-generator';
import { demoScenario } from '../demo/scenario';
import type { FlowRecord } from '../flows/flow-record';
import { demoSnapshot } from '../k8s/demo-source';
import type { ClusterSnapshot, Pod } from '../k8s/types';
import { cluster, np } from '../policy-engine/testing/cluster-fixture';
import { flow, world } from '../testing/flow-fixtures';
import { foldFlows, type ObservedTraffic } from './observed-traffic';
import { changeRunnable, parseChange, type ProposedChange } from './proposed-change';
import { podLabelsOf, simulate, type ReplayEdge, type ReplayProgress, type SimulationResult } from './replay';

const START = 1_795_000_000_000;
const { snapshot: demo } = demoSnapshot();
const demoFlows = new FlowGenerator(demoScenario(), 7).generate(3_000, START, 100);
const traffic = foldFlows(demoFlows, { since: null, until: null });

async function run(change: ProposedChange, t: ObservedTraffic = traffic, snapshot: ClusterSnapshot = demo): Promise<SimulationResult> {
  const parsed = parseChange(change);
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  expect(changeRunnable(parsed)).toBe(true);
  return simulate(snapshot, parsed, t);
}

const edge = (r: SimulationResult, id: string): ReplayEdge => {
  const e = r.edges.find((x) => x.id === id);
  expect(e, `edge ${id}`).toBeDefined();
  return e!;
};
const changed = (r: SimulationResult) => r.edges.filter((e) => e.outcome !== 'unchanged');
const legacyEdge = (e: ReplayEdge) => e.sourceNamespace === 'legacy' || e.targetNamespace === 'legacy';

const LEGACY_DNS = 'legacy/legacy-app|kube-system/coredns|53|UDP';

describe('simulate over the demo: a default deny for legacy', () => {
  const deny: ProposedChange = { presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] }] };

  it('the engine agrees with what Hubble observed for the cluster as deployed', async () => {
    const r = await run(deny);
    expect(r.datapath).toBe('cilium');
    expect(r.disagreements).toBe(0);
    expect(r.unevaluated).toBe(0);
    expect(r.replayed).toEqual({ flows: traffic.flows, connections: traffic.connections.length, truncated: false });
  });

  it('breaks exactly the legacy edges that pass today, DNS first and in `dns`', async () => {
    const r = await run(deny);
    expect(r.breaksTraffic).toBe(true);
    const broken = r.edges.filter((e) => e.outcome === 'breaks');
    expect(broken.map((e) => e.id).sort()).toEqual(
      [
        LEGACY_DNS,
        'legacy/legacy-cron|legacy/legacy-app|8080|TCP',
        'legacy/legacy-app|payments/payments-api|8443|TCP',
        'legacy/legacy-app|world:api.github.com|443|TCP',
        'legacy/legacy-app|world:pypi.org|443|TCP',
        'legacy/legacy-cron|world:mcr.microsoft.com|443|TCP',
        'legacy/legacy-cron|world:pastebin.com|443|TCP',
      ].sort(),
    );
    // Denied today already (postgres and api-server refuse legacy): no change.
    expect(edge(r, 'legacy/legacy-app|production/postgres|5432|TCP').outcome).toBe('unchanged');
    expect(edge(r, 'legacy/legacy-app|production/api-server|8080|TCP').outcome).toBe('unchanged');
    expect(r.edges[0].id).toBe(LEGACY_DNS);
    expect(r.dns.map((e) => e.id)).toEqual([LEGACY_DNS]);
    expect(r.dns[0]).toMatchObject({ dns: true, outcome: 'breaks', port: 53, protocol: 'UDP' });
    const dnsFlows = demoFlows.filter((f) => !f.isReply && f.source.namespace === 'legacy' && f.destination.port === 53).length;
    expect(r.totals.dnsBreaks).toEqual({ connections: r.dns[0].connections, flows: dnsFlows });
    expect(r.dns[0].flows.breaks).toBe(dnsFlows);
    // The example says what denied it, where.
    const ex = r.dns[0].examples[0];
    expect(ex.before.verdict).toBe('FORWARDED');
    expect(ex.after).toMatchObject({ verdict: 'DROPPED', at: 'egress' });
    expect(ex.after.why).toContain('NetworkPolicy legacy/default-deny-all');
    expect(ex.source).toMatch(/^legacy\/legacy-app-/);
  });

  it('counts every other connection unchanged, without changing its verdict', async () => {
    const r = await run(deny);
    const untouched = r.edges.filter((e) => !legacyEdge(e));
    expect(untouched.length).toBeGreaterThan(15);
    for (const e of untouched) {
      expect(e.outcome, e.id).toBe('unchanged');
      for (const x of e.examples) expect(x.after, e.id).toEqual(x.before);
    }
    const breakFlows = r.edges.reduce((n, e) => n + e.flows.breaks, 0);
    expect(r.totals.breaks.flows).toBe(breakFlows);
    expect(r.totals.breaks.connections + r.totals.unchanged.connections).toBe(traffic.connections.length);
    expect(r.totals.breaks.flows + r.totals.unchanged.flows).toBe(traffic.flows);
    expect(r.totals.opens).toEqual({ connections: 0, flows: 0 });
    expect(r.totals.audit).toEqual({ connections: 0, flows: 0 });
    expect(r.touched).toEqual(['legacy/legacy-app', 'legacy/legacy-cron']);
    expect(r.change.added).toEqual([{ kind: 'NetworkPolicy', namespace: 'legacy', name: 'default-deny-all' }]);
  });

  it('lists the internet paths no flow took that it closes', async () => {
    const r = await run(deny);
    expect(r.unobserved.map((u) => [u.workload, u.path, u.direction, u.outcome])).toEqual([
      ['legacy/legacy-app', 'egress to any internet address', 'egress', 'closed'],
      ['legacy/legacy-app', 'ingress from the internet on 8080/TCP', 'ingress', 'closed'],
      ['legacy/legacy-cron', 'egress to any internet address', 'egress', 'closed'],
    ]);
    expect(r.unobserved[0].before.verdict).toBe('FORWARDED');
    expect(r.unobserved[0].after.verdict).toBe('DROPPED');
  });

  it('an ingress-only default deny keeps legacy egress open', async () => {
    const r = await run({ presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['ingress'] }] });
    expect(changed(r).map((e) => e.id)).toEqual(['legacy/legacy-cron|legacy/legacy-app|8080|TCP']);
    expect(r.dns).toEqual([]);
    expect(r.unobserved.map((u) => u.path)).toEqual(['ingress from the internet on 8080/TCP']);
  });
});

describe('simulate over the demo: other changes', () => {
  it('replacing allow-frontend-egress with a copy without its DNS rule is DNS breakage', async () => {
    const yaml = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-frontend-egress, namespace: production}
spec:
  podSelector: {matchLabels: {app: frontend}}
  policyTypes: [Egress]
  egress:
    - to: [{podSelector: {matchLabels: {app: api-server}}}]
      ports: [{protocol: TCP, port: 8080}]
`;
    const r = await run({ yaml });
    expect(r.change.replaced).toEqual([{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-frontend-egress' }]);
    expect(r.change.added).toEqual([]);
    expect(changed(r).map((e) => e.id)).toEqual(['production/frontend|kube-system/coredns|53|UDP']);
    expect(r.dns.map((e) => e.id)).toEqual(['production/frontend|kube-system/coredns|53|UDP']);
    expect(r.totals.dnsBreaks.connections).toBeGreaterThan(0);
    expect(r.totals.dnsBreaks).toEqual(r.totals.breaks);
    expect(r.breaksTraffic).toBe(true);
    expect(r.dns[0].examples[0].after.why).toMatch(/default deny of .*NetworkPolicy production\/default-deny-all/);
    expect(edge(r, 'production/frontend|production/api-server|8080|TCP').outcome).toBe('unchanged');
    expect(r.unobserved).toEqual([]);
  });

  it('a change that admits legacy to postgres opens that edge and breaks nothing', async () => {
    const yaml = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-legacy-to-db, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  policyTypes: [Ingress]
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: legacy}}}]
      ports: [{protocol: TCP, port: 5432}]
`;
    const r = await run({ yaml });
    expect(r.breaksTraffic).toBe(false);
    expect(changed(r).map((e) => [e.id, e.outcome])).toEqual([['legacy/legacy-app|production/postgres|5432|TCP', 'opens']]);
    const e = changed(r)[0];
    expect(e.flows.opens).toBe(demoFlows.filter((f) => f.source.namespace === 'legacy' && f.destination.port === 5432).length);
    expect(e.examples[0].before.verdict).toBe('DROPPED');
    expect(e.examples[0].after.why).toContain('allowed by');
    expect(e.examples[0].after.why).toContain('NetworkPolicy production/allow-legacy-to-db');
    expect(r.totals.opens.connections).toBe(e.connections);
    expect(r.touched).toEqual(['production/postgres']);
    // The rule names a namespace: the internet still cannot reach postgres.
    expect(r.unobserved).toEqual([]);
  });

  it('an audit-mode policy puts what it would deny in audit, breaking nothing', async () => {
    const yaml = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: legacy-egress-trial
  namespace: legacy
  annotations:
    flowsight.io/policy-audit-mode: "true"
spec:
  endpointSelector: {matchLabels: {app: legacy-app}}
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}]}]
`;
    const r = await run({ yaml });
    expect(r.breaksTraffic).toBe(false);
    expect(r.dns).toEqual([]);
    expect(changed(r).map((e) => [e.id, e.outcome]).sort()).toEqual([
      ['legacy/legacy-app|payments/payments-api|8443|TCP', 'audit'],
      ['legacy/legacy-app|world:api.github.com|443|TCP', 'audit'],
      ['legacy/legacy-app|world:pypi.org|443|TCP', 'audit'],
    ]);
    const gh = edge(r, 'legacy/legacy-app|world:api.github.com|443|TCP');
    expect(gh.examples[0].after).toMatchObject({ verdict: 'AUDIT', at: 'egress' });
    expect(gh.examples[0].after.why).toMatch(/would be denied \(audit\)/);
    expect(edge(r, LEGACY_DNS).outcome).toBe('unchanged');
    // legacy-cron is not selected: untouched.
    expect(edge(r, 'legacy/legacy-cron|world:pastebin.com|443|TCP').outcome).toBe('unchanged');
    expect(r.totals.audit.connections).toBeGreaterThanOrEqual(3);
    expect(r.touched).toEqual(['legacy/legacy-app']);
  });

  it('L7: with the L4 allow gone and POST no longer admitted, the HTTP request breaks; GET does not', async () => {
    const yaml = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api-server-l7-ingress, namespace: production}
spec:
  endpointSelector: {matchLabels: {app: api-server}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: frontend}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: "/api/.*"}]}}]
`;
    const r = await run({ yaml, delete: [{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-frontend-to-api' }] });
    expect(r.change).toMatchObject({ replaced: [{ kind: 'CiliumNetworkPolicy', namespace: 'production', name: 'api-server-l7-ingress' }], deleted: [{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-frontend-to-api' }], missing: [] });
    const e = edge(r, 'production/frontend|production/api-server|8080|TCP');
    expect(e.outcome).toBe('breaks');
    const post = e.examples.find((x) => x.request === 'POST /api/orders');
    expect(post, JSON.stringify(e.examples.map((x) => x.request))).toBeDefined();
    expect(post!.before.verdict).toBe('FORWARDED');
    expect(post!.after).toMatchObject({ verdict: 'DROPPED', at: 'ingress' });
    expect(post!.after.why).toContain('the request matches no L7 rule of CiliumNetworkPolicy production/api-server-l7-ingress');
    // The admin DELETE passed only through the L4 allow: it breaks too. GET still matches /api/.*.
    expect(e.examples.some((x) => x.request === 'DELETE /api/orders/17' && x.after.verdict === 'DROPPED')).toBe(true);
    const getFlows = demoFlows.filter((f) => f.l7?.type === 'REQUEST' && f.l7.http?.method === 'GET' && !f.isReply).length;
    expect(getFlows).toBeGreaterThan(0);
    expect(e.flows.unchanged).toBeGreaterThanOrEqual(getFlows);
    const postFlows = demoFlows.filter((f) => f.l7?.type === 'REQUEST' && f.l7.http?.method === 'POST' && !f.isReply).length;
    const deleteFlows = demoFlows.filter((f) => f.l7?.type === 'REQUEST' && f.l7.http?.method === 'DELETE' && !f.isReply).length;
    expect(e.flows.breaks).toBe(postFlows + deleteFlows);
    expect(r.breaksTraffic).toBe(true);
  });

  it('deleting a policy that is not deployed changes nothing and says so', async () => {
    const r = await run({ delete: [{ kind: 'NetworkPolicy', namespace: 'legacy', name: 'nothing-here' }] });
    expect(r.change.missing).toEqual([{ kind: 'NetworkPolicy', namespace: 'legacy', name: 'nothing-here' }]);
    expect(r.change.warnings).toEqual(['NetworkPolicy legacy/nothing-here is not deployed: deleting it changes nothing']);
    expect(changed(r)).toEqual([]);
    expect(r.breaksTraffic).toBe(false);
    expect(r.totals.unchanged.connections).toBe(traffic.connections.length);
  });
});

describe('simulate: flows of pods the cluster no longer has', () => {
  const withWorkload = (pods: Pod[], names: Record<string, string>): Pod[] => pods.map((p) => (names[p.name] ? { ...p, workload: { kind: 'Deployment', name: names[p.name] } } : p));
  const base = cluster({
    pods: [
      { ns: 'shop', name: 'web-7d9f8b6c4-newaa', labels: { app: 'web', version: 'v2', 'pod-template-hash': '7d9f8b6c4' }, ip: '10.0.0.10' },
      { ns: 'shop', name: 'api-5f6d7c8b9-aaaaa', labels: { app: 'api', 'pod-template-hash': '5f6d7c8b9' }, ip: '10.0.0.20', ports: [{ containerPort: 8080, protocol: 'TCP' }] },
    ],
  });
  const snapshot: ClusterSnapshot = { ...base, pods: withWorkload(base.pods, { 'web-7d9f8b6c4-newaa': 'web', 'api-5f6d7c8b9-aaaaa': 'api' }) };
  const labels = (ns: string, l: Record<string, string>) => [...Object.entries(l).map(([k, v]) => `k8s:${k}=${v}`), `k8s:io.kubernetes.pod.namespace=${ns}`, `k8s:io.cilium.k8s.policy.serviceaccount=default`].sort();
  // Each label set is its own Cilium security identity.
  const ep = (name: string, workload: string, l: Record<string, string>, ip: string, identity: number) => ({ ...world(''), ip, identity, namespace: 'shop', pod: name, labels: labels('shop', l), workloads: [{ name: workload, kind: 'Deployment' }], names: [] });
  const api = { ...ep('api-5f6d7c8b9-aaaaa', 'api', { app: 'api' }, '10.0.0.20', 30_000), port: 8080 };
  const flows: FlowRecord[] = [
    // Same workload and labels as a running pod (a rollout with no label change): judged as that pod.
    flow(ep('web-7d9f8b6c4-goneb', 'web', { app: 'web', version: 'v2' }, '10.0.0.99', 30_001), api, { time: START, uuid: 'sibling' }),
    // The previous revision (version=v1): no running pod has its labels; a stand-in carries them.
    flow(ep('web-6c5b4a3d2-oldcc', 'web', { app: 'web', version: 'v1' }, '10.0.0.98', 30_002), api, { time: START + 1, uuid: 'old-revision' }),
    // A workload deleted since (a finished job): a stand-in with its labels.
    flow(ep('report-28731-xyzab', 'report', { app: 'report' }, '10.0.0.10', 30_003), api, { time: START + 2, uuid: 'gone-workload' }),
  ];
  const t = foldFlows(flows, { since: null, until: null });
  const egressDeny = (selector: Record<string, string>) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: shop}
spec:
  podSelector: {matchLabels: ${JSON.stringify(selector)}}
  policyTypes: [Egress]
`;
  const outcomes = (r: SimulationResult) => Object.fromEntries(r.edges.flatMap((e) => e.examples.map((x) => [x.uuid, x.after.verdict === x.before.verdict ? 'unchanged' : e.outcome])));

  it('podLabelsOf keeps the pod’s own labels and leaves out those Cilium derives', () => {
    expect(podLabelsOf(['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.serviceaccount=sa', 'k8s:io.cilium.k8s.namespace.labels.team=a', 'reserved:world', 'k8s:flag'])).toEqual({ app: 'web', flag: '' });
  });

  it('judges each flow by the labels it carried, whatever pod now runs', async () => {
    expect(t.connections).toHaveLength(3);
    const v1 = await run({ yaml: egressDeny({ version: 'v1' }) }, t, snapshot);
    expect(v1.unevaluated).toBe(0);
    expect(v1.disagreements).toBe(0);
    expect(outcomes(v1)).toEqual({ sibling: 'unchanged', 'old-revision': 'breaks', 'gone-workload': 'unchanged' });
    const v2 = await run({ yaml: egressDeny({ version: 'v2' }) }, t, snapshot);
    expect(outcomes(v2)).toEqual({ sibling: 'breaks', 'old-revision': 'unchanged', 'gone-workload': 'unchanged' });
    const report = await run({ yaml: egressDeny({ app: 'report' }) }, t, snapshot);
    expect(outcomes(report)).toEqual({ sibling: 'unchanged', 'old-revision': 'unchanged', 'gone-workload': 'breaks' });
    expect(report.breaksTraffic).toBe(true);
    // The stand-in takes the workload the flows named.
    expect(report.touched).toEqual(['shop/report']);
  });

  it('a stand-in is judged by its labels even when its old address now belongs to another pod', async () => {
    // The deleted workload's flows came from 10.0.0.10, now web's address: a rule admitting web must not admit them.
    const r = await run({
      yaml: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
`,
    }, t, snapshot);
    expect(outcomes(r)).toEqual({ sibling: 'unchanged', 'old-revision': 'unchanged', 'gone-workload': 'breaks' });
  });
});

describe('simulate: progress and cancellation', () => {
  const deny = parseChange({ presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] }] });

  it('reports compile, replay and paths progress in order', async () => {
    const events: ReplayProgress[] = [];
    await simulate(demo, deny, traffic, { chunk: 5, onProgress: (p) => events.push({ ...p }) });
    expect(events.slice(0, 3)).toEqual([
      { phase: 'compile', done: 0, total: 2 },
      { phase: 'compile', done: 1, total: 2 },
      { phase: 'compile', done: 2, total: 2 },
    ]);
    const replay = events.filter((e) => e.phase === 'replay');
    const n = traffic.connections.length;
    expect(replay.map((e) => e.done)).toEqual([...Array.from({ length: Math.ceil(n / 5) - 1 }, (_, i) => (i + 1) * 5), n]);
    expect(replay.every((e) => e.total === n)).toBe(true);
    expect(events[events.length - 1]).toEqual({ phase: 'paths', done: 1, total: 1 });
    expect(events.map((e) => e.phase)).toEqual([...Array(3).fill('compile'), ...Array(replay.length).fill('replay'), 'paths']);
  });

  it('rejects with AbortError when the signal is aborted, before or during the replay', async () => {
    const before = new AbortController();
    before.abort();
    await expect(simulate(demo, deny, traffic, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const during = new AbortController();
    let after = 0;
    const p = simulate(demo, deny, traffic, {
      chunk: 5,
      signal: during.signal,
      onProgress: (e) => {
        if (e.phase === 'replay' && e.done === 10) during.abort();
        if (during.signal.aborted) after++;
      },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    // It stopped at the next pause: one report at most after the abort.
    expect(after).toBe(1);
  });

  it('rejects with the signal’s own reason when it is an error', async () => {
    const ac = new AbortController();
    ac.abort(new Error('client went away'));
    await expect(simulate(demo, deny, traffic, { signal: ac.signal })).rejects.toThrow('client went away');
  });
});

describe('simulate: what the review of the replay found', () => {
  const snapshot = cluster({
    pods: [
      { ns: 'shop', name: 'web-1', labels: { app: 'web' }, ip: '10.1.0.10' },
      { ns: 'db', name: 'pg-1', labels: { app: 'pg' }, ip: '10.1.0.20', ports: [{ containerPort: 5432, protocol: 'TCP' }, { containerPort: 8080, protocol: 'TCP' }] },
    ],
  });
  const web = { ...world(''), ip: '10.1.0.10', identity: 40_001, namespace: 'shop', pod: 'web-1', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'], names: [] };
  const pg = (port: number) => ({ ...world(''), ip: '10.1.0.20', identity: 40_002, namespace: 'db', pod: 'pg-1', labels: ['k8s:app=pg', 'k8s:io.kubernetes.pod.namespace=db'], names: [], port });

  // docs.cilium.io, "Layer 7 Policies": a port with HTTP rules admits only matching requests. Flows seen
  // at L4 only (no proxy today) carry no request to check: the change may break them, and says so.
  it('new L7 rules on traffic seen without request data: may break (unverified), and the gate fails', async () => {
    const t = foldFlows([flow(web, pg(8080)), flow(web, pg(8080))], { since: null, until: null });
    const r = await run({ yaml: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: pg-http, namespace: db}
spec:
  endpointSelector: {matchLabels: {app: pg}}
  ingress:
    - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: shop}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: /health}]}}]
` }, t, snapshot);
    expect(r.totals.unverified).toEqual({ connections: 1, flows: 2 });
    expect(r.breaksTraffic).toBe(false);
    expect(r.mayBreakTraffic).toBe(true);
    expect(r.edges[0].outcome).toBe('unverified');
    expect(r.edges[0].examples[0].after.why).toMatch(/L7 rules only/);
  });

  it('an L7 rule that admits every request (DNS matchPattern "*") is known to pass without request data', async () => {
    const dns = cluster({ pods: [{ ns: 'shop', name: 'web-1', labels: { app: 'web' }, ip: '10.1.0.10' }, { ns: 'kube-system', name: 'coredns-1', labels: { 'k8s-app': 'kube-dns' }, ip: '10.1.0.53', ports: [{ containerPort: 53, protocol: 'UDP' }] }] });
    const coredns = { ...world(''), ip: '10.1.0.53', identity: 40_003, namespace: 'kube-system', pod: 'coredns-1', labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'], names: [], port: 53 };
    const t = foldFlows([flow(web, coredns, { protocol: 'UDP' })], { since: null, until: null });
    const r = await run({ yaml: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web-dns, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
` }, t, dns);
    expect(r.totals.unverified.connections).toBe(0);
    expect(r.totals.breaks.connections).toBe(0);
    expect(r.mayBreakTraffic).toBe(false);
  });

  it('traffic Hubble saw pass is breakage when the change denies it, even where the engine thought it denied today', async () => {
    // The snapshot is stale (db isolated by a policy since removed, say): the engine says DROPPED, Hubble saw FORWARDED.
    const stale: ClusterSnapshot = { ...snapshot, policies: [np('db', 'pg-lockdown', { podSelector: {}, policyTypes: ['Ingress'] })] };
    const t = foldFlows([flow(web, pg(5432))], { since: null, until: null });
    const r = await run({ presets: [{ preset: 'default-deny', namespace: 'shop', directions: ['egress'] }] }, t, stale);
    expect(r.disagreements).toBe(1);
    expect(r.totals.breaks.connections).toBe(1);
    expect(r.breaksTraffic).toBe(true);
  });

  it('a destination named only by its address is the pod that has it: affected, and its namespace compiled', async () => {
    const bare = { ...world(''), ip: '10.1.0.20', identity: 0, labels: [], names: [], port: 5432 };
    const t = foldFlows([flow(web, bare)], { since: null, until: null });
    const r = await run({ presets: [{ preset: 'default-deny', namespace: 'db', directions: ['ingress'] }] }, t, snapshot);
    expect(r.totals.breaks.connections).toBe(1);
    expect(r.edges[0].examples[0].after.why).toMatch(/ingress of db\/pg-1/);
  });

  it('an edge shows an example of its own outcome', async () => {
    const t = foldFlows([flow(web, pg(5432)), flow(web, pg(5432), { verdict: 'DROPPED' })], { since: null, until: null });
    const r = await run({ presets: [{ preset: 'default-deny', namespace: 'db', directions: ['ingress'] }] }, t, snapshot);
    for (const e of r.edges) expect(e.examples.some((x) => x.outcome === e.outcome)).toBe(true);
  });
});
