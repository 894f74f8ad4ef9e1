/**
 * Visible graph -> cytoscape element definitions: workloads inside compound namespace nodes,
 * special peers outside, one edge per (source, destination, port, protocol) carrying its status
 * as a class so the stylesheet draws allowed, denied, mixed and audit traffic distinctly.
 */

import { SEVERITY_ORDER } from '../posture/finding';
import type { VisibleGraph } from './view-filter';
import { LAYER_SHORT } from './edge-path-text';
import { namespaceBoxId } from './graph-ids';
import { effectiveStatus, type GraphEdge, type GraphNode } from './types';

export interface CyElement {
  group: 'nodes' | 'edges';
  data: Record<string, string | number | undefined>;
  classes: string;
}

// The map's namespace box ids are part of the id format (graph-ids.ts); re-exported for the side panel.

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

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

export interface CyElementOptions {
  /** Outlined by the posture layer: workloads (node ids) and namespaces. */
  flaggedNodes?: ReadonlySet<string>;
  flaggedNamespaces?: ReadonlySet<string>;
  /** Findings per namespace, written into the namespace box's label so they move and scale with it. */
  namespaceFlags?: Readonly<Record<string, readonly NamespaceFlagLabel[]>>;
}

const SEVERITY_RANK: readonly string[] = SEVERITY_ORDER;

/** The namespace box: its name, and below it the findings (`⚠ unprotected · open egress`). */
function namespaceElement(ns: string, flagged: boolean, flags: readonly NamespaceFlagLabel[] | undefined): CyElement {
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

/** Elements for cytoscape, sorted by id so the same graph always builds (and lays out) the same way. */
export function toCyElements(g: VisibleGraph, opts: CyElementOptions = {}): CyElement[] {
  const flaggedNodes = opts.flaggedNodes ?? new Set<string>();
  const flaggedNamespaces = opts.flaggedNamespaces ?? new Set<string>();
  const out: CyElement[] = [];
  const namespaces = new Set<string>();
  for (const n of g.nodes) if (n.namespace) namespaces.add(n.namespace);
  for (const ns of [...namespaces].sort()) out.push(namespaceElement(ns, flaggedNamespaces.has(ns), opts.namespaceFlags?.[ns]));
  for (const n of [...g.nodes].sort(byId)) {
    out.push({
      group: 'nodes',
      data: {
        id: n.id,
        label: n.podCount > 1 ? `${n.label} ×${n.podCount}` : n.label,
        kind: n.kind,
        namespace: n.namespace,
        ...(n.namespace ? { parent: namespaceBoxId(n.namespace) } : {}),
      },
      classes: nodeClasses(n, flaggedNodes),
    });
  }
  for (const e of [...g.edges].sort(byId)) {
    const status = effectiveStatus(e);
    // An Azure layer that overrules Cilium's verdict is named on the edge itself.
    const azureDecided = e.path?.decidedBy && e.path.decidedBy !== 'policy' ? e.path.decidedBy : undefined;
    out.push({
      group: 'edges',
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        label: azureDecided ? `${edgeLabel(e)} · ${LAYER_SHORT[azureDecided]}` : edgeLabel(e),
        status,
        decidedBy: e.path?.decidedBy,
        total: e.total,
        weight: Math.min(6, 1 + Math.log10(1 + e.total)),
      },
      classes: azureDecided ? `status-${status} decided-azure` : `status-${status}`,
    });
  }
  return out;
}
