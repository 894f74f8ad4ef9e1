import { describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { DemoSource } from './demo-source';

describe('DemoSource', () => {
  it('exposes every demo namespace, pod, node, policy, Service and EndpointSlice through the ClusterSource interface', async () => {
    const scenario = demoScenario();
    const source = new DemoSource();
    await source.start();
    const snap = source.snapshot();
    expect(snap.namespaces.map((n) => n.name).sort()).toEqual(scenario.namespaces.map((n) => n.name).sort());
    expect(snap.pods).toHaveLength(scenario.pods.length);
    expect(snap.nodes.map((n) => n.ips[0]).sort()).toEqual(scenario.nodes.map((n) => n.ip).sort());
    expect(snap.policies).toHaveLength(scenario.policies.length);
    expect(snap.services).toHaveLength(scenario.services.length);
    expect(snap.services.find((s) => s.name === 'kube-dns')).toMatchObject({ namespace: 'kube-system', clusterIPs: ['10.0.0.10'], selector: { 'k8s-app': 'kube-dns' } });
    expect(snap.endpointSlices).toHaveLength(scenario.endpointSlices.length);
    const coredns = snap.pods.find((p) => p.workload?.name === 'coredns');
    expect(coredns?.containerPorts).toContainEqual({ name: 'dns', containerPort: 53, protocol: 'UDP' });
    const audit = snap.policies.find((p) => p.name === 'monitoring-egress-lockdown');
    expect(audit).toMatchObject({ kind: 'CiliumNetworkPolicy', namespace: 'monitoring', annotations: { 'flowsight.io/policy-audit-mode': 'true' } });
    expect(source.status()).toMatchObject({ kind: 'demo', stale: false, errors: [] });
  });
});
