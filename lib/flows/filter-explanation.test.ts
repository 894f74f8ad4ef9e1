import { describe, expect, it } from 'vitest';
import { compileFilters } from '../hubble/flow-filter';
import { parseFlowQuery, type FlowQuery } from '../hubble/flow-query';
import { flow, pod } from '../testing/flow-fixtures';
import { explainFlowQuery, flowQueryToSearchParams, sideKey } from './filter-explanation';
import type { FlowRecord } from './flow-record';

/** The query as the server parses it from the flows page's URL. */
function query(qs: string): FlowQuery {
  const r = parseFlowQuery(Object.fromEntries(new URLSearchParams(qs)));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.query;
}

/** Does the real filter (the one /api/flows and /api/stream apply) match this flow? */
function matches(q: FlowQuery, f: FlowRecord): boolean {
  const r = parseFlowQuery(Object.fromEntries(flowQueryToSearchParams(q)));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return compileFilters(r.filters)(f);
}

const legacyToDb = flow(pod('legacy', 'legacy-app-0'), pod('payments', 'payments-db-0', { port: 5432 }));
const paymentsToDb = flow(pod('payments', 'payments-api-0'), pod('production', 'postgres-0', { port: 5432 }));
const droppedDnsQuery = flow(pod('payments', 'payments-api-0'), pod('kube-system', 'coredns-0', { port: 53 }), { protocol: 'UDP', verdict: 'DROPPED', dropReason: 'POLICY_DENIED' });

describe('explainFlowQuery: how fields combine', () => {
  it('namespace AND port without a side must match the SAME end, and says so', () => {
    const q = query('namespace=payments&port=5432');
    const e = explainFlowQuery(q);
    expect(e.combination[0]).toBe('namespace payments AND port 5432 must match the SAME end of a flow: both on its source, or both on its destination.');
    // What the sentence claims is what the filter does: payments -> :5432 elsewhere is not matched ...
    expect(matches(q, paymentsToDb)).toBe(false);
    // ... a flow whose destination is in payments and on 5432 is.
    expect(matches(q, legacyToDb)).toBe(true);
  });

  it('offers "from the endpoint, to the port", and that suggestion matches the flow the person meant', () => {
    const q = query('namespace=payments&port=5432&verdict=FORWARDED');
    const hint = explainFlowQuery(q).hints.find((h) => h.code === 'same-end');
    expect(hint?.message).toContain('A flow from namespace payments to port 5432');
    expect(hint?.suggestion?.label).toBe('from namespace payments to port 5432');
    const suggested = hint!.suggestion!.query;
    expect(flowQueryToSearchParams(suggested).toString()).toBe('verdict=FORWARDED&toPort=5432&fromNamespace=payments');
    expect(matches(suggested, paymentsToDb)).toBe(true);
    expect(matches(suggested, legacyToDb)).toBe(false);
  });

  it('one field without a side matches either end', () => {
    expect(explainFlowQuery(query('namespace=payments')).combination).toEqual(['namespace payments matches either end of a flow (its source or its destination).']);
    expect(explainFlowQuery(query('namespace=payments')).hints).toEqual([]);
  });

  it('from fields all hold at the source, to fields at the destination, the rest on the whole flow', () => {
    const e = explainFlowQuery(query('fromNamespace=legacy&fromLabel=k8s:app=legacy-app&toNamespace=payments&toPort=5432&verdict=DROPPED,AUDIT'));
    expect(e.combination).toEqual([
      'The source must match namespace legacy AND label k8s:app=legacy-app.',
      'The destination must match namespace payments AND port 5432.',
      'The flow itself must have verdict DROPPED OR AUDIT.',
    ]);
  });

  it('a pod is looked up in the namespace of its side, unless it names its own', () => {
    const e = explainFlowQuery(query('toNamespace=payments&toPod=payments-db,kube-system/coredns'));
    expect(e.combination).toEqual(['The destination must match pod payments/payments-db OR kube-system/coredns.']);
  });

  it('says the from/to fields add to the either-end ones', () => {
    const e = explainFlowQuery(query('namespace=payments&toPort=53'));
    expect(e.combination).toContain('The from/to fields hold in addition, whichever end matched the either-end fields.');
    expect(e.hints.map((h) => h.code)).not.toContain('same-end');
  });
});

describe('explainFlowQuery: combinations that match nothing', () => {
  it('protocol dns + DROPPED: dropped packets have no DNS layer; look for port 53/udp', () => {
    const q = query('protocol=dns&verdict=DROPPED&namespace=payments');
    const hint = explainFlowQuery(q).hints.find((h) => h.code === 'dns-dropped');
    expect(hint?.message).toContain('Dropped packets carry no DNS layer');
    expect(hint?.message).toContain('DNS proxy');
    expect(hint?.message).toContain('port 53/udp');
    expect(matches(q, droppedDnsQuery)).toBe(false);
    expect(hint?.suggestion?.label).toBe('to port 53/udp');
    expect(matches(hint!.suggestion!.query, droppedDnsQuery)).toBe(true);
  });

  it('no DNS hint for allowed DNS or for dropped UDP', () => {
    expect(explainFlowQuery(query('protocol=dns&verdict=FORWARDED')).hints).toEqual([]);
    expect(explainFlowQuery(query('protocol=udp&verdict=DROPPED')).hints).toEqual([]);
  });

  it('ICMP with a port, a drop reason without DROPPED, HTTP fields under another protocol', () => {
    const icmp = explainFlowQuery(query('protocol=icmp&toPort=80')).hints;
    expect(icmp.map((h) => h.code)).toEqual(['icmp-port']);
    expect(flowQueryToSearchParams(icmp[0].suggestion!.query).toString()).toBe('protocol=icmp');
    expect(explainFlowQuery(query('dropReason=POLICY_DENIED&verdict=FORWARDED')).hints.map((h) => h.code)).toEqual(['drop-reason-verdict']);
    expect(explainFlowQuery(query('httpStatus=5%2B&protocol=dns')).hints.map((h) => h.code)).toEqual(['http-fields-protocol']);
  });

  it('an empty query explains nothing', () => {
    expect(explainFlowQuery({})).toEqual({ combination: [], hints: [] });
  });
});

describe('sideKey', () => {
  it('names the URL parameter of a field on a side', () => {
    expect(sideKey('either', 'namespace')).toBe('namespace');
    expect(sideKey('from', 'fqdn')).toBe('fromFqdn');
    expect(sideKey('to', 'ip')).toBe('toIp');
  });
});
