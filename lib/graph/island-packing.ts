/**
 * The islands picture's layout: every island (and peer drawn on its own) packed in rows, in an order
 * that keeps linked ones side by side.
 *
 * It used to be force-directed (fcose on a headless cytoscape). At 5,000 workloads that took
 * 0.9-1.5 s of the page's main thread before the first picture (issue 13), left large boxes
 * overlapping, and a busy cluster links most namespaces to most others, so the forces gave little
 * structure to read anyway. Packing costs a few milliseconds, never overlaps, and reads like a
 * page: islands that talk most to each other come next to each other, row after row.
 *
 * Order: per connected group of islands (largest first), start from the island with the most
 * traffic, then repeatedly take the untaken island most linked to the one just taken (a chain is
 * followed), or when it has none, the one most linked to all taken so far; each island keeps its
 * STRONGEST_LINKS heaviest links, so a light link between two hubs does not pull them together. Rows run left to right, then right to left, so the order never jumps across the picture
 * at a row's end. The same boxes and links, in any order, always give the same picture.
 */

import type { Point, Size } from './island-layout';

export interface IslandBox extends Size {
  id: string;
}

/** Links each island keeps (the union over islands: a pair stays if either end keeps it). */
const STRONGEST_LINKS = 6;
/** Room between two boxes, for the island's label and the edges between them. */
const GAP = 80;
/** Width over height of the packed picture: about a screen's. */
const ASPECT = 1.6;

export type Pair = { source: string; target: string; weight: number };

/**
 * Where each box's centre goes. `links`: connected pairs of box ids with a weight (how much they
 * carry); order and repeats do not matter (repeats add up).
 */
export function islandPositions(boxes: readonly IslandBox[], links: Iterable<readonly [string, string, number?]>): Map<string, Point> {
  const sorted = [...boxes].sort((a, b) => compareIds(a.id, b.id));
  const order = affinityOrder(sorted, strongestPairs(new Set(sorted.map((b) => b.id)), links));
  return packRows(order);
}

