import { describe, expect, it } from 'vitest';
import { countE2e, countUnit } from './test-counts.mjs';

const stats = (expected: number, unexpected: number, flaky = 0) => ({ expected, unexpected, flaky, skipped: 0 });

describe('countE2e: Playwright report and exit status to the gate line', () => {
  it('counts passed, flaky-but-passed and failed tests', () => {
    expect(countE2e({ stats: stats(140, 2, 1), errors: [] }, 1)).toEqual({ passed: 141, failed: 2 });
    expect(countE2e({ stats: stats(143, 0), errors: [] }, 0)).toEqual({ passed: 143, failed: 0 });
  });

  it('fails when Playwright could not start its web server (no test ran, the error listed)', () => {
    // The shape Playwright writes when the E2E port is already held by another server.
    const report = { stats: stats(0, 0), errors: [{ message: 'Error: Process from config.webServer was not able to start. Exit code: 1' }] };
    expect(countE2e(report, 1)).toEqual({ passed: 0, failed: 1 });
  });

  it('fails when no test ran, even with no error listed and a zero exit status', () => {
    expect(countE2e({ stats: stats(0, 0) }, 0).failed).toBe(1);
  });

  it('fails when every test passed but Playwright exited non-zero (a global teardown error)', () => {
    expect(countE2e({ stats: stats(143, 0), errors: [] }, 1)).toEqual({ passed: 143, failed: 1 });
    expect(countE2e({ stats: stats(143, 0), errors: [{}, {}] }, 1)).toEqual({ passed: 143, failed: 2 });
  });

  it('fails when there is no report at all', () => {
    expect(countE2e(null, 0)).toEqual({ passed: 0, failed: 1 });
  });
});

describe('countUnit: vitest report and exit status to the gate line', () => {
  const file = (status: string, assertions: number) => ({ status, assertionResults: Array.from({ length: assertions }, () => ({})) });

  it('counts passed and failed tests', () => {
    expect(countUnit({ numPassedTests: 10, numFailedTests: 2, testResults: [file('failed', 3)] }, 1)).toEqual({ passed: 10, failed: 2 });
  });

  it('counts a test file that failed to load once', () => {
    expect(countUnit({ numPassedTests: 10, numFailedTests: 0, testResults: [file('passed', 10), file('failed', 0)] }, 1)).toEqual({ passed: 10, failed: 1 });
  });

  it('fails a run that exited non-zero with no failed test (an unhandled error)', () => {
    expect(countUnit({ numPassedTests: 10, numFailedTests: 0, testResults: [file('passed', 10)] }, 1)).toEqual({ passed: 10, failed: 1 });
    expect(countUnit({ numPassedTests: 10, numFailedTests: 0, testResults: [file('passed', 10)] }, 0)).toEqual({ passed: 10, failed: 0 });
  });

  it('fails when there is no report at all', () => {
    expect(countUnit(null, 0)).toEqual({ passed: 0, failed: 1 });
  });
});
