/**
 * How many times slower `candidate` is than `baseline`, for tests that must prove a pattern costs
 * about what a plain one does without depending on this machine's speed. Both run the same number
 * of times (enough for the baseline to take ~20 ms); the best of several rounds is kept.
 */
export function timeRatio(candidate: () => void, baseline: () => void, rounds = 5): number {
  let iterations = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < iterations; i++) baseline();
    if (performance.now() - t >= 20 || iterations >= 1 << 20) break;
    iterations *= 2;
  }
  const best = (fn: () => void) => {
    let min = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      for (let i = 0; i < iterations; i++) fn();
      min = Math.min(min, performance.now() - t);
    }
    return min;
  };
  return best(candidate) / Math.max(best(baseline), 1e-3);
}

/** Patterns that take exponential or high-polynomial time on a backtracking regex engine. */
export const PATHOLOGICAL = {
  /** 24 stars and a letter (the request that froze the server). */
  stars: `${'*'.repeat(24)}x`,
  /** Stars that cannot collapse: `*a*a*...*a*b` against a run of `a`. */
  alternating: `${'*a'.repeat(24)}*b`,
  /** Nested quantifiers for regex fields (RE2 runs them in linear time). */
  nestedRegex: '^(a+)+$',
  /** Backtracks for a minute on a 15-character DNS name in V8 (`api.stripe.com.`). */
  shortTextRegex: '(.*.*.*.*.*)*!',
  /** A text on which those patterns backtrack. */
  text: `${'a'.repeat(60)}c`,
};
