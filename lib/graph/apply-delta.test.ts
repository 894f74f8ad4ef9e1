import { describe, expect, it } from 'vitest';
import { applyDelta, DeltaGapError, stateFromSnapshot } from './apply-delta';
import type { GraphDelta, GraphEdge, GraphNode } from './types';

const node = (id: string, lastSeen = 1): GraphNode => ({
  id,
  kind: 'workload',
  namespace: id.split('/')[0],
  label: id.split('/')[1] ?? id,
  workloadKind: 'Deployment',
  pods: [],
  podCount: 1,
  app: '',
  dnsName: '',
  firstSeen: 1,
  lastSeen,
});

const edge = (source: string, target: string, total = 1): GraphEdge => ({
  id: `${source}|${target}|80|TCP`,
  source,
  target,
  port: 80,
  protocol: 'TCP',
  counts: { forwarded: total, dropped: 0, audit: 0, error: 0, other: 0 },
  total,
  replies: 0,
  dropReasons: {},
  allowedBy: [],
  deniedBy: [],
  l7: { http: 0, dns: 0, kafka: 0 },
  status: 'allowed',
  firstSeen: 1,
  lastSeen: 1,
});

const delta = (seq: number, patch: Partial<GraphDelta> = {}): GraphDelta => ({ seq, upsertNodes: [], upsertEdges: [], removeNodes: [], removeEdges: [], ...patch });

const a = node('shop/frontend');
const b = node('shop/cart');
const c = node('shop/db');

describe('stateFromSnapshot', () => {
  it('indexes nodes and edges by id at the snapshot\'s seq', () => {
    const s = stateFromSnapshot({ seq: 7, nodes: [a, b], edges: [edge(a.id, b.id)] });
    expect(s.seq).toBe(7);
    expect([...s.nodes.keys()]).toEqual([a.id, b.id]);
    expect(s.edges.get('shop/frontend|shop/cart|80|TCP')?.target).toBe(b.id);
  });
});

describe('applyDelta', () => {
  const start = stateFromSnapshot({ seq: 10, nodes: [a, b], edges: [edge(a.id, b.id)] });

  it('applies deltas in order: upserts add or replace, removals delete', () => {
    const s1 = applyDelta(start, delta(11, { upsertNodes: [c], upsertEdges: [edge(b.id, c.id), edge(a.id, b.id, 5)] }));
    expect(s1.seq).toBe(11);
    expect([...s1.nodes.keys()].sort()).toEqual([b.id, c.id, a.id].sort());
    expect(s1.edges.get(`${a.id}|${b.id}|80|TCP`)?.total).toBe(5);
    const s2 = applyDelta(s1, delta(12, { removeNodes: [a.id], removeEdges: [`${a.id}|${b.id}|80|TCP`] }));
    expect(s2.seq).toBe(12);
    expect(s2.nodes.has(a.id)).toBe(false);
    expect([...s2.edges.keys()]).toEqual([`${b.id}|${c.id}|80|TCP`]);
  });

  it('never changes the state it was given (React compares by reference)', () => {
    const next = applyDelta(start, delta(11, { removeNodes: [a.id], upsertNodes: [c] }));
    expect(next).not.toBe(start);
    expect(next.nodes).not.toBe(start.nodes);
    expect(start.seq).toBe(10);
    expect([...start.nodes.keys()]).toEqual([a.id, b.id]);
  });

  it('removes before it upserts, so a node removed and re-added in one delta stays', () => {
    const updated = node(a.id, 99);
    const next = applyDelta(start, delta(11, { removeNodes: [a.id], upsertNodes: [updated] }));
    expect(next.nodes.get(a.id)?.lastSeen).toBe(99);
  });

  it('ignores a duplicate or older delta, returning the same state', () => {
    const s11 = applyDelta(start, delta(11, { upsertNodes: [c] }));
    expect(applyDelta(s11, delta(11, { removeNodes: [c.id] }))).toBe(s11);
    expect(applyDelta(s11, delta(3, { removeNodes: [a.id] }))).toBe(s11);
    expect(s11.nodes.has(c.id)).toBe(true);
  });

  it('throws DeltaGapError when a delta was skipped, naming both sequence numbers', () => {
    let thrown: unknown;
    try {
      applyDelta(start, delta(13, { upsertNodes: [c] }));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DeltaGapError);
    expect((thrown as Error).message).toBe('graph delta 13 does not follow 10; a fresh snapshot is needed');
    expect(start.nodes.has(c.id)).toBe(false);
  });
});
