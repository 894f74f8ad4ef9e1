import { describe, expect, it } from 'vitest';
import { edgeIdOf } from '@/lib/graph/graph-ids';
import type { Outcome, ReplayEdge } from '@/lib/what-if/replay';
import { mapEdges, outcomeMap } from './outcome-map';

function edge(source: string, target: string, port: number, outcome: Outcome, protocol = 'TCP'): ReplayEdge {
  return {
    id: edgeIdOf(source, target, port, protocol),
    source,
    target,
    sourceNamespace: source.split('/')[0],
    targetNamespace: target.split('/')[0],
    port,
    protocol,
    outcome,
    flows: { unverified: 0, breaks: outcome === 'breaks' ? 10 : 0, audit: 0, opens: outcome === 'opens' ? 3 : 0, unchanged: outcome === 'unchanged' ? 5 : 0 },
    connections: 1,
    firstSeen: 0,
    lastSeen: 1,
    dns: port === 53,
    examples: [],
  };
}

const EDGES = [
  edge('legacy/legacy-app', 'kube-system/coredns', 53, 'breaks', 'UDP'),
  edge('legacy/legacy-app', 'world:api.github.com', 443, 'breaks'),
  edge('production/frontend', 'production/api-server', 8080, 'opens'),
  // Unchanged: one from a touched workload, one far away.
  edge('legacy/legacy-app', 'production/postgres', 5432, 'unchanged'),
  edge('monitoring/prometheus', 'production/api-server', 9090, 'unchanged'),
];

describe('outcomeMap', () => {
  it('draws affected edges and the touched workloads\' unchanged ones, with namespace boxes and kinds', () => {
    const m = outcomeMap({ edges: EDGES, touched: ['legacy/legacy-app'] });
    expect(m.counts).toEqual({ unverified: 0, breaks: 2, audit: 0, opens: 1, unchanged: 1 });
    expect(m.hidden).toBe(1);
    const byId = new Map(m.elements.map((e) => [String(e.data.id), e]));
    expect(byId.get('ns:legacy')?.classes).toBe('namespace');
    expect(byId.get('legacy/legacy-app')?.data.parent).toBe('ns:legacy');
    expect(byId.get('kube-system/coredns')?.classes).toBe('kind-kube-dns');
    expect(byId.get('world:api.github.com')).toMatchObject({ classes: 'kind-world', data: { label: 'api.github.com' } });
    expect(byId.get('world:api.github.com')?.data.parent).toBeUndefined();
    const dns = byId.get(EDGES[0].id)!;
    expect(dns.classes).toBe('outcome-breaks dns');
    expect(dns.data).toMatchObject({ outcome: 'breaks', label: '53/UDP', flows: 10 });
    expect(byId.has(EDGES[4].id)).toBe(false);
    // Every edge's ends are drawn.
    for (const e of m.elements.filter((x) => x.group === 'edges')) {
      expect(byId.has(String(e.data.source))).toBe(true);
      expect(byId.has(String(e.data.target))).toBe(true);
    }
  });

  it('caps the edges, keeping the affected ones', () => {
    const { edges, hidden } = mapEdges({ edges: EDGES, touched: ['legacy/legacy-app'] }, 2);
    expect(edges.map((e) => e.outcome)).toEqual(['breaks', 'breaks']);
    expect(hidden).toBe(3);
  });

  it('is the same for the same result', () => {
    expect(outcomeMap({ edges: [...EDGES].reverse(), touched: ['legacy/legacy-app'] }).elements).toEqual(outcomeMap({ edges: EDGES, touched: ['legacy/legacy-app'] }).elements);
  });
});
