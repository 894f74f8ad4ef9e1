import { describe, expect, it } from 'vitest';
import { BoundedRing } from './flow-ring';

const all = () => true;
const fill = (ring: BoundedRing<number, string>, n: number) => {
  for (let i = 0; i < n; i++) ring.push(i, `edge-${i % 3}`);
};

describe('BoundedRing', () => {
  it('keeps the last `capacity` items; readers follow by sequence number', () => {
    const ring = new BoundedRing<number, string>(4);
    fill(ring, 3);
    expect(ring.size).toBe(3);
    const first = ring.since(0, all, 10);
    expect(first).toEqual({ items: [0, 1, 2], next: 3, skipped: 0 });
    ring.push(3, 'edge-0');
    expect(ring.since(first.next, all, 10)).toEqual({ items: [3], next: 4, skipped: 0 });
  });

  it('a reader that fell behind skips ahead and learns how many it missed', () => {
    const ring = new BoundedRing<number, string>(4);
    fill(ring, 10);
    expect(ring.size).toBe(4);
    expect(ring.since(1, all, 100)).toEqual({ items: [6, 7, 8, 9], next: 10, skipped: 5 });
  });

  it('stops at the limit of matches and continues where it stopped', () => {
    const ring = new BoundedRing<number, string>(8);
    fill(ring, 8);
    const even = (n: number) => n % 2 === 0;
    const a = ring.since(0, even, 2);
    expect(a.items).toEqual([0, 2]);
    expect(ring.since(a.next, even, 10).items).toEqual([4, 6]);
  });

  it('passes each item its own tag, also after wrapping around', () => {
    const ring = new BoundedRing<number, string>(3);
    fill(ring, 7);
    expect(ring.latest((_n, tag) => tag === 'edge-0', 10)).toEqual([6]);
    expect(ring.since(0, (_n, tag) => tag === 'edge-1', 10).items).toEqual([4]);
  });

  it('latest is newest first, bounded by the limit and by what is still held', () => {
    const ring = new BoundedRing<number, string>(5);
    fill(ring, 12);
    expect(ring.latest(all, 3)).toEqual([11, 10, 9]);
    expect(ring.latest(all, 100)).toEqual([11, 10, 9, 8, 7]);
    expect(new BoundedRing<number>(2).latest(all, 5)).toEqual([]);
  });

  it('refuses a capacity that cannot hold anything', () => {
    expect(() => new BoundedRing(0)).toThrow(RangeError);
    expect(() => new BoundedRing(1.5)).toThrow(RangeError);
  });
});
