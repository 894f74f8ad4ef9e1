'use client';

/** How long a query may run before the page shows that it is working and offers to stop it. */
export const SHOW_PROGRESS_AFTER_MS = 300;

/**
 * A search that has run longer than SHOW_PROGRESS_AFTER_MS: an indeterminate bar, the time it
 * has taken so far, and Cancel (which aborts the request; the previous results stay).
 */
export function QueryProgress({ elapsedMs, onCancel }: { elapsedMs: number; onCancel(): void }) {
  if (elapsedMs < SHOW_PROGRESS_AFTER_MS) return null;
  return (
    <div role="status" data-testid="query-progress" className="flex items-center gap-3 border-b border-sky-200 bg-sky-50 px-3 py-1.5 text-xs text-sky-900">
      <progress aria-label="Searching" className="h-1.5 w-48" />
      <span data-testid="query-elapsed">Searching… {(elapsedMs / 1000).toFixed(1)} s</span>
      <button type="button" data-testid="query-cancel" onClick={onCancel} className="rounded border border-sky-300 bg-white px-2 py-0.5 hover:bg-sky-100">
        Cancel
      </button>
    </div>
  );
}
