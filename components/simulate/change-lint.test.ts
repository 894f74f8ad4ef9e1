import { describe, expect, it } from 'vitest';
import { parseChange } from '@/lib/what-if/proposed-change';
import { problemRanges, problemText } from './change-lint';

describe('problemRanges', () => {
  it('puts a YAML syntax error at its line and column', () => {
    const text = 'kind: NetworkPolicy\nmetadata:\n  name: [x\n';
    const { problems } = parseChange({ yaml: text });
    expect(problems.length).toBeGreaterThan(0);
    const first = problems[0];
    expect(first.severity).toBe('error');
    expect(first.line).toBeGreaterThanOrEqual(3);
    const [r] = problemRanges(text, problems);
    // The range starts where line and column say.
    const lines = text.split('\n');
    const offset = lines.slice(0, first.line! - 1).join('\n').length + 1 + (first.column! - 1);
    expect(r.from).toBe(Math.min(offset, text.length));
    expect(problemText(first)).toMatch(/^line \d+, column \d+: /);
  });

  it('marks the word a policy problem points at', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolcy\nmetadata:\n  name: a\n  namespace: b\n';
    const { problems } = parseChange({ yaml: text });
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', field: 'kind', line: 2, column: 7 })]);
    const [r] = problemRanges(text, problems);
    expect(text.slice(r.from, r.to)).toBe('NetworkPolcy');
  });

  it('keeps a position past the end of the text inside it, and leaves out problems without a line', () => {
    const ranges = problemRanges('a: 1', [
      { severity: 'error', message: 'late', line: 9, column: 40 },
      { severity: 'error', message: 'no place' },
    ]);
    expect(ranges).toEqual([{ from: 4, to: 4, severity: 'error', message: 'late' }]);
    expect(problemText({ severity: 'error', message: 'no place' })).toBe('no place');
  });
});
