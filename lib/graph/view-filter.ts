/**
 * What part of the graph a person looks at: namespaces, verdict statuses, and visual filters
 * that hide noise (hubble-ui users ask for these: host, remote-node, kube-dns, metrics scrapes,
 * ingress controllers, and their own patterns). Pure: the map page and the export share it.
 */

import { AUDIT_PHRASE } from '../flows/audit-verdict';
import { ANY_CHAR, compileGlob, MAX_WILDCARD_PATTERN, type Wildcard } from '../match/wildcard';
import { describeEdgePath } from './edge-path-text';
import { effectiveStatus, type EdgePath, type EdgeStatus, type GraphEdge, type GraphNode, type PathLayer } from './types';

export interface VisualFilters {
  hideHost: boolean;
  hideRemoteNode: boolean;
  hideKubeDns: boolean;
  hideMetricsScrapes: boolean;
  hideIngressControllers: boolean;
  /** Node ids or globs (`monitoring/*`, `world:*.github.com`) to hide. */
  hidePatterns: string[];
}

export interface ViewOptions {
  /** Empty = all namespaces. An edge shows when either end is in one of them. */
  namespaces: string[];
  /** Empty = every status. */
  statuses: EdgeStatus[];
  visual: VisualFilters;
}

export const DEFAULT_VISUAL_FILTERS: VisualFilters = {
  hideHost: false,
  hideRemoteNode: false,
  hideKubeDns: false,
  hideMetricsScrapes: false,
  hideIngressControllers: false,
  hidePatterns: [],
};

/** Ports Prometheus-style exporters listen on (node-exporter, postgres/nginx exporters, CoreDNS, ...). */
export const METRICS_PORTS = new Set([9090, 9091, 9100, 9101, 9102, 9113, 9121, 9153, 9187, 9400, 10254]);
const METRICS_SCRAPERS = /prometheus|otel|opentelemetry|datadog|victoria|vmagent|grafana-agent|alloy/i;
const INGRESS_CONTROLLERS = /ingress-nginx|nginx-ingress|traefik|contour|envoy-gateway|haproxy-ingress|istio-ingressgateway|application-gateway/i;

/**
 * A hide pattern as typed (`monitoring/*`, `world:*.github.com`, `?` for one character), matched in
 * linear time; a pattern too long to be a node id hides nothing.
 */
export function compileHidePattern(glob: string): Wildcard | null {
  if (glob.length > MAX_WILDCARD_PATTERN) return null;
  return compileGlob(glob, { star: ANY_CHAR, question: ANY_CHAR });
}

export function isMetricsScrape(edge: GraphEdge, source: GraphNode | undefined): boolean {
  return METRICS_PORTS.has(edge.port) && edge.protocol === 'TCP' && (!!source && (METRICS_SCRAPERS.test(source.app) || METRICS_SCRAPERS.test(source.label)));
}

export function isIngressController(node: GraphNode): boolean {
  return node.kind === 'ingress' || INGRESS_CONTROLLERS.test(node.app) || INGRESS_CONTROLLERS.test(node.label) || INGRESS_CONTROLLERS.test(node.namespace);
}

function hiddenNode(node: GraphNode, v: VisualFilters, patterns: Wildcard[]): boolean {
  if (v.hideHost && node.kind === 'host') return true;
  if (v.hideRemoteNode && node.kind === 'remote-node') return true;
  if (v.hideKubeDns && node.kind === 'kube-dns') return true;
  if (v.hideIngressControllers && isIngressController(node)) return true;
  for (const p of patterns) if (p.matches(node.id)) return true;
  return false;
}

export interface VisibleGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const MAX_HIDDEN_CACHE = 100_000;

/** Whether a connection passes the view's filters; the graph's nodes are passed in as they stand. */
export type EdgeFilter = (e: GraphEdge, nodes: ReadonlyMap<string, GraphNode>) => boolean;

/**
 * The view's filters as one predicate, compiled once per view: hide patterns are compiled here and
 * each node's hidden verdict is remembered (a node's kind, names and namespace never change).
 */
export function edgeFilter(view: ViewOptions): EdgeFilter {
  const ns = new Set(view.namespaces);
  const statuses = new Set(view.statuses);
  const patterns = view.visual.hidePatterns.filter(Boolean).map(compileHidePattern).filter((p): p is Wildcard => p !== null);
  const hiddenCache = new Map<string, boolean>();
  const isHidden = (id: string, nodes: ReadonlyMap<string, GraphNode>) => {
    let h = hiddenCache.get(id);
    if (h === undefined) {
      const n = nodes.get(id);
      // A node not known yet is hidden for now, and asked about again when it is.
      if (!n) return true;
      h = hiddenNode(n, view.visual, patterns);
      // Bounded: a long-lived tab sees ever new internet names and addresses.
      if (hiddenCache.size >= MAX_HIDDEN_CACHE) hiddenCache.clear();
      hiddenCache.set(id, h);
    }
    return h;
  };
  return (e, nodes) => {
    if (statuses.size && !statuses.has(effectiveStatus(e))) return false;
    if (isHidden(e.source, nodes) || isHidden(e.target, nodes)) return false;
    if (ns.size) {
      const s = nodes.get(e.source);
      const t = nodes.get(e.target);
      if (!(s && ns.has(s.namespace)) && !(t && ns.has(t.namespace))) return false;
    }
    return !(view.visual.hideMetricsScrapes && isMetricsScrape(e, nodes.get(e.source)));
  };
}

