// How `npm test` turns each runner's report and exit status into "N passed, N failed". Kept apart
// from scripts/test.mjs so that the rules (especially the ones for a runner that failed before any
// test ran) have unit tests: a gate that reads "0 failed" when nothing ran lets anything land.

/**
 * Vitest's JSON report and exit status. A test file that failed to load (no assertions ran) counts
 * once; a run that exited non-zero with no failed test (a crash, an unhandled error) counts once.
 */
export function countUnit(report, status) {
  if (!report) return { passed: 0, failed: 1 };
  const fileFailures = report.testResults.some((t) => t.status === 'failed' && t.assertionResults.length === 0) ? 1 : 0;
  const failures = report.numFailedTests + fileFailures;
  return { passed: report.numPassedTests, failed: failures > 0 ? failures : status !== 0 ? 1 : 0 };
}

/**
 * Playwright's JSON report and exit status. Playwright can fail before any test runs (its web
 * server's port already taken, a global set-up error): the report then holds no tests but lists the
 * error, and the exit status is non-zero. Each such error counts, and at least one.
 */
export function countE2e(report, status) {
  if (!report) return { passed: 0, failed: 1 };
  const s = report.stats;
  const errors = report.errors?.length ?? 0;
  const ran = s.expected + s.flaky + s.unexpected;
  const outside = s.unexpected === 0 && (errors > 0 || ran === 0 || status !== 0) ? Math.max(1, errors) : 0;
  return { passed: s.expected + s.flaky, failed: s.unexpected + outside };
}
