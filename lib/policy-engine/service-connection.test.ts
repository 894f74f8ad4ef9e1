/**
 * Connections to a Service are judged at its backends, on the target port, because the Service's virtual IP
 * is translated before any policy sees the packet:
 * - kubernetes.io/docs/reference/networking/virtual-ips/ (kube-proxy rewrites the destination to a backend);
 * - docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/ ("socket-LB": the backend is chosen at
 *   connect(), so the datapath and its policies only ever see the backend address and port);
 * - kubernetes.io/docs/concepts/services-networking/network-policies/ (policies select pods; ports are the
 *   pods' ports, a named port resolves against the destination pod's container ports).
 */

import { describe, expect, it } from 'vitest';
import { PolicyEngine, isEngineError } from './engine';
import { cluster, cnp, endpointSlice, np, service } from './testing/cluster-fixture';
import { evaluateConnection, type ConnectionEvaluation, type ServiceConnectionVerdict } from './service-connection';
import { parsePeerRef, type PeerRef } from './peer-ref';

const http = [{ name: 'http', containerPort: 8080, protocol: 'TCP' as const }];

const snapshot = cluster({
  pods: [
    { ns: 'shop', name: 'web-1', labels: { app: 'web' }, ip: '10.244.0.11', node: 'node-a' },
    { ns: 'shop', name: 'api-1', labels: { app: 'api', track: 'stable' }, ip: '10.244.0.21', node: 'node-a', ports: http },
    { ns: 'shop', name: 'api-2', labels: { app: 'api', track: 'canary' }, ip: '10.244.1.22', node: 'node-b', ports: http },
    { ns: 'shop', name: 'cart-1', labels: { app: 'cart' }, ip: '10.244.0.31', node: 'node-a', ports: http },
    { ns: 'monitoring', name: 'exporter-b', labels: { app: 'exporter' }, ip: '10.224.0.5', node: 'node-b', hostNetwork: true, ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }] },
  ],
  services: [
    service({ metadata: { name: 'api', namespace: 'shop' }, spec: { clusterIP: '10.0.0.50', selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }),
    service({ metadata: { name: 'cart', namespace: 'shop' }, spec: { clusterIP: '10.0.0.60', selector: { app: 'cart' }, ports: [{ port: 80, targetPort: 8080 }] } }),
    service({ metadata: { name: 'gone', namespace: 'shop' }, spec: { clusterIP: '10.0.0.70', selector: { app: 'gone' }, ports: [{ port: 80 }] } }),
    service({ metadata: { name: 'sql', namespace: 'shop' }, spec: { clusterIP: '10.0.0.80', ports: [{ name: 'mssql', port: 1433 }] } }),
    service({ metadata: { name: 'exporter', namespace: 'monitoring' }, spec: { clusterIP: '10.0.0.90', selector: { app: 'exporter' }, ports: [{ port: 9100, targetPort: 'metrics' }] } }),
  ],
  endpointSlices: [
    endpointSlice({
      metadata: { name: 'sql-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'sql' } },
      addressType: 'IPv4',
      ports: [{ name: 'mssql', port: 1433 }],
      endpoints: [{ addresses: ['10.225.4.20'] }],
    }),
  ],
  policies: [
    np('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    // web may reach the api and cart pods on their container port, and the SQL VM's subnet; nothing else.
    np('shop', 'web-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'http' }] },
        { to: [{ podSelector: { matchLabels: { app: 'cart' } } }], ports: [{ port: 80 }] },
        { to: [{ ipBlock: { cidr: '10.225.4.0/24' } }], ports: [{ port: 1433 }] },
      ],
    }),
    // Only the stable api pods admit web: the canary is still locked down.
    np('shop', 'api-stable-ingress', {
      podSelector: { matchLabels: { app: 'api', track: 'stable' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }],
    }),
    np('shop', 'cart-ingress', { podSelector: { matchLabels: { app: 'cart' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] }),
  ],
});
const engine = new PolicyEngine(snapshot);

const web: PeerRef = { pod: 'shop/web-1' };

function serviceVerdict(r: ConnectionEvaluation): ServiceConnectionVerdict {
  if (r.kind !== 'service') throw new Error(`expected a Service verdict, got ${JSON.stringify(r)}`);
  return r.verdict;
}

