import { spectralPositions } from './spectral-layout';

/**
 * Where the workloads of an opened island go. An island is drawn the size of the box it opens
 * into, so the island layout leaves room for every namespace opened at once: opening one puts its
 * workloads on a grid inside its own footprint, and nothing else on the map moves.
 */

/** One workload's cell: wide enough for its label (cytoscape's text-max-width is 130 px). */
export const CELL_WIDTH = 150;
export const CELL_HEIGHT = 80;

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

function columns(count: number): number {
  // Cells are wider than tall: more rows than columns keeps the box roughly square.
  return Math.max(1, Math.ceil(Math.sqrt((count * CELL_HEIGHT) / CELL_WIDTH)));
}

/** The box a namespace of `count` workloads opens into (and the island's drawn size). */
export function islandFootprint(count: number): Size {
  const n = Math.max(1, count);
  const cols = columns(n);
  return { width: cols * CELL_WIDTH, height: Math.ceil(n / cols) * CELL_HEIGHT };
}

/**
 * Cell centres for the workloads of an opened island, row by row in the order given, the grid
 * centred on the island's position. Callers pass ids sorted, so the same namespace always opens
 * into the same picture.
 */
export function gridPositions(ids: readonly string[], center: Point): Map<string, Point> {
  const out = new Map<string, Point>();
  if (!ids.length) return out;
  const cols = columns(ids.length);
  const { width, height } = islandFootprint(ids.length);
  const left = center.x - width / 2 + CELL_WIDTH / 2;
  const top = center.y - height / 2 + CELL_HEIGHT / 2;
  ids.forEach((id, i) => out.set(id, { x: left + (i % cols) * CELL_WIDTH, y: top + Math.floor(i / cols) * CELL_HEIGHT }));
  return out;
}

/**
 * A cell for a workload that appears in an island already open: the first cell of its grid that
 * no workload holds, or the next row below when the grid is full. Nobody already placed moves.
 */
export function freeCell(taken: readonly Point[], center: Point, count: number): Point {
  const cols = columns(count);
  const { width, height } = islandFootprint(count);
  const left = center.x - width / 2 + CELL_WIDTH / 2;
  const top = center.y - height / 2 + CELL_HEIGHT / 2;
  const near = (p: Point, q: Point) => Math.abs(p.x - q.x) < CELL_WIDTH / 2 && Math.abs(p.y - q.y) < CELL_HEIGHT / 2;
  for (let i = 0; ; i++) {
    const cell = { x: left + (i % cols) * CELL_WIDTH, y: top + Math.floor(i / cols) * CELL_HEIGHT };
    if (!taken.some((p) => near(p, cell))) return cell;
  }
}

export interface Box extends Point, Size {}

/** Whether two boxes (centre and size) overlap, with `margin` kept between them. */
function overlaps(a: Box, b: Box, margin: number): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width + 2 * margin && Math.abs(a.y - b.y) * 2 < a.height + b.height + 2 * margin;
}

/**
 * A spot for a newcomer of `size` near `near` that overlaps nothing placed: rings of candidate spots
 * around `near`, nearest ring first, in a fixed order (the same graph, the same picture). Nothing
 * already placed moves, and no layout runs: a node appearing on a large map costs a few comparisons.
 */
export function freeSpot(near: Point, size: Size, placed: readonly Box[], margin = 60): Point {
  const step = Math.max(size.width, size.height) / 2 + margin;
  const fits = (p: Point) => !placed.some((b) => overlaps({ ...p, ...size }, b, margin));
  if (fits(near)) return near;
  for (let ring = 1; ring < 200; ring++) {
    const spots = 8 * ring;
    for (let i = 0; i < spots; i++) {
      const angle = (2 * Math.PI * i) / spots;
      const p = { x: near.x + Math.cos(angle) * step * ring, y: near.y + Math.sin(angle) * step * ring };
      if (fits(p)) return p;
    }
  }
  return { x: near.x, y: near.y + step * 200 };
}

/**
 * Where each island (or peer drawn on its own) goes on the islands picture: a spectral drawing of
 * the islands by how much they talk to each other (spectral-layout.ts), dealt into rows. `links`:
 * pairs of ids with a weight; order and repeats do not matter. The same graph always gives the
 * same picture, in ~10 ms for the 107 islands of the 5,000-workload demo.
 */
export function islandPositions(boxes: readonly (Size & { id: string })[], links: Iterable<readonly [string, string, number?]>): Map<string, Point> {
  const at = spectralPositions(boxes.map((b) => b.id), links);
  return dealIntoRows(boxes.map((b) => ({ ...b, ...at.get(b.id)! })));
}

/**
 * Boxes dealt into rows that keep their arrangement: islands are too large to be drawn where a
 * layout computed on points puts them (at 5,000 workloads, 107 islands of ~930 x 750 px; fcose
 * piled them up with 400 overlapping pairs, names and edges hidden under other islands). The boxes
 * are dealt into rows by height on the picture, each row ordered by its boxes' places from left to
 * right, rows packed edge to edge with `margin` between boxes: what was above stays above, what was
 * left in its row stays left, and the picture is about as wide as it is tall and as compact as the
 * boxes allow (so names stay readable when the whole cluster is on screen). Deterministic: ties are
 * broken by id.
 */
export function dealIntoRows(boxes: readonly (Box & { id: string })[], margin = 60): Map<string, Point> {
  const out = new Map<string, Point>();
  if (!boxes.length) return out;
  const byId = (p: { id: string }, q: { id: string }) => (p.id < q.id ? -1 : p.id > q.id ? 1 : 0);
  // A pixel more than the margin: sums of fractional sizes must not land a hair inside it.
  const gap = margin + 1;
  const meanW = boxes.reduce((s, b) => s + b.width, 0) / boxes.length + gap;
  const meanH = boxes.reduce((s, b) => s + b.height, 0) / boxes.length + gap;
  // As many rows as make the picture about as wide as it is tall.
  const rows = Math.max(1, Math.round(Math.sqrt((boxes.length * meanW) / meanH)));
  const perRow = Math.ceil(boxes.length / rows);
  const cx = boxes.reduce((s, b) => s + b.x, 0) / boxes.length;
  const cy = boxes.reduce((s, b) => s + b.y, 0) / boxes.length;
  const byHeight = [...boxes].sort((p, q) => p.y - q.y || byId(p, q));
  const rowList: (typeof boxes)[number][][] = [];
  for (let i = 0; i < byHeight.length; i += perRow) rowList.push(byHeight.slice(i, i + perRow).sort((p, q) => p.x - q.x || byId(p, q)));
  const heights = rowList.map((row) => Math.max(...row.map((b) => b.height)));
  const total = heights.reduce((s, h) => s + h, 0) + gap * (rowList.length - 1);
  let top = cy - total / 2;
  rowList.forEach((row, r) => {
    const width = row.reduce((s, b) => s + b.width, 0) + gap * (row.length - 1);
    let left = cx - width / 2;
    const y = top + heights[r] / 2;
    for (const b of row) {
      out.set(b.id, { x: left + b.width / 2, y });
      left += b.width + gap;
    }
    top += heights[r] + gap;
  });
  return out;
}
