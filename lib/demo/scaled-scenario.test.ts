/**
 * The scaled demo (issue 13, "Large clusters"): N workloads over ceil(N/50) namespaces with a realistic
 * fan-out, addresses that fit the demo's Azure model, Services that front their workloads, and at
 * N = 5,000 at least 20,000 distinct edges on the map (an edge: source workload, destination workload or
 * peer, port, protocol; replies fold onto the request, graph-ids.ts).
 */

import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import { topologyOf } from '../azure-rules/azure-topology';
import { FlowGraph } from '../graph/flow-graph';
import { isServiceLookupError, serviceIndexOf } from '../k8s/service-index';
import { demoSnapshot } from '../k8s/demo-source';
import { inRange, parseCidr, parseIp } from '../net/ip';
import { FlowGenerator } from './flow-generator';
import { buildScaledScenario, demoScenarioOfScale, scaledScenario, SCALED_POD_CIDR, PODS_PER_NODE } from './scaled-scenario';
import { demoScenario, type DemoScenario, type PeerRef } from './scenario';
import { podsByWorkload } from './workload-pods';

const SYSTEM_NAMESPACES = ['kube-system', 'ingress-nginx', 'monitoring'];

/** The map's node id of a pattern's peer (graph-ids.ts): a workload, `world:<fqdn>`, `world`, or the reserved peer. */
function nodeOf(peer: PeerRef): string {
  if ('workload' in peer) return peer.workload;
  if ('world' in peer) return peer.world ? `world:${peer.world}` : 'world';
  return peer.reserved;
}

function edgesOf(scenario: DemoScenario): Set<string> {
  return new Set(scenario.traffic.map((t) => `${nodeOf(t.from)}|${nodeOf(t.to)}|${t.port}|${t.protocol}`));
}

const appWorkloads = (s: DemoScenario) => new Set(s.pods.filter((p) => !SYSTEM_NAMESPACES.includes(p.namespace)).map((p) => `${p.namespace}/${p.workload.name}`));

