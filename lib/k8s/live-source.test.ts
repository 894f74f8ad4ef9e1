import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from './testing/fake-api-server';
import { LiveSource } from './live-source';

const PODS = '/api/v1/pods';
const NPS = '/apis/networking.k8s.io/v1/networkpolicies';
const CNPS = '/apis/cilium.io/v2/ciliumnetworkpolicies';
const CCNPS = '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies';
const SERVICES = '/api/v1/services';
const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';

const webService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { type: 'ClusterIP', clusterIP: '10.0.12.7', clusterIPs: ['10.0.12.7'], selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] },
};

const dbSlice = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'db-abc12', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } },
  addressType: 'IPv4',
  ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  endpoints: [{ addresses: ['10.30.0.4'], conditions: { ready: true } }, { addresses: ['10.30.0.5'], conditions: { ready: false } }],
};

const pod = (ns: string, name: string, labels: Record<string, string>, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
  status: { podIP: ip, podIPs: [{ ip }] },
});

const denyAll = (ns: string, name: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: ns },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] },
});

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LiveSource against a loopback API server', () => {
  let server: FakeApiServer;
  let source: LiveSource;

  beforeEach(async () => {
    server = await FakeApiServer.start();
    server.serve('/api/v1/namespaces', 'NamespaceList', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } }]);
    server.serve(PODS, 'PodList', [pod('shop', 'web-1', { app: 'web' }, '10.244.0.10')]);
    server.serve('/api/v1/nodes', 'NodeList', [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '10.224.0.4' }] } }]);
    server.serve(NPS, 'NetworkPolicyList', [denyAll('shop', 'deny-ingress')]);
    server.serve(CNPS, 'CiliumNetworkPolicyList');
    server.markAbsent(CCNPS);
    server.serve(SERVICES, 'ServiceList', [webService]);
    server.serve(SLICES, 'EndpointSliceList', [dbSlice]);
    source = new LiveSource({ kubeConfig: server.kubeConfig(), retryMs: 50, maxRetryMs: 200, crdRetryMs: 60_000 });
  });

  afterEach(async () => {
    await source.stop();
    await server.stop();
  });

  it('lists every kind on start, keeps fields the typed client would rename, and reports the absent CRD', async () => {
    await source.start();
    const snap = source.snapshot();
    expect(snap.namespaces.map((n) => n.name)).toEqual(['shop']);
    expect(snap.pods).toEqual([expect.objectContaining({ namespace: 'shop', name: 'web-1', ip: '10.244.0.10', node: 'node-a', containerPorts: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] })]);
    expect(snap.nodes).toEqual([expect.objectContaining({ name: 'node-a', ips: ['10.224.0.4'] })]);
    const np = snap.policies.find((p) => p.name === 'deny-ingress');
    expect(np?.manifest).toMatchObject({ spec: { ingress: [{ from: [{ ipBlock: { except: ['10.1.0.0/16'] } }] }] } });
    const status = source.status();
    expect(status.stale).toBe(false);
    expect(status.lastSyncAt).toBeTypeOf('number');
    expect(status.errors).toEqual([expect.objectContaining({ code: 'crd-absent', where: { resource: 'cilium.io/v2/ciliumclusterwidenetworkpolicies' } })]);
  });

  it('lists and watches Services and EndpointSlices (discovery.k8s.io/v1), as the typed clients return them', async () => {
    await source.start();
    const snap = source.snapshot();
    expect(snap.services).toEqual([
      { namespace: 'shop', name: 'web', labels: {}, type: 'ClusterIP', clusterIPs: ['10.0.12.7'], headless: false, selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] },
    ]);
    expect(snap.endpointSlices).toEqual([
      {
        namespace: 'shop',
        name: 'db-abc12',
        serviceName: 'db',
        addressType: 'IPv4',
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.30.0.4'], ready: true }, { addresses: ['10.30.0.5'], ready: false }],
      },
    ]);
    await until(() => server.requests.some((r) => r.watch && r.path === SERVICES), 'service watch');
    server.add(SERVICES, { ...webService, metadata: { name: 'api', namespace: 'shop' }, spec: { ...webService.spec, clusterIP: 'None', clusterIPs: ['None'] } });
    await until(() => source.snapshot().services.some((s) => s.name === 'api' && s.headless), 'added headless service');
    await until(() => server.requests.some((r) => r.watch && r.path === SLICES), 'endpointslice watch');
    server.remove(SLICES, 'shop', 'db-abc12');
    await until(() => source.snapshot().endpointSlices.length === 0, 'deleted slice');
    expect(source.status().stale).toBe(false);
  });

  it('Services and EndpointSlices RBAC hides are reported with what is lost, without marking the data stale', async () => {
    server.markAbsent(SERVICES);
    server.markAbsent(SLICES);
    await source.start();
    const status = source.status();
    expect(status.stale).toBe(false);
    expect(status.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ where: { resource: 'v1/services' }, message: expect.stringContaining('ClusterIPs are treated as external addresses') }),
        expect.objectContaining({ where: { resource: 'discovery.k8s.io/v1/endpointslices' }, message: expect.stringContaining('without a selector have no known backends') }),
      ]),
    );
    expect(source.snapshot().pods).toHaveLength(1);
  });

  it('an optional resource RBAC hides (nodes) is reported without marking the data stale', async () => {
    server.markAbsent('/api/v1/nodes');
    await source.start();
    expect(source.status()).toMatchObject({ stale: false, errors: expect.arrayContaining([expect.objectContaining({ where: { resource: 'v1/nodes' } })]) });
    expect(source.snapshot().pods).toHaveLength(1);
  });

  it('applies ADDED, MODIFIED and DELETED watch events', async () => {
    await source.start();
    let notifications = 0;
    source.onChange(() => notifications++);
    await until(() => server.requests.filter((r) => r.watch && r.path === PODS).length > 0, 'pod watch');

    server.add(PODS, pod('shop', 'web-2', { app: 'web' }, '10.244.0.11'));
    await until(() => source.snapshot().pods.length === 2, 'added pod');

    server.modify(PODS, pod('shop', 'web-2', { app: 'web', tier: 'front' }, '10.244.0.11'));
    await until(() => source.snapshot().pods.find((p) => p.name === 'web-2')?.labels.tier === 'front', 'modified pod');

    server.remove(PODS, 'shop', 'web-1');
    await until(() => source.snapshot().pods.map((p) => p.name).join() === 'web-2', 'deleted pod');

    server.add(CNPS, { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'l7', namespace: 'shop' }, spec: { endpointSelector: {} } });
    await until(() => source.snapshot().policies.some((p) => p.kind === 'CiliumNetworkPolicy' && p.name === 'l7'), 'added CNP');
    expect(notifications).toBeGreaterThanOrEqual(4);
  });

  it('relists after 410 Gone and picks up changes whose events were lost', async () => {
    await source.start();
    await until(() => server.requests.some((r) => r.watch && r.path === PODS), 'pod watch');
    const listsBefore = server.requests.filter((r) => !r.watch && r.path === PODS).length;

    server.changeSilently(PODS, { upsert: [pod('shop', 'web-3', { app: 'web' }, '10.244.0.12')], remove: ['shop/web-1'] });
    server.expireWatches();

    await until(() => source.snapshot().pods.map((p) => p.name).join() === 'web-3', 'relisted pods');
    expect(server.requests.filter((r) => !r.watch && r.path === PODS).length).toBe(listsBefore + 1);
    expect(source.status().stale).toBe(false);
  });

  it('marks the data stale with the last sync time when the API server goes away, and recovers', async () => {
    await source.start();
    await until(() => server.requests.some((r) => r.watch && r.path === PODS), 'pod watch');
    const syncedAt = source.status().lastSyncAt;

    await server.goDown();
    await until(() => source.status().stale, 'stale status');
    const status = source.status();
    expect(status.lastSyncAt).toBe(syncedAt);
    expect(status.errors.some((e) => e.code === 'api-unreachable')).toBe(true);
    expect(source.snapshot().pods.map((p) => p.name)).toEqual(['web-1']); // the last known state stays

    // An event recorded while the client is away: the resumed watch replays it from the last resource version.
    server.add(PODS, pod('shop', 'web-4', { app: 'web' }, '10.244.0.13'));
    await server.comeBack();
    await until(() => !source.status().stale, 'recovered status', 8000);
    await until(() => source.snapshot().pods.some((p) => p.name === 'web-4'), 'pods after recovery', 8000);
    expect(source.status().lastSyncAt).toBeGreaterThan(syncedAt ?? 0);
  });
});
