import { describe, expect, it } from 'vitest';
import { flow, pod, reserved, world } from '../testing/flow-fixtures';
import { applyDelta, stateFromSnapshot } from './apply-delta';
import { FlowGraph, edgeStatus } from './flow-graph';
import { nodeOfEndpoint, workloadFromPodName } from './node-identity';

const frontend1 = pod('production', 'frontend-7d9f8b6c4-x7k2p');
const frontend2 = pod('production', 'frontend-7d9f8b6c4-m4q9z');
const api = pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 8080 });
const postgres = pod('production', 'postgres-0', { port: 5432 });

describe('node identity', () => {
  it.each([
    ['frontend-7d9f8b6c4-x7k2p', 'frontend', 'Deployment'],
    ['postgres-0', 'postgres', 'StatefulSet'],
    ['cilium-x7k2p', 'cilium', 'DaemonSet'],
    ['standalone', 'standalone', ''],
  ])('pod %s belongs to workload %s (%s)', (podName, name, kind) => {
    expect(workloadFromPodName(podName)).toEqual({ name, kind });
  });

  it('prefers the workload Cilium reports over the pod name', () => {
    expect(nodeOfEndpoint({ ...frontend1, workloads: [{ name: 'web', kind: 'Rollout' }] }).id).toBe('production/web');
  });

  it('maps reserved identities to special peers, world by DNS name', () => {
    expect(nodeOfEndpoint(world('api.github.com')).id).toBe('world:api.github.com');
    expect(nodeOfEndpoint(world('')).id).toBe('world');
    expect(nodeOfEndpoint(reserved('host')).kind).toBe('host');
    expect(nodeOfEndpoint(reserved('remote-node')).id).toBe('remote-node');
    expect(nodeOfEndpoint(reserved('kube-apiserver')).id).toBe('kube-apiserver');
  });

  it('treats node traffic (identity 1, no labels) as the host, never an unknown pod', () => {
    expect(nodeOfEndpoint({ ...reserved('host'), labels: [] }).kind).toBe('host');
  });

  it('marks cluster DNS as kube-dns', () => {
    const dns = pod('kube-system', 'coredns-6d8c5f9b7d-x7k2p', { labels: ['k8s:k8s-app=kube-dns'] });
    expect(nodeOfEndpoint(dns)).toMatchObject({ id: 'kube-system/coredns', kind: 'kube-dns' });
  });
});

