'use client';

import { flowQueryToSearchParams, type FilterExplanation } from '@/lib/flows/filter-explanation';

/** Shown when the filter matches nothing: how its fields combined, and what may have been meant. */
export function EmptyExplanation({ explanation, onApply }: { explanation: FilterExplanation; onApply(v: Record<string, string>): void }) {
  return (
    <section data-testid="empty-explanation" className="border-b border-amber-200 bg-amber-50 px-3 py-2 text-sm text-slate-800">
      <p className="font-semibold">No flows match this filter.</p>
      <ul className="mt-1 list-disc pl-5">
        {explanation.combination.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {explanation.hints.map((hint) => (
        <div key={hint.code} data-testid="empty-hint" data-code={hint.code} className="mt-2 rounded border border-amber-300 bg-white px-2 py-1.5">
          <p>{hint.message}</p>
          {hint.suggestion && (
            <button
              type="button"
              data-testid="empty-suggestion"
              className="mt-1 rounded bg-slate-800 px-2 py-0.5 text-xs text-white"
              onClick={() => onApply(Object.fromEntries(flowQueryToSearchParams(hint.suggestion!.query)))}
            >
              Try: {hint.suggestion.label}
            </button>
          )}
        </div>
      ))}
      <p className="mt-2 text-xs text-slate-500">
        The table lists the matching flows the server still holds and new ones as they arrive: a rare flow may simply not have happened yet.
      </p>
    </section>
  );
}
