/**
 * Visible graph -> cytoscape element definitions: workloads inside compound namespace nodes,
 * special peers outside, one edge per (source, destination, port, protocol) carrying its status
 * as a class so the stylesheet draws allowed, denied, mixed and audit traffic distinctly.
 */

import type { VisibleGraph } from './view-filter';
import type { GraphEdge, GraphNode } from './types';

export interface CyElement {
  group: 'nodes' | 'edges';
  data: Record<string, string | number | undefined>;
  classes: string;
}

export const NAMESPACE_PREFIX = 'ns:';

export function edgeLabel(e: GraphEdge): string {
  return e.protocol.startsWith('ICMP') ? e.protocol : `${e.port}/${e.protocol}`;
}

function nodeClasses(n: GraphNode, flagged: ReadonlySet<string>): string {
  const c = [`kind-${n.kind}`];
  if (flagged.has(n.id)) c.push('flagged');
  return c.join(' ');
}

/** Elements for cytoscape; `flaggedNodes` get an outline (posture layer). */
export function toCyElements(g: VisibleGraph, flaggedNodes: ReadonlySet<string> = new Set(), flaggedNamespaces: ReadonlySet<string> = new Set()): CyElement[] {
  const out: CyElement[] = [];
  const namespaces = new Set<string>();
  for (const n of g.nodes) if (n.namespace) namespaces.add(n.namespace);
  for (const ns of [...namespaces].sort()) {
    out.push({ group: 'nodes', data: { id: `${NAMESPACE_PREFIX}${ns}`, label: ns, namespace: ns }, classes: `namespace${flaggedNamespaces.has(ns) ? ' flagged' : ''}` });
  }
  for (const n of g.nodes) {
    out.push({
      group: 'nodes',
      data: {
        id: n.id,
        label: n.podCount > 1 ? `${n.label} ×${n.podCount}` : n.label,
        kind: n.kind,
        namespace: n.namespace,
        ...(n.namespace ? { parent: `${NAMESPACE_PREFIX}${n.namespace}` } : {}),
      },
      classes: nodeClasses(n, flaggedNodes),
    });
  }
  for (const e of g.edges) {
    out.push({
      group: 'edges',
      data: { id: e.id, source: e.source, target: e.target, label: edgeLabel(e), status: e.status, total: e.total, weight: Math.min(6, 1 + Math.log10(1 + e.total)) },
      classes: `status-${e.status}`,
    });
  }
  return out;
}