describe('FlowGraph', () => {
  it('groups replicas into one workload node and keys edges by port and protocol', () => {
    const g = new FlowGraph();
    g.add(flow(frontend1, api));
    g.add(flow(frontend2, api));
    g.add(flow(frontend1, { ...api, port: 9090 }));
    g.takeDelta();
    const s = g.snapshot();
    expect(s.nodes.find((n) => n.id === 'production/frontend')?.podCount).toBe(2);
    expect(s.edges.map((e) => e.id).sort()).toEqual(['production/frontend|production/api-server|8080|TCP', 'production/frontend|production/api-server|9090|TCP']);
    expect(s.edges.find((e) => e.port === 8080)?.total).toBe(2);
  });

  it('folds replies onto the connection they answer instead of drawing a reverse edge', () => {
    const g = new FlowGraph();
    g.add(flow(frontend1, api));
    g.add(flow({ ...api, port: 8080 }, { ...frontend1, port: 41000 }, { isReply: true }));
    const s = g.snapshot();
    expect(s.edges).toHaveLength(1);
    expect(s.edges[0]).toMatchObject({ source: 'production/frontend', target: 'production/api-server', port: 8080, total: 2, replies: 1 });
  });

  it.each([
    [{ forwarded: 3, dropped: 0, audit: 0, error: 0, other: 0 }, 'allowed'],
    [{ forwarded: 0, dropped: 2, audit: 0, error: 0, other: 0 }, 'denied'],
    [{ forwarded: 5, dropped: 1, audit: 0, error: 0, other: 0 }, 'mixed'],
    [{ forwarded: 1, dropped: 0, audit: 4, error: 0, other: 0 }, 'audit'],
  ] as const)('status of %o is %s', (counts, status) => {
    expect(edgeStatus({ counts: { ...counts } })).toBe(status);
  });

  it('records drop reasons and the policies Cilium reported', () => {
    const g = new FlowGraph();
    g.add(flow(pod('legacy', 'legacy-app-9c8d7b6f5a-x7k2p'), postgres, { verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }));
    g.add(flow(api, postgres, { ingressAllowedBy: [{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-db-from-api' }] }));
    const s = g.snapshot();
    const dropped = s.edges.find((e) => e.source === 'legacy/legacy-app')!;
    expect(dropped.status).toBe('denied');
    expect(dropped.dropReasons).toEqual({ POLICY_DENIED: 1 });
    expect(s.edges.find((e) => e.source === 'production/api-server')!.allowedBy).toEqual(['NetworkPolicy/production/allow-db-from-api']);
  });

  it('expires edges not seen within the window (relative to the newest flow) and their lonely nodes', () => {
    const g = new FlowGraph({ windowMs: 60_000 });
    g.add(flow(frontend1, api, { time: 1_000_000 }));
    g.add(flow(pod('legacy', 'legacy-app-9c8d7b6f5a-x7k2p'), world('pypi.org'), { time: 1_030_000 }));
    g.takeDelta();
    g.add(flow(api, postgres, { time: 1_070_000 }));
    const d = g.takeDelta()!;
    expect(d.removeEdges).toEqual(['production/frontend|production/api-server|8080|TCP']);
    expect(d.removeNodes).toEqual(['production/frontend']);
    expect(g.snapshot().edges).toHaveLength(2);
  });

  it('evicts the least recently seen edges past the cap and counts them', () => {
    const g = new FlowGraph({ maxEdges: 3 });
    for (let port = 1; port <= 5; port++) g.add(flow(frontend1, { ...api, port }, { time: 1000 + port }));
    const d = g.takeDelta()!;
    expect(g.size.edges).toBe(3);
    expect(g.evictedEdges).toBe(2);
    expect(d.removeEdges.sort()).toEqual(['production/frontend|production/api-server|1|TCP', 'production/frontend|production/api-server|2|TCP']);
  });

  it('keeps an old edge that is still busy and evicts the one nobody used since (least recently seen, not oldest)', () => {
    const g = new FlowGraph({ maxEdges: 3 });
    g.add(flow(frontend1, { ...api, port: 1 }, { time: 1 }));
    g.add(flow(frontend1, { ...api, port: 2 }, { time: 2 }));
    g.add(flow(frontend1, { ...api, port: 3 }, { time: 3 }));
    g.add(flow(frontend1, { ...api, port: 1 }, { time: 4 })); // port 1 seen again: now the freshest
    g.add(flow(frontend1, { ...api, port: 4 }, { time: 5 }));
    const d = g.takeDelta()!;
    expect(d.removeEdges).toEqual(['production/frontend|production/api-server|2|TCP']);
    expect(g.snapshot().edges.map((e) => e.port).sort()).toEqual([1, 3, 4]);
  });

  it('counts flows in a row on one edge as recently seen, before and after a delta', () => {
    const g = new FlowGraph({ maxEdges: 2 });
    const other = pod('production', 'cart-7d9f8b6c4-a1b2c', { port: 7070 });
    g.add(flow(frontend1, api, { time: 1 }));
    g.add(flow(frontend1, other, { time: 2 }));
    g.add(flow(frontend1, api, { time: 3 }));
    g.takeDelta();
    // The same edge as the flow before the delta: it must be sent again and stay the most recent.
    g.add(flow(frontend2, api, { time: 4 }));
    g.add(flow({ ...api, port: 8080 }, { ...frontend1, port: 41000 }, { time: 5, isReply: true }));
    const delta = g.takeDelta()!;
    expect(delta.upsertEdges.map((e) => [e.id, e.total])).toEqual([['production/frontend|production/api-server|8080|TCP', 4]]);
    // A third edge evicts the least recently seen one: the cart edge, not the busy api edge.
    g.add(flow(frontend1, postgres, { time: 6 }));
    expect(g.takeDelta()!.removeEdges).toEqual(['production/frontend|production/cart|7070|TCP']);
  });

  it('drops a node with its last edge, and only then, on eviction as on expiry', () => {
    const g = new FlowGraph({ maxEdges: 2 });
    g.add(flow(frontend1, api, { time: 1 }));
    g.add(flow(api, postgres, { time: 2 }));
    g.add(flow(frontend1, postgres, { time: 3 }));
    const d = g.takeDelta()!;
    // frontend -> api went first; api still has its edge to postgres, frontend its edge to postgres.
    expect(d.removeEdges).toEqual(['production/frontend|production/api-server|8080|TCP']);
    expect(d.removeNodes).toEqual([]);
    g.add(flow(frontend2, { ...postgres, port: 9187 }, { time: 4 }));
    g.add(flow(frontend1, { ...postgres, port: 9999 }, { time: 5 }));
    const d2 = g.takeDelta()!;
    expect(d2.removeEdges).toEqual(['production/api-server|production/postgres|5432|TCP', 'production/frontend|production/postgres|5432|TCP']);
    expect(d2.removeNodes).toEqual(['production/api-server']);
    expect(g.snapshot().nodes.map((n) => n.id).sort()).toEqual(['production/frontend', 'production/postgres']);
  });

  it('a self-loop counts once per end and its node goes with it', () => {
    const g = new FlowGraph({ windowMs: 10 });
    g.add(flow(frontend1, frontend2, { time: 1 }));
    g.takeDelta();
    g.add(flow(api, postgres, { time: 100 }));
    const d = g.takeDelta()!;
    expect(d.removeEdges).toEqual(['production/frontend|production/frontend|8080|TCP']);
    expect(d.removeNodes).toEqual(['production/frontend']);
  });

  it('caps the edges of one delta and sends the rest, oldest change first, in the next ones', () => {
    const g = new FlowGraph({ maxDeltaEdges: 2 });
    for (let port = 1; port <= 5; port++) g.add(flow(frontend1, { ...api, port }, { time: port }));
    const first = g.takeDelta()!;
    expect(first.upsertEdges.map((e) => e.port)).toEqual([1, 2]);
    // The ends of every edge come with the first delta, so a held-back edge never lacks its nodes.
    expect(first.upsertNodes.map((n) => n.id).sort()).toEqual(['production/api-server', 'production/frontend']);
    expect(g.pendingEdges).toBe(3);
    g.add(flow(frontend1, { ...api, port: 1 }, { time: 6 }));
    expect(g.takeDelta()!.upsertEdges.map((e) => e.port)).toEqual([3, 4]);
    expect(g.takeDelta()!.upsertEdges.map((e) => e.port)).toEqual([5, 1]);
    expect(g.takeDelta()).toBeNull();
    expect(g.snapshot().edges.find((e) => e.port === 1)!.total).toBe(2);
  });

  it('a snapshot plus every delta equals the final snapshot (what the browser rebuilds)', () => {
    const g = new FlowGraph({ windowMs: 50, maxEdges: 12, maxDeltaEdges: 3 });
    let state = stateFromSnapshot(g.snapshot());
    const endpoints = [frontend1, frontend2, api, postgres, world('pypi.org'), reserved('host')];
    for (let i = 0; i < 400; i++) {
      const a = endpoints[i % endpoints.length];
      const b = endpoints[(i * 7 + 3) % endpoints.length];
      if (a === b) continue;
      g.add(flow(a, { ...b, port: 80 + (i % 4) }, { time: i, verdict: i % 5 === 0 ? 'DROPPED' : 'FORWARDED' }));
      if (i % 13 === 0) {
        const d = g.takeDelta();
        if (d) state = applyDelta(state, d);
      }
    }
    // Drain what the per-delta cap held back.
    for (let d = g.takeDelta(); d; d = g.takeDelta()) state = applyDelta(state, d);
    const final = g.snapshot();
    expect([...state.edges.values()].sort((x, y) => x.id.localeCompare(y.id))).toEqual([...final.edges].sort((x, y) => x.id.localeCompare(y.id)));
    expect([...state.nodes.keys()].sort()).toEqual(final.nodes.map((n) => n.id).sort());
  });

  it('applyDelta refuses a delta that skips one', () => {
    const g = new FlowGraph();
    const state = stateFromSnapshot(g.snapshot());
    g.add(flow(frontend1, api));
    g.takeDelta();
    g.add(flow(api, postgres));
    const second = g.takeDelta()!;
    expect(() => applyDelta(state, second)).toThrow(/snapshot/);
  });
});
