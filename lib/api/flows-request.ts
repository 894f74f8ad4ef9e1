/**
 * `/api/flows` and `/api/stream` requests: URL search parameters -> a validated flow filter, with the
 * view-only parameters set aside (and, for /api/flows, the page size and the graph element).
 */

import { z } from 'zod';
import { compileFilters, type FlowPredicate } from '../hubble/flow-filter';
import { describeProblems, parseFlowQuery, type FlowQuery } from '../hubble/flow-query';
import { COMPLETION_FIELDS, type CompletionField } from '../history/flow-store';
import type { SearchNode } from '../search/ast';
import { parseSearch } from '../search/parse';
import { searchPredicate } from '../search/predicate';
import { parseTimeBound } from '../search/time-bound';
import { invalidParamsResponse, type ParamProblem } from './problem';
import { searchParamsToRecord, type Parsed } from './request-params';

/** Parameters that are not `hubble observe` filter flags: the search, its window, and what pages keep in the URL. */
export const VIEW_PARAMS = ['status', 'select', 'hide', 'hidePattern', 'limit', 'edge', 'node', 'paused', 'layout', 'sample', 'q', 'since', 'until', 'cursor', 'buckets', 'live'];

/** `query` is the validated filter as typed (for explaining it); `predicate` applies the filters and the search (not the window). */
export type RequestFilter = { ok: true; predicate: FlowPredicate; query: FlowQuery; search: FlowSearchParams } | { ok: false; problems: ParamProblem[] };

/** A request's search: the query as typed, its tree, the window (epoch ms, null = open) and the page cursor. */
export interface FlowSearchParams {
  q: string;
  ast: SearchNode | null;
  since: number | null;
  until: number | null;
  cursor: string | null;
  /** True when the request asked for any of q, since, until or cursor: a history search. */
  asked: boolean;
}

export const MAX_CURSOR_LENGTH = 200;

/** `q`, `since`, `until` and `cursor` of a request; problems name the parameter (and the column of `q`). */
export function searchFromParams(params: URLSearchParams, now = Date.now()): Parsed<FlowSearchParams> {
  const problems: ParamProblem[] = [];
  const q = params.get('q') ?? '';
  let ast: SearchNode | null = null;
  const parsed = parseSearch(q);
  if (parsed.ok) ast = parsed.ast;
  else problems.push({ param: 'q', message: parsed.error.message, column: parsed.error.column });
  const bound = (name: 'since' | 'until'): number | null => {
    const raw = params.get(name);
    if (raw === null || raw.trim() === '') return null;
    const t = parseTimeBound(raw, now);
    if (t.ok) return t.ms;
    problems.push({ param: name, message: t.message });
    return null;
  };
  const since = bound('since');
  const until = bound('until');
  if (since !== null && until !== null && since >= until) problems.push({ param: 'until', message: 'must be later than since' });
  const cursor = params.get('cursor') || null;
  if (cursor !== null && (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))) problems.push({ param: 'cursor', message: 'is not a cursor this server gave' });
  if (problems.length) return { ok: false, problems };
  const asked = ['q', 'since', 'until', 'cursor'].some((k) => (params.get(k) ?? '') !== '');
  return { ok: true, value: { q, ast, since, until, cursor, asked } };
}

/** The flow filter of a request: the `hubble observe` flags and the search, AND-ed. */
export function filterFromSearchParams(params: URLSearchParams): RequestFilter {
  const parsed = parseFlowQuery(searchParamsToRecord(params), VIEW_PARAMS);
  const search = searchFromParams(params);
  if (!parsed.ok || !search.ok) return { ok: false, problems: [...(parsed.ok ? [] : parsed.problems), ...(search.ok ? [] : search.problems)] };
  const filters = compileFilters(parsed.filters);
  // The window is the caller's to apply: a live stream has none, a search of the ring does.
  const matches = searchPredicate(search.value.ast);
  const predicate: FlowPredicate = search.value.ast ? (f) => filters(f) && matches(f) : filters;
  return { ok: true, predicate, query: parsed.query, search: search.value };
}

/** How filter problems read (`invalid filter "port": ...`, `invalid search: ... at column 7`): the flows page shows this text. */
export function describeFilterProblems(problems: ParamProblem[]): string {
  // The parser's messages name their column already.
  const search = problems.filter((p) => p.param === 'q').map((p) => `invalid search: ${p.message}`);
  return [describeProblems(problems.filter((p) => p.param !== 'q')), ...search].filter(Boolean).join('\n');
}

export const FLOWS_DEFAULT_LIMIT = 200;
export const FLOWS_MAX_LIMIT = 2000;
const LIMIT_MESSAGE = `must be an integer from 1 to ${FLOWS_MAX_LIMIT}`;

