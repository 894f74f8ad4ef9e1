/**
 * `/api/flows` and `/api/stream` requests: URL search parameters -> a validated flow filter, with the
 * view-only parameters set aside (and, for /api/flows, the page size and the graph element).
 */

import { z } from 'zod';
import { compileFilters, type FlowPredicate } from '../hubble/flow-filter';
import { describeProblems, parseFlowQuery, type FlowQuery } from '../hubble/flow-query';
import { invalidParamsResponse, type ParamProblem } from './problem';
import { searchParamsToRecord, type Parsed } from './request-params';

/** Parameters the pages put in the URL that are not flow filters. */
export const VIEW_PARAMS = ['status', 'select', 'hide', 'hidePattern', 'limit', 'edge', 'node', 'paused', 'layout', 'sample'];

/** `query` is the validated filter as typed (for explaining it); `predicate` is what applies it. */
export type RequestFilter = { ok: true; predicate: FlowPredicate; query: FlowQuery } | { ok: false; problems: ParamProblem[] };

/** The flow filter of a request (every parameter but the view-only ones). */
export function filterFromSearchParams(params: URLSearchParams): RequestFilter {
  const parsed = parseFlowQuery(searchParamsToRecord(params), VIEW_PARAMS);
  if (!parsed.ok) return parsed;
  return { ok: true, predicate: compileFilters(parsed.filters), query: parsed.query };
}

/** How filter problems read (`invalid filter "port": ...`): the flows page shows this text. */
export const describeFilterProblems = describeProblems;

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
    value: { predicate: filter.predicate, query: filter.query, limit: r.data.limit ?? FLOWS_DEFAULT_LIMIT, edge: r.data.edge || null, node: r.data.node || null },
  };
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
