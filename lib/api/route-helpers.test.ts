import { describe, expect, it } from 'vitest';
import { flow, pod, world } from '../testing/flow-fixtures';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { answer, json, notFound, parseQuery } from './route-helpers';

const req = (path: string) => new Request(`http://127.0.0.1:3000${path}`);

async function problemOf(r: unknown) {
  expect(r).toBeInstanceOf(Response);
  const res = r as Response;
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  return (await res.json()) as { detail: string; problems: { param: string; message: string }[] };
}

describe('parseQuery', () => {
  it('/api/flows: filter, limit and the graph element', () => {
    const q = parseQuery('/api/flows', req('/api/flows?fromNamespace=legacy&edge=a%7Cb%7C80%7CTCP&limit=30'));
    if (q instanceof Response) throw new Error('expected parameters');
    expect(q.value.limit).toBe(30);
    expect(q.value.edge).toBe('a|b|80|TCP');
    expect(q.value.node).toBeNull();
    expect(q.value.query).toEqual({ fromNamespace: ['legacy'] });
    expect(q.value.predicate(flow(pod('legacy', 'legacy-app-0'), world('api.github.com')))).toBe(true);
    expect(q.value.predicate(flow(pod('payments', 'payments-0'), world('api.github.com')))).toBe(false);
  });

  it('/api/flows: limit defaults to 200 and an empty edge narrows nothing', () => {
    const q = parseQuery('/api/flows', req('/api/flows?edge='));
    if (q instanceof Response) throw new Error('expected parameters');
    expect(q.value.limit).toBe(200);
    expect(q.value.edge).toBeNull();
  });

  it.each([
    ['limit=0', 'limit', 'must be an integer from 1 to 2000'],
    ['limit=2001', 'limit', 'must be an integer from 1 to 2000'],
    ['limit=ten', 'limit', 'must be an integer from 1 to 2000'],
    [`node=${'n'.repeat(301)}`, 'node', 'too long'],
    [`edge=${'e'.repeat(601)}`, 'edge', 'too long'],
  ])('/api/flows?%s is a 400 naming %s', async (qs, param, message) => {
    const body = await problemOf(parseQuery('/api/flows', req(`/api/flows?${qs}`)));
    expect(body.problems).toEqual([{ param, message }]);
    expect(body.detail).toBe(`invalid filter "${param}": ${message}`);
  });

  it('/api/flows: a bad filter keeps the wording the flows page shows', async () => {
    const body = await problemOf(parseQuery('/api/flows', req('/api/flows?port=http')));
    expect(body.problems[0].param).toBe('port');
    expect(body.detail).toMatch(/^invalid filter "port": /);
  });

  it('/api/stream: sample=0 asks for no flows (no predicate)', () => {
    const q = parseQuery('/api/stream', req('/api/stream?namespace=legacy&sample=0'));
    if (q instanceof Response) throw new Error('expected parameters');
    expect(q.value.predicate).toBeNull();
    const sampled = parseQuery('/api/stream', req('/api/stream?namespace=legacy'));
    if (sampled instanceof Response) throw new Error('expected parameters');
    expect(sampled.value.predicate).toBeTypeOf('function');
  });

  it('/api/posture narrows to one namespace (ns) or takes nothing; /api/posture/map takes no parameters', async () => {
    expect(parseQuery('/api/posture', req('/api/posture'))).toEqual({ ok: true, value: {} });
    expect(parseQuery('/api/posture', req('/api/posture?ns=shop-01'))).toEqual({ ok: true, value: { namespace: 'shop-01' } });
    const repeated = await problemOf(parseQuery('/api/posture', req('/api/posture?ns=a&x=1&x=2')));
    expect(repeated.problems).toEqual([{ param: 'x', message: 'given more than once' }]);
    const unknown = await problemOf(parseQuery('/api/posture', req('/api/posture?ns=a&x=1')));
    expect(unknown.problems).toEqual([{ param: 'x', message: 'unknown parameter (known: ns)' }]);
    const bad = await problemOf(parseQuery('/api/posture', req('/api/posture?ns=Shop%20*')));
    expect(bad.problems).toEqual([{ param: 'ns', message: 'must be a namespace name (lowercase letters, digits, -)' }]);
    expect(parseQuery('/api/posture/map', req('/api/posture/map'))).toEqual({ ok: true, value: {} });
    const body = await problemOf(parseQuery('/api/posture/map', req('/api/posture/map?ns=a')));
    expect(body.problems).toEqual([{ param: 'ns', message: 'this endpoint takes no parameters' }]);
  });

  it('/api/policies and /api/explain answer their parsed value or the same problems list', async () => {
    const ok = parseQuery('/api/policies', req('/api/policies?ns=production&limit=20'));
    expect(ok).toEqual({ ok: true, value: { namespace: 'production', limit: 20 } });
    const bad = await problemOf(parseQuery('/api/policies', req('/api/policies?kind=Deployment')));
    expect(bad.problems.map((p) => p.param)).toEqual(['kind']);
    const explain = await problemOf(parseQuery('/api/explain', req('/api/explain?from=a/b&to=c/d&protocol=TCP')));
    expect(explain.problems).toEqual([{ param: 'port', message: 'required (or give edge)' }]);
  });

  it('/api/layers: the parsed query, or problems in the layers wording', async () => {
    expect(parseQuery('/api/layers', new URL('http://x/api/layers?uuid=6f1c-2a'))).toEqual({ ok: true, query: { kind: 'uuid', uuid: '6f1c-2a' } });
    const body = await problemOf(parseQuery('/api/layers', req('/api/layers?constructor=x')));
    expect(body.problems.map((p) => p.param).join(',')).toContain('constructor');
    expect(body.detail).toContain('invalid parameter "');
  });
});

describe('json, answer and notFound', () => {
  it('json is never cached unless the route says otherwise', async () => {
    const res = json({ a: 1 }, { status: 201 });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ a: 1 });
    expect(json({}, { headers: { 'Cache-Control': 'max-age=5' } }).headers.get('cache-control')).toBe('max-age=5');
  });

  it('answer sends what the contract declares for the path', async () => {
    const snapshot = { seq: 3, nodes: [], edges: [] };
    expect(await answer('/api/graph', snapshot).json()).toEqual(snapshot);
  });

  it('notFound is a 404 problem with its code', async () => {
    const res = notFound('no recent flow on that edge to evaluate', 'no-edge-flow');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'urn:flowsight:problem:no-edge-flow', detail: 'no recent flow on that edge to evaluate' });
  });
});
