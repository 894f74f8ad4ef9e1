import type { ReplayProgress } from '@/lib/what-if/replay';
import type { ApiError } from '@/lib/api/problem';
import { ReplayProgressBar } from './ReplayProgressBar';

/** Under a Run button: the progress and Cancel while running, else why the last run failed or that it was cancelled. */
export function ReplayStatus({ state, onCancel, label }: { state: { running: boolean; progress: ReplayProgress | null; error: ApiError | null; cancelled: boolean }; onCancel(): void; label: string }) {
  if (state.running) return <ReplayProgressBar progress={state.progress} onCancel={onCancel} label={label} />;
  if (state.error) {
    return (
      <div role="alert" data-testid="replay-error" data-status={state.error.status} data-code={state.error.code ?? ''} className="rounded border border-red-300 bg-red-50 px-2 py-1 text-xs text-red-800">
        <p className="whitespace-pre-line">{state.error.message}</p>
        {state.error.problems.length > 0 && (
          <ul className="mt-1 font-mono">
            {state.error.problems.map((p, i) => (
              <li key={i}>
                {p.line !== undefined ? `line ${p.line}, column ${p.column ?? 1}: ` : `${p.param}: `}
                {p.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  if (state.cancelled) {
    return (
      <p data-testid="replay-cancelled" className="text-xs text-slate-600">
        Cancelled: the replay was stopped.
      </p>
    );
  }
  return null;
}
