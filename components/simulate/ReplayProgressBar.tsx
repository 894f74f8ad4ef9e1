'use client';

import type { ReplayProgress } from '@/lib/what-if/replay';
import { replayFraction, replayPhaseText } from './replay-state';

/**
 * A running replay: how far it is (from the stream's progress events; indeterminate until the first
 * one), what it is doing, and Cancel (aborts the request; the server stops the replay). Looks like
 * the flow search's QueryProgress.
 */
export function ReplayProgressBar({ progress, onCancel, label }: { progress: ReplayProgress | null; onCancel(): void; label: string }) {
  const fraction = replayFraction(progress);
  return (
    <div role="status" data-testid="replay-progress" data-phase={progress?.phase ?? 'start'} className="flex items-center gap-3 rounded border border-sky-200 bg-sky-50 px-3 py-1.5 text-xs text-sky-900">
      {progress ? <progress aria-label={label} value={fraction} max={1} className="h-1.5 w-48" /> : <progress aria-label={label} className="h-1.5 w-48" />}
      <span data-testid="replay-phase">{replayPhaseText(progress)}</span>
      <button type="button" data-testid="replay-cancel" onClick={onCancel} className="rounded border border-sky-300 bg-white px-2 py-0.5 hover:bg-sky-100">
        Cancel
      </button>
    </div>
  );
}
