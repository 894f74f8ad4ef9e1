import { describe, expect, it } from 'vitest';
import { parseSearch } from '@/lib/search/parse';
import { queryHints } from './query-hints';

function hints(q: string) {
  const parsed = parseSearch(q);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return queryHints(q, parsed.ast);
}

describe('queryHints', () => {
  it('dropped DNS: suggests port 53/udp instead, keeping the other terms', () => {
    const [hint] = hints('from-ns:payments verdict:dropped proto:dns');
    expect(hint.code).toBe('dns-dropped');
    expect(hint.suggestion?.q).toBe('from-ns:payments verdict:dropped proto:udp to-port:53');
    expect(parseSearch(hint.suggestion!.q).ok).toBe(true);
  });

  it('removes a quoted dns: term whole', () => {
    const [hint] = hints('dns:"*.svc.cluster.local" verdict:dropped');
    expect(hint.suggestion?.q).toBe('verdict:dropped proto:udp to-port:53');
  });

  it('ICMP with a port: suggests the query without the port', () => {
    const [hint] = hints('proto:icmp to-port:8080 ns:shop');
    expect(hint.code).toBe('icmp-port');
    expect(hint.suggestion?.q).toBe('proto:icmp ns:shop');
  });

  it('a drop reason with another verdict: suggests verdict:dropped', () => {
    const [hint] = hints('reason:POLICY_DENIED verdict:forwarded');
    expect(hint.code).toBe('drop-reason-verdict');
    expect(hint.suggestion?.q).toBe('reason:POLICY_DENIED verdict:dropped');
  });

  it('says nothing about combinations that can match, or terms under OR', () => {
    expect(hints('verdict:dropped to-port:53')).toEqual([]);
    expect(hints('verdict:dropped OR proto:dns')).toEqual([]);
    expect(hints('')).toEqual([]);
  });
});
