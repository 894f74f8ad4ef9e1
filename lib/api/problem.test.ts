import { describe, expect, it } from 'vitest';
import { ApiError, invalidParamsResponse, isProblemDetails, PROBLEM_CONTENT_TYPE, problemCode, problemResponse } from './problem';

const text = (body: string, status: number, headers: Record<string, string> = {}) => new Response(body, { status, statusText: status === 502 ? 'Bad Gateway' : '', headers });

describe('problemResponse', () => {
  it('answers RFC 9457 problem details with the status, never cached', async () => {
    const res = problemResponse(404, 'Not found', 'that flow is no longer held in memory', undefined, { code: 'flow-gone', instance: '/api/layers?uuid=x' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ type: 'urn:flowsight:problem:flow-gone', title: 'Not found', status: 404, detail: 'that flow is no longer held in memory', instance: '/api/layers?uuid=x' });
  });

  it('uses about:blank without a code and leaves out an empty problems list', async () => {
    const body = await problemResponse(500, 'Internal error', 'boom', []).json();
    expect(body).toEqual({ type: 'about:blank', title: 'Internal error', status: 500, detail: 'boom' });
    expect(problemCode(body.type)).toBeUndefined();
  });

  it('keeps extra headers (Retry-After) beside its own', () => {
    const res = problemResponse(429, 'Too many requests', 'wait', undefined, { headers: { 'Retry-After': '30' } });
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  });
});

describe('invalidParamsResponse', () => {
  const problems = [
    { param: 'port', message: 'must be a port number' },
    { param: 'kind', message: 'unknown parameter' },
  ];

  it('is a 400 listing every problem, with one line per problem in detail', async () => {
    const res = invalidParamsResponse(problems);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.problems).toEqual(problems);
    expect(body.detail).toBe('invalid parameter "port": must be a port number\ninvalid parameter "kind": unknown parameter');
    expect(problemCode(body.type)).toBe('invalid-parameters');
    expect(isProblemDetails(body)).toBe(true);
  });

  it('takes the wording of the endpoint', async () => {
    const body = await invalidParamsResponse(problems, (ps) => ps.map((p) => p.param).join('+')).json();
    expect(body.detail).toBe('port+kind');
  });
});

describe('isProblemDetails', () => {
  it('checks each field, since the body came over the wire', () => {
    expect(isProblemDetails({ title: 'x', status: 400, detail: 'd' })).toBe(true);
    expect(isProblemDetails({ title: 'x', status: '400', detail: 'd' })).toBe(false);
    expect(isProblemDetails({ error: 'old shape' })).toBe(false);
    expect(isProblemDetails({ title: 'x', status: 400, detail: 'd', problems: [{ param: 1 }] })).toBe(false);
    expect(isProblemDetails(null)).toBe(false);
    expect(isProblemDetails('text')).toBe(false);
  });
});

describe('ApiError.fromResponse', () => {
  it('reads problem details: message is the detail, problems and code kept', async () => {
    const e = await ApiError.fromResponse(invalidParamsResponse([{ param: 'limit', message: 'must be an integer from 1 to 2000' }]), '/api/flows');
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('invalid parameter "limit": must be an integer from 1 to 2000');
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid-parameters');
    expect(e.problems).toEqual([{ param: 'limit', message: 'must be an integer from 1 to 2000' }]);
    expect(e.path).toBe('/api/flows');
  });

  it('trusts the HTTP status over the one in the body', async () => {
    const res = new Response(JSON.stringify({ type: 'about:blank', title: 'x', status: 200, detail: 'odd' }), { status: 503 });
    expect((await ApiError.fromResponse(res, '/api/posture')).status).toBe(503);
  });

  it('reads an older `{ error }` body (the access gate) as the message', async () => {
    const res = Response.json({ error: 'sign in: send Authorization: Bearer <token>' }, { status: 401 });
    const e = await ApiError.fromResponse(res, '/api/status');
    expect(e.message).toBe('sign in: send Authorization: Bearer <token>');
    expect(e.status).toBe(401);
  });

  it('a proxy\'s plain-text 502 says the path, the status and the short text', async () => {
    const e = await ApiError.fromResponse(text('upstream connect error', 502, { 'content-type': 'text/plain' }), '/api/azure');
    expect(e.message).toBe('/api/azure: HTTP 502 Bad Gateway: upstream connect error');
    expect(e.status).toBe(502);
    expect(e.problems).toEqual([]);
  });

  it('a proxy\'s HTML error page is not pasted into the message', async () => {
    const e = await ApiError.fromResponse(text('<html><body><h1>502 Bad Gateway</h1></body></html>', 502, { 'content-type': 'text/html' }), '/api/egress');
    expect(e.message).toBe('/api/egress: HTTP 502 Bad Gateway');
  });

  it('a long text body is left out rather than shown', async () => {
    const e = await ApiError.fromResponse(text('x'.repeat(5000), 500), '/api/graph');
    expect(e.message).toBe('/api/graph: HTTP 500');
  });

  it('an empty body still gives a message', async () => {
    const e = await ApiError.fromResponse(new Response(null, { status: 504 }), '/api/layers');
    expect(e.message).toBe('/api/layers: HTTP 504');
    expect(e.status).toBe(504);
  });
});

describe('ApiError.network', () => {
  it('has status 0 and says the server could not be reached, with the cause', () => {
    const e = ApiError.network('/api/status', new TypeError('fetch failed'));
    expect(e.status).toBe(0);
    expect(e.code).toBe('network');
    expect(e.message).toBe('/api/status: the server could not be reached (fetch failed)');
  });
});
