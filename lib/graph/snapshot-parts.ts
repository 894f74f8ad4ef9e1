/**
 * The snapshot a browser gets, in the order it can draw it (issue 13: "a snapshot sized for the
 * view, the collapsed islands first"). A large graph opens at the islands level, where what is on
 * screen is each namespace with its workloads and one edge per pair of islands in a status that
 * sums up its connections. So the first part holds every node, one connection per node (each
 * workload is counted on its island) and one connection per pair of islands and status (each
 * aggregate exists, in its final status): from it alone the page draws the islands picture it will
 * keep. The other connections follow in parts the page takes one at a time, so drawing never waits
 * for the whole graph, and search, side panels and opened islands fill in within the same second.
 */

import { islandOf } from './island-of';
import { effectiveStatus, type GraphEdge, type GraphNode, type GraphSnapshot } from './types';
import { runToEnd, type Steps } from '../util/time-slices';

export interface SnapshotParts {
  /** The nodes and the connections that make up the islands picture. */
  head: GraphSnapshot;
  /** The other connections, in parts of at most the given size. */
  rest: GraphEdge[][];
}

/** One graph snapshot as its first part and the rest; a graph of at most `partEdges` edges stays whole. */
export function snapshotParts(s: GraphSnapshot, partEdges: number): SnapshotParts {
  return runToEnd(snapshotPartsSteps(s, partEdges));
}

/**
 * The same split, pausing every `stepEdges` edges (the server's sliced snapshot): at 20,000 edges it
 * took ~50 ms on an idle core, and 110 ms of CPU (more of the clock) in one unbroken task of a server
 * folding in 20,000 flows/s (CPU profile, bench:ui at 5,000 workloads).
 */
export function* snapshotPartsSteps(s: GraphSnapshot, partEdges: number, stepEdges = Infinity): Steps<SnapshotParts> {
  if (s.edges.length <= partEdges) return { head: s, rest: [] };
  const nodes = new Map<string, GraphNode>(s.nodes.map((n) => [n.id, n]));
  /** An island, or the node itself when it is drawn on its own (host, remote nodes, ...). */
  const groupOf = (id: string): string => {
    const n = nodes.get(id);
    return (n && islandOf(n)) || id;
  };
  const covered = new Set<string>();
  const pairs = new Set<string>();
  const head: GraphEdge[] = [];
  const later: GraphEdge[] = [];
  let sinceStep = 0;
  for (const e of s.edges) {
    if (++sinceStep > stepEdges) {
      sinceStep = 1;
      yield;
    }
    const pair = `${groupOf(e.source)}\n${groupOf(e.target)}\n${effectiveStatus(e)}`;
    const needed = !pairs.has(pair) || !covered.has(e.source) || !covered.has(e.target);
    if (!needed) {
      later.push(e);
      continue;
    }
    pairs.add(pair);
    covered.add(e.source);
    covered.add(e.target);
    head.push(e);
  }
  const rest: GraphEdge[][] = [];
  for (let i = 0; i < later.length; i += partEdges) rest.push(later.slice(i, i + partEdges));
  return { head: { seq: s.seq, nodes: s.nodes, edges: head }, rest };
}
