/**
 * How many times slower `candidate` is than `baseline`, for tests that must prove a pattern costs
 * about what a plain one does without depending on this machine's speed. Both run the same number
 * of times (enough for the baseline to take ~10 ms), in alternating rounds so that load from other
 * processes hits both alike; the best round of each is kept.
 */
export function timeRatio(candidate: () => void, baseline: () => void, rounds = 9): number {
  let iterations = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < iterations; i++) baseline();
    if (performance.now() - t >= 10 || iterations >= 1 << 20) break;
    iterations *= 2;
  }
  const time = (fn: () => void) => {
    const t = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    return performance.now() - t;
  };
  let bestCandidate = Infinity;
  let bestBaseline = Infinity;
  for (let r = 0; r < rounds; r++) {
    bestBaseline = Math.min(bestBaseline, time(baseline));
    bestCandidate = Math.min(bestCandidate, time(candidate));
  }
  return bestCandidate / Math.max(bestBaseline, 1e-3);
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
