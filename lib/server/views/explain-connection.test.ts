import { describe, expect, it } from 'vitest';
import { demoScenario } from '../../demo/scenario';
import { demoSnapshot } from '../../k8s/demo-source';
import { RESERVED_IDENTITY, emptyEndpoint, type FlowRecord } from '../../flows/flow-record';
import { PolicyEngine } from '../../policy-engine/engine';
import { parseEdgeId } from '../../graph/graph-ids';
import { explainEdge, explainFlow, flowConnection, flowExplainParams, graphNodePeer, type Explanation, type ExplainResult } from './explain-connection';
import { demoFlows } from '../../posture/testing/demo-flows';
import { cluster, np } from '../../policy-engine/testing/cluster-fixture';

const scenario = demoScenario();
const { snapshot } = demoSnapshot(scenario);
const engine = new PolicyEngine(snapshot);
const flows = demoFlows(scenario);
const flowOf = (id: string) => flows.find((f) => f.uuid.startsWith(`demo-${id}-`))!;

function ok(r: ExplainResult): Explanation {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.explanation;
}

describe('explainEdge on the demo cluster', () => {
  it('legacy -> postgres is denied at the ingress of postgres, isolated by default-deny-all', () => {
    const e = ok(explainEdge(engine, snapshot, 'legacy/legacy-app|production/postgres|5432|TCP'));
    expect(e).toMatchObject({ allowed: false, verdict: 'DROPPED', enforcedAt: 'ingress' });
    expect(e.egress).toMatchObject({ allowed: true, reason: 'not-isolated' });
    expect(e.ingress).toMatchObject({ allowed: false, reason: 'default-deny', isolated: true });
    expect(e.ingress.isolatedBy.map((p) => p.name)).toEqual(expect.arrayContaining(['default-deny-all', 'allow-db-from-api']));
    expect(e.summary).toContain('Denied at the ingress of production/postgres-0');
    expect(e.summary).toContain('default-deny-all');
    // What would have to match: the allow rules of postgres's ingress, none of which admits legacy.
    expect(e.ingress.unmatchedRules.map((r) => r.name).sort()).toEqual(['allow-db-from-api', 'allow-prometheus-scrape']);
    expect(e.ingress.unmatchedRules.find((r) => r.name === 'allow-db-from-api')?.yaml).toContain('app: api-server');
    expect(e.notes.join(' ')).toContain('one pod of each workload');
  });

  it('api-server -> postgres names both deciding rules, with the rule YAML', () => {
    const e = ok(explainEdge(engine, snapshot, 'production/api-server|production/postgres|5432|TCP'));
    expect(e.verdict).toBe('FORWARDED');
    expect(e.egress.rules).toEqual([expect.objectContaining({ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-api-egress-to-db', section: 'egress', rule: 0, action: 'allow' })]);
    expect(e.egress.rules[0].yaml).toContain('app: postgres');
    expect(e.ingress.rules.map((r) => `${r.name}[${r.rule}]`)).toEqual(['allow-db-from-api[0]']);
    expect(e.ingress.text).toContain('NetworkPolicy production/allow-db-from-api ingress[0] allows');
  });

  it('uses the observed flow when given one (the stripe edge is allowed by toFQDNs only with the seen IP)', () => {
    const dns = new PolicyEngine(snapshot, { dns: { 'api.stripe.com': ['54.187.174.169'] } });
    const sample = flowOf('api-to-stripe');
    const e = ok(explainEdge(dns, snapshot, 'production/api-server|world:api.stripe.com|443|TCP', sample));
    expect(e.verdict).toBe('FORWARDED');
    expect(e.egress.rules[0]).toMatchObject({ kind: 'CiliumNetworkPolicy', name: 'api-server-egress-fqdn', rule: 1 });
    expect(e.sample?.uuid).toBe(sample.uuid);
    expect(e.observed).toEqual({ verdict: 'FORWARDED', agrees: true });
  });

  it('host -> frontend (kubelet probe) is the host peer, always allowed, never an unknown pod', () => {
    const e = ok(explainEdge(engine, snapshot, 'host|production/frontend|8080|TCP'));
    expect(e.source.kind).toBe('host');
    expect(e.egress.reason).toBe('not-a-pod');
    expect(e.egress.text).toContain('node itself (host)');
    expect(e.ingress).toMatchObject({ allowed: true, reason: 'host-always-allowed', isolated: true });
    const f = ok(explainFlow(engine, snapshot, flowOf('kubelet-probe-frontend')));
    expect(f.source.kind).toBe('host');
    expect(f.ingress.reason).toBe('host-always-allowed');
  });

  it('a host flow is host even when Cilium gave no label but identity 1 and an address', () => {
    const probe = flowOf('kubelet-probe-api');
    const flow: FlowRecord = { ...probe, source: { ...emptyEndpoint(), ip: '10.224.0.4', identity: RESERVED_IDENTITY.host } };
    expect(flowConnection(flow)).toMatchObject({ ok: true, query: { from: { entity: 'host', ip: '10.224.0.4' } } });
    expect(ok(explainFlow(engine, snapshot, flow)).ingress.reason).toBe('host-always-allowed');
  });

  it('explains a reply as the connection it answers', () => {
    const fwd = flowOf('api-to-db');
    const reply: FlowRecord = { ...fwd, isReply: true, source: { ...fwd.destination, port: 5432 }, destination: { ...fwd.source, port: 40001 } };
    const e = ok(explainFlow(engine, snapshot, reply));
    expect(e.connection.port).toBe(5432);
    expect(e.source.name).toContain('production/api-server');
    expect(e.notes[0]).toContain('reply');
  });

  it('reports when Cilium and the engine disagree', () => {
    const f = { ...flowOf('legacy-to-db'), verdict: 'FORWARDED' as const };
    const e = ok(explainFlow(engine, snapshot, f));
    expect(e.observed).toEqual({ verdict: 'FORWARDED', agrees: false });
    expect(e.notes.join(' ')).toContain('Cilium reported FORWARDED');
  });

  it('falls back to the address of a pod the source no longer knows', () => {
    const f = flowOf('legacy-to-db');
    const gone: FlowRecord = { ...f, source: { ...f.source, pod: 'legacy-app-gone-zzzzz' } };
    const e = ok(explainFlow(engine, snapshot, gone));
    expect(e.notes.join(' ')).toContain('not in the cluster source');
    expect(e.verdict).toBe('DROPPED');
  });

  it('audit mode: grafana -> internet would be denied at egress once enforced', () => {
    const e = ok(explainFlow(engine, snapshot, flowOf('grafana-to-internet')));
    expect(e).toMatchObject({ verdict: 'AUDIT', enforcedAt: 'egress', allowed: true });
    expect(e.egress.text).toContain('audit mode');
    expect(e.egress.isolatedBy.map((p) => p.name)).toEqual(['monitoring-egress-lockdown']);
    expect(e.summary).toMatch(/^Audit: would be denied when enforced at the egress of monitoring\/grafana-\S+ by CiliumNetworkPolicy monitoring\/monitoring-egress-lockdown\. /);
  });

  it('rejects bad edge ids and unknown workloads with a code', () => {
    expect(explainEdge(engine, snapshot, 'a|b|c')).toMatchObject({ ok: false, error: { code: 'bad-edge' } });
    expect(explainEdge(engine, snapshot, 'a/b|c/d|99999|TCP')).toMatchObject({ ok: false, error: { code: 'bad-edge' } });
    expect(explainEdge(engine, snapshot, 'nope/nothing|production/postgres|5432|TCP')).toMatchObject({ ok: false, error: { code: 'unknown-pod' } });
    expect(explainEdge(engine, snapshot, 'ingress|production/frontend|80|TCP')).toMatchObject({ ok: false, error: { code: 'unsupported-peer' } });
    expect(parseEdgeId('legacy/legacy-app|world:api.github.com|443|TCP')).toEqual({ source: 'legacy/legacy-app', target: 'world:api.github.com', port: 443, protocol: 'TCP' });
  });
});

describe('graph node peers and URL params', () => {
  it('maps graph node ids to peers', () => {
    expect(graphNodePeer(engine, 'host')).toEqual({ entity: 'host' });
    expect(graphNodePeer(engine, 'world:pypi.org')).toEqual({ entity: 'world' });
    expect(graphNodePeer(engine, 'unknown:10.9.9.9')).toEqual({ ip: '10.9.9.9' });
    expect(graphNodePeer(engine, 'production/postgres')).toEqual({ pod: 'production/postgres-0' });
  });

  it('turns a flow into the explain API parameters, with the node for host', () => {
    const probe = { ...flowOf('kubelet-probe-frontend'), node: 'aks-nodepool1-31415926-vmss000000' };
    const p = flowExplainParams(probe)!;
    expect(p.get('from')).toBe('host');
    expect(p.get('fromNode')).toBe('aks-nodepool1-31415926-vmss000000');
    // Hubble's `cluster/node` form is reduced to the node name the cluster source knows.
    expect(flowExplainParams({ ...probe, node: 'aks-prod-weu/aks-nodepool1-31415926-vmss000000' })!.get('fromNode')).toBe('aks-nodepool1-31415926-vmss000000');
    expect(p.get('to')).toMatch(/^production\/frontend-/);
    expect(p.get('toIp')).toMatch(/^10\.244\./);
    expect(p.get('port')).toBe('8080');
    expect(p.get('verdict')).toBe('FORWARDED');
  });

  it('a pod isolated by a policy in a small cluster: denied by default with the isolating policy named', () => {
    const snap = cluster({ pods: [{ ns: 'a', name: 'web', labels: { app: 'web' }, ip: '10.0.0.1' }, { ns: 'a', name: 'db', labels: { app: 'db' }, ip: '10.0.0.2' }], policies: [np('a', 'lock-db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })] });
    const e = ok(explainEdge(new PolicyEngine(snap), snap, 'a/web|a/db|5432|TCP'));
    expect(e.ingress.isolatedBy).toEqual([{ kind: 'NetworkPolicy', namespace: 'a', name: 'lock-db' }]);
    expect(e.ingress.text).toContain('isolated for ingress by NetworkPolicy a/lock-db');
  });
});
