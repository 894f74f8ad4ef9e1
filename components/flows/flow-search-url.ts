/**
 * The flows page's whole search as its URL says it, so a link pasted into an incident channel
 * opens the same query over the same window: `q` (the search language), then either `live=1` (tail
 * the live stream) or `since` / `until` (RFC 3339 or a duration back from now, as the API takes
 * them). Links written before the search language (`?namespace=payments&verdict=DROPPED`) are
 * translated into a query (legacy-filter.ts) and, as they always did, tail the live stream.
 */

import { legacyFilterToQuery, LEGACY_FILTER_PARAMS } from './legacy-filter';

export interface FlowSearch {
  /** The query text; '' matches every flow. */
  q: string;
  /** Tail the live stream instead of searching a window of history. */
  live: boolean;
  /** Window start as the URL gives it (`2026-11-28T10:00:00Z`, `1h`); '' = open. Ignored when live. */
  since: string;
  /** Window end (exclusive), same forms; '' = now. Ignored when live. */
  until: string;
}

/** The window a search without one covers: the last hour. */
export const DEFAULT_SINCE = '1h';
/** Longest query text taken from a URL or the box (the server refuses longer ones too). */
export const MAX_QUERY_CHARS = 2000;
/** Longest `since`/`until` value kept: an RFC 3339 time is 35 characters at most. */
const MAX_BOUND_CHARS = 40;

export interface ReadSearch {
  search: FlowSearch;
  /** Set when the URL used the old filter parameters: the query they became. */
  translated: { from: string; to: string; unsupported: string[] } | null;
}

const bound = (v: string | null): string => (v ?? '').trim().slice(0, MAX_BOUND_CHARS);

/** The search a URL describes (with any old filter parameters folded into the query). */
export function readFlowSearch(params: URLSearchParams): ReadSearch {
  let q = (params.get('q') ?? '').slice(0, MAX_QUERY_CHARS);
  const since = bound(params.get('since'));
  const until = bound(params.get('until'));
  let live = params.get('live') === '1' || params.get('live') === 'true';
  let translated: ReadSearch['translated'] = null;
  const legacy = legacyFilterToQuery(params);
  if (legacy) {
    const from = new URLSearchParams([...params].filter(([k]) => LEGACY_FILTER_PARAMS.has(k))).toString();
    // `a OR b` next to more terms would bind differently without the parentheses.
    q = q.trim() ? `(${q.trim()}) ${legacy.query}` : legacy.query;
    translated = { from, to: legacy.query, unsupported: legacy.unsupported };
    // The old page only ever tailed: a link without a window keeps meaning that.
    if (!since && !until) live = true;
  }
  if (live) return { search: { q, live: true, since: '', until: '' }, translated };
  return { search: { q, live: false, since: since || (until ? '' : DEFAULT_SINCE), until }, translated };
}

/** The URL query of a search, in a fixed order (`q`, then `live` or `since`/`until`). */
export function writeFlowSearch(s: FlowSearch): URLSearchParams {
  const p = new URLSearchParams();
  if (s.q.trim()) p.set('q', s.q.trim());
  if (s.live) {
    p.set('live', '1');
    return p;
  }
  if (s.since) p.set('since', s.since);
  if (s.until) p.set('until', s.until);
  return p;
}

/** Same search, same text (what decides whether the URL needs rewriting). */
export const sameSearch = (a: FlowSearch, b: FlowSearch): boolean => writeFlowSearch(a).toString() === writeFlowSearch(b).toString();
