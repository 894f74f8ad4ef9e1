export interface UnitReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { status: string; assertionResults: unknown[] }[];
}
export interface E2eReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  errors?: { message?: string }[];
}
export interface Counts { passed: number; failed: number }
export function countUnit(report: UnitReport | null, status: number): Counts;
export function countE2e(report: E2eReport | null, status: number): Counts;
