'use client';

import type { FilterExplanation } from '@/lib/flows/filter-explanation';
import type { QueryHint } from './query-hints';

export interface EmptyContext {
  q: string;
  live: boolean;
  /** The window in words (`in the last 1 h`, `between … and …`); empty when live. */
  window: string;
  /** The server's reading of the filter (how its parts combine). */
  explanation: FilterExplanation | null;
  /** Combinations in the query that no flow can satisfy, with a corrected query (query-hints.ts). */
  hints: QueryHint[];
}

/**
 * Shown when a search or the live tail finds nothing: what was searched, how the server read it,
 * and the next things to try (a wider window, the history instead of the tail, the query
 * without its terms, a suggestion from the server), each one click.
 */
export function EmptyExplanation({ context, onQuery, onRange }: { context: EmptyContext; onQuery(q: string): void; onRange(since: string): void }) {
  const { q, live, window, explanation, hints } = context;
  const action = 'mt-1 mr-2 rounded bg-slate-800 px-2 py-0.5 text-xs text-white';
  return (
    <section data-testid="empty-explanation" className="border-b border-amber-200 bg-amber-50 px-3 py-2 text-sm text-slate-800">
      <p className="font-semibold">
        {live ? 'No flow matching this query has arrived yet.' : q.trim() ? `No flows match this query ${window}.` : `No flows are stored ${window}.`}
      </p>
      {q.trim() && (
        <p className="mt-1 text-xs">
          Query: <code className="rounded bg-white px-1 font-mono">{q}</code>
        </p>
      )}
      {explanation && explanation.combination.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {explanation.combination.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      {hints.map((hint) => (
        <div key={hint.code} data-testid="empty-hint" data-code={hint.code} className="mt-2 rounded border border-amber-300 bg-white px-2 py-1.5">
          <p>{hint.message}</p>
          {hint.suggestion && (
            <button type="button" data-testid="empty-suggestion" className={action} onClick={() => onQuery(hint.suggestion!.q)} title={hint.suggestion.q}>
              Try: {hint.suggestion.label}
            </button>
          )}
        </div>
      ))}
      <div className="mt-2 text-xs text-slate-600">
        {live ? (
          <p>
            The tail lists matching flows as they arrive; a rare flow may not have happened since the page opened.{' '}
            <button type="button" data-testid="empty-search-history" className={action} onClick={() => onRange('24h')}>
              Search the last 24 h
            </button>
          </p>
        ) : (
          <p>
            Try a wider window:
            {['24h', '7d'].map((since) => (
              <button key={since} type="button" data-testid={`empty-widen-${since}`} className={action} onClick={() => onRange(since)}>
                Last {since.replace('h', ' h').replace('d', ' d')}
              </button>
            ))}
            {q.trim() && (
              <button type="button" data-testid="empty-clear-query" className={action} onClick={() => onQuery('')}>
                Every flow in this window
              </button>
            )}
          </p>
        )}
      </div>
    </section>
  );
}
