import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoScenario } from '../../demo/scenario';
import { demoSnapshot } from '../../k8s/demo-source';
import { PolicyEngine } from '../../policy-engine/engine';
import { CATALOG_LIMITS, policyCatalog } from './policy-catalog';
import { ccnp, cluster, np } from '../../policy-engine/testing/cluster-fixture';

const { snapshot } = demoSnapshot(demoScenario());
const engine = new PolicyEngine(snapshot);

describe('policyCatalog on the demo cluster', () => {
  it('lists every policy, sorted by namespace, with kind counts', () => {
    const c = policyCatalog(snapshot, engine);
    expect(c.total).toBe(snapshot.policies.length);
    expect(c.policies.map((p) => p.key)).toContain('NetworkPolicy/production/allow-api-egress-to-db');
    expect(c.facets.namespaces).toEqual(['ingress-nginx', 'monitoring', 'payments', 'production']);
    expect(c.facets.kinds.CiliumNetworkPolicy).toBe(3);
  });

  it('allow-api-egress-to-db selects the api-server pods and opens paths to postgres and kube-dns', () => {
    const p = policyCatalog(snapshot, engine, { q: 'allow-api-egress-to-db' }).policies[0];
    expect(p.selected.workloads).toEqual([expect.objectContaining({ id: 'production/api-server', kind: 'Deployment', podCount: 2 })]);
    expect(p.isolates).toEqual({ ingress: false, egress: true });
    expect(p.paths).toHaveLength(2);
    expect(p.paths[0]).toMatchObject({ direction: 'egress', rule: 0, action: 'allow', ports: ['5432/TCP'], peers: [{ id: 'production/postgres', kind: 'workload' }] });
    expect(p.paths[1]).toMatchObject({ ports: ['53/UDP'], peers: [{ id: 'kube-system/coredns' }] });
    expect(parse(p.yaml)).toMatchObject({ kind: 'NetworkPolicy', metadata: { name: 'allow-api-egress-to-db', namespace: 'production' } });
  });

  it('describes FQDN, world and host peers, L7 rules and named ports', () => {
    const c = policyCatalog(snapshot, engine, { namespace: 'production' });
    const fqdn = c.policies.find((p) => p.name === 'api-server-egress-fqdn')!;
    expect(fqdn.paths[1].peers).toEqual([{ id: 'fqdn:api.stripe.com', kind: 'fqdn', label: 'api.stripe.com' }]);
    expect(fqdn.paths[0]).toMatchObject({ ports: ['53/any'], l7: 'dns (1 rule)' });
    const l7 = c.policies.find((p) => p.name === 'api-server-l7-ingress')!;
    expect(l7.paths[0].l7).toBe('http (2 rules)');
    const named = c.policies.find((p) => p.name === 'allow-ingress-controller-to-frontend')!;
    expect(named.paths[0]).toMatchObject({ ports: ['http/TCP'], peers: [{ id: 'ingress-nginx/ingress-nginx-controller' }] });
    const deny = c.policies.find((p) => p.name === 'default-deny-all')!;
    expect(deny.isolates).toEqual({ ingress: true, egress: true });
    expect(deny.paths).toEqual([]);
    expect(deny.selected.workloadCount).toBe(3);
    const ingress = policyCatalog(snapshot, engine, { q: 'ingress-controller', namespace: 'ingress-nginx' }).policies[0];
    expect(ingress.paths[0]).toMatchObject({ direction: 'ingress', anyPeer: true, ports: ['443/TCP'] });
    expect(ingress.paths[0].peers.map((x) => x.id)).toEqual(expect.arrayContaining(['world', 'host']));
  });

  it('filters by namespace, kind and text, and pages', () => {
    expect(policyCatalog(snapshot, engine, { namespace: 'payments' }).policies.map((p) => p.name)).toEqual(['allow-worker-to-api', 'default-deny-egress']);
    const cnps = policyCatalog(snapshot, engine, { kind: 'CiliumNetworkPolicy' });
    expect(cnps.policies.every((p) => p.kind === 'CiliumNetworkPolicy')).toBe(true);
    expect(cnps.facets.kinds.NetworkPolicy).toBeGreaterThan(0);
    expect(policyCatalog(snapshot, engine, { q: 'STRIPE' }).policies.map((p) => p.name)).toEqual(['api-server-egress-fqdn']);
    const page = policyCatalog(snapshot, engine, { offset: 2, limit: 3 });
    expect(page.policies).toHaveLength(3);
    expect(page.offset).toBe(2);
    expect(policyCatalog(snapshot, engine, { limit: 10_000 }).policies.length).toBeLessThanOrEqual(CATALOG_LIMITS.maxPage);
  });
});

