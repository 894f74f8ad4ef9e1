/**
 * Where the histogram's bars go and what a drag across them means, as plain arithmetic so it is
 * tested without a browser: buckets -> stacked rectangles per verdict, and a horizontal drag
 * (pixels) -> the time window it covers, snapped outward to whole buckets.
 */

import type { Histogram, VerdictBuckets } from '@/lib/history/flow-store';

export const VERDICT_KEYS = ['forwarded', 'dropped', 'audit', 'error', 'other'] as const;
export type VerdictKey = (typeof VERDICT_KEYS)[number];

export interface BarSegment {
  verdict: VerdictKey;
  count: number;
  y: number;
  height: number;
}

export interface Bar {
  start: number;
  end: number;
  total: number;
  x: number;
  width: number;
  segments: BarSegment[];
}

export const bucketTotal = (b: VerdictBuckets): number => VERDICT_KEYS.reduce((n, k) => n + b[k], 0);

/**
 * Bars for a histogram drawn `width` x `height` px: one per bucket, left to right in time, each
 * stacked bottom-up in VERDICT_KEYS order and scaled so the tallest bucket fills the height.
 */
export function layoutBars(h: Histogram, width: number, height: number): Bar[] {
  const span = Math.max(1, h.until - h.since);
  const max = Math.max(0, ...h.buckets.map(bucketTotal));
  const gap = h.buckets.length > 0 && width / h.buckets.length > 4 ? 1 : 0;
  return h.buckets.map((b) => {
    const end = Math.min(b.start + h.bucketMs, h.until);
    const x = ((b.start - h.since) / span) * width;
    const right = ((end - h.since) / span) * width;
    let top = height;
    const segments: BarSegment[] = [];
    for (const verdict of VERDICT_KEYS) {
      const count = b[verdict];
      if (count <= 0 || max === 0) continue;
      const segHeight = (count / max) * height;
      top -= segHeight;
      segments.push({ verdict, count, y: top, height: segHeight });
    }
    return { start: b.start, end, total: bucketTotal(b), x, width: Math.max(0, right - x - gap), segments };
  });
}

/** Drags shorter than this many pixels are clicks, not a window. */
export const MIN_DRAG_PX = 4;

/**
 * The window a drag from `x0` to `x1` (px, either direction) selects on a histogram `width` px
 * wide: widened to whole buckets so every bar the drag touched is in, clipped to the histogram's
 * own window. Null for a click (less than MIN_DRAG_PX) or a drag outside the bars.
 */
export function dragToRange(h: Histogram, width: number, x0: number, x1: number): { since: number; until: number } | null {
  if (width <= 0 || Math.abs(x1 - x0) < MIN_DRAG_PX) return null;
  const span = h.until - h.since;
  if (span <= 0) return null;
  const clamp = (x: number) => Math.min(width, Math.max(0, x));
  const left = clamp(Math.min(x0, x1));
  const right = clamp(Math.max(x0, x1));
  if (right - left < MIN_DRAG_PX) return null;
  const toTime = (x: number) => h.since + (x / width) * span;
  const step = h.bucketMs > 0 ? h.bucketMs : span;
  // Buckets are aligned to `since` in the response's own grid: snap relative to the first bucket.
  const origin = h.buckets[0]?.start ?? h.since;
  const since = Math.max(h.since, origin + Math.floor((toTime(left) - origin) / step) * step);
  const until = Math.min(h.until, origin + Math.ceil((toTime(right) - origin) / step) * step);
  return until > since ? { since, until } : null;
}
