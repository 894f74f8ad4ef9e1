/**
 * The replay's edges as a small map: every edge the change affects, and the unchanged edges of the
 * workloads it touches (so a default deny shows what still passes beside what breaks), capped. Nodes
 * sit in namespace boxes like on the main map; each edge carries its outcome as a class, so the
 * stylesheet colours it. Plain data, tested without a browser.
 */

import type { CyElement } from '@/lib/graph/cy-elements';
import { namespaceBoxId, parseNodeId } from '@/lib/graph/graph-ids';
import type { Outcome, ReplayEdge, SimulationResult } from '@/lib/what-if/replay';

/** Most edges drawn: a map beyond this is no longer read, the table is. */
export const OUTCOME_MAP_MAX_EDGES = 300;

/** Colour, line and words of each outcome: the map, its legend, the totals and the table agree. */
export const OUTCOME_STYLE: Record<Outcome, { color: string; line: 'solid' | 'dashed' | 'dotted'; short: string; label: string }> = {
  breaks: { color: '#dc2626', line: 'solid', short: 'would break', label: 'would break (passes today, denied with the change)' },
  unverified: { color: '#db2777', line: 'dashed', short: 'may break (L7)', label: 'may break (only requests matching new L7 rules pass; no request data to check)' },
  audit: { color: '#d97706', line: 'dashed', short: 'audit', label: 'audit (would be denied once enforced)' },
  opens: { color: '#2563eb', line: 'solid', short: 'newly allowed', label: 'newly allowed (denied today)' },
  unchanged: { color: '#94a3b8', line: 'dotted', short: 'unchanged', label: 'unchanged' },
};

export interface OutcomeMap {
  elements: CyElement[];
  /** Edges drawn per outcome. */
  counts: Record<Outcome, number>;
  /** Edges of the result left off the map (over the cap, or unchanged away from the change). */
  hidden: number;
}

function nodeKind(id: string): string {
  const p = parseNodeId(id);
  if (!p) return 'unknown';
  if (p.kind === 'workload') return p.name === 'coredns' || p.name === 'kube-dns' ? 'kube-dns' : 'workload';
  return p.kind;
}

function nodeLabel(id: string): string {
  const p = parseNodeId(id);
  if (p?.kind === 'workload') return p.name;
  if (p?.kind === 'world') return p.fqdn ?? 'world';
  if (p?.kind === 'unknown') return p.ip ?? 'unknown';
  return id;
}

/** The edges worth drawing: affected ones first (the result is ordered by impact), then the touched workloads' unchanged ones. */
export function mapEdges(result: Pick<SimulationResult, 'edges' | 'touched'>, max = OUTCOME_MAP_MAX_EDGES): { edges: ReplayEdge[]; hidden: number } {
  const touched = new Set(result.touched);
  const affected = result.edges.filter((e) => e.outcome !== 'unchanged');
  const nearby = new Set<string>([...touched]);
  for (const e of affected) {
    nearby.add(e.source);
    nearby.add(e.target);
  }
  const context = result.edges.filter((e) => e.outcome === 'unchanged' && (touched.has(e.source) || touched.has(e.target) || (nearby.has(e.source) && nearby.has(e.target))));
  const edges = [...affected, ...context].slice(0, max);
  return { edges, hidden: result.edges.length - edges.length };
}

/** Cytoscape elements for the replay, sorted so the same result always lays out the same. */
export function outcomeMap(result: Pick<SimulationResult, 'edges' | 'touched'>, max = OUTCOME_MAP_MAX_EDGES): OutcomeMap {
  const { edges, hidden } = mapEdges(result, max);
  const counts: Record<Outcome, number> = { breaks: 0, unverified: 0, audit: 0, opens: 0, unchanged: 0 };
  const nodes = new Set<string>();
  for (const e of edges) {
    nodes.add(e.source);
    nodes.add(e.target);
    counts[e.outcome]++;
  }
  const out: CyElement[] = [];
  const namespaces = new Set<string>();
  for (const id of nodes) {
    const p = parseNodeId(id);
    if (p?.kind === 'workload') namespaces.add(p.namespace);
  }
  for (const ns of [...namespaces].sort()) out.push({ group: 'nodes', data: { id: namespaceBoxId(ns), label: ns }, classes: 'namespace' });
  for (const id of [...nodes].sort()) {
    const p = parseNodeId(id);
    out.push({ group: 'nodes', data: { id, label: nodeLabel(id), ...(p?.kind === 'workload' ? { parent: namespaceBoxId(p.namespace) } : {}) }, classes: `kind-${nodeKind(id)}` });
  }
  for (const e of [...edges].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const flows = e.flows.breaks + e.flows.audit + e.flows.opens + e.flows.unchanged;
    out.push({
      group: 'edges',
      data: { id: e.id, source: e.source, target: e.target, outcome: e.outcome, label: e.protocol.startsWith('ICMP') ? e.protocol : `${e.port}/${e.protocol}`, flows, weight: Math.min(6, 1 + Math.log10(1 + flows)) },
      classes: `outcome-${e.outcome}${e.dns ? ' dns' : ''}`,
    });
  }
  return { elements: out, counts, hidden };
}
