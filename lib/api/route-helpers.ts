/**
 * What every route handler does at its edges: parse its parameters with the contract's parser (or
 * answer 400 problem details), answer JSON that is never cached, or answer a problem.
 */

import { API_REQUESTS, type ApiPath, type RequestOf, type RequestPath, type ResponseOf } from './contract';
import { invalidParamsResponse, problemResponse } from './problem';

const NO_STORE = { 'Cache-Control': 'no-store' };

/** JSON that describes the present moment: never cached by the browser or a proxy. */
export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  if (!headers.has('Cache-Control')) headers.set('Cache-Control', NO_STORE['Cache-Control']);
  return Response.json(data, { ...init, headers });
}

/** `json`, checked against the contract: the route answers exactly what the browser expects of `path`. */
export function answer<P extends ApiPath>(_path: P, data: ResponseOf<P>, init?: ResponseInit): Response {
  return json(data, init);
}

/**
 * The request's parameters through `path`'s parser: the parsed result, or a 400 problem-details
 * Response naming each bad parameter. Use: `const q = parseQuery('/api/layers', request); if (q instanceof Response) return q;`
 */
export function parseQuery<P extends RequestPath>(path: P, request: Request | URL): RequestOf<P> | Response {
  const url = request instanceof URL ? request : new URL(request.url);
  const spec = API_REQUESTS[path];
  const parsed = spec.parse(url.searchParams);
  if (!parsed.ok) return invalidParamsResponse(parsed.problems, spec.describe);
  return parsed as RequestOf<P>;
}

/** 404 problem details: what was asked for is not (or no longer) there. */
export function notFound(detail: string, code?: string): Response {
  return problemResponse(404, 'Not found', detail, undefined, code ? { code } : {});
}

/** 400 problem details for a request that parsed but cannot be answered as asked (e.g. a malformed edge id). */
export function badRequest(detail: string, code?: string): Response {
  return problemResponse(400, 'Bad request', detail, undefined, code ? { code } : {});
}
