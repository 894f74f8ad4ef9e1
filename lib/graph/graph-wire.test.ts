import { describe, expect, it } from 'vitest';
import { scaledScenario } from '../demo/scaled-scenario';
import { demoScenario } from '../demo/scenario';
import { demoFlows } from '../posture/testing/demo-flows';
import { FlowGraph } from './flow-graph';
import { decodeDelta, decodeSnapshot, encodeDelta, encodeSnapshot, GRAPH_WIRE_VERSION, GraphWireError, parseStreamEvent, type WireSnapshot } from './graph-wire';
import type { EdgePath, GraphEdge, GraphSnapshot } from './types';

/** The graph as JSON would carry it (what the wire must give back), times to the millisecond. */
function roundedTimes(s: GraphSnapshot): GraphSnapshot {
  return {
    ...s,
    nodes: s.nodes.map((n) => ({ ...n, firstSeen: Math.round(n.firstSeen), lastSeen: Math.round(n.lastSeen) })),
    edges: s.edges.map((e) => ({ ...e, firstSeen: Math.round(e.firstSeen), lastSeen: Math.round(e.lastSeen) })),
  };
}

function graphOf(flows: ReturnType<typeof demoFlows>): FlowGraph {
  const g = new FlowGraph();
  for (const f of flows) g.add(f);
  g.takeDelta();
  return g;
}

const PATH_DENIED: EdgePath = { status: 'denied', decidedBy: 'firewall', rule: 'no rule allows pypi.org', reason: 'allowed by network policy; denied by Azure Firewall', layers: { policy: 'allowed', nsg: 'allowed', firewall: 'denied' } };

function edge(over: Partial<GraphEdge>): GraphEdge {
  return {
    id: 'shop/web|shop/api|8080|TCP',
    source: 'shop/web',
    target: 'shop/api',
    port: 8080,
    protocol: 'TCP',
    counts: { forwarded: 3, dropped: 0, audit: 0, error: 0, other: 0 },
    total: 3,
    replies: 1,
    dropReasons: {},
    allowedBy: [],
    deniedBy: [],
    l7: { http: 0, dns: 0, kafka: 0 },
    status: 'allowed',
    firstSeen: 1_795_000_000_000,
    lastSeen: 1_795_000_004_000,
    ...over,
  };
}

describe('the stream wire form of the graph (issue 13: the 17 MB snapshot)', () => {
  it('gives back the demo graph exactly, times to the millisecond', () => {
    const s = graphOf(demoFlows(demoScenario(), 3)).snapshot();
    expect(s.edges.length).toBeGreaterThan(30);
    expect(decodeSnapshot(JSON.parse(JSON.stringify(encodeSnapshot(s))) as WireSnapshot)).toEqual(roundedTimes(s));
  });

  it('gives back every edge of a scaled cluster, and is several times smaller than the plain JSON', () => {
    const s = graphOf(demoFlows(scaledScenario(600))).snapshot();
    expect(s.edges.length).toBeGreaterThan(2000);
    const wire = JSON.stringify(encodeSnapshot(s));
    expect(decodeSnapshot(JSON.parse(wire) as WireSnapshot)).toEqual(roundedTimes(s));
    expect(wire.length * 4).toBeLessThan(JSON.stringify(s).length);
  });

  it('keeps what few edges have: drop reasons, policy names, L7 counts, a path, and an id that is not the usual one', () => {
    const odd = edge({
      id: 'legacy',
      counts: { forwarded: 1, dropped: 2, audit: 1, error: 1, other: 1 },
      total: 6,
      status: 'mixed',
      dropReasons: { POLICY_DENIED: 2 },
      allowedBy: ['NetworkPolicy/shop/allow-web'],
      deniedBy: ['CiliumNetworkPolicy/shop/deny-all', 'NetworkPolicy/shop/allow-web'],
      l7: { http: 4, dns: 0, kafka: 1 },
      path: PATH_DENIED,
    });
    const plain = edge({ source: 'world:pypi.org%7Cx', id: 'world:pypi.org%7Cx|shop/api|8080|TCP', firstSeen: 1_795_000_000_000.4, lastSeen: 1_795_000_000_000.6 });
    const s: GraphSnapshot = { seq: 4, nodes: [], edges: [odd, plain] };
    const wire = encodeSnapshot(s);
    expect(wire.names).toEqual(['NetworkPolicy/shop/allow-web', 'CiliumNetworkPolicy/shop/deny-all']);
    expect(wire.edges[1]).toHaveLength(13); // nothing extra on a plain edge
    expect(decodeSnapshot(wire)).toEqual({ seq: 4, nodes: [], edges: [odd, { ...plain, firstSeen: 1_795_000_000_000, lastSeen: 1_795_000_000_001 }] });
  });

  it('sends each distinct path once, however many edges share it, and tells an edge without one', () => {
    const edges = Array.from({ length: 50 }, (_, i) => edge({ target: `shop/api-${i}`, id: `shop/web|shop/api-${i}|8080|TCP`, path: i < 49 ? { ...PATH_DENIED } : undefined }));
    const wire = encodeSnapshot({ seq: 1, nodes: [], edges });
    expect(wire.paths).toEqual([PATH_DENIED]);
    const back = decodeSnapshot(wire).edges;
    expect(back[0].path).toEqual(PATH_DENIED);
    expect('path' in back[49]).toBe(false);
  });

  it('carries a delta: upserts through the tables, removals as ids', () => {
    const g = graphOf(demoFlows(demoScenario()));
    for (const f of demoFlows(demoScenario()).slice(0, 5)) g.add({ ...f, time: f.time + 1000 });
    const d = g.takeDelta()!;
    expect(d.upsertEdges.length).toBeGreaterThan(0);
    const withRemovals = { ...d, removeNodes: ['shop/gone'], removeEdges: ['shop/gone|shop/api|80|TCP'] };
    const back = decodeDelta(JSON.parse(JSON.stringify(encodeDelta(withRemovals))));
    const rounded = roundedTimes({ seq: d.seq, nodes: d.upsertNodes, edges: d.upsertEdges });
    expect(back).toEqual({ ...withRemovals, upsertNodes: rounded.nodes, upsertEdges: rounded.edges });
  });

  it('refuses a layout it does not know rather than misreading it', () => {
    const wire = { ...encodeSnapshot({ seq: 1, nodes: [], edges: [] }), v: GRAPH_WIRE_VERSION + 1 };
    expect(() => decodeSnapshot(wire)).toThrow(GraphWireError);
    expect(() => parseStreamEvent('snapshot', JSON.stringify({ graph: { edges: [] } }))).toThrow(/wire version undefined/);
  });

  it('parses the other stream events as plain JSON', () => {
    expect(parseStreamEvent('counters', '{"a":1}')).toEqual({ a: 1 });
  });
});
