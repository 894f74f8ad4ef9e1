/**
 * The islands picture's layout, computed on a headless cytoscape holding only what the layout needs:
 * the islands and peers with their sizes, and one edge per pair of them that is connected, each
 * island keeping only its STRONGEST_LINKS heaviest pairs (a busy cluster links most namespaces to
 * most others, and every spring costs each iteration; the strongest ones decide the picture). On the
 * canvas, fcose would first compute the style and bounding box of every aggregate edge (over a
 * thousand at 5,000 workloads: about a second of the page's main thread, most of the first layout),
 * only for those edges to move with their ends right after. fcose places large islands on top of
 * each other, so its picture is then dealt into rows that keep its arrangement (separateBoxes).
 * Seeded by what it lays out, so the same graph always gives the same picture.
 */

import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { separateBoxes, type Point } from '@/lib/graph/island-layout';
import { hashStrings, withSeededRandom } from '@/lib/util/seeded-random';

cytoscape.use(fcose);

export interface IslandBox {
  id: string;
  width: number;
  height: number;
  /** Where it starts (a remembered spot or its own seeded one). */
  position: Point;
}

/** Links each island keeps for the layout (the union over islands: a pair stays if either end keeps it). */
const STRONGEST_LINKS = 6;

/** Nodes at which the layout drops its polishing pass (fcose "draft": spectral only). */
const DRAFT_ABOVE = 300;

function islandLayoutOptions(nodeCount: number): cytoscape.LayoutOptions {
  return {
    name: 'fcose',
    quality: nodeCount > DRAFT_ABOVE ? 'draft' : 'default',
    randomize: true,
    animate: false,
    nodeDimensionsIncludeLabels: false,
    nodeRepulsion: () => 400_000,
    idealEdgeLength: () => 260,
    edgeElasticity: () => 0.1,
    gravity: 0.4,
    nodeSeparation: 200,
    // On 107 islands (5,000 workloads) the polishing pass gives the same total link length with 500
    // iterations as with 1,500, in a third of the time, which the first picture waits for.
    numIter: 500,
    packComponents: true,
    fit: false,
  } as cytoscape.LayoutOptions;
}

/**
 * Where each box goes. `links`: connected pairs of box ids with a weight (how much they carry); order
 * and repeats do not matter (repeats add up).
 */
export function islandPositions(boxes: readonly IslandBox[], links: Iterable<readonly [string, string, number?]>): Map<string, Point> {
  const pairs = strongestPairs(new Set(boxes.map((b) => b.id)), links);
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    // Sizes only: no labels to measure, and straight edges with nothing to compute.
    style: [
      { selector: 'node', style: { width: 'data(width)', height: 'data(height)', label: '' } },
      { selector: 'edge', style: { 'curve-style': 'haystack' } },
    ],
  });
  try {
    cy.add([
      ...[...boxes].sort((a, b) => (a.id < b.id ? -1 : 1)).map((b) => ({ group: 'nodes' as const, data: { id: b.id, width: b.width, height: b.height }, position: { ...b.position } })),
      // In one order whatever order the links came in: the layout depends on it.
      ...[...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, { source, target }]) => ({ group: 'edges' as const, data: { id: key, source, target } })),
    ]);
    const eles = cy.elements();
    const seed = hashStrings(eles.map((e) => e.id()).sort());
    withSeededRandom(seed, () => eles.layout(islandLayoutOptions(boxes.length)).run());
    // fcose leaves large islands overlapping: moved apart, neighbours kept side by side.
    return separateBoxes(cy.nodes().map((n) => ({ id: n.id(), ...n.position(), width: Number(n.data('width')), height: Number(n.data('height')) })));
  } finally {
    cy.destroy();
  }
}

export type Pair = { source: string; target: string; weight: number };

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
  const order = ([ka, a]: [string, Pair], [kb, b]: [string, Pair]) => b.weight - a.weight || (ka < kb ? -1 : ka > kb ? 1 : 0);
  for (const list of byBox.values()) for (const [key, pair] of list.sort(order).slice(0, STRONGEST_LINKS)) kept.set(key, pair);
  return kept;
}
