/**
 * A change's problems where the editor shows them: each one at its 1-based line and column as a
 * character range of the text (the word it points at), and in words for the list under the editor
 * (`line 3, column 5: ...`). Plain data: the CodeMirror linter maps these to its diagnostics.
 */

import type { ChangeProblem } from '@/lib/what-if/proposed-change';

export interface ProblemRange {
  from: number;
  to: number;
  severity: 'error' | 'warning';
  message: string;
}

/** Character offsets of each problem that has a line; the rest (a preset clash) have no place in the text. */
export function problemRanges(text: string, problems: readonly ChangeProblem[]): ProblemRange[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const out: ProblemRange[] = [];
  for (const p of problems) {
    if (p.line === undefined) continue;
    const line = Math.min(Math.max(1, p.line), starts.length);
    const lineStart = starts[line - 1];
    const lineEnd = line < starts.length ? starts[line] - 1 : text.length;
    const from = Math.min(lineStart + Math.max(0, (p.column ?? 1) - 1), lineEnd);
    // The word at the point (a key, a value), else the rest of the line; empty at a line's end.
    const rest = text.slice(from, lineEnd);
    const word = /^[^\s:,#[\]{}]+/.exec(rest)?.[0].length ?? 0;
    out.push({ from, to: from + (word || rest.trimEnd().length), severity: p.severity, message: p.message });
  }
  return out;
}

/** `line 3, column 5: message` (or the message alone when it has no place). */
export function problemText(p: ChangeProblem): string {
  return p.line !== undefined ? `line ${p.line}, column ${p.column ?? 1}: ${p.message}` : p.message;
}
