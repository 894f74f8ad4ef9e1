/** Deterministic randomness: the demo's traffic and the map's layout give the same result every run. */

/** mulberry32: small, fast, good enough for picking demo traffic and seeding a layout. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over strings (order matters): a seed that changes when the inputs change. */
export function hashStrings(values: Iterable<string>): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    for (let i = 0; i < v.length; i++) {
      h ^= v.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff; // separator: ["ab","c"] and ["a","bc"] differ
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Runs `fn` with Math.random drawing from a seeded generator, then restores it. Layout libraries
 * (fcose) call Math.random directly; a synchronous layout run under a seed is reproducible.
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = seededRandom(seed);
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
