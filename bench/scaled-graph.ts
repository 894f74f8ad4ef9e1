/**
 * The browser-side graph the map benchmarks share (bench:live-graph, bench:map-snapshot): issue 13's
 * 5,000 workloads over 100 namespaces and 20,000 edges between them, each workload calling a few
 * others. Deterministic: edge `i` is always the same connection.
 */
import { emptyEdge } from '../lib/graph/flow-graph';
import type { GraphEdge, GraphNode } from '../lib/graph/types';

export const NODES = 5_000;
export const EDGES = 20_000;

export function scaledNode(i: number, lastSeen = 1): GraphNode {
  return {
    id: `ns-${i % 100}/workload-${i}`,
    kind: 'workload',
    namespace: `ns-${i % 100}`,
    label: `workload-${i}`,
    workloadKind: 'Deployment',
    pods: [],
    podCount: 1,
    app: '',
    dnsName: '',
    firstSeen: 1,
    lastSeen,
  };
}

/** Edge `i` with `total` flows, `dropped` of them denied. */
export function scaledEdge(i: number, total = 1, dropped = 0): GraphEdge {
  const source = scaledNode(i % NODES).id;
  const target = scaledNode((i * 7 + 13 + Math.floor(i / NODES)) % NODES).id;
  const port = 8000 + (i % 50);
  return { ...emptyEdge(`${source}|${target}|${port}|TCP`, source, target, port, 'TCP', 1, total), total, counts: { forwarded: total - dropped, dropped, audit: 0, error: 0, other: 0 } };
}
