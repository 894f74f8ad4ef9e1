/**
 * A spectral drawing of a weighted graph: each node's two coordinates are its entries in the two
 * leading non-trivial eigenvectors of the degree-normalized adjacency (the generalized problem
 * L x = mu D x), computed by power iteration on (I + D^-1 A) / 2 with each vector kept
 * D-orthogonal to the constant one and to the one before. This is Koren's "degree-normalized
 * eigenvectors" (Y. Koren, "Drawing graphs by eigenvectors: theory and practice", Computers &
 * Mathematics with Applications 49, 2005, sections 4-5), the step fcose itself starts from (its
 * "draft" quality). Heavily linked nodes end near each other, as it minimises the sum of
 * weight x squared distance for a given spread.
 *
 * Why not fcose for the islands picture: the picture is dealt into rows anyway (island-layout.ts
 * separateBoxes: large islands cannot be drawn where a force layout puts them), so only the
 * arrangement matters. On the 107 islands of the 5,000-workload demo, this drawing dealt into rows
 * has a shorter total link length than fcose's (5.46M px against 6.31M px) and takes ~10 ms instead
 * of 0.2-1.5 s of the page's main thread before the first picture.
 */

import { hashStrings, seededRandom } from '../util/seeded-random';
import type { Point } from './island-layout';

/** Power-iteration steps per vector: on the 5,000-workload islands, 100 steps give a picture within 0.3% of 1,000's total link length. */
const ITERATIONS = 100;

/**
 * Coordinates for `ids` (about -1..1; only their arrangement means something). `links`: pairs of
 * ids with a weight (default 1); order and repeats do not matter (repeats add up), links to ids not
 * in `ids` and loops are ignored. A heavy link pulls less than its weight: weights are taken as
 * log(1 + w), so one busy pair does not fold the whole picture around itself. Nodes with no link
 * go below the others, by id. Deterministic: the same graph always gives the same coordinates.
 */
export function spectralPositions(ids: readonly string[], links: Iterable<readonly [string, string, number?]>): Map<string, Point> {
  const order = [...new Set(ids)].sort();
  const index = new Map(order.map((id, i) => [id, i]));
  const n = order.length;
  // Summed in one order whatever order the links came in, so the floating-point sums are the same.
  const valid: [number, number, number][] = [];
  for (const [a, b, w = 1] of links) {
    const [i, j] = [index.get(a), index.get(b)];
    if (i === undefined || j === undefined || i === j) continue;
    valid.push(i < j ? [i, j, w] : [j, i, w]);
  }
  valid.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
  // Sorted, repeats of a pair are neighbours: each pair once, with its weights added up.
  const summed: [number, number, number][] = [];
  for (const [i, j, w] of valid) {
    const last = summed.at(-1);
    if (last && last[0] === i && last[1] === j) last[2] += w;
    else summed.push([i, j, w]);
  }
  const kept = summed.filter(([, , w]) => w > 0);
  // Typed arrays: the loops below run ~2 x ITERATIONS x links times, often before the JIT has warmed up.
  const from = Int32Array.from(kept, ([i]) => i);
  const to = Int32Array.from(kept, ([, j]) => j);
  const weight = Float64Array.from(kept, ([, , w]) => Math.log1p(w));
  const degree = new Float64Array(n);
  for (let e = 0; e < kept.length; e++) {
    degree[from[e]] += weight[e];
    degree[to[e]] += weight[e];
  }

  const random = seededRandom(hashStrings(order));
  const found: Float64Array[] = [new Float64Array(n).fill(1)];
  for (let k = 0; k < 2; k++) {
    let x: Float64Array = Float64Array.from({ length: n }, () => random() - 0.5);
    for (let step = 0; step < ITERATIONS; step++) {
      for (const v of found) dOrthogonalize(x, v, degree);
      x = averagedWithNeighbours(x, from, to, weight, degree);
      normalize(x);
    }
    for (const v of found) dOrthogonalize(x, v, degree);
    normalize(x);
    found.push(x);
  }

  const out = new Map<string, Point>();
  const linked = order.filter((_, i) => degree[i] > 0);
  let bottom = 0;
  for (const id of linked) {
    const i = index.get(id)!;
    out.set(id, { x: found[1][i], y: found[2][i] });
    bottom = Math.max(bottom, found[2][i]);
  }
  // Unlinked nodes: a row of their own below the picture (the eigenvectors say nothing about them).
  order.filter((_, i) => degree[i] === 0).forEach((id, k) => out.set(id, { x: k, y: bottom + 1 }));
  return out;
}

/** One power-iteration step: (I + D^-1 A) x / 2; a node with no link gets 0. */
function averagedWithNeighbours(x: Float64Array, from: Int32Array, to: Int32Array, weight: Float64Array, degree: Float64Array): Float64Array {
  const next = new Float64Array(x.length);
  for (let e = 0; e < from.length; e++) {
    next[from[e]] += weight[e] * x[to[e]];
    next[to[e]] += weight[e] * x[from[e]];
  }
  for (let i = 0; i < x.length; i++) next[i] = degree[i] > 0 ? 0.5 * (x[i] + next[i] / degree[i]) : 0;
  return next;
}

/** Removes from `x` its component along `v` in the D-weighted inner product (in place). */
function dOrthogonalize(x: Float64Array, v: Float64Array, degree: Float64Array): void {
  let along = 0;
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    along += x[i] * degree[i] * v[i];
    norm += v[i] * degree[i] * v[i];
  }
  if (norm === 0) return;
  const c = along / norm;
  for (let i = 0; i < x.length; i++) x[i] -= c * v[i];
}

/** Scales `x` to length 1 (in place; a zero vector stays zero). */
function normalize(x: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  const length = Math.sqrt(sum);
  if (length > 0) for (let i = 0; i < x.length; i++) x[i] /= length;
}
