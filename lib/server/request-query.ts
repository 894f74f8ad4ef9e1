/**
 * The flow-filter request parsing now lives in the API contract (lib/api/flows-request.ts); these
 * re-exports keep the routes working until they import lib/api directly (then delete this file).
 */

import { describeFilterProblems } from '../api/flows-request';
import { invalidParamsResponse, type ParamProblem } from '../api/problem';

export { filterFromSearchParams, VIEW_PARAMS, type RequestFilter } from '../api/flows-request';
export { searchParamsToRecord, singleValuedParams } from '../api/request-params';

/** A 400 problem-details response that names each bad parameter (`detail` reads `invalid filter "x": ...`). */
export function badQueryResponse(problems: ParamProblem[]): Response {
  return invalidParamsResponse(problems, describeFilterProblems);
}
