/**
 * The islands picture's layout, computed on a headless cytoscape holding only what the layout needs:
 * the islands and peers with their sizes, and one edge per pair of them that is connected. On the
 * canvas, fcose would first compute the style and bounding box of every aggregate edge (over a
 * thousand at 5,000 workloads: about a second of the page's main thread, most of the first layout),
 * only for those edges to move with their ends right after. Seeded by what it lays out, so the same
 * graph always gives the same picture.
 */

import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { Point } from '@/lib/graph/island-layout';
import { hashStrings, withSeededRandom } from '@/lib/util/seeded-random';

cytoscape.use(fcose);

export interface IslandBox {
  id: string;
  width: number;
  height: number;
  /** Where it starts (a remembered spot or its own seeded one). */
  position: Point;
}

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
    numIter: 1500,
    packComponents: true,
    fit: false,
  } as cytoscape.LayoutOptions;
}

/** Where each box goes. `links`: pairs of box ids that are connected (order and repeats do not matter). */
export function islandPositions(boxes: readonly IslandBox[], links: Iterable<readonly [string, string]>): Map<string, Point> {
  const ids = new Set(boxes.map((b) => b.id));
  const pairs = new Map<string, readonly [string, string]>();
  for (const [a, b] of links) {
    if (a === b || !ids.has(a) || !ids.has(b)) continue;
    const pair = a < b ? ([a, b] as const) : ([b, a] as const);
    pairs.set(`${pair[0]}\u0000${pair[1]}`, pair);
  }
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
      ...[...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, [source, target]]) => ({ group: 'edges' as const, data: { id: key, source, target } })),
    ]);
    const eles = cy.elements();
    const seed = hashStrings(eles.map((e) => e.id()).sort());
    withSeededRandom(seed, () => eles.layout(islandLayoutOptions(boxes.length)).run());
    return new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
  } finally {
    cy.destroy();
  }
}
