import { describe, expect, it } from 'vitest';
import { PolicyEngine, isEngineError, type ConnectionVerdict, type Connection } from './engine';
import { cluster, np, type PodSpec } from './testing/cluster-fixture';
import type { PolicyObject } from '../k8s/types';
import type { PeerRef } from './peer-ref';

const PODS: PodSpec[] = [
  { ns: 'shop', name: 'db', labels: { app: 'db' }, ip: '10.244.0.10', ports: [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }] },
  { ns: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.244.0.11', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
  { ns: 'ops', name: 'db', labels: { app: 'db' }, ip: '10.244.1.10', node: 'node-b' },
  { ns: 'ops', name: 'admin', labels: { app: 'admin' }, ip: '10.244.1.11', node: 'node-b', ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }] },
  { ns: 'blue', name: 'web', labels: { app: 'web' }, ip: '10.244.2.10' },
];
const NAMESPACES = { shop: { team: 'a' }, ops: { team: 'a' }, blue: { team: 'b' } };

function run(policies: PolicyObject[], conn: Partial<Connection> & { from: PeerRef; to: PeerRef }): ConnectionVerdict {
  // Upstream semantics (what the conformance tests expect); the Cilium datapath's ipBlock is in datapath.test.ts.
  const engine = new PolicyEngine(cluster({ namespaces: NAMESPACES, pods: PODS, policies }), { datapath: 'kubernetes' });
  expect(engine.errors).toEqual([]);
  const r = engine.evaluate({ port: 5432, protocol: 'TCP', ...conn });
  if (isEngineError(r)) throw new Error(r.error.message);
  return r;
}

const pod = (ref: string): PeerRef => ({ pod: ref });
const DB_INGRESS = (peers: unknown[], extra: Record<string, unknown> = {}) =>
  np('shop', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: peers, ...extra }] });

describe('NetworkPolicy: peers', () => {
  const intersection = DB_INGRESS([{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'admin' } } }]);
  const union = DB_INGRESS([{ namespaceSelector: { matchLabels: { team: 'a' } } }, { podSelector: { matchLabels: { app: 'admin' } } }]);
  const cases: [string, PolicyObject, string, boolean][] = [
    ['one peer with both selectors is the intersection: admin in a team-a namespace', intersection, 'ops/admin', true],
    ['intersection excludes other pods of the namespace', intersection, 'shop/web', false],
    ['two peers are the union: any pod of a team-a namespace', union, 'shop/web', true],
    ['union: team-b namespace pods are not in either peer', union, 'blue/web', false],
    ['podSelector alone means the policy namespace only', DB_INGRESS([{ podSelector: { matchLabels: { app: 'web' } } }]), 'blue/web', false],
    ['podSelector alone in its own namespace', DB_INGRESS([{ podSelector: { matchLabels: { app: 'web' } } }]), 'shop/web', true],
    ['podSelector {} alone: every pod of the policy namespace', DB_INGRESS([{ podSelector: {} }]), 'shop/web', true],
    ['podSelector {} alone: not other namespaces', DB_INGRESS([{ podSelector: {} }]), 'ops/admin', false],
    ['namespaceSelector {}: every pod of every namespace', DB_INGRESS([{ namespaceSelector: {} }]), 'blue/web', true],
  ];
  it.each(cases)('%s', (_n, policy, from, allowed) => {
    const r = run([policy], { from: pod(from), to: pod('shop/db') });
    expect(r.ingress.allowed).toBe(allowed);
    expect(r.ingress.isolated).toBe(true);
    expect(r.ingress.by.map((b) => `${b.name}#${b.section}[${b.rule}]`)).toEqual(allowed ? ['db-ingress#ingress[0]'] : []);
    expect(r.ingress.reason).toBe(allowed ? 'allowed' : 'default-deny');
  });

  it('namespaceSelector {} does not match addresses outside the cluster', () => {
    const r = run([DB_INGRESS([{ namespaceSelector: {} }])], { from: { ip: '203.0.113.9' }, to: pod('shop/db') });
    expect(r.ingress.allowed).toBe(false);
  });
});

