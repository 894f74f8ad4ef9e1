/**
 * The geometry of the islands level's aggregated edges, which the map draws on its own canvas layer
 * instead of as cytoscape edges (components/map/aggregate-layer.ts): a thousand-odd aggregates cost
 * cytoscape 1-1.5 s of style and drawing in the first islands frame of a 5,000-workload cluster, and
 * a few hundred milliseconds again on every live tick that touched them. Plain lines between boxes,
 * in model coordinates, drawn the way cytoscape draws a straight edge with a triangle arrow, so the
 * picture does not change: the line leaves the source's border and its arrow's tip touches the
 * target's border.
 */

import type { Box, Point } from './island-layout';
import type { EdgeStatus } from './types';

/** One aggregated edge: the two elements it joins, its worst status and its weight (1-6, quarter steps). */
export interface AggregateLine {
  id: string;
  source: string;
  target: string;
  status: EdgeStatus;
  weight: number;
}

/** A segment from the source's border (x1, y1) to the target's border (x2, y2). */
export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The stylesheet's `mapData(weight, 1, 6, 2, 9)` for aggregates: weight 1 draws 2 units wide, 6 and up 9. */
export function aggregateWidth(weight: number): number {
  const w = Math.min(6, Math.max(1, Number.isFinite(weight) ? weight : 1));
  return 2 + ((w - 1) / 5) * 7;
}

/** The stylesheet's arrow scale for aggregates. */
const ARROW_SCALE = 1.4;

/**
 * A triangle arrow's length and half width for a line `width` wide, as cytoscape sizes it
 * (`getArrowWidth`: max((width * 13.37)^0.9, 29) * arrow-scale; the triangle spans 0.3 of that
 * along the line and 0.15 to each side).
 */
export function arrowSize(width: number): { length: number; halfWidth: number } {
  const size = Math.max(Math.pow(width * 13.37, 0.9), 29) * ARROW_SCALE;
  return { length: 0.3 * size, halfWidth: 0.15 * size };
}

/**
 * Where the line from `from`'s centre to `to`'s centre leaves `from`'s box and enters `to`'s.
 * Null when there is nothing to draw between them: the boxes overlap along the line (one inside or
 * over the other) or share a centre.
 */
export function segmentBetween(from: Box, to: Box): Segment | null {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  if (dx === 0 && dy === 0) return null;
  const out = exitFraction(from, dx, dy);
  const into = 1 - exitFraction(to, -dx, -dy);
  if (into <= out) return null;
  return { x1: from.x + dx * out, y1: from.y + dy * out, x2: from.x + dx * into, y2: from.y + dy * into };
}

/** The fraction of (dx, dy) from a box's centre at which the ray leaves the box. */
function exitFraction(box: Box, dx: number, dy: number): number {
  const fx = dx === 0 ? Infinity : box.width / 2 / Math.abs(dx);
  const fy = dy === 0 ? Infinity : box.height / 2 / Math.abs(dy);
  return Math.min(fx, fy);
}

/**
 * The segment as drawn: the line stops where the arrow starts, the arrow's tip on the target's
 * border. A segment shorter than its arrow keeps its arrow (tip at the border) and no line.
 */
export function withArrow(seg: Segment, width: number): { line: Segment | null; tip: Point; left: Point; right: Point } {
  const dx = seg.x2 - seg.x1;
  const dy = seg.y2 - seg.y1;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const { length, halfWidth } = arrowSize(width);
  const base = { x: seg.x2 - ux * length, y: seg.y2 - uy * length };
  return {
    line: len > length ? { x1: seg.x1, y1: seg.y1, x2: base.x, y2: base.y } : null,
    tip: { x: seg.x2, y: seg.y2 },
    left: { x: base.x - uy * halfWidth, y: base.y + ux * halfWidth },
    right: { x: base.x + uy * halfWidth, y: base.y - ux * halfWidth },
  };
}

/** The distance from a point to a segment. */
export function distanceToSegment(p: Point, s: Segment): number {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - s.x1) * dx + (p.y - s.y1) * dy) / len2));
  return Math.hypot(p.x - (s.x1 + t * dx), p.y - (s.y1 + t * dy));
}

/**
 * The segment nearest `p` within its own half width plus `slack` (model units), or null: what a
 * click at `p` lands on. Ties go to the segment listed last, the one drawn on top.
 */
export function segmentAt<T extends { segment: Segment; width: number }>(p: Point, drawn: readonly T[], slack: number): T | null {
  let best: T | null = null;
  let bestDistance = Infinity;
  for (const d of drawn) {
    const s = d.segment;
    const reach = d.width / 2 + slack;
    // Cheap rejection first: outside the segment's box grown by its reach.
    if (p.x < Math.min(s.x1, s.x2) - reach || p.x > Math.max(s.x1, s.x2) + reach || p.y < Math.min(s.y1, s.y2) - reach || p.y > Math.max(s.y1, s.y2) + reach) continue;
    const distance = distanceToSegment(p, s);
    if (distance <= reach && distance <= bestDistance) {
      best = d;
      bestDistance = distance;
    }
  }
  return best;
}

/** Whether a segment's box meets the rectangle (x1, y1)-(x2, y2): what is off screen is not drawn. */
export function segmentMeets(s: Segment, view: { x1: number; y1: number; x2: number; y2: number }, margin: number): boolean {
  return Math.max(s.x1, s.x2) >= view.x1 - margin && Math.min(s.x1, s.x2) <= view.x2 + margin && Math.max(s.y1, s.y2) >= view.y1 - margin && Math.min(s.y1, s.y2) <= view.y2 + margin;
}
