import { describe, expect, it } from 'vitest';
import { foldAt, LayeredMap } from './layered-map';

/** What a plain Map gives for the same changes: the reference every version is checked against. */
function reference(start: Iterable<[string, number]>, steps: Array<{ remove: string[]; set: Array<[string, number]> }>): Map<string, number> {
  const m = new Map(start);
  for (const { remove, set } of steps) {
    for (const k of remove) m.delete(k);
    for (const [k, v] of set) m.set(k, v);
  }
  return m;
}

const expectSame = (got: ReadonlyMap<string, number>, want: Map<string, number>) => {
  expect(got.size).toBe(want.size);
  expect([...got.entries()]).toEqual([...want.entries()]);
  expect([...got.keys()]).toEqual([...want.keys()]);
  expect([...got.values()]).toEqual([...want.values()]);
  expect([...got]).toEqual([...want]);
  for (const [k, v] of want) {
    expect(got.get(k)).toBe(v);
    expect(got.has(k)).toBe(true);
  }
};

describe('LayeredMap', () => {
  it('reads like the map it starts from', () => {
    const m = LayeredMap.over(new Map([['a', 1], ['b', 2]]));
    expectSame(m, new Map([['a', 1], ['b', 2]]));
    expect(m.get('zz')).toBeUndefined();
    expect(m.has('zz')).toBe(false);
  });

  it('wraps a LayeredMap as it is', () => {
    const m = LayeredMap.over(new Map([['a', 1]]));
    expect(LayeredMap.over(m)).toBe(m);
  });

  it('keeps every earlier version as it was', () => {
    const v0 = LayeredMap.over(new Map([['a', 1], ['b', 2], ['c', 3]]));
    const v1 = v0.with(['b'], [['d', 4]]);
    const v2 = v1.with([], [['a', 10], ['b', 20]]);
    expectSame(v0, new Map([['a', 1], ['b', 2], ['c', 3]]));
    expectSame(v1, new Map([['a', 1], ['c', 3], ['d', 4]]));
    expect(v2.get('b')).toBe(20);
    expect(v2.size).toBe(4);
    expect(v2.get('a')).toBe(10);
    // b, removed and set again, keeps the place it had in the base (a Map would move it last).
    expect([...v2.keys()]).toEqual(['a', 'b', 'c', 'd']);
  });

  it('counts the size through removals of absent keys, repeats and re-adds', () => {
    const v0 = LayeredMap.over(new Map([['a', 1]]));
    const v1 = v0.with(['nope', 'a', 'a'], [['b', 2], ['b', 3], ['a', 4]]);
    expect(v1.size).toBe(2);
    expect(v1.get('b')).toBe(3);
    expect(v1.get('a')).toBe(4);
    // A key added over the base and removed again leaves nothing behind.
    const v2 = v1.with(['b'], []);
    expect(v2.size).toBe(1);
    expect(v2.has('b')).toBe(false);
    expect([...v2]).toEqual([['a', 4]]);
  });

  it('removes and sets within one change in that order (removal first, as applyDelta does)', () => {
    const v = LayeredMap.over(new Map([['a', 1]])).with(['a'], [['a', 2]]);
    expect(v.get('a')).toBe(2);
    expect(v.size).toBe(1);
  });

  it('gives what a Map gives over many changes, across folds into a new base', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const start: Array<[string, number]> = Array.from({ length: 400 }, (_, i) => [`k${i}`, i]);
    const steps: Array<{ remove: string[]; set: Array<[string, number]> }> = [];
    let m = LayeredMap.over(new Map(start));
    const versions: Array<[LayeredMap<string, number>, number]> = [];
    for (let s = 0; s < 120; s++) {
      const remove = Array.from({ length: rand(6) }, () => `k${rand(600)}`);
      const set = Array.from({ length: rand(30) }, () => [`k${rand(600)}`, rand(1000)] as [string, number]);
      steps.push({ remove, set });
      m = m.with(remove, set);
      versions.push([m, steps.length]);
    }
    // Folded at least once (400 entries fold past foldAt(400) = 320 changes), and every version still reads right.
    expect(foldAt(400)).toBe(320);
    for (const [v, n] of versions) {
      const want = reference(start, steps.slice(0, n));
      expect(v.size).toBe(want.size);
      expect(new Map(v)).toEqual(want);
      for (const k of ['k0', 'k17', 'k399', 'k450', 'k599']) expect(v.get(k)).toBe(want.get(k));
    }
  });

  it('keeps a Map order: a changed key stays where it was, a new key comes last', () => {
    const v = LayeredMap.over(new Map([['a', 1], ['b', 2], ['c', 3]])).with([], [['z', 26], ['b', 20]]);
    expect([...v.keys()]).toEqual(['a', 'b', 'c', 'z']);
    expect([...v.values()]).toEqual([1, 20, 3, 26]);
  });

  it('folds the layer into a new base past foldAt, in the order a Map would have', () => {
    const base = new Map(Array.from({ length: 16 }, (_, i) => [`k${i}`, i] as [string, number]));
    // foldAt(16) is the floor of 64: 65 changes fold.
    const set = Array.from({ length: 65 }, (_, i) => [`n${i}`, i] as [string, number]);
    const v = LayeredMap.over(base).with(['k3'], [['k5', 50], ...set]);
    const want = new Map(base);
    want.delete('k3');
    want.set('k5', 50);
    for (const [k, x] of set) want.set(k, x);
    expectSame(v, want);
    // The map it started from was not changed by the fold.
    expect(base.get('k3')).toBe(3);
    expect(base.size).toBe(16);
  });

  it('calls forEach with value, key and the map', () => {
    const v = LayeredMap.over(new Map([['a', 1]])).with([], [['b', 2]]);
    const seen: Array<[number, string, boolean]> = [];
    v.forEach((value, key, map) => seen.push([value, key, map === v]));
    expect(seen).toEqual([[1, 'a', true], [2, 'b', true]]);
  });
});
