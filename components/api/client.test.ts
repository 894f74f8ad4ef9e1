import { describe, expect, it, vi } from 'vitest';
import { ApiError, invalidParamsResponse } from '@/lib/api/problem';
import { apiUrl, getJson } from './client';

/** A fetch that records what it was asked and answers with `respond`. */
function fakeFetch(respond: (url: string) => Response | Promise<Response>) {
  const calls: string[] = [];
  const impl = vi.fn(async (input: RequestInfo | URL) => {
    calls.push(String(input));
    return respond(String(input));
  }) as unknown as typeof fetch;
  return { impl, calls };
}

async function rejectionOf(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('apiUrl', () => {
  it('leaves out undefined values and the `?` when there is nothing to send', () => {
    expect(apiUrl('/api/posture')).toBe('/api/posture');
    expect(apiUrl('/api/flows', { edge: 'a|b|80|TCP', limit: 30, node: undefined })).toBe('/api/flows?edge=a%7Cb%7C80%7CTCP&limit=30');
    expect(apiUrl('/api/policies', new URLSearchParams('ns=prod&kind=NetworkPolicy'))).toBe('/api/policies?ns=prod&kind=NetworkPolicy');
  });
});

describe('getJson', () => {
  it('returns the body of a 2xx answer, asking the right URL', async () => {
    const f = fakeFetch(() => Response.json({ flows: [], explanation: { combination: [] } }));
    const body = await getJson('/api/flows', { node: 'legacy/legacy-app', limit: 30 }, { fetchImpl: f.impl });
    expect(body.flows).toEqual([]);
    expect(f.calls).toEqual(['/api/flows?node=legacy%2Flegacy-app&limit=30']);
  });

  it('throws the server\'s problem details as an ApiError', async () => {
    const f = fakeFetch(() => invalidParamsResponse([{ param: 'kind', message: 'must be one of NetworkPolicy' }]));
    const e = await rejectionOf(getJson('/api/policies', { kind: 'Deployment' }, { fetchImpl: f.impl }));
    expect(e.status).toBe(400);
    expect(e.message).toBe('invalid parameter "kind": must be one of NetworkPolicy');
    expect(e.problems.map((p) => p.param)).toEqual(['kind']);
  });

  it('throws a readable ApiError for a proxy\'s plain-text 502', async () => {
    const f = fakeFetch(() => new Response('Bad Gateway', { status: 502, headers: { 'content-type': 'text/plain' } }));
    const e = await rejectionOf(getJson('/api/azure', undefined, { fetchImpl: f.impl }));
    expect(e.status).toBe(502);
    expect(e.message).toBe('/api/azure: HTTP 502: Bad Gateway');
  });

  it('throws an ApiError with status 0 when the server cannot be reached', async () => {
    const f = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const e = await rejectionOf(getJson('/api/egress', undefined, { fetchImpl: f.impl }));
    expect(e.status).toBe(0);
    expect(e.message).toBe('/api/egress: the server could not be reached (Failed to fetch)');
  });

  it('throws an ApiError when a 2xx answer is not JSON (a captive portal, a misrouted proxy)', async () => {
    const f = fakeFetch(() => new Response('<html>sign in to the wifi</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    const e = await rejectionOf(getJson('/api/status', undefined, { fetchImpl: f.impl }));
    expect(e.message).toBe('/api/status: the answer was not JSON');
  });

  it('lets a cancelled request reject with its abort, not as an error to show', async () => {
    const controller = new AbortController();
    const abort = new DOMException('aborted', 'AbortError');
    const f = fakeFetch(() => {
      controller.abort();
      return Promise.reject(abort);
    });
    await expect(getJson('/api/graph', undefined, { fetchImpl: f.impl, signal: controller.signal })).rejects.toBe(abort);
  });
});
