import { describe, expect, it } from 'vitest';
import type { Histogram, VerdictBuckets } from '@/lib/history/flow-store';
import { dragToRange, layoutBars } from './histogram-geometry';

const bucket = (start: number, counts: Partial<VerdictBuckets> = {}): VerdictBuckets => ({ start, forwarded: 0, dropped: 0, audit: 0, error: 0, other: 0, ...counts });

// Four one-minute buckets from t=0.
const MIN = 60_000;
const h: Histogram = {
  bucketMs: MIN,
  since: 0,
  until: 4 * MIN,
  buckets: [bucket(0, { forwarded: 10 }), bucket(MIN, { forwarded: 5, dropped: 15 }), bucket(2 * MIN), bucket(3 * MIN, { audit: 2, error: 2 })],
};

describe('layoutBars', () => {
  it('places one bar per bucket left to right and scales the tallest to the full height', () => {
    const bars = layoutBars(h, 400, 100);
    expect(bars.map((b) => b.x)).toEqual([0, 100, 200, 300]);
    expect(bars.map((b) => b.total)).toEqual([10, 20, 0, 4]);
    const tallest = bars[1];
    expect(tallest.segments.map((s) => s.verdict)).toEqual(['forwarded', 'dropped']);
    // Stacked bottom-up: forwarded sits on the baseline, dropped on top reaches y=0.
    expect(tallest.segments[0]).toMatchObject({ y: 75, height: 25 });
    expect(tallest.segments[1]).toMatchObject({ y: 0, height: 75 });
    expect(bars[0].segments[0].height).toBe(50);
  });

  it('draws no segment for an empty bucket or an all-empty histogram', () => {
    expect(layoutBars(h, 400, 100)[2].segments).toEqual([]);
    const empty = layoutBars({ ...h, buckets: h.buckets.map((b) => bucket(b.start)) }, 400, 100);
    expect(empty.every((b) => b.segments.length === 0)).toBe(true);
  });

  it('clips the last bucket to the end of the window', () => {
    const ragged: Histogram = { ...h, until: 3.5 * MIN };
    const bars = layoutBars(ragged, 350, 100);
    expect(bars[3].end).toBe(3.5 * MIN);
    expect(bars[3].x + bars[3].width).toBeLessThanOrEqual(350);
  });
});

describe('dragToRange', () => {
  it('widens a drag to the whole buckets it touched', () => {
    // 400 px for 4 minutes: 130 px is inside bucket 1, 250 px inside bucket 2.
    expect(dragToRange(h, 400, 130, 250)).toEqual({ since: MIN, until: 3 * MIN });
  });

  it('reads a right-to-left drag the same way', () => {
    expect(dragToRange(h, 400, 250, 130)).toEqual(dragToRange(h, 400, 130, 250));
  });

  it('treats a tiny movement as a click', () => {
    expect(dragToRange(h, 400, 100, 102)).toBeNull();
  });

  it('clips a drag that leaves the chart to the histogram window', () => {
    expect(dragToRange(h, 400, -50, 120)).toEqual({ since: 0, until: 2 * MIN });
    expect(dragToRange(h, 400, 390, 900)).toEqual({ since: 3 * MIN, until: 4 * MIN });
    expect(dragToRange(h, 400, 500, 900)).toBeNull();
  });

  it('snaps to the buckets of a window that does not start on a bucket boundary', () => {
    const offset: Histogram = { bucketMs: MIN, since: 30_000, until: 30_000 + 4 * MIN, buckets: [0, 1, 2, 3].map((i) => bucket(30_000 + i * MIN)) };
    expect(dragToRange(offset, 400, 10, 190)).toEqual({ since: 30_000, until: 30_000 + 2 * MIN });
  });
});