describe('evaluateConnection: a Service is evaluated at its backends, on the target port', () => {
  it('a ClusterIP is no internet address: web reaches the api backends it may reach, on the named target port 8080', () => {
    const v = serviceVerdict(evaluateConnection(engine, { from: web, to: { ip: '10.0.0.50' }, port: 80, protocol: 'TCP' }));
    expect(v.service).toMatchObject({ namespace: 'shop', name: 'api', clusterIP: '10.0.0.50', port: 80, targetPort: 'http' });
    expect(v.backends.map((b) => [b.name, b.port, b.verdict.verdict])).toEqual([
      ['shop/api-1', 8080, 'FORWARDED'],
      ['shop/api-2', 8080, 'DROPPED'],
    ]);
    // web's egress allows the api pods, not the 10.0.0.0/16 service range: only the translation makes it pass.
    expect(v.backends[0].verdict.egress).toMatchObject({ allowed: true, reason: 'allowed' });
  });

  it('allowed to one backend and denied to another is DROPPED ("partly-allowed"), never allowed, and says which backend denies', () => {
    const v = serviceVerdict(evaluateConnection(engine, { from: web, to: { service: 'shop/api' }, port: 80, protocol: 'TCP' }));
    expect(v).toMatchObject({ allowed: false, verdict: 'DROPPED', outcome: 'partly-allowed' });
    expect(v.summary).toContain('Allowed to 1 of 2 backends of Service shop/api on 80/TCP, denied to 1 (shop/api-2 on 8080 at its ingress)');
    expect(v.backends[v.representative!].name).toBe('shop/api-2');
  });

  it('policies see the target port, not the Service port: an allow on port 80 does not admit a Service port 80 that maps to 8080', () => {
    // web-egress allows cart on 80 only; the Service port is 80 but the pod port is 8080.
    const v = serviceVerdict(evaluateConnection(engine, { from: web, to: { service: 'shop/cart' }, port: 80, protocol: 'TCP' }));
    expect(v).toMatchObject({ allowed: false, verdict: 'DROPPED', outcome: 'none-allowed' });
    expect(v.backends).toHaveLength(1);
    expect(v.backends[0]).toMatchObject({ name: 'shop/cart-1', port: 8080, verdict: { enforcedAt: 'egress' } });
    expect(v.summary).toContain('Denied to the only backend of Service shop/cart on 80/TCP');
  });

  it('every DNS form of the name resolves to the same Service (kubernetes.io DNS for Services and Pods)', () => {
    for (const text of ['api.shop', 'api.shop.svc', 'api.shop.svc.cluster.local', 'api.shop.svc.cluster.local.']) {
      const to = parsePeerRef(text);
      expect(to, text).toEqual({ service: 'shop/api' });
      const r = evaluateConnection(engine, { from: web, to: to as PeerRef, port: 80, protocol: 'TCP' });
      expect(serviceVerdict(r).outcome, text).toBe('partly-allowed');
    }
  });

  it('a Service without a selector reaches its EndpointSlice addresses: an address outside the cluster is matched by ipBlock', () => {
    const v = serviceVerdict(evaluateConnection(engine, { from: web, to: { ip: '10.0.0.80' }, port: 1433, protocol: 'TCP' }));
    expect(v).toMatchObject({ allowed: true, verdict: 'FORWARDED', outcome: 'all-allowed' });
    expect(v.backends.map((b) => [b.name, b.port])).toEqual([['world (10.225.4.20)', 1433]]);
  });

  it('a backend that is a host-network pod is its node (remote-node here), which podSelector egress rules never match', () => {
    const v = serviceVerdict(evaluateConnection(engine, { from: web, to: { service: 'monitoring/exporter' }, port: 9100, protocol: 'TCP' }));
    expect(v.backends.map((b) => [b.name, b.port])).toEqual([['remote-node (10.224.0.5)', 9100]]);
    expect(v).toMatchObject({ allowed: false, verdict: 'DROPPED', outcome: 'none-allowed' });
  });

  it('no backend: DROPPED with outcome no-backends (the connection reaches nothing)', () => {
    const v = serviceVerdict(evaluateConnection(engine, { from: web, to: { service: 'shop/gone' }, port: 80, protocol: 'TCP' }));
    expect(v).toMatchObject({ allowed: false, verdict: 'DROPPED', outcome: 'no-backends', backends: [] });
    expect(v.summary).toContain('Service shop/gone has no backend for 80/TCP');
  });

  it('a pod IP or a pod name is evaluated directly, as before', () => {
    const r = evaluateConnection(engine, { from: web, to: { ip: '10.244.0.21' }, port: 8080, protocol: 'TCP' });
    expect(r).toMatchObject({ kind: 'endpoints', verdict: { verdict: 'FORWARDED' } });
  });
});

