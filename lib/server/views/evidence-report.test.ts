/**
 * The evidence report over the demo cluster, its Azure network and an hour of its traffic in a real
 * embedded store: what the sections say about the demo's known weaknesses (the legacy namespace has no
 * policy; legacy-app's egress to pypi.org passes Cilium and is denied by Azure Firewall; the shop's
 * default deny), that the same data gives the same bytes, and what a namespace report leaves out.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../../azure/demo';
import { FlowGenerator } from '../../demo/flow-generator';
import { demoScenario } from '../../demo/scenario';
import type { FlowRecord } from '../../flows/flow-record';
import { openFlowStore, type ManagedFlowStore } from '../../history/open-store';
import { demoSnapshot } from '../../k8s/demo-source';
import type { ClusterSourceStatus } from '../../k8s/cluster-source';
import { buildEvidenceReport, policyContentHash, reportJson, type EvidenceInput, type EvidenceReport, type ReportScope } from './evidence-report';

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 86_400_000;
const range = { since: T0, until: T0 + 3_600_000 };
const status: ClusterSourceStatus = { kind: 'demo', stale: false, errors: [], lastSyncAt: T0 };

describe('evidence report over the demo', () => {
  let dir: string;
  let store: ManagedFlowStore;
  let flows: FlowRecord[];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-evidence-'));
    store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null } });
    store.append(new FlowGenerator(demoScenario(), 5).generate(6_000, T0 + 1000, 500));
    await store.flush();
    flows = (await store.search({ range, limit: 5000 })).flows;
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The inputs the server gathers, read from the store as it does. */
  async function inputOf(scope: ReportScope, opts: { azure?: boolean } = {}): Promise<EvidenceInput> {
    const { snapshot } = demoSnapshot();
    return {
      range,
      scope,
      cluster: { snapshot, status, name: 'demo' },
      relay: 'demo relay',
      datapath: { hubbleRelay: true },
      ...(opts.azure === false ? {} : { azure: demoAzureSnapshot() }),
      flows: { records: flows, inRange: 6_000, from: 'history' },
      edges: await store.edges({ range }),
    };
  }

  let cluster: EvidenceReport;
  beforeAll(async () => {
    cluster = buildEvidenceReport(await inputOf({ kind: 'cluster' }));
  }, 60_000);

  it('says what it weighed: the range, the cluster, the datapath, and that the findings saw only the newest flows', () => {
    expect(cluster.range).toEqual({ since: new Date(range.since).toISOString(), until: new Date(range.until).toISOString() });
    expect(cluster.cluster).toMatchObject({ name: 'demo', relay: 'demo relay', datapath: 'cilium', source: 'demo' });
    expect(cluster.basis.flowsWeighed).toBe(5000);
    expect(cluster.basis.notes.join(' ')).toContain('newest 5000 of the 6000 flows');
  });

  it('flags the unprotected legacy namespace, and its coverage row agrees', () => {
    expect(cluster.findings.map((f) => f.key)).toContain('unprotected-namespace:legacy');
    const legacy = cluster.coverage.find((r) => r.namespace === 'legacy')!;
    expect(legacy).toMatchObject({ unprotected: true, ingress: { state: 'none' }, egress: { state: 'none' }, dns: { state: 'not-needed' } });
    expect(legacy.findingKeys).toContain('unprotected-namespace:legacy');
    // Findings are ordered most severe first, then by key: the order auditors and diffs rely on.
    const order = ['critical', 'high', 'medium', 'low', 'info'];
    for (let i = 1; i < cluster.findings.length; i++) {
      const [a, b] = [cluster.findings[i - 1], cluster.findings[i]];
      expect(order.indexOf(a.severity) < order.indexOf(b.severity) || (a.severity === b.severity && a.key < b.key)).toBe(true);
    }
  });

  it('gives each namespace a coverage row whose isolation counts add up to its pods', () => {
    const { snapshot } = demoSnapshot();
    const namespacesWithPods = [...new Set(snapshot.pods.map((p) => p.namespace))].sort();
    expect(cluster.coverage.map((r) => r.namespace)).toEqual(namespacesWithPods);
    for (const r of cluster.coverage) {
      expect(r.ingress.pods).toBe(r.pods);
      expect(r.ingress.isolatedPods).toBeLessThanOrEqual(r.pods);
      expect(r.internet.state === 'open').toBe(r.internet.open.length > 0);
      // Every workload is closed by some layer or listed as open.
      expect(r.internet.closedByPolicy + r.internet.closedElsewhere.length + r.internet.open.length).toBe(r.workloads);
    }
    const isolated = cluster.coverage.filter((r) => r.egress.state === 'all');
    expect(isolated.length).toBeGreaterThan(0);
    for (const r of isolated) expect(r.dns.state === 'allowed' || r.dns.state === 'missing').toBe(true);
  });

  it('never counts pods isolated in audit mode as default deny: monitoring audits its egress lockdown', () => {
    const monitoring = cluster.coverage.find((r) => r.namespace === 'monitoring')!;
    expect(monitoring.egress).toMatchObject({ state: 'audit', isolatedPods: 0, auditPods: monitoring.pods });
    // Nothing is blocked, so DNS cannot be missing: it is not needed, and the row says why.
    expect(monitoring.dns.state).toBe('not-needed');
    expect(monitoring.dns.detail).toContain('audit mode');
    const facts = cluster.layers.find((l) => l.layer === 'network-policy')!.facts;
    const egressAll = facts.find((f) => f.label.startsWith('default-deny egress'))!.value;
    expect(egressAll).toBe(cluster.coverage.filter((r) => r.egress.state === 'all').length);
    expect(cluster.coverage.filter((r) => r.egress.state === 'all').map((r) => r.namespace)).not.toContain('monitoring');
  });

  it('says the controls are as last read and the flows those of the range, and where the history does not reach', async () => {
    expect(cluster.basis.notes.join(' ')).toContain('as the sources last read them');
    const late = buildEvidenceReport({ ...(await inputOf({ kind: 'cluster' })), history: { oldest: range.since + 600_000, droppedFlows: 12, paused: 'disk full' } });
    const notes = late.basis.notes.join(' ');
    expect(notes).toContain(`holds flows from ${new Date(range.since + 600_000).toISOString()} on`);
    expect(notes).toContain('dropped 12 flows');
    expect(notes).toContain('paused (disk full)');
    const empty = buildEvidenceReport({ ...(await inputOf({ kind: 'cluster' })), history: { oldest: null, droppedFlows: 0, paused: null } });
    expect(empty.basis.notes.join(' ')).toContain('holds no flows');
  }, 60_000);

  it('reads every egress destination across the layers: pypi.org passes Cilium and Azure Firewall denies it', () => {
    const pypi = cluster.egress.find((e) => e.workload === 'legacy/legacy-app' && e.destination === 'pypi.org')!;
    expect(pypi).toBeDefined();
    expect(pypi.layers.policy.verdict).toBe('allowed');
    expect(pypi.layers.firewall.verdict).toBe('denied');
    expect(pypi).toMatchObject({ verdict: 'denied', decidedBy: 'firewall' });
    // What Cilium did with the range's flows travels with the row (the firewall denial is on top of it).
    expect(pypi.counts.forwarded).toBeGreaterThan(0);
    expect(pypi.flows).toBe(pypi.counts.forwarded + pypi.counts.dropped + pypi.counts.audit + pypi.counts.other);
    // payments-api -> stripe: every flow was dropped by the namespace's default deny, and the row says so.
    const dropped = cluster.egress.find((e) => e.workload === 'payments/payments-api' && e.destination === 'api.stripe.com')!;
    expect(dropped.counts.forwarded).toBe(0);
    expect(dropped.layers.policy.verdict).toBe('denied');
    // A toFQDNs rule matches the address Cilium saw for the name: evaluated with the range's own flow,
    // api-server's egress to api.stripe.com passes its CiliumNetworkPolicy.
    const stripe = cluster.egress.find((e) => e.workload === 'production/api-server' && e.destination === 'api.stripe.com')!;
    expect(stripe.layers.policy.verdict).toBe('allowed');
    const layer = cluster.layers.find((l) => l.layer === 'egress')!;
    expect(layer.status).toBe('evaluated');
  });

  it('lists the top denied paths, most flows first, with the policies that denied them', () => {
    expect(cluster.topDenied.length).toBeGreaterThan(0);
    for (let i = 1; i < cluster.topDenied.length; i++) expect(cluster.topDenied[i - 1].flows).toBeGreaterThanOrEqual(cluster.topDenied[i].flows);
    expect(cluster.topDenied.every((d) => d.flows > 0 && d.from && d.to)).toBe(true);
  });

  it('inventories policies with content hashes, and NSG and firewall rules from the Azure model', () => {
    const { snapshot } = demoSnapshot();
    expect(cluster.policies).toHaveLength(snapshot.policies.length);
    for (const p of cluster.policies) expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cluster.nsgs.length).toBeGreaterThan(0);
    expect(cluster.nsgs.some((n) => n.rules.some((r) => !r.isDefault))).toBe(true);
    expect(cluster.firewalls.length).toBeGreaterThan(0);
    expect(cluster.firewalls[0].rules.length).toBeGreaterThan(0);
  });

  it('hashes what a policy enforces, not the API server bookkeeping', () => {
    const p = demoSnapshot().snapshot.policies[0];
    const base = policyContentHash(p);
    const touched = { ...p, manifest: { ...p.manifest, metadata: { ...(p.manifest.metadata as object), resourceVersion: '999', uid: 'x' } } };
    expect(policyContentHash(touched)).toBe(base);
    const changed = { ...p, manifest: { ...p.manifest, spec: { ...(p.manifest.spec as object), podSelector: { matchLabels: { app: 'other' } } } } };
    expect(policyContentHash(changed)).not.toBe(base);
  });

  it('gives the same bytes for the same data, whatever order the store returned the edges in', async () => {
    const again = await inputOf({ kind: 'cluster' });
    const reversed = { ...again, edges: [...again.edges].reverse() };
    expect(reportJson(buildEvidenceReport(reversed))).toBe(reportJson(cluster));
  }, 60_000);

  it('says a layer with no source has none, instead of calling it clean', async () => {
    const noAzure = buildEvidenceReport(await inputOf({ kind: 'cluster' }, { azure: false }));
    const nsg = noAzure.layers.find((l) => l.layer === 'nsg')!;
    expect(nsg.status).toBe('no-source');
    expect(noAzure.nsgs).toEqual([]);
    expect(noAzure.cluster.azure).toBeNull();
    expect(noAzure.basis.notes.join(' ')).toContain('No Azure network data');
    expect(noAzure.egress.every((e) => e.layers.firewall.verdict === 'unknown' || e.layers.firewall.verdict === 'not-on-path')).toBe(true);
  }, 60_000);

  it('narrows a namespace report to its namespaces and leaves the cluster-wide layers out', async () => {
    const legacy = buildEvidenceReport(await inputOf({ kind: 'namespaces', namespaces: ['legacy'] }));
    expect(legacy.scope).toEqual({ kind: 'namespaces', namespaces: ['legacy'] });
    expect(legacy.coverage.map((r) => r.namespace)).toEqual(['legacy']);
    expect(legacy.findings.length).toBeGreaterThan(0);
    expect(legacy.findings.every((f) => f.namespace === 'legacy')).toBe(true);
    expect(legacy.policies.every((p) => p.namespace === 'legacy')).toBe(true);
    expect(legacy.nsgs).toEqual([]);
    expect(legacy.firewalls).toEqual([]);
    expect(legacy.layers.find((l) => l.layer === 'nsg')!.status).toBe('out-of-scope');
    expect(legacy.egress.every((e) => e.namespace === 'legacy')).toBe(true);
    expect(legacy.topDenied.every((d) => d.from.startsWith('legacy/') || d.to.startsWith('legacy/'))).toBe(true);
    // A path into another namespace keeps its verdict, but that namespace's policy is not named.
    const input = await inputOf({ kind: 'namespaces', namespaces: ['legacy'] });
    const into = input.edges.find((e) => e.verdict === 'DROPPED' && e.source.startsWith('legacy/') && e.target.startsWith('production/'))!;
    expect(into).toBeDefined();
    const named = buildEvidenceReport({ ...input, edges: [...input.edges.filter((e) => e !== into), { ...into, deniedBy: ['NetworkPolicy/production/default-deny-ingress', 'NetworkPolicy/legacy/egress-lock'] }] });
    const path_ = named.topDenied.find((d) => d.from === into.source && d.to === into.target && d.port === into.port)!;
    expect(path_.policies).toEqual(['NetworkPolicy/legacy/egress-lock', '1 policy of other namespaces']);
    // Its counts are of its namespace: a scoped reader learns nothing of the others.
    const { snapshot } = demoSnapshot();
    expect(legacy.cluster.pods).toBe(snapshot.pods.filter((p) => p.namespace === 'legacy').length);
    expect(legacy.cluster.namespaces).toBe(1);
    expect(legacy.cluster.policies).toBe(0);
  }, 60_000);
});