describe('scaledScenario', () => {
  it('is deterministic and memoized per size and seed', () => {
    expect(scaledScenario(300)).toBe(scaledScenario(300));
    expect(buildScaledScenario(300)).toEqual(scaledScenario(300));
    expect(buildScaledScenario(300, 8)).not.toEqual(scaledScenario(300));
    expect(demoScenarioOfScale(0)).toBe(demoScenario());
    expect(demoScenarioOfScale(300)).toBe(scaledScenario(300));
  });

  it.each([
    [1000, 20],
    [5000, 100],
  ])('has %i application workloads over %i namespaces (plus kube-system, ingress-nginx, monitoring)', (n, namespaces) => {
    const s = scaledScenario(n);
    expect(appWorkloads(s).size).toBe(n);
    expect(s.namespaces.map((ns) => ns.name).filter((name) => !SYSTEM_NAMESPACES.includes(name))).toHaveLength(namespaces);
    expect(new Set(s.namespaces.map((ns) => ns.name)).size).toBe(s.namespaces.length);
    expect(s.namespaces.map((ns) => ns.name)).toEqual(expect.arrayContaining([...SYSTEM_NAMESPACES, 'platform-auth', 'platform-data', 'platform-messaging']));
  });

  it('has at least 20,000 distinct edges at 5,000 workloads', () => {
    const edges = edgesOf(scaledScenario(5000));
    expect(edges.size).toBeGreaterThanOrEqual(20_000);
  });

  it('counts edges as the map does: one connection per pattern through FlowGraph gives the same edges (1,000 workloads)', () => {
    const s = scaledScenario(1000);
    const generator = new FlowGenerator(s, 7);
    const graph = new FlowGraph({ windowMs: 3_600_000, maxEdges: 100_000 });
    const now = Date.now();
    for (let i = 0; i < generator.patternCount; i++) for (const f of generator.connectionOf(i, now)) graph.add(f);
    expect(graph.size.edges).toBe(edgesOf(s).size);
    expect(new Set(graph.snapshot().edges.map((e) => e.id))).toEqual(edgesOf(s));
  });

  it('keeps CoreDNS where the app looks for it: kube-system, k8s-app=kube-dns, Service kube-dns at 10.0.0.10', () => {
    const s = scaledScenario(1000);
    const coredns = s.pods.filter((p) => p.workload.name === 'coredns');
    expect(coredns.length).toBeGreaterThanOrEqual(2);
    for (const p of coredns) expect(p).toMatchObject({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } });
    expect(s.services).toContainEqual(expect.objectContaining({ metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: expect.objectContaining({ clusterIP: '10.0.0.10' }) }));
    // Every application workload resolves names through it.
    const dnsSources = new Set(s.traffic.filter((t) => 'workload' in t.to && t.to.workload === 'kube-system/coredns' && t.port === 53).map((t) => nodeOf(t.from)));
    for (const w of appWorkloads(s)) expect(dnsSources.has(w), w).toBe(true);
  });

  it('fans out like a microservice estate: 2-5 callees per caller, mostly in its own namespace, a fifth reach the internet', () => {
    const s = scaledScenario(5000);
    const calls = new Map<string, { to: string; sameNamespace: boolean }[]>();
    const internet = new Map<string, Set<string>>();
    for (const t of s.traffic) {
      if (!('workload' in t.from) || SYSTEM_NAMESPACES.includes(t.from.workload.split('/')[0])) continue;
      const from = t.from.workload;
      if ('workload' in t.to && t.port !== 53) {
        let list = calls.get(from);
        if (!list) calls.set(from, (list = []));
        list.push({ to: t.to.workload, sameNamespace: t.to.workload.split('/')[0] === from.split('/')[0] });
      }
      if ('world' in t.to) {
        let names = internet.get(from);
        if (!names) internet.set(from, (names = new Set()));
        names.add(t.to.world);
      }
    }
    const fanOut = [...calls.values()].map((l) => l.length);
    expect(Math.min(...fanOut)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...fanOut)).toBeLessThanOrEqual(5);
    const mean = fanOut.reduce((a, b) => a + b, 0) / fanOut.length;
    expect(mean).toBeGreaterThan(2.5);
    expect(mean).toBeLessThan(4.5);
    const all = [...calls.values()].flat();
    expect(all.filter((c) => c.sameNamespace).length / all.length).toBeGreaterThan(0.6);
    expect(all.filter((c) => c.to.startsWith('platform-')).length / all.length).toBeGreaterThan(0.05);
    const share = internet.size / appWorkloads(s).size;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.25);
    for (const names of internet.values()) expect(names.size).toBeLessThanOrEqual(3);
    const pool = new Set([...internet.values()].flatMap((names) => [...names]));
    expect(pool.size).toBeGreaterThan(50);
    expect(pool.size).toBeLessThanOrEqual(100);
    // An internet name has one stable address.
    const addresses = new Map<string, Set<string>>();
    for (const t of s.traffic) if ('world' in t.to && t.to.world) addresses.set(t.to.world, (addresses.get(t.to.world) ?? new Set()).add(t.to.ip));
    for (const ips of addresses.values()) expect(ips.size).toBe(1);
  });

  it('mixes policy styles: default deny, forgotten DNS, ingress only, unprotected, toFQDNs and audit mode', () => {
    const s = scaledScenario(1000);
    const profiles = new Map(s.namespaces.map((ns) => [ns.name, ns.labels['flowsight.io/demo-profile']]));
    const count = (profile: string) => [...profiles.values()].filter((p) => p === profile).length;
    expect(count('default-deny')).toBeGreaterThanOrEqual(5);
    for (const p of ['platform', 'forgot-dns', 'ingress-only', 'fqdn-egress', 'audit', 'unprotected']) expect(count(p), p).toBeGreaterThanOrEqual(1);
    const meta = (o: Record<string, unknown>) => o.metadata as { name: string; namespace: string; annotations?: Record<string, string> };
    const namespacesWith = (pred: (o: Record<string, unknown>) => boolean) => new Set(s.policies.filter(pred).map((o) => meta(o).namespace));
    for (const [ns, profile] of profiles) {
      if (profile === 'unprotected') expect(namespacesWith(() => true).has(ns), ns).toBe(false);
      if (profile === 'forgot-dns') expect(namespacesWith((o) => meta(o).name === 'allow-dns').has(ns), ns).toBe(false);
    }
    expect(s.policies.some((o) => o.kind === 'CiliumNetworkPolicy' && JSON.stringify(o).includes('toFQDNs'))).toBe(true);
    expect(s.policies.some((o) => meta(o).annotations?.['flowsight.io/policy-audit-mode'] === 'true')).toBe(true);
  });

  it('gives pods unique addresses in the overlay pod CIDR, nodes addresses in the AKS subnet of the demo\'s Azure model, and at most 30 pods a node', () => {
    const s = scaledScenario(20_000);
    expect(new Set(s.pods.map((p) => p.ip)).size).toBe(s.pods.length);
    expect(new Set(s.pods.map((p) => `${p.namespace}/${p.name}`)).size).toBe(s.pods.length);
    const podCidr = parseCidr(SCALED_POD_CIDR)!;
    expect(s.pods.filter((p) => !inRange(parseIp(p.ip)!, podCidr)).map((p) => p.ip)).toEqual([]);
    const perNode = new Map<string, number>();
    for (const p of s.pods) perNode.set(p.node, (perNode.get(p.node) ?? 0) + 1);
    expect(Math.max(...perNode.values())).toBeLessThanOrEqual(PODS_PER_NODE);
    expect(new Set(s.nodes.map((n) => n.name)).size).toBe(s.nodes.length);
    expect(new Set(s.nodes.map((n) => n.ip)).size).toBe(s.nodes.length);
    // lib/azure/demo.ts: nodes sit in aks-subnet; overlay pod addresses are in no subnet (Azure sees their node).
    const topology = topologyOf(demoAzureSnapshot());
    expect(s.nodes.filter((n) => topology.subnetOf(n.ip)?.name !== 'aks-subnet').map((n) => n.ip)).toEqual([]);
    expect(s.pods.filter((p, i) => i % 97 === 0 && topology.subnetOf(p.ip) !== undefined).map((p) => p.ip)).toEqual([]);
  });

  it('fronts every serving workload with a Service whose selector and target port reach its pods', () => {
    const s = scaledScenario(1000);
    const { snapshot, errors } = demoSnapshot(s);
    expect(errors).toEqual([]);
    const services = serviceIndexOf(snapshot);
    const pods = podsByWorkload(s);
    expect(new Set(snapshot.services.flatMap((svc) => svc.clusterIPs)).size).toBe(snapshot.services.filter((svc) => svc.clusterIPs.length).length);
    for (const svc of snapshot.services) {
      const workload = svc.name === 'kube-dns' ? 'kube-system/coredns' : `${svc.namespace}/${svc.name}`;
      const backends = pods.get(workload) ?? [];
      expect(backends.length, workload).toBeGreaterThan(0);
      for (const port of svc.ports) {
        const target = services.target(svc, port.port, port.protocol);
        if (isServiceLookupError(target)) throw new Error(`${svc.namespace}/${svc.name}:${port.port}: ${target.message}`);
        expect(target.backends.map((b) => ('pod' in b.target ? b.target.pod : b.target.ip)).sort(), `${svc.name}:${port.port}`).toEqual(backends.map((p) => `${p.namespace}/${p.name}`).sort());
        const named = backends[0].ports.find((c) => c.name === port.targetPort || c.containerPort === port.targetPort);
        for (const b of target.backends) expect(b.port, `${svc.name}:${port.port}`).toBe(named?.containerPort);
      }
    }
  });

  it('refuses a size out of range', () => {
    expect(() => scaledScenario(0)).toThrow(RangeError);
    expect(() => scaledScenario(20_001)).toThrow(RangeError);
    expect(() => scaledScenario(1.5)).toThrow(RangeError);
  });
});
