import { describe, expect, it } from 'vitest';
import { aggregateWidth, arrowSize, distanceToSegment, segmentAt, segmentBetween, segmentMeets, withArrow } from './aggregate-lines';

const box = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

describe('aggregateWidth: the stylesheet mapping mapData(weight, 1, 6, 2, 9)', () => {
  it.each([
    [1, 2],
    [3.5, 5.5],
    [6, 9],
    [0, 2], // below the range: clamped, as cytoscape's mapData clamps
    [10, 9],
    [Number.NaN, 2],
  ])('weight %s draws %s wide', (weight, width) => expect(aggregateWidth(weight)).toBeCloseTo(width));
});

describe('arrowSize: cytoscape sizes a triangle arrow max((width * 13.37)^0.9, 29) * arrow-scale, 0.3 long and 0.15 to a side', () => {
  it('thin lines get the minimum arrow', () => {
    // (2 * 13.37)^0.9 = 19.3 < 29: the floor; times the aggregates' arrow scale 1.4.
    expect(arrowSize(2).length).toBeCloseTo(0.3 * 29 * 1.4);
    expect(arrowSize(2).halfWidth).toBeCloseTo(0.15 * 29 * 1.4);
  });
  it('thick lines get a bigger one', () => {
    expect(arrowSize(9).length).toBeCloseTo(0.3 * Math.pow(9 * 13.37, 0.9) * 1.4);
  });
});

describe('segmentBetween: from the source box border to the target box border', () => {
  it('a horizontal pair leaves at the right edge and enters at the left edge', () => {
    expect(segmentBetween(box(0, 0, 100, 50), box(300, 0, 100, 50))).toEqual({ x1: 50, y1: 0, x2: 250, y2: 0 });
  });

  it('a diagonal leaves through the side it crosses first (a wide box: top or bottom)', () => {
    const s = segmentBetween(box(0, 0, 200, 20), box(100, 100, 20, 20))!;
    // From (0,0) towards (100,100): the wide, flat box is left through its bottom (y = 10).
    expect(s.y1).toBeCloseTo(10);
    expect(s.x1).toBeCloseTo(10);
    // The small target is entered through its top-left corner region: at x = 90, y = 90.
    expect(s.x2).toBeCloseTo(90);
    expect(s.y2).toBeCloseTo(90);
  });

  it('nothing to draw for boxes that overlap along the line, or share a centre', () => {
    expect(segmentBetween(box(0, 0, 100, 100), box(60, 0, 100, 100))).toBeNull();
    expect(segmentBetween(box(0, 0, 100, 100), box(0, 0, 10, 10))).toBeNull();
  });

  it('boxes that just touch leave nothing either', () => {
    expect(segmentBetween(box(0, 0, 100, 100), box(100, 0, 100, 100))).toBeNull();
  });
});

describe('withArrow: the line stops where the arrow starts, its tip on the target border', () => {
  it('a long segment: line to the arrow base, tip at the end, base across the line', () => {
    const d = withArrow({ x1: 0, y1: 0, x2: 100, y2: 0 }, 2);
    const { length, halfWidth } = arrowSize(2);
    expect(d.tip).toEqual({ x: 100, y: 0 });
    expect(d.line).toEqual({ x1: 0, y1: 0, x2: 100 - length, y2: 0 });
    expect(d.left.x).toBeCloseTo(100 - length);
    expect(Math.abs(d.left.y)).toBeCloseTo(halfWidth);
    expect(d.right.y).toBeCloseTo(-d.left.y);
  });

  it('a segment shorter than its arrow keeps the arrow, not the line', () => {
    const d = withArrow({ x1: 0, y1: 0, x2: 0, y2: 5 }, 2);
    expect(d.line).toBeNull();
    expect(d.tip).toEqual({ x: 0, y: 5 });
  });
});

describe('distanceToSegment and segmentAt: what a click lands on', () => {
  const s = { x1: 0, y1: 0, x2: 100, y2: 0 };

  it('measures to the nearest point of the segment, ends included', () => {
    expect(distanceToSegment({ x: 50, y: 7 }, s)).toBeCloseTo(7);
    expect(distanceToSegment({ x: -3, y: 4 }, s)).toBeCloseTo(5);
    expect(distanceToSegment({ x: 5, y: 5 }, { x1: 1, y1: 1, x2: 1, y2: 1 })).toBeCloseTo(Math.hypot(4, 4));
  });

  it('takes a line within its half width plus the slack, and nothing beyond', () => {
    const lines = [{ id: 'a', segment: s, width: 4 }];
    expect(segmentAt({ x: 50, y: 6.9 }, lines, 5)?.id).toBe('a');
    expect(segmentAt({ x: 50, y: 7.1 }, lines, 5)).toBeNull();
    expect(segmentAt({ x: 120, y: 0 }, lines, 5)).toBeNull();
  });

  it('takes the nearest of two, and the one drawn last (on top) on a tie', () => {
    const lines = [
      { id: 'low', segment: { x1: 0, y1: 0, x2: 100, y2: 0 }, width: 2 },
      { id: 'high', segment: { x1: 0, y1: 6, x2: 100, y2: 6 }, width: 2 },
    ];
    expect(segmentAt({ x: 50, y: 1 }, lines, 5)?.id).toBe('low');
    expect(segmentAt({ x: 50, y: 5 }, lines, 5)?.id).toBe('high');
    expect(segmentAt({ x: 50, y: 3 }, lines, 5)?.id).toBe('high');
  });
});

describe('segmentMeets: lines off screen are not drawn', () => {
  const view = { x1: 0, y1: 0, x2: 100, y2: 100 };
  it.each([
    ['inside', { x1: 10, y1: 10, x2: 20, y2: 20 }, true],
    ['crossing the view', { x1: -50, y1: 50, x2: 150, y2: 50 }, true],
    ['left of it', { x1: -50, y1: 10, x2: -20, y2: 90 }, false],
    ['just outside, within the margin', { x1: -8, y1: 10, x2: -5, y2: 90 }, true],
  ])('%s', (_name, seg, meets) => expect(segmentMeets(seg, view, 6)).toBe(meets));
});
