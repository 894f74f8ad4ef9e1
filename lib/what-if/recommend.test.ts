/**
 * recommend / recommendationChange: least-privilege policies written from observed allowed traffic,
 * then replayed over the same traffic. Expected shapes follow kubernetes.io "Network Policies"
 * (policyTypes isolate; podSelector + namespaceSelector in one `from`/`to` element is AND; ipBlock for
 * addresses outside the cluster; no FQDN rules) and docs.cilium.io "Policy Language" (toEndpoints with
 * `k8s:io.kubernetes.pod.namespace`, fromEntities/toEntities `world`, and "DNS based": toFQDNs only
 * allows what the DNS proxy learned, so a DNS rule with L7 `rules.dns` must go with it). Selectors
 * must not use labels controllers stamp per pod or per revision (pod-template-hash,
 * statefulset.kubernetes.io/pod-name): kubernetes.io "Deployments" (pod-template-hash) and
 * "StatefulSets" (pod name label).
 */

import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { FlowGenerator } from '../demo/flow-generator';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import type { ClusterSnapshot } from '../k8s/types';
import { cluster } from '../policy-engine/testing/cluster-fixture';
import { flow } from '../testing/flow-fixtures';
import { foldFlows, type ObservedTraffic } from './observed-traffic';
import { changeRunnable, parseChange } from './proposed-change';
import { FLAVOURS, recommend, recommendationChange, selectorLabels, type Flavour, type Recommendation, type RecommendScope } from './recommend';
import { simulate } from './replay';

const START = 1_795_000_000_000;
const { snapshot: demo } = demoSnapshot();
const traffic = foldFlows(new FlowGenerator(demoScenario(), 7).generate(3_000, START, 100), { since: null, until: null });

type Manifest = Record<string, any>;
const leastPrivilege = (r: Recommendation): Manifest[] => r.manifests.filter((m) => String((m.metadata as Manifest).name).endsWith('-least-privilege')) as Manifest[];
const named = (r: Recommendation, name: string): Manifest => {
  const m = r.manifests.find((x) => (x.metadata as Manifest).name === name);
  expect(m, name).toBeDefined();
  return m as Manifest;
};

/** Every matchLabels key anywhere in a manifest. */
function selectorKeys(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) for (const v of x) selectorKeys(v, out);
  else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (k === 'matchLabels' && v && typeof v === 'object') out.push(...Object.keys(v));
      selectorKeys(v, out);
    }
  }
  return out;
}

async function replayRecommendation(snapshot: ClusterSnapshot, t: ObservedTraffic, scope: RecommendScope, flavour: Flavour) {
  const rec = recommend(snapshot, t, scope, flavour);
  const change = recommendationChange(snapshot, rec);
  const parsed = parseChange(change);
  expect(parsed.problems, 'the recommendation is a valid change').toEqual([]);
  expect(changeRunnable(parsed)).toBe(true);
  const result = await simulate(snapshot, parsed, t);
  return { rec, change, result };
}

