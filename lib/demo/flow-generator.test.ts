import { describe, expect, it } from 'vitest';
import { FlowGenerator, randomUuidPrefix } from './flow-generator';
import { demoScenario } from './scenario';

const scenario = demoScenario();
const flows = new FlowGenerator(scenario, 42).generate(20_000, 1_795_000_000_000, 5);

describe('demo flow generator', () => {
  it('is deterministic for a seed', () => {
    const again = new FlowGenerator(scenario, 42).generate(500, 1_795_000_000_000, 5);
    expect(again).toEqual(flows.slice(0, again.length));
    expect(new FlowGenerator(scenario, 43).generate(50, 1_795_000_000_000, 5)).not.toEqual(flows.slice(0, 50));
  });

  it('gives every flow a unique uuid, a time, a node and an event type like Cilium', () => {
    expect(new Set(flows.map((f) => f.uuid)).size).toBe(flows.length);
    for (const f of flows) {
      expect(f.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(f.time).toBeGreaterThan(0);
      expect(f.node).toMatch(new RegExp(`^${scenario.cluster}/aks-nodepool1-`));
      expect([1, 4, 5, 129]).toContain(f.eventType);
    }
  });

  it('a uuid prefix changes the uuids and nothing else', () => {
    const prefix = randomUuidPrefix();
    const other = new FlowGenerator(scenario, 42, { uuidPrefix: prefix }).generate(500, 1_795_000_000_000, 5);
    expect(other.map((f) => ({ ...f, uuid: '' }))).toEqual(flows.slice(0, other.length).map((f) => ({ ...f, uuid: '' })));
    expect(other.every((f) => f.uuid.startsWith(`${prefix}-`))).toBe(true);
    expect(other[0].uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomUuidPrefix()).not.toBe(prefix);
    expect(() => new FlowGenerator(scenario, 42, { uuidPrefix: 'not-a-prefix' })).toThrow(/not a v4 uuid prefix/);
  });

  it('labels internet peers reserved:world with their DNS names', () => {
    const github = flows.find((f) => f.destination.names.includes('api.github.com'))!;
    expect(github.destination.labels).toEqual(['reserved:world']);
    expect(github.destination.identity).toBe(2);
  });

  it('puts a drop reason on every drop and none elsewhere', () => {
    for (const f of flows) expect(f.dropReason !== '').toBe(f.verdict === 'DROPPED');
    expect(flows.filter((f) => f.verdict === 'DROPPED').every((f) => f.dropReason === 'POLICY_DENIED')).toBe(true);
  });

  it('follows the scenario: payments DNS dropped, legacy reaches the internet, monitoring audited', () => {
    const paymentsDns = flows.filter((f) => f.source.namespace === 'payments' && f.destination.port === 53);
    expect(paymentsDns.length).toBeGreaterThan(0);
    expect(paymentsDns.every((f) => f.verdict === 'DROPPED')).toBe(true);
    expect(flows.some((f) => f.source.namespace === 'legacy' && f.destination.labels.includes('reserved:world') && f.verdict === 'FORWARDED')).toBe(true);
    expect(flows.some((f) => f.source.namespace === 'monitoring' && f.verdict === 'AUDIT')).toBe(true);
    const apiToDb = flows.find((f) => f.source.pod.startsWith('api-server') && f.destination.pod === 'postgres-0' && f.direction === 'INGRESS')!;
    expect(apiToDb.ingressAllowedBy).toEqual([{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-db-from-api' }]);
  });

  it('includes L7 DNS and HTTP records, and replies', () => {
    expect(flows.some((f) => f.l7?.dns && f.l7.type === 'RESPONSE' && f.l7.dns.ips.includes('54.187.174.169'))).toBe(true);
    expect(flows.some((f) => f.l7?.http?.method === 'POST' && f.l7.type === 'REQUEST')).toBe(true);
    expect(flows.some((f) => f.isReply === true)).toBe(true);
  });

  it('picks patterns in proportion to their weights, never one of weight 0', () => {
    const [a, b, c] = scenario.traffic.filter((t) => 'workload' in t.from && 'workload' in t.to && !t.http && !t.dnsQuery);
    const weighted = { ...scenario, traffic: [{ ...a, weight: 0 }, { ...b, weight: 1 }, { ...c, weight: 0 }, { ...a, id: 'a-again', weight: 3 }, { ...c, id: 'c-last', weight: 0 }] };
    const g = new FlowGenerator(weighted, 3);
    const seen = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      const first = g.nextConnection(0)[0];
      const key = `${first.source.workloads[0].name}>${first.destination.workloads[0].name}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const name = (t: typeof a) => `${(t.from as { workload: string }).workload.split('/')[1]}>${(t.to as { workload: string }).workload.split('/')[1]}`;
    expect([...seen.keys()].sort()).toEqual([name(a), name(b)].sort());
    expect(seen.get(name(a))! / seen.get(name(b))!).toBeGreaterThan(2.5);
    expect(seen.get(name(a))! / seen.get(name(b))!).toBeLessThan(3.5);
  });
});
