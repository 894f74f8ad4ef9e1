import { describe, expect, it } from 'vitest';
import { DEFAULT_SINCE, MAX_QUERY_CHARS, readFlowSearch, writeFlowSearch } from './flow-search-url';
import { legacyFilterToQuery } from './legacy-filter';

const read = (qs: string) => readFlowSearch(new URLSearchParams(qs));

describe('readFlowSearch / writeFlowSearch', () => {
  it('round-trips a search over an absolute window', () => {
    const qs = 'q=from-ns%3Ashop+verdict%3Adropped&since=2026-11-28T10%3A00%3A00.000Z&until=2026-11-28T11%3A00%3A00.000Z';
    const { search, translated } = read(qs);
    expect(search).toEqual({ q: 'from-ns:shop verdict:dropped', live: false, since: '2026-11-28T10:00:00.000Z', until: '2026-11-28T11:00:00.000Z' });
    expect(translated).toBeNull();
    expect(writeFlowSearch(search).toString()).toBe(qs);
  });

  it('searches the last hour when the URL names no window, and says so in the URL it writes', () => {
    const { search } = read('q=ns%3Ashop');
    expect(search).toMatchObject({ live: false, since: DEFAULT_SINCE, until: '' });
    expect(writeFlowSearch(search).get('since')).toBe(DEFAULT_SINCE);
  });

  it('keeps an open start when only until is given', () => {
    expect(read('until=2026-11-28T11%3A00%3A00Z').search).toMatchObject({ since: '', until: '2026-11-28T11:00:00Z' });
  });

  it('live=1 tails: the window is dropped from the state and the URL', () => {
    const { search } = read('q=verdict%3Adropped&live=1&since=1h');
    expect(search).toEqual({ q: 'verdict:dropped', live: true, since: '', until: '' });
    expect(writeFlowSearch(search).toString()).toBe('q=verdict%3Adropped&live=1');
  });

  it('caps what it takes from a URL', () => {
    const { search } = read(`q=${'a'.repeat(MAX_QUERY_CHARS + 50)}&since=${'9'.repeat(200)}`);
    expect(search.q).toHaveLength(MAX_QUERY_CHARS);
    expect(search.since.length).toBeLessThanOrEqual(40);
  });

  it('translates an old filter link into a query that tails, as the old page did', () => {
    const { search, translated } = read('namespace=payments&verdict=DROPPED&protocol=udp');
    expect(search.live).toBe(true);
    expect(search.q).toBe('ns:payments verdict:dropped proto:udp');
    expect(translated).toEqual({ from: 'namespace=payments&verdict=DROPPED&protocol=udp', to: search.q, unsupported: [] });
    // Written back, the link is in the new form only.
    expect(writeFlowSearch(search).toString()).toBe('q=ns%3Apayments+verdict%3Adropped+proto%3Audp&live=1');
  });

  it('an old filter next to a query with OR keeps the query in parentheses, and a window keeps it a search', () => {
    const { search } = read('q=port%3A53+OR+port%3A5353&toNamespace=kube-system&since=15m');
    expect(search).toMatchObject({ q: '(port:53 OR port:5353) to-ns:kube-system', live: false, since: '15m' });
  });
});

describe('legacyFilterToQuery', () => {
  it('returns null when the URL has no old parameters', () => {
    expect(legacyFilterToQuery(new URLSearchParams('q=ns%3Ashop&since=1h'))).toBeNull();
  });

  it('maps each side of each field and turns comma lists and repeats into OR groups', () => {
    const r = legacyFilterToQuery(new URLSearchParams('fromNamespace=shop,payments&toPort=53&toPort=5353&fromPod=api&httpStatus=5xx'));
    expect(r?.query).toBe('(from-ns:shop OR from-ns:payments) from-pod:api (to-port:53 OR to-port:5353) http-status:5xx');
  });

  it('quotes values the language would otherwise split, and keeps label forms as they are', () => {
    expect(legacyFilterToQuery(new URLSearchParams('label=k8s:app=api'))?.query).toBe('label:k8s:app=api');
    expect(legacyFilterToQuery(new URLSearchParams('dropReason=a (b)'))?.query).toBe('reason:"a (b)"');
  });

  it('keeps L4 and L7 protocols as proto: and names what it cannot translate', () => {
    const r = legacyFilterToQuery(new URLSearchParams('protocol=DNS,gopher&direction=INGRESS'));
    expect(r?.query).toBe('proto:dns');
    expect(r?.unsupported).toEqual(['protocol=gopher', 'direction=INGRESS']);
  });
});

describe('translated links parse', () => {
  it.each([
    'namespace=payments&verdict=DROPPED&protocol=udp',
    'verdict=DROPPED&fromNamespace=legacy&toNamespace=production&port=5432',
    'toFqdn=api.github.com',
    'fromPod=payments/api-,shop/web&label=k8s:app=api&toIp=10.0.0.0/8&httpStatus=5xx&httpMethod=GET&node=aks-1&dropReason=POLICY_DENIED',
  ])('%s', async (qs) => {
    const { parseSearch } = await import('@/lib/search/parse');
    const r = legacyFilterToQuery(new URLSearchParams(qs));
    const parsed = parseSearch(r!.query);
    expect(parsed.ok ? 'ok' : parsed.error.message).toBe('ok');
  });
});