describe('recommend over the demo, simulated over the same traffic', () => {
  for (const namespace of ['production', 'legacy']) {
    for (const flavour of FLAVOURS) {
      it(`${namespace}, ${flavour}: breaks no observed allowed flow`, async () => {
        const { rec, result } = await replayRecommendation(demo, traffic, { namespace }, flavour);
        expect(rec.basis.connections).toBeGreaterThan(3);
        expect(result.disagreements).toBe(0);
        expect(result.unevaluated).toBe(0);
        expect(result.totals.breaks).toEqual({ connections: 0, flows: 0 });
        expect(result.totals.dnsBreaks).toEqual({ connections: 0, flows: 0 });
        expect(result.breaksTraffic).toBe(false);
        // Nothing dropped today is opened: least privilege allows only what passed.
        expect(result.totals.opens).toEqual({ connections: 0, flows: 0 });
        // One default deny for the namespace, then one policy per workload.
        expect(rec.manifests[0]).toEqual({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny-all', namespace }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
        const workloads = [...new Set(demo.pods.filter((p) => p.namespace === namespace).map((p) => p.workload!.name))].sort();
        expect(leastPrivilege(rec).map((m) => m.metadata.name)).toEqual(workloads.map((w) => `${w}-least-privilege`));
        expect(leastPrivilege(rec).every((m) => m.kind === (flavour === 'cilium' ? 'CiliumNetworkPolicy' : 'NetworkPolicy'))).toBe(true);
        // The YAML is the manifests, as one stream.
        expect(parseAllDocuments(rec.yaml).map((d) => d.toJS())).toEqual(rec.manifests);
      });
    }
  }

  it('legacy: the default deny closes egress to any internet address, which no flow needed', async () => {
    for (const flavour of FLAVOURS) {
      const { result } = await replayRecommendation(demo, traffic, { namespace: 'legacy' }, flavour);
      const closed = result.unobserved.filter((u) => u.outcome === 'closed').map((u) => `${u.workload}: ${u.path}`);
      expect(closed).toContain('legacy/legacy-app: egress to any internet address');
      expect(closed).toContain('legacy/legacy-cron: egress to any internet address');
      expect(closed).toContain('legacy/legacy-app: ingress from the internet on 8080/TCP');
      expect(result.unobserved.filter((u) => u.outcome === 'opened')).toEqual([]);
    }
  });

  it('production: the change replaces the deployed default deny and deletes the namespace’s other policies only', () => {
    const rec = recommend(demo, traffic, { namespace: 'production' }, 'cilium');
    const change = recommendationChange(demo, rec);
    const deployed = demo.policies.filter((p) => p.namespace === 'production' && p.name !== 'default-deny-all').map((p) => `${p.kind}/${p.name}`).sort();
    expect(change.delete.map((d) => `${d.kind}/${d.name}`).sort()).toEqual(deployed);
    expect(change.delete.every((d) => d.namespace === 'production')).toBe(true);
    expect(change.delete.map((d) => d.name)).not.toContain('default-deny-all');
    expect(change.yaml).toBe(rec.yaml);
  });

  it('never selects by a per-pod or per-revision label', () => {
    for (const namespace of ['production', 'legacy', 'kube-system', 'ingress-nginx', 'monitoring', 'payments']) {
      for (const flavour of FLAVOURS) {
        const keys = selectorKeys(recommend(demo, traffic, { namespace }, flavour).manifests).map((k) => k.replace(/^k8s:/, ''));
        expect(keys.length).toBeGreaterThan(0);
        expect(keys).not.toContain('pod-template-hash');
        expect(keys).not.toContain('statefulset.kubernetes.io/pod-name');
      }
    }
    // The demo's pods do carry them: the check above could fail.
    expect(demo.pods.some((p) => 'pod-template-hash' in p.labels)).toBe(true);
    expect(demo.pods.some((p) => 'statefulset.kubernetes.io/pod-name' in p.labels)).toBe(true);
  });

  it('always writes the DNS rule to kube-dns first, also for a workload no DNS flow was seen from', () => {
    const k8s = recommend(demo, traffic, { namespace: 'legacy' }, 'kubernetes');
    const cil = recommend(demo, traffic, { namespace: 'legacy' }, 'cilium');
    expect(traffic.connections.some((c) => c.source.workload === 'legacy-cron' && c.port === 53)).toBe(false);
    for (const m of leastPrivilege(k8s)) {
      expect(m.spec.egress[0]).toEqual({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      });
    }
    for (const m of leastPrivilege(cil)) {
      expect(m.spec.egress[0]).toEqual({
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
      });
    }
    // The observed DNS flows are covered by that rule, not written again.
    expect(leastPrivilege(k8s).flatMap((m) => m.spec.egress.slice(1)).some((r: Manifest) => JSON.stringify(r).includes('kube-dns'))).toBe(false);
  });

  it('kubernetes flavour: internet names become the addresses seen (ipBlock /32), and a note says so', () => {
    const rec = recommend(demo, traffic, { namespace: 'legacy' }, 'kubernetes');
    const app = named(rec, 'legacy-app-least-privilege');
    const blocks = app.spec.egress.flatMap((r: Manifest) => r.to).filter((p: Manifest) => p.ipBlock).map((p: Manifest) => p.ipBlock.cidr);
    expect(blocks.sort()).toEqual(['140.82.121.6/32', '151.101.0.223/32']); // api.github.com, pypi.org
    const githubRule = app.spec.egress.find((r: Manifest) => r.to.some((p: Manifest) => p.ipBlock?.cidr === '140.82.121.6/32'));
    expect(githubRule.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(JSON.stringify(rec.manifests)).not.toContain('toFQDNs');
    expect(rec.notes.some((n) => /NetworkPolicy has no FQDN rules/.test(n))).toBe(true);
    expect(recommend(demo, traffic, { namespace: 'legacy' }, 'cilium').notes.some((n) => /FQDN/.test(n))).toBe(false);
    // Pods of another namespace: namespaceSelector AND podSelector in one peer.
    const payments = app.spec.egress.find((r: Manifest) => r.ports.some((p: Manifest) => p.port === 8443));
    expect(payments.to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } }, podSelector: { matchLabels: { app: 'payments-api' } } }]);
  });

  it('cilium flavour: internet names become toFQDNs (without the trailing dot) behind the DNS proxy rule', () => {
    const rec = recommend(demo, traffic, { namespace: 'production' }, 'cilium');
    const api = named(rec, 'api-server-least-privilege');
    expect(api.spec.egress).toContainEqual({ toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    expect(api.spec.egress[0].toPorts[0].rules).toEqual({ dns: [{ matchPattern: '*' }] });
    expect(JSON.stringify(api)).not.toContain('ipBlock');
    expect(JSON.stringify(api)).not.toContain('54.187.174.169');
    // Peers by labels with their namespace.
    expect(api.spec.ingress).toContainEqual({ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'production', 'k8s:app': 'frontend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] });
    // Kubelet probes from the node are always allowed: nothing is written for them.
    expect(JSON.stringify(rec.manifests)).not.toContain('"host"');
  });

  it('ingress from the internet is allowed from anywhere, narrowed to the port', async () => {
    const cil = await replayRecommendation(demo, traffic, { namespace: 'ingress-nginx' }, 'cilium');
    const c = named(cil.rec, 'ingress-nginx-controller-least-privilege');
    expect(c.spec.ingress).toEqual([{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }]);
    expect(cil.result.breaksTraffic).toBe(false);
    const k8s = await replayRecommendation(demo, traffic, { namespace: 'ingress-nginx' }, 'kubernetes');
    const k = named(k8s.rec, 'ingress-nginx-controller-least-privilege');
    expect(k.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(JSON.stringify(k.spec.ingress)).not.toContain('203.0.113.42');
    expect(k8s.result.breaksTraffic).toBe(false);
  });

  it('a workload scope adds a default deny for that workload beside the deployed policies and deletes nothing', async () => {
    for (const flavour of FLAVOURS) {
      const { rec, change, result } = await replayRecommendation(demo, traffic, { namespace: 'production', workload: 'api-server' }, flavour);
      expect(rec.manifests.map((m) => (m.metadata as Manifest).name)).toEqual(['api-server-default-deny', 'api-server-least-privilege']);
      expect(rec.manifests[0]).toEqual({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-server-default-deny', namespace: 'production' }, spec: { podSelector: { matchLabels: { app: 'api-server' } }, policyTypes: ['Ingress', 'Egress'] } });
      expect(change.delete).toEqual([]);
      expect(result.change.deleted).toEqual([]);
      expect(result.change.added.map((a) => a.name)).toEqual(['api-server-default-deny', 'api-server-least-privilege']);
      expect(result.touched).toEqual(['production/api-server']);
      expect(result.breaksTraffic).toBe(false);
    }
    expect(recommend(demo, traffic, { namespace: 'production', workload: 'nope' }, 'cilium').notes).toContain('no workload production/nope in the cluster');
  });

  it('counts what it wrote from and notes what was dropped today', () => {
    const rec = recommend(demo, traffic, { namespace: 'payments' }, 'kubernetes');
    expect(rec.basis.droppedConnections).toBeGreaterThan(0);
    expect(rec.notes).toContain(`${rec.basis.droppedConnections} observed connections were dropped today and are not allowed`);
    const inScope = traffic.connections.filter((c) => c.source.namespace === 'payments' || c.destination.namespace === 'payments');
    expect(rec.basis.connections + rec.basis.droppedConnections).toBe(inScope.length);
    expect(rec.basis.flows).toBe(inScope.filter((c) => c.verdicts.forwarded + c.verdicts.audit + c.verdicts.other > 0).reduce((n, c) => n + c.flows, 0));
  });
});

describe('recommend on a small cluster', () => {
  const snapshot = cluster({
    pods: [
      { ns: 'shop', name: 'web-7d9f8b6c4-aaaaa', labels: { role: 'web', tier: 'front', 'pod-template-hash': '7d9f8b6c4' }, ip: '10.0.0.10' },
      { ns: 'shop', name: 'web-7d9f8b6c4-bbbbb', labels: { role: 'web', tier: 'edge', 'pod-template-hash': '7d9f8b6c4' }, ip: '10.0.0.11' },
      { ns: 'shop', name: 'job-28731-ccccc', labels: { 'pod-template-hash': 'x1' }, ip: '10.0.0.12' },
      { ns: 'shop', name: 'db-0', labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' }, ip: '10.0.0.20', ports: [{ containerPort: 5432, protocol: 'TCP' }] },
    ],
  });
  const withWorkloads: ClusterSnapshot = {
    ...snapshot,
    pods: snapshot.pods.map((p) => ({ ...p, workload: { kind: p.name.startsWith('db') ? 'StatefulSet' : 'Deployment', name: p.name.startsWith('web') ? 'web' : p.name.startsWith('db') ? 'db' : 'job' } })),
  };
  const ep = (name: string, workload: string, labels: string[], ip: string) => ({ ip, port: 0, identity: 20000, namespace: 'shop', pod: name, labels: [...labels, 'k8s:io.kubernetes.pod.namespace=shop'], workloads: [{ name: workload, kind: 'Deployment' }], names: [], service: '', cluster: '' });
  const web = ep('web-7d9f8b6c4-aaaaa', 'web', ['k8s:role=web', 'k8s:tier=front'], '10.0.0.10');
  const db = { ...ep('db-0', 'db', ['k8s:app=db'], '10.0.0.20'), workloads: [{ name: 'db', kind: 'StatefulSet' }], port: 5432 };
  const t = foldFlows(
    [
      flow(web, db, { time: START, uuid: 'w1' }),
      flow(web, db, { time: START + 1, uuid: 'ping', protocol: 'ICMPv4', icmp: { type: 8, code: 0 }, destination: { ...db, port: 0 } }),
      flow(ep('job-28731-ccccc', 'job', [], '10.0.0.12'), db, { time: START + 2, uuid: 'j1' }),
    ],
    { since: null, until: null },
  );

  it('selectorLabels prefers naming labels, else the stable labels all pods share, never per-pod ones', () => {
    expect(selectorLabels([{ labels: { app: 'a', version: '1', 'pod-template-hash': 'h' } }, { labels: { app: 'a', version: '2', 'pod-template-hash': 'h' } }])).toEqual({ app: 'a' });
    expect(selectorLabels([{ labels: { role: 'web', tier: 'front', 'pod-template-hash': 'h' } }, { labels: { role: 'web', tier: 'edge', 'pod-template-hash': 'h' } }])).toEqual({ role: 'web' });
    expect(selectorLabels([{ labels: { 'statefulset.kubernetes.io/pod-name': 'db-0', 'controller-revision-hash': 'r' } }])).toEqual({});
    expect(selectorLabels([])).toEqual({});
  });

  it('writes nothing for a workload whose pods share no stable label, and says so', () => {
    const rec = recommend(withWorkloads, t, { namespace: 'shop' }, 'kubernetes');
    expect(rec.manifests.map((m) => (m.metadata as Manifest).name)).toEqual(['default-deny-all', 'db-least-privilege', 'web-least-privilege']);
    expect(rec.notes.some((n) => n.startsWith('shop/job: its pods share no stable label'))).toBe(true);
    const webPolicy = named(rec, 'web-least-privilege');
    expect(webPolicy.spec.podSelector).toEqual({ matchLabels: { role: 'web' } });
    const dbPolicy = named(rec, 'db-least-privilege');
    expect(dbPolicy.spec.podSelector).toEqual({ matchLabels: { app: 'db' } });
    expect(dbPolicy.spec.ingress.map((r: Manifest) => r.from)).toContainEqual([{ podSelector: { matchLabels: { role: 'web' } } }]);
    // The job's pods have no stable label: no peer is written for them (an empty selector would admit every pod of the namespace).
    expect(dbPolicy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { role: 'web' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
    expect(selectorKeys(rec.manifests.slice(1)).length).toBeGreaterThan(0);
    expect(JSON.stringify(rec.manifests.slice(1))).not.toContain('"matchLabels":{}');
    expect(rec.notes).toContain('shop/job -> shop/db:5432/TCP: its pods share no stable label to select them by');
  });

  it('ICMP: a NetworkPolicy cannot allow it (noted); a Cilium policy allows it with icmps, apart from the port rule', () => {
    const k8s = recommend(withWorkloads, t, { namespace: 'shop' }, 'kubernetes');
    expect(k8s.notes).toContain('shop/web -> shop/db:0/ICMPv4: ICMPv4 cannot be allowed by a NetworkPolicy');
    const cil = recommend(withWorkloads, t, { namespace: 'shop' }, 'cilium');
    const webEgress = named(cil, 'web-least-privilege').spec.egress;
    expect(webEgress).toContainEqual({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', 'k8s:app': 'db' } }], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] });
    expect(webEgress).toContainEqual({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', 'k8s:app': 'db' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] });
    // Valid for the compiler; the engine says it does not evaluate ICMP rules (a warning, not an error).
    const parsed = parseChange({ yaml: cil.yaml });
    expect(changeRunnable(parsed)).toBe(true);
    expect(parsed.problems.map((p) => [p.severity, p.field])).toEqual([
      ['warning', 'spec.ingress[1].icmps'],
      ['warning', 'spec.egress[2].icmps'],
    ]);
    expect(parse(k8s.yaml.split('---\n')[0])).toEqual(k8s.manifests[0]);
  });
});
