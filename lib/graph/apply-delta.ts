/** Pure reducer the browser uses to keep its copy of the graph: snapshot, then deltas in order. */

import { LayeredMap } from './layered-map';
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from './types';

/**
 * One version of the browser's graph. Never changed once made: a change makes the next version,
 * which shares with this one what the change did not touch (LayeredMap).
 */
export interface GraphState {
  seq: number;
  nodes: ReadonlyMap<string, GraphNode>;
  edges: ReadonlyMap<string, GraphEdge>;
}

export function stateFromSnapshot(s: GraphSnapshot): GraphState {
  return {
    seq: s.seq,
    nodes: new Map(s.nodes.map((n) => [n.id, n])),
    edges: new Map(s.edges.map((e) => [e.id, e])),
  };
}

export class DeltaGapError extends Error {
  constructor(expected: number, got: number) {
    super(`graph delta ${got} does not follow ${expected - 1}; a fresh snapshot is needed`);
    this.name = 'DeltaGapError';
  }
}

/** Applies a delta; throws DeltaGapError when one was missed (the caller then resyncs). */
export function applyDelta(state: GraphState, delta: GraphDelta): GraphState {
  if (delta.seq <= state.seq) return state;
  if (delta.seq !== state.seq + 1) throw new DeltaGapError(state.seq + 1, delta.seq);
  // A map no change touched is kept as it was: what depends on the nodes alone is not recomputed.
  const nodesChanged = delta.removeNodes.length > 0 || delta.upsertNodes.length > 0;
  const nodes = nodesChanged ? LayeredMap.over(state.nodes).with(delta.removeNodes, delta.upsertNodes.map((n) => [n.id, n] as const)) : state.nodes;
  const edges = LayeredMap.over(state.edges).with(delta.removeEdges, delta.upsertEdges.map((e) => [e.id, e] as const));
  return { seq: delta.seq, nodes, edges };
}

/**
 * Adds the edges of a `snapshot-part` (the rest of a snapshot, see snapshot-parts.ts). A part of
 * another snapshot than the one the state came from is ignored: the state is returned as it was.
 */
export function applySnapshotPart(state: GraphState, part: GraphDelta, { inPlace = false }: { inPlace?: boolean } = {}): GraphState {
  if (part.seq !== state.seq || !part.upsertEdges.length) return state;
  // In place: the caller owns the state's edge map and has shown it to nobody who keeps it (a
  // snapshot's parts between the first and the last: copying a map of up to 20,000 edges per part
  // was most of what applying one cost).
  const edges = inPlace && state.edges instanceof Map ? (state.edges as Map<string, GraphEdge>) : new Map(state.edges);
  for (const e of part.upsertEdges) edges.set(e.id, e);
  return { seq: state.seq, nodes: state.nodes, edges };
}