describe('policyCatalog on bad and cluster-wide policies', () => {
  it('lists a policy that did not compile with its errors naming the field, and cluster-wide policies', () => {
    const snap = cluster({
      pods: [{ ns: 'a', name: 'web', labels: { app: 'web' }, ip: '10.0.0.1' }],
      policies: [
        np('a', 'broken', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Sideways', values: ['x'] }] }, policyTypes: ['Ingress'] }),
        ccnp('lock-all', { endpointSelector: {}, egress: [{ toEntities: ['world'] }] }),
      ],
    });
    const c = policyCatalog(snap, new PolicyEngine(snap));
    const broken = c.policies.find((p) => p.name === 'broken')!;
    expect(broken.compiled).toBe(false);
    expect(broken.errors[0]).toMatchObject({ code: 'invalid-selector', where: { name: 'broken' } });
    expect(broken.errors[0].where.field).toContain('podSelector');
    const ccnpEntry = c.policies.find((p) => p.name === 'lock-all')!;
    expect(ccnpEntry.namespace).toBeUndefined();
    expect(ccnpEntry.selected.workloads.map((w) => w.id)).toEqual(['a/web']);
    expect(ccnpEntry.selected.workloads.map((w) => w.node)).toEqual(['a/web']);
    // On AKS the API server is served from outside the cluster, so `world` covers it too.
    expect(ccnpEntry.paths[0].peers.map((x) => x.id)).toEqual(['world', 'kube-apiserver']);
    expect(policyCatalog(snap, new PolicyEngine(snap), { namespace: 'a' }).policies.map((p) => p.name)).toEqual(['broken']);
  });
});

// Issue 16, items 3 and 4: the page says which datapath the verdicts model, and shows a host policy
// (docs.cilium.io "Host Policies": CCNP nodeSelector) as selecting nodes, not as "selects no pod".
describe('policyCatalog: datapath and host policies', () => {
  it('reports the datapath with why, and marks a host policy as such', () => {
    const snap = cluster({
      pods: [{ ns: 'a', name: 'web', labels: { app: 'web' }, ip: '10.0.0.1' }],
      policies: [ccnp('lock-nodes', { nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' } }, ingress: [{ fromEntities: ['cluster'] }] })],
    });
    const c = policyCatalog(snap, new PolicyEngine(snap));
    expect(c.datapath).toMatchObject({ datapath: 'cilium', source: 'detected', reason: expect.stringContaining('1 Cilium policy') });
    const [entry] = c.policies;
    expect(entry).toMatchObject({ compiled: true, hostPolicy: true, paths: [], selected: { podCount: 0 } });
    expect(entry.errors).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining('host policy') })]);
  });

  it('the demo cluster is modelled on Cilium and has no host policy', () => {
    const c = policyCatalog(snapshot, engine);
    expect(c.datapath.datapath).toBe('cilium');
    expect(c.policies.every((p) => !p.hostPolicy)).toBe(true);
  });
});

describe('policyCatalog links selected workloads to their map nodes', () => {
  it('names a bare pod as the cluster does, and links it to the node its flows land on', () => {
    const snap = cluster({ pods: [{ ns: 'shop', name: 'web-1', labels: { app: 'web' }, ip: '10.0.0.1' }], policies: [np('shop', 'allow-web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })] });
    const [w] = policyCatalog(snap, new PolicyEngine(snap)).policies[0].selected.workloads;
    expect(w).toMatchObject({ id: 'shop/web-1', node: 'shop/web', kind: 'Pod' });
  });
});
