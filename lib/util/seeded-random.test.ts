import { describe, expect, it } from 'vitest';
import { hashStrings, seededRandom, withSeededRandom } from './seeded-random';

describe('seeded randomness', () => {
  it('the same seed gives the same sequence, another seed another one', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    const c = seededRandom(43);
    expect([c(), c(), c()]).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('hashes the list, not the concatenation', () => {
    expect(hashStrings(['ab', 'c'])).not.toBe(hashStrings(['a', 'bc']));
    expect(hashStrings(['x', 'y'])).toBe(hashStrings(['x', 'y']));
    expect(hashStrings(['x', 'y'])).not.toBe(hashStrings(['y', 'x']));
  });

  it('withSeededRandom makes Math.random reproducible inside and restores it after, even on a throw', () => {
    const original = Math.random;
    const first = withSeededRandom(7, () => [Math.random(), Math.random()]);
    expect(withSeededRandom(7, () => [Math.random(), Math.random()])).toEqual(first);
    expect(Math.random).toBe(original);
    expect(() => withSeededRandom(7, () => { throw new Error('layout failed'); })).toThrow('layout failed');
    expect(Math.random).toBe(original);
  });
});
