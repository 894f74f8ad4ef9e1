/**
 * Node positions remembered in this browser, so a reload shows the picture people saw (and any
 * node they dragged stays where they put it). Bounded: the newest layout wins, capped in size.
 */

const KEY = 'flowsight.map.positions.v1';
const MAX_NODES = 5000;

type Position = { x: number; y: number };

export function loadPositions(): Map<string, Position> {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return new Map();
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object') return new Map();
    const out = new Map<string, Position>();
    for (const [id, p] of Object.entries(parsed as Record<string, unknown>)) {
      if (Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1])) out.set(id, { x: p[0] as number, y: p[1] as number });
    }
    return out;
  } catch {
    return new Map(); // corrupt or unavailable storage: lay out afresh
  }
}

/** Records these nodes' positions, keeping others remembered earlier (another filter's view) while room remains. */
export function savePositions(positions: readonly (readonly [string, Position])[]): void {
  const doc: Record<string, [number, number]> = {};
  for (const [id, p] of positions.slice(0, MAX_NODES)) doc[id] = [Math.round(p.x), Math.round(p.y)];
  let room = MAX_NODES - Object.keys(doc).length;
  for (const [id, p] of loadPositions()) {
    if (room <= 0) break;
    if (id in doc) continue;
    doc[id] = [p.x, p.y];
    room--;
  }
  try {
    localStorage.setItem(KEY, JSON.stringify(doc));
  } catch {
    /* private mode or quota: positions are a convenience */
  }
}

export function forgetPositions(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* unavailable storage */
  }
}
