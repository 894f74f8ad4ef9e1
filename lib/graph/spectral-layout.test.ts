import { describe, expect, it } from 'vitest';
import { spectralPositions } from './spectral-layout';

// Koren, "Drawing graphs by eigenvectors: theory and practice" (2005): the degree-normalized
// eigenvectors place heavily linked nodes near each other.

describe('spectralPositions', () => {
  it('gives the same coordinates whatever the order of ids and links, repeats adding up', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const links: [string, string, number][] = [['a', 'b', 2], ['b', 'c', 1], ['c', 'd', 3], ['d', 'e', 1], ['e', 'a', 1], ['a', 'c', 1]];
    const at = spectralPositions(ids, links);
    const split: [string, string, number][] = [...links.map(([a, b, w]) => [b, a, w / 2] as [string, string, number]), ...links.map(([a, b, w]) => [a, b, w / 2] as [string, string, number])];
    const again = spectralPositions([...ids].reverse(), split.reverse());
    for (const id of ids) {
      expect(again.get(id)!.x).toBeCloseTo(at.get(id)!.x, 9);
      expect(again.get(id)!.y).toBeCloseTo(at.get(id)!.y, 9);
    }
  });

  it('sets two loosely joined groups apart along the first axis', () => {
    const left = ['l1', 'l2', 'l3', 'l4', 'l5'];
    const right = ['r1', 'r2', 'r3', 'r4', 'r5'];
    const links: [string, string, number][] = [];
    for (const group of [left, right]) for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) links.push([group[i], group[j], 10]);
    links.push(['l1', 'r1', 1]);
    const at = spectralPositions([...left, ...right], links);
    const xs = (group: string[]) => group.map((id) => at.get(id)!.x);
    // One group on each side of the middle.
    const [lo, hi] = Math.max(...xs(left)) < Math.min(...xs(right)) ? [left, right] : [right, left];
    expect(Math.max(...xs(lo))).toBeLessThan(Math.min(...xs(hi)));
  });

  it('puts nodes without a link in a row of their own below, and ignores loops and unknown ids', () => {
    const at = spectralPositions(['a', 'b', 'c', 'lone1', 'lone2'], [['a', 'b'], ['b', 'c'], ['c', 'a'], ['lone1', 'lone1'], ['lone2', 'gone']]);
    const lowest = Math.max(...['a', 'b', 'c'].map((id) => at.get(id)!.y));
    expect(at.get('lone1')!.y).toBeGreaterThan(lowest);
    expect(at.get('lone2')!.y).toBe(at.get('lone1')!.y);
    expect(at.get('lone1')!.x).toBeLessThan(at.get('lone2')!.x);
    for (const p of at.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    expect(spectralPositions([], []).size).toBe(0);
  });
});
