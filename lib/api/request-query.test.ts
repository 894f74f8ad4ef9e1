import { describe, expect, it } from 'vitest';
import { PATHOLOGICAL, timeRatio } from '../match/testing/time-ratio';
import { flow, pod, world } from '../testing/flow-fixtures';
import { parseLayersQuery } from './layers-request';
import { parseCatalogQuery, parseExplainRequest } from './posture-requests';
import { badQueryResponse, filterFromSearchParams } from './flows-request';
import { searchParamsToRecord } from './request-params';

// Issue 8 (hardening), item 1: /api/flows and /api/stream compile their filters through
// filterFromSearchParams; a pattern typed by anyone must cost about what a plain one costs.
const flows = Array.from({ length: 200 }, (_, i) => flow(pod('legacy', `legacy-app-${i}`), world(`${'a'.repeat(60)}c`)));

function predicateOf(query: string) {
  const f = filterFromSearchParams(new URLSearchParams(query));
  if (!f.ok) throw new Error(JSON.stringify(f.problems));
  return f.predicate;
}

describe('request filters (/api/flows, /api/stream) on pathological patterns', () => {
  for (const param of ['fqdn', 'fromFqdn', 'toFqdn']) {
    it(`${param}=<24 stars>x and ${param}=<*a*a...*b> cost about a plain pattern`, () => {
      const plain = predicateOf(`${param}=*.github.com`);
      const run = (p: (f: (typeof flows)[number]) => boolean) => () => flows.forEach(p);
      for (const pattern of [PATHOLOGICAL.stars, PATHOLOGICAL.alternating]) {
        const hostile = predicateOf(`${param}=${encodeURIComponent(pattern)}`);
        expect(flows.some(hostile)).toBe(false);
        expect(timeRatio(run(hostile), run(plain))).toBeLessThan(100);
      }
    });
  }

  it('node=<pathological glob> costs about a plain one', () => {
    const plain = predicateOf('node=aks-*');
    const hostile = predicateOf(`node=${'*a'.repeat(24)}*b`);
    expect(timeRatio(() => flows.forEach(hostile), () => flows.forEach(plain))).toBeLessThan(100);
  });

  it('refuses an FQDN pattern longer than a DNS name, naming the parameter', () => {
    const f = filterFromSearchParams(new URLSearchParams(`fqdn=${'*'.repeat(300)}`));
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.problems[0].param).toBe('fqdn');
  });
});

// Issue 8, item 6: parameter maps without prototypes.
describe('parameters named like Object members', () => {
  const names = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf'];

  it('are unknown filters for /api/flows and /api/stream (400 naming them, never a crash)', () => {
    for (const name of names) {
      const f = filterFromSearchParams(new URLSearchParams(`${name}=x`));
      expect(f.ok, name).toBe(false);
      if (!f.ok) expect(f.problems.map((p) => p.param).join(',')).toContain(name);
    }
  });

  it('are kept as plain keys when repeated', () => {
    const r = searchParamsToRecord(new URLSearchParams('constructor=a&constructor=b&toString=c'));
    expect(r.constructor).toEqual(['a', 'b']);
    expect(r.toString).toEqual(['c']);
  });

  it('are unknown parameters for /api/policies, /api/explain and /api/layers', () => {
    for (const name of names) {
      const q = new URLSearchParams(`${name}=x`);
      expect(parseCatalogQuery(q).ok, `policies ${name}`).toBe(false);
      expect(parseExplainRequest(q).ok, `explain ${name}`).toBe(false);
      expect(parseLayersQuery(q).ok, `layers ${name}`).toBe(false);
    }
  });
});

// Issue 12, item 5: the flows page explains an empty result from the filter as the server read it.
describe('filterFromSearchParams keeps the validated query', () => {
  it('with from/to variants as typed, comma lists split', () => {
    const f = filterFromSearchParams(new URLSearchParams('fromNamespace=legacy&toNamespace=payments&toPort=5432,5433&select=x'));
    expect(f.ok).toBe(true);
    if (f.ok) expect(f.query).toEqual({ fromNamespace: ['legacy'], toNamespace: ['payments'], toPort: ['5432', '5433'] });
    if (f.ok) expect(f.predicate(flow(pod('legacy', 'legacy-app-0'), pod('payments', 'payments-db-0', { port: 5433 })))).toBe(true);
    if (f.ok) expect(f.predicate(flow(pod('payments', 'payments-db-0'), pod('legacy', 'legacy-app-0', { port: 5433 })))).toBe(false);
  });
});

// Issue 9, item 3: every 400 is problem details, with the same `problems` list as before.
describe('badQueryResponse', () => {
  it('answers application/problem+json naming each parameter, detail in the flows page wording', async () => {
    const f = filterFromSearchParams(new URLSearchParams('port=http&constructor=x'));
    if (f.ok) throw new Error('expected problems');
    const res = badQueryResponse(f.problems);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body.problems).toEqual(f.problems);
    expect(body.problems.map((p: { param: string }) => p.param)).toEqual(expect.arrayContaining(['port', 'constructor']));
    expect(body.detail.split('\n')).toHaveLength(f.problems.length);
    expect(body.detail).toContain('invalid filter "port": ');
    expect(body).toMatchObject({ status: 400, title: 'Invalid request parameters', type: 'urn:flowsight:problem:invalid-parameters' });
  });
});
