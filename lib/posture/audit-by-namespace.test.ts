import { describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { emptyEndpoint, type FlowEndpoint, type FlowRecord } from '../flows/flow-record';
import { PolicyEngine } from '../policy-engine/engine';
import { AUDIT_MODE_ANNOTATION } from '../policy-engine/cilium-policy';
import { cluster, cnp } from '../policy-engine/testing/cluster-fixture';
import { attributeAuditedPath, auditByNamespace } from './audit-by-namespace';
import { FlowSummary } from './flow-summary';
import { demoFlows } from './testing/demo-flows';

const AUDIT = { [AUDIT_MODE_ANNOTATION]: 'true' };

describe('AUDIT flows per namespace on the demo', () => {
  const scenario = demoScenario();
  const engine = new PolicyEngine(demoSnapshot(scenario).snapshot);
  const records = demoFlows(scenario);
  const audited = new FlowSummary().addAll(records).snapshot().audited;

  it('counts grafana -> grafana.com and prometheus -> metrics-server for monitoring only, naming the egress lockdown', () => {
    const rows = auditByNamespace(engine, audited);
    const total = records.filter((f) => f.verdict === 'AUDIT').length;
    expect(rows).toEqual([
      { namespace: 'monitoring', flows: total, paths: 2, policies: [{ kind: 'CiliumNetworkPolicy', namespace: 'monitoring', name: 'monitoring-egress-lockdown' }], unnamedFlows: 0 },
    ]);
  });
});

describe('AUDIT attribution on a small cluster', () => {
  const snapshot = cluster({
    pods: [
      { ns: 'shop', name: 'web-1', labels: { app: 'web' }, ip: '10.0.1.1' },
      { ns: 'bank', name: 'api-1', labels: { app: 'api' }, ip: '10.0.2.1' },
    ],
    policies: [
      // bank trials an ingress lockdown: only `app: teller` may come in.
      cnp('bank', 'bank-ingress', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'teller' } }] }] }, AUDIT),
      // shop trials a deny of the metadata address (everything else allowed: a deny section alone would isolate it).
      cnp('shop', 'no-metadata', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }], egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] }, AUDIT),
    ],
  });
  const engine = new PolicyEngine(snapshot);
  const pod = (namespace: string, name: string, ip: string, port = 0): FlowEndpoint => ({ ...emptyEndpoint(), namespace, pod: `${name}-1`, ip, port, workloads: [{ name, kind: 'Deployment' }] });
  const web = pod('shop', 'web', '10.0.1.1');
  const api = pod('bank', 'api', '10.0.2.1', 8443);
  const flow = (over: Partial<FlowRecord>): FlowRecord => ({
    uuid: `u${Math.random()}`, time: 1000, verdict: 'AUDIT', dropReason: '', direction: 'INGRESS', isReply: false, protocol: 'TCP', tcpFlags: [],
    source: web, destination: api, node: '', type: 'L3_L4', eventType: 5, egressAllowedBy: [], ingressAllowedBy: [], egressDeniedBy: [], ingressDeniedBy: [], summary: '', ...over,
  });
  const paths = (flows: FlowRecord[]) => new FlowSummary().addAll(flows).snapshot().audited;

  it("an ingress audit counts for the destination's namespace, not the source's", () => {
    const rows = auditByNamespace(engine, paths([flow({}), flow({})]));
    expect(rows).toEqual([{ namespace: 'bank', flows: 2, paths: 1, policies: [{ kind: 'CiliumNetworkPolicy', namespace: 'bank', name: 'bank-ingress' }], unnamedFlows: 0 }]);
    expect(attributeAuditedPath(engine, paths([flow({})])[0]).denial).toMatchObject({ direction: 'ingress', cause: 'default-deny' });
  });

  it('an egress deny rule in audit mode counts for the source, naming the deny policy', () => {
    const metadata: FlowEndpoint = { ...emptyEndpoint(), ip: '169.254.169.254', port: 80, identity: 2, labels: ['reserved:world'] };
    const [path] = paths([flow({ destination: metadata, direction: 'EGRESS' })]);
    expect(attributeAuditedPath(engine, path)).toEqual({ namespace: 'shop', denial: { direction: 'egress', cause: 'deny-rule', policies: [{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'no-metadata' }] } });
  });

  it("Cilium's denied-by refs win over the engine", () => {
    const reported = { kind: 'CiliumClusterwideNetworkPolicy', namespace: '', name: 'trial' };
    const rows = auditByNamespace(engine, paths([flow({ egressDeniedBy: [reported], direction: 'EGRESS' })]));
    expect(rows).toEqual([{ namespace: 'shop', flows: 1, paths: 1, policies: [{ kind: 'CiliumClusterwideNetworkPolicy', name: 'trial' }], unnamedFlows: 0 }]);
  });

  it('no policy known (the engine lets it through now): counted where Cilium observed it, unnamed', () => {
    const open = new PolicyEngine(cluster({ pods: [{ ns: 'shop', name: 'web-1', ip: '10.0.1.1' }, { ns: 'bank', name: 'api-1', ip: '10.0.2.1' }] }));
    expect(auditByNamespace(open, paths([flow({ direction: 'INGRESS' })]))).toEqual([{ namespace: 'bank', flows: 1, paths: 1, policies: [], unnamedFlows: 1 }]);
    expect(auditByNamespace(open, paths([flow({ direction: 'EGRESS' })]))[0].namespace).toBe('shop');
  });

  it('an ingress audit from the internet is counted too (the source is no workload)', () => {
    const world: FlowEndpoint = { ...emptyEndpoint(), ip: '203.0.113.7', port: 51000, identity: 2, labels: ['reserved:world'] };
    const rows = auditByNamespace(engine, paths([flow({ source: world })]));
    expect(rows.map((r) => [r.namespace, r.flows, r.policies.map((p) => p.name)])).toEqual([['bank', 1, ['bank-ingress']]]);
  });
});
