/**
 * The browser's one way to call the JSON API: typed by the contract, and every failure (a problem,
 * a proxy's error page, no network) thrown as an ApiError whose message can be shown as is.
 */

import type { ApiPath, ResponseOf } from '@/lib/api/contract';
import { ApiError } from '@/lib/api/problem';

/** Query parameters: a ready URLSearchParams, or names to values (undefined ones are left out). */
export type ApiParams = URLSearchParams | Record<string, string | number | boolean | undefined>;

/** `path?params` (no `?` when there are none). */
export function apiUrl(path: ApiPath, params?: ApiParams): string {
  const search = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (params && !(params instanceof URLSearchParams)) {
    for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * GETs `path` and returns its body as the contract declares it; throws ApiError on a non-2xx answer
 * (its problem details) or when the server cannot be reached. `fetchImpl` is for tests.
 */
export async function getJson<P extends ApiPath>(path: P, params?: ApiParams, init: { signal?: AbortSignal; fetchImpl?: typeof fetch } = {}): Promise<ResponseOf<P>> {
  const doFetch = init.fetchImpl ?? fetch;
  let res: Response;
  try {
    res = await doFetch(apiUrl(path, params), { signal: init.signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    // An abort is react-query cancelling the request, not an error to show.
    if (init.signal?.aborted) throw e;
    throw ApiError.network(path, e);
  }
  if (!res.ok) throw await ApiError.fromResponse(res, path);
  let body: unknown;
  try {
    body = await res.json();
  } catch (e) {
    if (init.signal?.aborted) throw e;
    throw new ApiError({ type: 'about:blank', title: 'Unreadable response', status: res.status, detail: `${path}: the answer was not JSON` }, path);
  }
  // The one place a response body meets its type: the route answers through the same contract.
  return body as ResponseOf<P>;
}
