import { describe, expect, it } from 'vitest';
import { flowQueryToFilters, parseFlowQuery } from './flow-query';

describe('flowQueryToFilters (hubble observe semantics)', () => {
  it('an undirected namespace becomes "from OR to" as two filters', () => {
    expect(flowQueryToFilters({ namespace: ['payments'] })).toEqual([{ source_pod: ['payments/'] }, { destination_pod: ['payments/'] }]);
  });

  it('from/to flags apply to both sides of an undirected flag and AND with it', () => {
    expect(flowQueryToFilters({ namespace: ['legacy'], toPort: ['5432'], verdict: ['DROPPED'] })).toEqual([
      { verdict: ['DROPPED'], destination_port: ['5432'], source_pod: ['legacy/'] },
      { verdict: ['DROPPED'], destination_port: ['5432'], destination_pod: ['legacy/'] },
    ]);
  });

  it('a pod without namespace takes the namespace flag, with a "/" it keeps its own', () => {
    expect(flowQueryToFilters({ fromNamespace: ['production'], fromPod: ['frontend', 'kube-system/coredns'] })).toEqual([
      { source_pod: ['production/frontend', 'kube-system/coredns'] },
    ]);
  });

  it('only directed flags give a single filter; no flags give none', () => {
    expect(flowQueryToFilters({ toFqdn: ['*.github.com'] })).toEqual([{ destination_fqdn: ['*.github.com'] }]);
    expect(flowQueryToFilters({})).toEqual([]);
  });
});

describe('parseFlowQuery', () => {
  it('accepts comma lists and lower-case verdicts', () => {
    const r = parseFlowQuery({ verdict: 'dropped,audit', namespace: ['payments'] });
    expect(r.ok && r.query.verdict).toEqual(['DROPPED', 'AUDIT']);
  });

  it('names each bad parameter', () => {
    const r = parseFlowQuery({ verdict: 'allowed', port: '99999', namespace: 'Bad_NS' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.param).sort()).toEqual(['namespace', 'port', 'verdict']);
  });

  it('rejects unknown parameters and lists the known ones', () => {
    const r = parseFlowQuery({ nmespace: 'x' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ param: 'nmespace' });
    if (!r.ok) expect(r.problems[0].message).toContain('namespace');
  });

  it('reports filter-level errors (bad CIDR) under the parameter a person typed', () => {
    const r = parseFlowQuery({ toIp: '10.0.0.0/40' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0].message).toContain('CIDR');
  });

  it('names the from/to parameter a person typed, and every bad one', () => {
    const r = parseFlowQuery({ fromIp: '10.0.0.0/40', toFqdn: 'bad name!', ip: '10.1.2.3', toLabel: 'app=' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.param).sort()).toEqual(['fromIp', 'toFqdn']);
    expect(r.problems.find((p) => p.param === 'fromIp')?.message).toContain('CIDR');
  });

  it('accepts every from/to variant of namespace, pod, label, IP, FQDN and port', () => {
    const r = parseFlowQuery({
      fromNamespace: 'legacy', toNamespace: 'payments', fromPod: 'legacy-app', toPod: 'payments-db', fromLabel: 'k8s:app=legacy-app',
      toLabel: 'k8s:app=payments-db', fromIp: '10.244.0.0/16', toIp: '10.244.1.7', fromFqdn: '*.corp.example', toFqdn: 'api.stripe.com', fromPort: '40000', toPort: '5432',
    });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.filters).toEqual([{
      source_pod: ['legacy/legacy-app'], source_ip: ['10.244.0.0/16'], source_label: ['k8s:app=legacy-app'], source_fqdn: ['*.corp.example'], source_port: ['40000'],
      destination_pod: ['payments/payments-db'], destination_ip: ['10.244.1.7'], destination_label: ['k8s:app=payments-db'], destination_fqdn: ['api.stripe.com'], destination_port: ['5432'],
    }]);
  });

  it('ignores view parameters it is told to', () => {
    expect(parseFlowQuery({ select: 'x', verdict: 'DROPPED' }, ['select']).ok).toBe(true);
  });
});
