/**
 * What the map model (lib/graph/map-model.ts) costs for a 5,000-workload snapshot (20,000 edges,
 * issue 13) as the page receives it: a head and parts of 2,000 edges, applied to the store's graph
 * in place (live-store.ts), then one live delta. Two ways of taking it in:
 *
 * - whole: the head and parts first, then `setGraph` of the whole graph after the last part (what
 *   the canvas did until the model could be held);
 * - held: `hold`, `setGraph` of the head and `absorb` of each part as they come, then `release` and
 *   `pending` after the last (map-canvas.ts now).
 *
 * What matters for the first render is the work left after the last part (afterLastPartMs), which
 * is all the model does before the first draw: the rest runs while the page waits for the parts.
 * Each sample is a fresh process, since the page runs this code once and cold (a warm loop would
 * measure optimized code the page never gets to). Medians over --samples runs of each (default 7).
 * Usage: npm run bench:map-snapshot [-- --samples N]. Last line: JSON.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyDelta, applySnapshotPart, stateFromSnapshot } from '../lib/graph/apply-delta';
import { MapModel, type RenderPatch } from '../lib/graph/map-model';
import { snapshotParts } from '../lib/graph/snapshot-parts';
import type { GraphEdge } from '../lib/graph/types';
import { percentile } from './percentile';
import { EDGES, NODES, scaledEdge, scaledNode } from './scaled-graph';

const PART_EDGES = 2_000;
type Mode = 'whole' | 'held';

/** Edge `i` with a few flows, one in eleven denied (the islands' aggregates then differ in status). */
const edge = (i: number): GraphEdge => {
  const total = 1 + (i % 5);
  return scaledEdge(i, total, i % 11 === 0 ? total : 0);
};

interface Sample {
  afterLastPartMs: number;
  totalMs: number;
  elements: number;
}

/** One cold run in this process. */
function sample(mode: Mode): Sample {
  const edges = Array.from({ length: EDGES }, (_, i) => edge(i));
  const { head, rest } = snapshotParts({ seq: 1, nodes: Array.from({ length: NODES }, (_, i) => scaledNode(i)), edges }, PART_EDGES);
  const model = new MapModel();
  let state = stateFromSnapshot(head);
  const t0 = performance.now();
  if (mode === 'held') {
    model.hold();
    model.setGraph(state);
  }
  let partsEdges: ReadonlyMap<string, GraphEdge> | null = null;
  for (const upsertEdges of rest) {
    const part = { seq: 1, upsertNodes: [], upsertEdges, removeNodes: [], removeEdges: [] };
    state = applySnapshotPart(state, part, { inPlace: state.edges === partsEdges });
    partsEdges = state.edges;
    if (mode === 'held') model.absorb(part, state);
  }
  const tLast = performance.now();
  let patch: RenderPatch;
  if (mode === 'held') {
    model.release();
    patch = model.pending();
  } else patch = model.setGraph(state);
  const tEnd = performance.now();
  // The first live delta after it must find the snapshot's flows drawn: only its busier edges are news.
  const delta = { seq: 2, upsertNodes: [], upsertEdges: edges.slice(0, 300).map((e) => ({ ...e, total: e.total + 1, lastSeen: 5 })), removeNodes: [], removeEdges: [] };
  const touched = model.applyDelta(delta, applyDelta(state, delta)).touchedEdges.length;
  if (state.edges.size !== EDGES || touched !== 300 || model.stats().level !== 'islands') throw new Error(`bench:map-snapshot: ${state.edges.size} edges, ${touched} touched, level ${model.stats().level}`);
  return { afterLastPartMs: tEnd - tLast, totalMs: tEnd - t0, elements: patch.add.length };
}

const args = process.argv.slice(2);
const one = args.indexOf('--one');
if (one >= 0) {
  const mode = args[one + 1];
  if (mode !== 'whole' && mode !== 'held') throw new Error('--one whole|held');
  console.log(JSON.stringify(sample(mode)));
} else {
  const samplesArg = args.indexOf('--samples');
  const samples = samplesArg >= 0 ? Number(args[samplesArg + 1]) : 7;
  if (!Number.isInteger(samples) || samples < 1) {
    console.error('usage: bench:map-snapshot [-- --samples N] (N >= 1)');
    process.exit(2);
  }
  const self = fileURLToPath(import.meta.url);
  const runs: Record<Mode, Sample[]> = { whole: [], held: [] };
  // Interleaved, so that a machine's drift touches both alike.
  for (let i = 0; i < samples; i++) {
    for (const mode of ['whole', 'held'] as const) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--one', mode], { encoding: 'utf8' });
      runs[mode].push(JSON.parse(out.trim().split('\n').at(-1)!) as Sample);
    }
  }
  const median = (mode: Mode, key: 'afterLastPartMs' | 'totalMs') => Number((percentile(runs[mode].map((s) => s[key]), 50) ?? Number.NaN).toFixed(1));
  const result = {
    workloads: NODES,
    edges: EDGES,
    samples,
    elements: runs.held[0].elements,
    wholeAfterLastPartMs: median('whole', 'afterLastPartMs'),
    heldAfterLastPartMs: median('held', 'afterLastPartMs'),
    wholeTotalMs: median('whole', 'totalMs'),
    heldTotalMs: median('held', 'totalMs'),
  };
  console.log(`${NODES.toLocaleString('en-US')} workloads, ${EDGES.toLocaleString('en-US')} edges in parts of ${PART_EDGES.toLocaleString('en-US')}, ${samples} cold runs each (medians):`);
  console.log(`  whole graph after the last part: ${result.wholeAfterLastPartMs} ms after it (${result.wholeTotalMs} ms in all)`);
  console.log(`  held, placed part by part:       ${result.heldAfterLastPartMs} ms after it (${result.heldTotalMs} ms in all)`);
  console.log(JSON.stringify(result));
}