/** The nodes and edges that pass the view options; nodes without a visible edge are dropped. */
export function visibleGraph(nodes: ReadonlyMap<string, GraphNode>, edges: Iterable<GraphEdge>, view: ViewOptions): VisibleGraph {
  const passes = edgeFilter(view);
  const keptEdges: GraphEdge[] = [];
  const keptNodes = new Set<string>();
  for (const e of edges) {
    if (!passes(e, nodes)) continue;
    keptEdges.push(e);
    keptNodes.add(e.source);
    keptNodes.add(e.target);
  }
  return { nodes: [...keptNodes].map((id) => nodes.get(id)!).filter(Boolean), edges: keptEdges };
}

/** A namespace's posture flags as the map draws them (badges from the findings). */
export interface NamespaceFlag {
  kind: string;
  label: string;
  severity: string;
  findingKeys: string[];
}

export interface ConnectionExport {
  exportedAt: string;
  view: ViewOptions;
  /** Every namespace in the view with its posture flags (empty when it has none). */
  namespaces: { name: string; flags: NamespaceFlag[] }[];
  nodes: { id: string; kind: string; namespace: string; name: string; pods: number; dnsName?: string }[];
  connections: {
    id: string;
    source: string;
    destination: string;
    port: number;
    protocol: string;
    /** The status over every layer (what the map draws); `observed` is Cilium's alone. */
    status: EdgeStatus;
    observed: EdgeStatus;
    verdict: {
      explanation: string;
      decidedBy?: PathLayer;
      rule?: string;
      layers?: EdgePath['layers'];
      /** Policies Cilium reported for these flows. */
      allowedBy: string[];
      deniedBy: string[];
    };
    flows: GraphEdge['counts'] & { total: number };
    dropReasons: Record<string, number>;
    allowedBy: string[];
    deniedBy: string[];
    firstSeen: string;
    lastSeen: string;
  }[];
}

/** What decided an edge, in one sentence, from Cilium's report alone (before the Azure layers are known). */
function observedExplanation(e: GraphEdge): string {
  if (e.status === 'allowed') return e.allowedBy.length ? `allowed by ${e.allowedBy.join(', ')}` : 'forwarded: no policy isolates these endpoints (Azure layers not evaluated yet)';
  if (e.status === 'audit') return `a policy runs in audit mode: ${AUDIT_PHRASE}`;
  return e.deniedBy.length ? `dropped by ${e.deniedBy.join(', ')}` : 'dropped: isolated (default deny) and no rule allows it';
}

/** The visible connections as a JSON document (what the map's export button downloads). */
export function exportConnections(g: VisibleGraph, view: ViewOptions, now: Date, namespaceFlags: Readonly<Record<string, NamespaceFlag[]>> = {}): ConnectionExport {
  const namespaces = [...new Set(g.nodes.map((n) => n.namespace).filter(Boolean))].sort();
  return {
    exportedAt: now.toISOString(),
    view,
    namespaces: namespaces.map((name) => ({ name, flags: namespaceFlags[name] ?? [] })),
    nodes: g.nodes.map((n) => ({ id: n.id, kind: n.kind, namespace: n.namespace, name: n.label, pods: n.podCount, ...(n.dnsName ? { dnsName: n.dnsName } : {}) })),
    connections: g.edges.map((e) => ({
      id: e.id,
      source: e.source,
      destination: e.target,
      port: e.port,
      protocol: e.protocol,
      status: effectiveStatus(e),
      observed: e.status,
      verdict: {
        explanation: e.path ? `${describeEdgePath(e.path)}: ${e.path.reason}` : observedExplanation(e),
        ...(e.path?.decidedBy ? { decidedBy: e.path.decidedBy } : {}),
        ...(e.path?.rule ? { rule: e.path.rule } : {}),
        ...(e.path ? { layers: e.path.layers } : {}),
        allowedBy: e.allowedBy,
        deniedBy: e.deniedBy,
      },
      flows: { ...e.counts, total: e.total },
      dropReasons: e.dropReasons,
      allowedBy: e.allowedBy,
      deniedBy: e.deniedBy,
      firstSeen: new Date(e.firstSeen).toISOString(),
      lastSeen: new Date(e.lastSeen).toISOString(),
    })),
  };
}
