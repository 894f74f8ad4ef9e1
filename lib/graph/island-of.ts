/**
 * Which island a node is drawn in when the map shows namespaces as islands. The map and the server
 * (which sends the edges an islands picture needs first) share this rule.
 */

import type { GraphNode } from './types';

/**
 * The island internet peers gather in at the islands level: a cluster's workloads call hundreds of
 * names, and one aggregated edge per namespace and name would outnumber everything else on the map.
 * Not a valid namespace name, so it cannot clash with one.
 */
export const INTERNET_ISLAND = '(internet)';

/** The island a node belongs to: its namespace, the internet island for internet peers, or none (''). */
export function islandOf(n: Pick<GraphNode, 'namespace' | 'kind'>): string {
  return n.namespace || (n.kind === 'world' ? INTERNET_ISLAND : '');
}