describe('NetworkPolicy: rules and policyTypes', () => {
  const cases: [string, PolicyObject[], Connection, { egress: [boolean, boolean]; ingress: [boolean, boolean] }][] = [
    ['ingress: [{}] allows everything, even the internet', [np('shop', 'allow-all', { podSelector: {}, ingress: [{}] })], { from: { ip: '198.51.100.7' }, to: pod('shop/db'), port: 1234, protocol: 'UDP' }, { egress: [true, false], ingress: [true, true] }],
    ['Ingress in policyTypes without rules denies all ingress', [np('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })], { from: pod('shop/web'), to: pod('shop/db'), port: 5432, protocol: 'TCP' }, { egress: [true, false], ingress: [false, true] }],
    ['no policyTypes and no rules: Ingress is inferred, egress stays open', [np('shop', 'deny', { podSelector: {} })], { from: pod('shop/db'), to: pod('blue/web'), port: 80, protocol: 'TCP' }, { egress: [true, false], ingress: [true, false] }],
    ['egress rules without policyTypes also make ingress deny-all (Ingress is always inferred)', [np('shop', 'egress-only', { podSelector: { matchLabels: { app: 'db' } }, egress: [{ to: [{ namespaceSelector: {} }] }] })], { from: pod('shop/web'), to: pod('shop/db'), port: 5432, protocol: 'TCP' }, { egress: [true, false], ingress: [false, true] }],
    ['policyTypes [Egress] ignores ingress rules', [np('shop', 'egress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'], ingress: [{}] })], { from: pod('shop/web'), to: pod('shop/db'), port: 5432, protocol: 'TCP' }, { egress: [true, false], ingress: [true, false] }],
    ['egress: [] with policyTypes Egress denies all egress', [np('shop', 'no-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [] })], { from: pod('shop/web'), to: { ip: '1.1.1.1' }, port: 443, protocol: 'TCP' }, { egress: [false, true], ingress: [true, false] }],
    ['allow rules of several policies add up', [np('shop', 'a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }] }), np('shop', 'b', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })], { from: pod('shop/web'), to: pod('shop/db'), port: 5432, protocol: 'TCP' }, { egress: [true, false], ingress: [true, true] }],
  ];
  it.each(cases)('%s', (_n, policies, conn, expected) => {
    const r = run(policies, conn);
    expect([r.egress.allowed, r.egress.isolated]).toEqual(expected.egress);
    expect([r.ingress.allowed, r.ingress.isolated]).toEqual(expected.ingress);
    expect(r.allowed).toBe(expected.egress[0] && expected.ingress[0]);
  });

  it('a connection needs both the source egress and the destination ingress', () => {
    const policies = [
      np('shop', 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
      np('shop', 'db-deny', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }),
    ];
    const r = run(policies, { from: pod('shop/web'), to: pod('shop/db') });
    expect(r.egress).toMatchObject({ allowed: true, by: [expect.objectContaining({ name: 'web-egress', section: 'egress', rule: 0 })] });
    expect(r.ingress).toMatchObject({ allowed: false, reason: 'default-deny', by: [] });
    expect(r).toMatchObject({ allowed: false, verdict: 'DROPPED', enforcedAt: 'ingress' });
  });

  it('replies of an allowed connection pass without evaluation', () => {
    const r = run([np('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], { from: pod('shop/db'), to: pod('shop/web'), reply: true });
    expect(r).toMatchObject({ allowed: true, egress: { reason: 'reply' }, ingress: { reason: 'reply' } });
  });

  it('a pod no policy selects is not isolated: default allow, nothing decided', () => {
    const r = run([DB_INGRESS([])], { from: pod('blue/web'), to: pod('ops/db') });
    expect(r.egress).toEqual({ allowed: true, isolated: false, reason: 'not-isolated', by: [], audit: false });
    expect(r.ingress).toEqual({ allowed: true, isolated: false, reason: 'not-isolated', by: [], audit: false });
  });
});

describe('NetworkPolicy: ipBlock and ports', () => {
  const egressTo = (to: unknown[], ports?: unknown[]) =>
    np('shop', 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to, ...(ports ? { ports } : {}) }] });
  const cases: [string, PolicyObject, PeerRef, number, 'TCP' | 'UDP', boolean][] = [
    ['ipBlock matches an external address', egressTo([{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }]), { ip: '1.1.1.1' }, 443, 'TCP', true],
    ['ipBlock except carves out an address', egressTo([{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }]), { ip: '169.254.169.254' }, 80, 'TCP', false],
    ['ipBlock matches pod IPs inside the CIDR (conformance)', egressTo([{ ipBlock: { cidr: '10.244.0.0/24' } }]), pod('shop/db'), 5432, 'TCP', true],
    ['ipBlock: pod outside the CIDR', egressTo([{ ipBlock: { cidr: '10.244.0.0/24' } }]), pod('ops/db'), 5432, 'TCP', false],
    ['named port resolves on the destination pod (web: http=8080)', egressTo([{ namespaceSelector: {} }], [{ port: 'http' }]), pod('shop/web'), 8080, 'TCP', true],
    ['same port name, other number on another pod (admin: http=9000)', egressTo([{ namespaceSelector: {} }], [{ port: 'http' }]), pod('ops/admin'), 9000, 'TCP', true],
    ['named port: 8080 is not admin\'s http port', egressTo([{ namespaceSelector: {} }], [{ port: 'http' }]), pod('ops/admin'), 8080, 'TCP', false],
    ['endPort range', egressTo([{ ipBlock: { cidr: '0.0.0.0/0' } }], [{ port: 30000, endPort: 32767 }]), { ip: '1.1.1.1' }, 32767, 'TCP', true],
    ['protocol defaults to TCP: UDP not allowed', egressTo([{ ipBlock: { cidr: '0.0.0.0/0' } }], [{ port: 53 }]), { ip: '1.1.1.1' }, 53, 'UDP', false],
  ];
  it.each(cases)('%s', (_n, policy, to, port, protocol, allowed) => {
    const r = run([policy], { from: pod('shop/web'), to, port, protocol });
    expect(r.egress.allowed).toBe(allowed);
  });
});

describe('NetworkPolicy: node traffic', () => {
  const denyAll = np('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
  it('the local node (kubelet probes) reaches an isolated pod', () => {
    const r = run([denyAll], { from: { ip: '10.224.0.4' }, to: pod('shop/web'), port: 8080 });
    expect(r.source).toMatchObject({ kind: 'host', node: 'node-a' });
    expect(r.ingress).toMatchObject({ allowed: true, isolated: true, reason: 'host-always-allowed' });
  });
  it('another node\'s IP is remote-node and subject to policy', () => {
    const r = run([denyAll], { from: { ip: '10.224.0.5' }, to: pod('shop/web'), port: 8080 });
    expect(r.source).toMatchObject({ kind: 'remote-node', node: 'node-b' });
    expect(r.ingress.allowed).toBe(false);
  });
  it('with allow-localhost=policy the host is subject to policy', () => {
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [denyAll] }), { allowLocalhost: 'policy' });
    const r = engine.evaluate({ from: { entity: 'host' }, to: pod('shop/web'), port: 8080, protocol: 'TCP' });
    expect(!isEngineError(r) && r.ingress.allowed).toBe(false);
  });
});

describe('NetworkPolicy: invalid policies', () => {
  it('reports the policy and field, and still compiles the other policies', () => {
    const bad = np('shop', 'typo', { podSelector: { matchExpressions: [{ key: 'app', operator: 'in', values: ['db'] }] }, policyTypes: ['Ingress'] });
    const badPort = np('shop', 'bad-port', { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 9000 }] }] });
    const good = np('shop', 'deny', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [bad, badPort, good] }));
    expect(engine.errors).toEqual([
      expect.objectContaining({ code: 'invalid-selector', where: { kind: 'NetworkPolicy', namespace: 'shop', name: 'typo', field: 'spec.podSelector.matchExpressions[0].operator' } }),
      expect.objectContaining({ code: 'invalid-port', where: { kind: 'NetworkPolicy', namespace: 'shop', name: 'bad-port', field: 'spec.ingress[0].ports[0].endPort' } }),
    ]);
    expect(engine.policies().map((p) => p.ref.name)).toEqual(['deny']);
  });
});
