/** URL search parameters -> validated flow query, with the view-only parameters set aside. */

import { compileFilters, type FlowPredicate } from '../hubble/flow-filter';
import { describeProblems, parseFlowQuery, type FlowQuery, type QueryProblem } from '../hubble/flow-query';

/** Parameters the pages put in the URL that are not flow filters. */
export const VIEW_PARAMS = ['status', 'select', 'hide', 'hidePattern', 'limit', 'edge', 'node', 'paused', 'layout', 'sample'];

/** `query` is the validated filter as typed (for explaining it); `predicate` is what applies it. */
export type RequestFilter = { ok: true; predicate: FlowPredicate; query: FlowQuery } | { ok: false; problems: QueryProblem[] };

/**
 * Parameter name -> its values. The map has no prototype: a parameter named `constructor`,
 * `toString` or `__proto__` is just an unknown name, never an inherited member.
 */
export function searchParamsToRecord(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const [k, v] of params) {
    const list = Object.hasOwn(out, k) ? out[k] : (out[k] = []);
    list.push(v);
  }
  return out;
}

/** Each parameter given at most once (a repeat is reported); values by name, without a prototype. */
export function singleValuedParams(params: URLSearchParams): { values: Record<string, string>; repeated: string[] } {
  const values: Record<string, string> = Object.create(null);
  const repeated: string[] = [];
  for (const [k, list] of Object.entries(searchParamsToRecord(params))) {
    if (list.length > 1) repeated.push(k);
    else values[k] = list[0];
  }
  return { values, repeated };
}

export function filterFromSearchParams(params: URLSearchParams): RequestFilter {
  const parsed = parseFlowQuery(searchParamsToRecord(params), VIEW_PARAMS);
  if (!parsed.ok) return parsed;
  return { ok: true, predicate: compileFilters(parsed.filters), query: parsed.query };
}

/** A 400 response that names each bad parameter. */
export function badQueryResponse(problems: QueryProblem[]): Response {
  return Response.json({ error: describeProblems(problems), problems }, { status: 400 });
}
