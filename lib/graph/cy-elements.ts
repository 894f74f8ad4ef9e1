/**
 * Graph nodes and connections -> cytoscape element definitions: workloads inside compound
 * namespace nodes, special peers outside, one edge per (source, destination, port, protocol)
 * carrying its status as a class so the stylesheet draws allowed, denied, mixed and audit traffic
 * distinctly. The map model (map-model.ts) decides which of them are drawn.
 */

import { SEVERITY_ORDER } from '../posture/finding';
import { LAYER_SHORT } from './edge-path-text';
import { namespaceBoxId } from './graph-ids';
import { effectiveStatus, type GraphEdge, type GraphNode } from './types';

export interface CyElement {
  group: 'nodes' | 'edges';
  data: Record<string, string | number | undefined>;
  classes: string;
}

export function edgeLabel(e: GraphEdge): string {
  return e.protocol.startsWith('ICMP') ? e.protocol : `${e.port}/${e.protocol}`;
}

function nodeClasses(n: GraphNode, flagged: ReadonlySet<string>): string {
  const c = [`kind-${n.kind}`];
  if (flagged.has(n.id)) c.push('flagged');
  return c.join(' ');
}

/** A namespace's findings as the map writes them under its name (most severe first). */
export interface NamespaceFlagLabel {
  label: string;
  severity: string;
}

const SEVERITY_RANK: readonly string[] = SEVERITY_ORDER;

/** The namespace box: its name, and below it the findings (`⚠ unprotected · open egress`). */
export function namespaceElement(ns: string, flagged: boolean, flags: readonly NamespaceFlagLabel[] | undefined): CyElement {
  const classes = ['namespace'];
  if (flagged) classes.push('flagged');
  let label = ns;
  if (flags?.length) {
    const worst = [...flags].sort((a, b) => SEVERITY_RANK.indexOf(a.severity) - SEVERITY_RANK.indexOf(b.severity))[0];
    classes.push('has-flags', `flags-${worst.severity}`);
    label = `${ns}\n⚠ ${flags.map((f) => f.label).join(' · ')}`;
  }
  return { group: 'nodes', data: { id: namespaceBoxId(ns), label, namespace: ns, flags: flags?.map((f) => f.label).join(',') ?? '' }, classes: classes.join(' ') };
}

/** A workload or peer; a workload sits in its namespace's box. */
export function nodeElement(n: GraphNode, flagged: ReadonlySet<string>): CyElement {
  return {
    group: 'nodes',
    data: {
      id: n.id,
      label: n.podCount > 1 ? `${n.label} ×${n.podCount}` : n.label,
      kind: n.kind,
      namespace: n.namespace,
      ...(n.namespace ? { parent: namespaceBoxId(n.namespace) } : {}),
    },
    classes: nodeClasses(n, flagged),
  };
}

/** Edge width by flow count, in quarter steps: a count going up does not redraw the edge on every tick. */
export function edgeWeight(total: number): number {
  return Math.round(Math.min(6, 1 + Math.log10(1 + total)) * 4) / 4;
}

/** A connection drawn on its own: the stylesheet reads its status; an Azure layer that overrules Cilium is named on it. */
export function edgeElement(e: GraphEdge): CyElement {
  const status = effectiveStatus(e);
  const azureDecided = e.path?.decidedBy && e.path.decidedBy !== 'policy' ? e.path.decidedBy : undefined;
  return {
    group: 'edges',
    data: {
      id: e.id,
      source: e.source,
      target: e.target,
      label: azureDecided ? `${edgeLabel(e)} · ${LAYER_SHORT[azureDecided]}` : edgeLabel(e),
      status,
      decidedBy: e.path?.decidedBy,
      weight: edgeWeight(e.total),
    },
    classes: azureDecided ? `status-${status} decided-azure` : `status-${status}`,
  };
}