// Only the first value of each counts (URLSearchParams.get), as the filter parser ignores these names.
const flowsViewSchema = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, LIMIT_MESSAGE)
    .transform(Number)
    .refine((n) => n >= 1 && n <= FLOWS_MAX_LIMIT, LIMIT_MESSAGE)
    .optional(),
  edge: z.string().max(600, 'too long').optional(),
  node: z.string().max(300, 'too long').optional(),
});

export interface FlowsRequest {
  predicate: FlowPredicate;
  query: FlowQuery;
  search: FlowSearchParams;
  limit: number;
  /** Only the flows of this map edge / touching this map node (empty = no narrowing). */
  edge: string | null;
  node: string | null;
}

/** `/api/flows`: the filter, `limit` (1..2000, default 200), and optionally one `edge` or `node`. */
export function parseFlowsRequest(params: URLSearchParams): Parsed<FlowsRequest> {
  const filter = filterFromSearchParams(params);
  if (!filter.ok) return filter;
  const view: Record<string, string> = Object.create(null);
  for (const k of ['limit', 'edge', 'node'] as const) {
    const v = params.get(k);
    if (v !== null) view[k] = v;
  }
  const r = flowsViewSchema.safeParse(view);
  if (!r.success) return { ok: false, problems: r.error.issues.map((i) => ({ param: String(i.path[0] ?? ''), message: i.message })) };
  return {
    ok: true,
    value: { predicate: filter.predicate, query: filter.query, search: filter.search, limit: r.data.limit ?? FLOWS_DEFAULT_LIMIT, edge: r.data.edge || null, node: r.data.node || null },
  };
}

export const HISTOGRAM_DEFAULT_BUCKETS = 60;
export const HISTOGRAM_MAX_BUCKETS = 500;
/** A histogram without `since` covers this much before `until` (or now). */
export const HISTOGRAM_DEFAULT_SPAN_MS = 3_600_000;

export interface HistogramRequest {
  predicate: FlowPredicate;
  query: FlowQuery;
  search: FlowSearchParams;
  buckets: number;
}

/** `/api/flows/histogram`: the filter and search, and `buckets` (1..500, default 60). */
export function parseHistogramRequest(params: URLSearchParams): Parsed<HistogramRequest> {
  const filter = filterFromSearchParams(params);
  const raw = params.get('buckets');
  const buckets = raw === null ? HISTOGRAM_DEFAULT_BUCKETS : /^\d+$/.test(raw) ? Number(raw) : NaN;
  const bad = !(buckets >= 1 && buckets <= HISTOGRAM_MAX_BUCKETS);
  const problems = [...(filter.ok ? [] : filter.problems), ...(bad ? [{ param: 'buckets', message: `must be an integer from 1 to ${HISTOGRAM_MAX_BUCKETS}` }] : [])];
  if (!filter.ok || problems.length) return { ok: false, problems };
  return { ok: true, value: { predicate: filter.predicate, query: filter.query, search: filter.search, buckets } };
}

export interface ValuesRequest {
  field: CompletionField;
  prefix: string;
  limit: number;
}

const valuesSchema = z.object({
  field: z.enum(COMPLETION_FIELDS, { message: `must be one of ${COMPLETION_FIELDS.join(', ')}` }),
  prefix: z.string().max(200, 'must be at most 200 characters').default(''),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be an integer from 1 to 50')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 50, 'must be an integer from 1 to 50')
    .default(20),
});

/** `/api/flows/values`: `field` (namespace, workload, ...), `prefix`, `limit` (1..50, default 20). */
export function parseValuesRequest(params: URLSearchParams): Parsed<ValuesRequest> {
  const raw: Record<string, string> = Object.create(null);
  for (const k of ['field', 'prefix', 'limit'] as const) {
    const v = params.get(k);
    if (v !== null) raw[k] = v;
  }
  const unknown = [...new Set(params.keys())].filter((k) => k !== 'field' && k !== 'prefix' && k !== 'limit');
  const r = valuesSchema.safeParse(raw);
  const problems: ParamProblem[] = unknown.map((param) => ({ param, message: 'is not a parameter of this endpoint' }));
  if (!r.success) problems.push(...r.error.issues.map((i) => ({ param: String(i.path[0] ?? ''), message: i.message })));
  if (problems.length || !r.success) return { ok: false, problems };
  return { ok: true, value: r.data as ValuesRequest };
}

/** `/api/stream`: the filter; `sample=0` (pages that list no flows) asks for the graph and counters only. */
export function parseStreamRequest(params: URLSearchParams): Parsed<{ predicate: FlowPredicate | null }> {
  const filter = filterFromSearchParams(params);
  if (!filter.ok) return filter;
  return { ok: true, value: { predicate: params.get('sample') === '0' ? null : filter.predicate } };
}

/** A 400 problem-details response that names each bad filter parameter (`detail` reads `invalid filter "x": ...`). */
export function badQueryResponse(problems: ParamProblem[]): Response {
  return invalidParamsResponse(problems, describeFilterProblems);
}
