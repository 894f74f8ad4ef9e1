import type { ChangeProblem } from '@/lib/what-if/proposed-change';
import { problemText } from './change-lint';

/** The change's problems under the editor, each with its line and column: errors stop Run, warnings do not. */
export function ChangeProblems({ problems }: { problems: readonly ChangeProblem[] }) {
  if (!problems.length) return null;
  const errors = problems.filter((p) => p.severity === 'error').length;
  return (
    <div data-testid="change-problems" data-errors={errors} role={errors ? 'alert' : undefined} className={`rounded border px-2 py-1 text-xs ${errors ? 'border-red-300 bg-red-50 text-red-800' : 'border-amber-300 bg-amber-50 text-amber-900'}`}>
      {errors > 0 && <p className="font-medium">The change cannot run until {errors === 1 ? 'this error is' : `these ${errors} errors are`} fixed:</p>}
      <ul className="flex flex-col gap-0.5">
        {problems.map((p, i) => (
          <li key={i} data-testid="change-problem" data-severity={p.severity} data-line={p.line ?? ''} data-column={p.column ?? ''} className="font-mono">
            {p.severity === 'error' ? '✖' : '⚠'} {problemText(p)}
          </li>
        ))}
      </ul>
    </div>
  );
}
