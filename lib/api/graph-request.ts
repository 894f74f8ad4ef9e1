/**
 * `/api/graph` parameters: none for the live map, or a past window (`since`, optionally `until`)
 * drawn from the flow history. Bounds take RFC 3339 or a duration back from now (`15m`, `1h`, `7d`),
 * read the same way as /api/flows reads them (lib/search/time-bound.ts).
 */

import type { TimeRange } from '../history/flow-store';
import { parseTimeBound } from '../search/time-bound';
import type { ParamProblem } from './problem';
import { singleValuedParams, type Parsed } from './request-params';

/** `range` null: the live graph; otherwise the window to read from the history (`until` absent: up to now). */
export interface GraphRequest {
  range: (TimeRange & { since: number }) | null;
}

const KNOWN = ['since', 'until'];

/** Parses `since` / `until` (each at most once); every problem names its parameter. */
export function parseGraphRequest(params: URLSearchParams, now = Date.now()): Parsed<GraphRequest> {
  const { values, repeated } = singleValuedParams(params);
  const problems: ParamProblem[] = repeated.map((param) => ({ param, message: 'given more than once' }));
  for (const k of Object.keys(values)) if (!KNOWN.includes(k)) problems.push({ param: k, message: `unknown parameter (known: ${KNOWN.join(', ')})` });
  const bound = (name: 'since' | 'until'): number | undefined => {
    const raw = values[name]?.trim();
    if (!raw) return undefined;
    // parseTimeBound refuses an oversized value before scanning it.
    const t = parseTimeBound(raw, now);
    if (t.ok) return t.ms;
    problems.push({ param: name, message: t.message });
    return undefined;
  };
  const since = bound('since');
  const until = bound('until');
  if (until !== undefined && since === undefined && !problems.some((p) => p.param === 'since')) problems.push({ param: 'since', message: 'required with until (a past window has a start)' });
  if (since !== undefined && until !== undefined && since >= until) problems.push({ param: 'until', message: 'must be later than since' });
  if (problems.length) return { ok: false, problems };
  if (since === undefined) return { ok: true, value: { range: null } };
  return { ok: true, value: { range: until === undefined ? { since } : { since, until } } };
}
