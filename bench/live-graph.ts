/**
 * What the browser's live graph costs per delta (lib/graph/apply-delta.ts): a 5,000-workload graph
 * (20,000 edges, issue 13) takes a stream of deltas as the hub sends them (a tick's upserts: 70 edges
 * at 2,000 flows/s, 500 at 20,000), each delta making a new immutable version. Reports milliseconds
 * per delta for applyDelta and for the copy of the whole maps it replaced (the reference), and what a
 * full pass over the edges costs on a version (the pages' `edges.values()` readers).
 * Usage: npm run bench:live-graph [-- --deltas N]. Last line: JSON.
 */
import { applyDelta, stateFromSnapshot, type GraphState } from '../lib/graph/apply-delta';
import type { GraphDelta, GraphNode } from '../lib/graph/types';
import { EDGES, NODES, scaledEdge as edge, scaledNode as node } from './scaled-graph';

const args = process.argv.slice(2);
const deltasArg = args.indexOf('--deltas');
const DELTAS = deltasArg >= 0 ? Number(args[deltasArg + 1]) : 400;
if (!Number.isInteger(DELTAS) || DELTAS < 10) {
  console.error('usage: bench:live-graph [-- --deltas N] (N >= 10)');
  process.exit(2);
}

/** The whole-map copy applyDelta made before LayeredMap: the reference the figures are compared with. */
function copyingApply(state: GraphState, d: GraphDelta): GraphState {
  const nodes = d.upsertNodes.length || d.removeNodes.length ? new Map(state.nodes) : state.nodes;
  const edges = new Map(state.edges);
  for (const id of d.removeEdges) edges.delete(id);
  for (const id of d.removeNodes) (nodes as Map<string, GraphNode>).delete(id);
  for (const n of d.upsertNodes) (nodes as Map<string, GraphNode>).set(n.id, n);
  for (const e of d.upsertEdges) edges.set(e.id, e);
  return { seq: d.seq, nodes, edges };
}

function deltas(upserts: number): GraphDelta[] {
  let next = 0;
  return Array.from({ length: DELTAS }, (_, k) => ({
    seq: k + 2,
    upsertNodes: Array.from({ length: Math.ceil(upserts / 8) }, () => node(next++ % NODES, k + 2)),
    upsertEdges: Array.from({ length: upserts }, () => edge((next = (next * 31 + 17) % EDGES), k + 2)),
    removeNodes: [],
    removeEdges: [],
  }));
}

function run(apply: (s: GraphState, d: GraphDelta) => GraphState, stream: GraphDelta[]): { msPerDelta: number; passMs: number } {
  let state = stateFromSnapshot({ seq: 1, nodes: Array.from({ length: NODES }, (_, i) => node(i)), edges: Array.from({ length: EDGES }, (_, i) => edge(i)) });
  const t0 = performance.now();
  for (const d of stream) state = apply(state, d);
  const msPerDelta = (performance.now() - t0) / stream.length;
  let passes = 0;
  let sum = 0;
  const p0 = performance.now();
  while (performance.now() - p0 < 300) {
    for (const e of state.edges.values()) sum += e.total;
    passes++;
  }
  if (state.edges.size !== EDGES || sum <= 0) throw new Error(`bench:live-graph: the graph ended with ${state.edges.size} edges`);
  return { msPerDelta, passMs: (performance.now() - p0) / passes };
}

const result: Record<string, number> = {};
for (const upserts of [70, 500]) {
  const stream = deltas(upserts);
  // Warm both paths once, then measure.
  run(applyDelta, stream.slice(0, 20));
  run(copyingApply, stream.slice(0, 20));
  const layered = run(applyDelta, stream);
  const copying = run(copyingApply, stream);
  console.log(
    `${upserts} edge upserts a delta over ${EDGES.toLocaleString('en-US')} edges: applyDelta ${layered.msPerDelta.toFixed(2)} ms a delta, whole-map copy ${copying.msPerDelta.toFixed(2)} ms` +
      ` (${(copying.msPerDelta / layered.msPerDelta).toFixed(1)}x); a pass over the edges ${layered.passMs.toFixed(2)} ms (a plain Map: ${copying.passMs.toFixed(2)} ms)`,
  );
  result[`msPerDelta${upserts}`] = Number(layered.msPerDelta.toFixed(3));
  result[`copyMsPerDelta${upserts}`] = Number(copying.msPerDelta.toFixed(3));
  result[`passMs${upserts}`] = Number(layered.passMs.toFixed(3));
  result[`mapPassMs${upserts}`] = Number(copying.passMs.toFixed(3));
}
console.log(JSON.stringify({ nodes: NODES, edges: EDGES, deltas: DELTAS, ...result }));
