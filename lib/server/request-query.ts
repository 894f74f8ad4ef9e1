/** URL search parameters -> validated flow query, with the view-only parameters set aside. */

import { compileFilters, type FlowPredicate } from '../hubble/flow-filter';
import { describeProblems, parseFlowQuery, type QueryProblem } from '../hubble/flow-query';

/** Parameters the pages put in the URL that are not flow filters. */
export const VIEW_PARAMS = ['status', 'select', 'hide', 'hidePattern', 'limit', 'edge', 'node', 'paused', 'layout', 'sample'];

export type RequestFilter = { ok: true; predicate: FlowPredicate } | { ok: false; problems: QueryProblem[] };

export function searchParamsToRecord(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of params) (out[k] ??= []).push(v);
  return out;
}

export function filterFromSearchParams(params: URLSearchParams): RequestFilter {
  const parsed = parseFlowQuery(searchParamsToRecord(params), VIEW_PARAMS);
  if (!parsed.ok) return parsed;
  return { ok: true, predicate: compileFilters(parsed.filters) };
}

/** A 400 response that names each bad parameter. */
export function badQueryResponse(problems: QueryProblem[]): Response {
  return Response.json({ error: describeProblems(problems), problems }, { status: 400 });
}