/** One pair per two linked boxes (weights added up), each box keeping its STRONGEST_LINKS heaviest. Exported for tests. */
export function strongestPairs(ids: ReadonlySet<string>, links: Iterable<readonly [string, string, number?]>): Map<string, Pair> {
  const all = new Map<string, Pair>();
  for (const [a, b, weight = 1] of links) {
    if (a === b || !ids.has(a) || !ids.has(b)) continue;
    const [source, target] = a < b ? [a, b] : [b, a];
    const key = `${source}\u0000${target}`;
    const pair = all.get(key);
    if (pair) pair.weight += weight;
    else all.set(key, { source, target, weight });
  }
  const byBox = new Map<string, [string, Pair][]>();
  for (const entry of all) for (const end of [entry[1].source, entry[1].target]) (byBox.get(end) ?? byBox.set(end, []).get(end)!).push(entry);
  const kept = new Map<string, Pair>();
  // Heaviest first; ties by key, so the same graph keeps the same pairs.
  const order = ([ka, a]: [string, Pair], [kb, b]: [string, Pair]) => b.weight - a.weight || compareIds(ka, kb);
  for (const list of byBox.values()) for (const [key, pair] of list.sort(order).slice(0, STRONGEST_LINKS)) kept.set(key, pair);
  return kept;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The boxes in reading order: each connected group (largest first) grown from its busiest box by strongest link to what is taken. */
function affinityOrder(boxes: readonly IslandBox[], pairs: ReadonlyMap<string, Pair>): IslandBox[] {
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const neighbours = new Map<string, Map<string, number>>(boxes.map((b) => [b.id, new Map()]));
  for (const { source, target, weight } of pairs.values()) {
    neighbours.get(source)!.set(target, weight);
    neighbours.get(target)!.set(source, weight);
  }
  const totals = new Map(boxes.map((b) => [b.id, [...neighbours.get(b.id)!.values()].reduce((s, w) => s + w, 0)]));
  const total = (id: string) => totals.get(id)!;
  const groups = connectedGroups(boxes, neighbours).sort((a, b) => b.length - a.length || compareIds(a[0], b[0]));
  const order: IslandBox[] = [];
  /** Whether `a` goes before `b`: more pull to what is taken, then busier, then by id. */
  const before = (a: string, pa: number, b: string, pb: number) => pa > pb || (pa === pb && (total(a) > total(b) || (total(a) === total(b) && a < b)));
  for (const group of groups) {
    // Pull of each box not yet taken towards those taken.
    const pull = new Map<string, number>(group.map((id) => [id, 0]));
    let next: string | undefined = group.reduce((best, id) => (before(id, 0, best, 0) ? id : best));
    while (next !== undefined) {
      order.push(byId.get(next)!);
      pull.delete(next);
      for (const [peer, weight] of neighbours.get(next)!) if (pull.has(peer)) pull.set(peer, pull.get(peer)! + weight);
      // The strongest link of the box just taken, so a chain is followed; else the most pull to all taken.
      const last: string = next;
      next = undefined;
      let strongest = 0;
      for (const [peer, weight] of neighbours.get(last)!) {
        if (pull.has(peer) && (next === undefined || before(peer, weight, next, strongest))) {
          next = peer;
          strongest = weight;
        }
      }
      if (next !== undefined) continue;
      let most = 0;
      for (const [id, p] of pull) {
        if (next === undefined || before(id, p, next, most)) {
          next = id;
          most = p;
        }
      }
    }
  }
  return order;
}

/** Ids grouped by connection (each group in id order; boxes are given sorted). */
function connectedGroups(boxes: readonly IslandBox[], neighbours: ReadonlyMap<string, ReadonlyMap<string, number>>): string[][] {
  const seen = new Set<string>();
  const groups: string[][] = [];
  for (const { id } of boxes) {
    if (seen.has(id)) continue;
    const group: string[] = [];
    const stack = [id];
    seen.add(id);
    while (stack.length) {
      const at = stack.pop()!;
      group.push(at);
      for (const peer of neighbours.get(at)!.keys()) if (!seen.has(peer)) (seen.add(peer), stack.push(peer));
    }
    groups.push(group.sort(compareIds));
  }
  return groups;
}

/** Rows of about ASPECT times as wide as the whole is tall, alternating direction, centred on the origin. */
function packRows(order: readonly IslandBox[]): Map<string, Point> {
  const out = new Map<string, Point>();
  if (!order.length) return out;
  const area = order.reduce((s, b) => s + (b.width + GAP) * (b.height + GAP), 0);
  const rowWidth = Math.max(Math.sqrt(area * ASPECT), ...order.map((b) => b.width + GAP));
  const rows: IslandBox[][] = [[]];
  let used = 0;
  for (const b of order) {
    if (used > 0 && used + b.width + GAP > rowWidth) {
      rows.push([]);
      used = 0;
    }
    rows[rows.length - 1].push(b);
    used += b.width + GAP;
  }
  const widthOf = (row: IslandBox[]) => row.reduce((s, b) => s + b.width + GAP, 0) - GAP;
  const heightOf = (row: IslandBox[]) => Math.max(...row.map((b) => b.height));
  const height = rows.reduce((s, row) => s + heightOf(row) + GAP, 0) - GAP;
  let top = -height / 2;
  rows.forEach((row, r) => {
    const rowHeight = heightOf(row);
    // Every other row runs right to left: the next box is always beside the one before it.
    const inOrder = r % 2 === 0 ? row : [...row].reverse();
    let left = -widthOf(row) / 2;
    for (const b of inOrder) {
      out.set(b.id, { x: left + b.width / 2, y: top + rowHeight / 2 });
      left += b.width + GAP;
    }
    top += rowHeight + GAP;
  });
  return out;
}
