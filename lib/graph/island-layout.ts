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
