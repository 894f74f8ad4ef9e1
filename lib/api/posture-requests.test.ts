import { describe, expect, it } from 'vitest';
import { parseCatalogQuery, parseExplainRequest } from './posture-requests';

const p = (s: string) => new URLSearchParams(s);

describe('parseCatalogQuery', () => {
  it('accepts namespace, kind, text and paging', () => {
    expect(parseCatalogQuery(p('ns=production&kind=NetworkPolicy&q=%20db%20&offset=10&limit=20&select=x'))).toEqual({ ok: true, value: { namespace: 'production', kind: 'NetworkPolicy', q: 'db', offset: 10, limit: 20 } });
    expect(parseCatalogQuery(p('ns='))).toEqual({ ok: true, value: {} });
  });

  it('rejects unknown, repeated, oversized and malformed parameters, naming each', () => {
    expect(parseCatalogQuery(p('nope=1'))).toMatchObject({ ok: false, problems: [{ param: 'nope' }] });
    expect(parseCatalogQuery(p('ns=a&ns=b'))).toMatchObject({ ok: false, problems: [{ param: 'ns', message: 'given more than once' }] });
    expect(parseCatalogQuery(p(`q=${'x'.repeat(201)}`))).toMatchObject({ ok: false, problems: [{ param: 'q' }] });
    expect(parseCatalogQuery(p('ns=Bad_NS'))).toMatchObject({ ok: false, problems: [{ param: 'ns' }] });
    expect(parseCatalogQuery(p('kind=Deployment'))).toMatchObject({ ok: false, problems: [{ param: 'kind' }] });
    expect(parseCatalogQuery(p('limit=1000'))).toMatchObject({ ok: false, problems: [{ param: 'limit' }] });
    expect(parseCatalogQuery(p('offset=-1'))).toMatchObject({ ok: false, problems: [{ param: 'offset' }] });
  });
});

describe('parseExplainRequest', () => {
  it('takes an edge id alone', () => {
    expect(parseExplainRequest(p('edge=legacy/legacy-app|production/postgres|5432|TCP'))).toEqual({ ok: true, value: { kind: 'edge', edge: 'legacy/legacy-app|production/postgres|5432|TCP' } });
    expect(parseExplainRequest(p('edge=a/b|c/d|1|TCP&port=1'))).toMatchObject({ ok: false, problems: [{ param: 'port', message: 'not allowed together with edge' }] });
    expect(parseExplainRequest(p(`edge=${'a'.repeat(601)}`))).toMatchObject({ ok: false });
  });

  it('takes a connection with peers, host node, address fallbacks, L7 and the observed verdict', () => {
    const r = parseExplainRequest(p('from=host&fromNode=aks-node-1&to=production/frontend-1&toIp=10.244.0.5&port=8080&protocol=TCP&method=GET&path=/healthz&verdict=FORWARDED&reply=1'));
    expect(r).toEqual({
      ok: true,
      value: {
        kind: 'connection',
        reply: true,
        query: { from: { entity: 'host', node: 'aks-node-1' }, to: { pod: 'production/frontend-1' }, toIp: '10.244.0.5', port: 8080, protocol: 'TCP', l7: { http: { method: 'GET', path: '/healthz' } }, observedVerdict: 'FORWARDED' },
      },
    });
    expect(parseExplainRequest(p('from=10.0.0.1&to=world:1.1.1.1&port=443&protocol=TCP'))).toMatchObject({ ok: true, value: { query: { from: { ip: '10.0.0.1' }, to: { entity: 'world', ip: '1.1.1.1' } } } });
  });

  it('names every missing or bad field', () => {
    const r = parseExplainRequest(p('from=Not A Pod&to=x/y&protocol=TCP'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((x) => x.param).sort()).toEqual(['from', 'port']);
    expect(parseExplainRequest(p('from=a/b&to=c/d&port=70000&protocol=TCP'))).toMatchObject({ ok: false, problems: [{ param: 'port' }] });
    expect(parseExplainRequest(p('from=a/b&to=c/d&port=1&protocol=tcp'))).toMatchObject({ ok: false, problems: [{ param: 'protocol' }] });
    expect(parseExplainRequest(p('from=a/b&to=c/d&port=1&protocol=TCP&method=GET'))).toMatchObject({ ok: false, problems: [{ param: 'path' }] });
    expect(parseExplainRequest(p('from=a/b&to=c/d&port=1&protocol=TCP&fromIp=nope'))).toMatchObject({ ok: false, problems: [{ param: 'fromIp' }] });
    expect(parseExplainRequest(p('from=a/b&to=c/d&port=1&protocol=TCP&fromNode=x;rm'))).toMatchObject({ ok: false, problems: [{ param: 'fromNode' }] });
    expect(parseExplainRequest(p('foo=1'))).toMatchObject({ ok: false, problems: [{ param: 'foo' }] });
  });
});
