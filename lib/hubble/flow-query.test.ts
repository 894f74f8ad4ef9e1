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

  it('ignores view parameters it is told to', () => {
    expect(parseFlowQuery({ select: 'x', verdict: 'DROPPED' }, ['select']).ok).toBe(true);
  });
});