describe('evaluateConnection: AUDIT backends (Cilium audit mode)', () => {
  const audited = new PolicyEngine(
    cluster({
      pods: [
        { ns: 'lab', name: 'client', labels: { app: 'client' }, ip: '10.244.0.5' },
        { ns: 'lab', name: 'srv-1', labels: { app: 'srv' }, ip: '10.244.0.6', ports: http },
        { ns: 'lab', name: 'srv-2', labels: { app: 'srv', trial: 'yes' }, ip: '10.244.0.7', ports: http },
      ],
      services: [service({ metadata: { name: 'srv', namespace: 'lab' }, spec: { clusterIP: '10.0.3.3', selector: { app: 'srv' }, ports: [{ port: 80, targetPort: 'http' }] } })],
      // An ingress lockdown trialled in audit mode on one backend: drops there are reported, not enforced.
      policies: [cnp('lab', 'trial', { endpointSelector: { matchLabels: { trial: 'yes' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }] }, { 'flowsight.io/policy-audit-mode': 'true' })],
    }),
  );

  it('passes (allowed), with verdict AUDIT and the audited backend named', () => {
    const v = serviceVerdict(evaluateConnection(audited, { from: { pod: 'lab/client' }, to: { ip: '10.0.3.3' }, port: 80, protocol: 'TCP' }));
    expect(v).toMatchObject({ allowed: true, verdict: 'AUDIT', outcome: 'all-allowed' });
    expect(v.summary).toContain('1 of them passes only because a policy runs in audit mode (AUDIT, would be denied once enforced: lab/srv-2 on 8080 at its ingress)');
    expect(v.backends[v.representative!].name).toBe('lab/srv-2');
  });
});

describe('evaluateConnection: errors', () => {
  it.each<[string, PeerRef, PeerRef, number, string, RegExp]>([
    ['an unknown Service name', web, { service: 'shop/nope' }, 80, 'unknown-service', /no Service shop\/nope/],
    ['a port the Service does not expose', web, { service: 'shop/api' }, 8080, 'no-service-port', /has no port 8080\/TCP \(its ports: 80\/TCP \(http\)\)/],
    ['a Service as the source', { service: 'shop/api' }, web, 80, 'service-source', /Services do not open connections/],
    ['a ClusterIP as the source', { ip: '10.0.0.50' }, web, 80, 'service-source', /shop\/api is a Service/],
  ])('%s is an error value with a code', (_n, from, to, port, code, message) => {
    const r = evaluateConnection(engine, { from, to, port, protocol: 'TCP' });
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.error.code).toBe(code);
      expect(r.error.message).toMatch(message);
    }
  });

  it('ICMP to a ClusterIP is not forwarded to a backend', () => {
    expect(evaluateConnection(engine, { from: web, to: { ip: '10.0.0.50' }, port: 0, protocol: 'ICMP' })).toMatchObject({ kind: 'error', error: { code: 'no-service-port' } });
  });

  it('the engine alone never treats a ClusterIP as the internet: it answers service-peer', () => {
    const r = engine.evaluate({ from: web, to: { ip: '10.0.0.50' }, port: 80, protocol: 'TCP' });
    expect(isEngineError(r)).toBe(true);
    expect(r).toMatchObject({ error: { code: 'service-peer', message: expect.stringContaining('10.0.0.50 is the ClusterIP of Service shop/api') } });
    expect(engine.evaluate({ from: web, to: { service: 'shop/api' }, port: 80, protocol: 'TCP' })).toMatchObject({ error: { code: 'service-peer' } });
  });
});
