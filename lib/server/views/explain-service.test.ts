/**
 * "Why" for connections to a Service: the verdict combines every backend (service-connection.ts); the
 * egress / ingress shown are those of the backend that decides. The translation before policy follows
 * kubernetes.io/docs/reference/networking/virtual-ips/ and docs.cilium.io "Kubernetes Without kube-proxy".
 */

import { describe, expect, it } from 'vitest';
import { demoScenario } from '../../demo/scenario';
import { demoSnapshot } from '../../k8s/demo-source';
import { emptyEndpoint, type FlowRecord } from '../../flows/flow-record';
import { PolicyEngine } from '../../policy-engine/engine';
import { explainConnection, explainFlow, flowExplainParams, type Explanation, type ExplainResult } from './explain-connection';
import { demoFlows } from '../../posture/testing/demo-flows';
import { cluster, np, service } from '../../policy-engine/testing/cluster-fixture';

const scenario = demoScenario();
const { snapshot } = demoSnapshot(scenario);
const engine = new PolicyEngine(snapshot);
const flows = demoFlows(scenario);
const flowOf = (id: string) => flows.find((f) => f.uuid.startsWith(`demo-${id}-`))!;

function ok(r: ExplainResult): Explanation {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.explanation;
}

const frontend = () => {
  const p = engine.pods().find((e) => e.workload?.name === 'frontend')!;
  return { pod: `${p.namespace}/${p.name}` };
};

describe('explainConnection to a demo Service', () => {
  it('frontend -> api-server.production.svc:80 is allowed at every backend, on target port 8080', () => {
    const e = ok(explainConnection(engine, snapshot, { from: frontend(), to: { service: 'production/api-server' }, port: 80, protocol: 'TCP' }));
    expect(e).toMatchObject({ allowed: true, verdict: 'FORWARDED', connection: { to: 'api-server.production.svc', port: 80 } });
    expect(e.service).toMatchObject({ name: 'api-server', port: 80, targetPort: 8080, outcome: 'all-allowed', backendCount: 2 });
    expect(e.service).not.toHaveProperty('clusterIP'); // named by DNS, not by address
    expect(e.service?.backends.map((b) => b.port)).toEqual([8080, 8080]);
    expect(e.summary).toMatch(/^Allowed to all 2 backends of Service production\/api-server on 80\/TCP/);
    expect(e.ingress.rules.map((r) => r.name)).toContain('allow-frontend-to-api');
    expect(e.notes.join(' ')).toContain('translated to one backend');
  });

  it('legacy -> the api-server ClusterIP is denied at every backend\'s ingress (no longer an internet address)', () => {
    const legacy = engine.pods().find((p) => p.workload?.name === 'legacy-app')!;
    const e = ok(explainConnection(engine, snapshot, { from: { pod: `${legacy.namespace}/${legacy.name}` }, to: { ip: '10.0.61.205' }, port: 80, protocol: 'TCP' }));
    expect(e).toMatchObject({ allowed: false, verdict: 'DROPPED', enforcedAt: 'ingress', destination: { kind: 'pod' } });
    expect(e.service).toMatchObject({ clusterIP: '10.0.61.205', outcome: 'none-allowed' });
    expect(e.ingress).toMatchObject({ reason: 'default-deny' });
  });

  it('a flow to the kube-dns ClusterIP (as Hubble shows it before translation) is explained at the CoreDNS backends', () => {
    const dns = flowOf('frontend-dns');
    const flow: FlowRecord = { ...dns, destination: { ...emptyEndpoint(), ip: '10.0.0.10', port: 53, service: 'kube-dns' } };
    const e = ok(explainFlow(engine, snapshot, flow));
    expect(e.service).toMatchObject({ namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.0.0.10', outcome: 'all-allowed', backendCount: 2 });
    expect(e.observed).toEqual({ verdict: 'FORWARDED', agrees: true });
    // The URL form names the ClusterIP; the server explains it the same way.
    expect(flowExplainParams(flow)?.get('to')).toBe('10.0.0.10');
  });

  it('a Service port that is not exposed, and a Service with no backend, are errors with a code', () => {
    expect(explainConnection(engine, snapshot, { from: frontend(), to: { service: 'production/api-server' }, port: 8080, protocol: 'TCP' })).toMatchObject({ ok: false, error: { code: 'no-service-port' } });
    const empty = cluster({
      pods: [{ ns: 'a', name: 'c', ip: '10.244.0.2' }],
      services: [service({ metadata: { name: 'none', namespace: 'a' }, spec: { clusterIP: '10.0.9.9', selector: { app: 'none' }, ports: [{ port: 80 }] } })],
    });
    const r = explainConnection(new PolicyEngine(empty), empty, { from: { pod: 'a/c' }, to: { ip: '10.0.9.9' }, port: 80, protocol: 'TCP' });
    expect(r).toMatchObject({ ok: false, error: { code: 'no-backends', message: expect.stringContaining('Service a/none has no backend for 80/TCP') } });
  });
});

describe('explainConnection: backends that disagree', () => {
  const snap = cluster({
    pods: [
      { ns: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.244.0.2' },
      { ns: 'shop', name: 'api-1', labels: { app: 'api', track: 'stable' }, ip: '10.244.0.3' },
      { ns: 'shop', name: 'api-2', labels: { app: 'api', track: 'canary' }, ip: '10.244.0.4' },
    ],
    services: [service({ metadata: { name: 'api', namespace: 'shop' }, spec: { clusterIP: '10.0.5.5', selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] } })],
    policies: [
      np('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      np('shop', 'stable', { podSelector: { matchLabels: { track: 'stable' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
    ],
  });
  const eng = new PolicyEngine(snap);

  it('is not allowed: DROPPED, outcome partly-allowed, the denied backend explained, both listed', () => {
    const e = ok(explainConnection(eng, snap, { from: { pod: 'shop/web' }, to: { service: 'shop/api' }, port: 80, protocol: 'TCP' }));
    expect(e).toMatchObject({ allowed: false, verdict: 'DROPPED', enforcedAt: 'ingress' });
    expect(e.service).toMatchObject({ outcome: 'partly-allowed', shown: 'shop/api-2' });
    expect(e.service?.backends).toEqual([
      { name: 'shop/api-1', port: 8080, allowed: true, verdict: 'FORWARDED' },
      { name: 'shop/api-2', port: 8080, allowed: false, verdict: 'DROPPED', enforcedAt: 'ingress' },
    ]);
    expect(e.summary).toContain('Allowed to 1 of 2 backends of Service shop/api on 80/TCP, denied to 1 (shop/api-2 on 8080 at its ingress)');
    expect(e.summary).toContain('Shown: shop/api-2.');
    expect(e.ingress.subject).toBe('shop/api-2');
  });

  it('an observed FORWARDED flow agrees: it went to a backend that allows it', () => {
    const e = ok(explainConnection(eng, snap, { from: { pod: 'shop/web' }, to: { ip: '10.0.5.5' }, port: 80, protocol: 'TCP', observedVerdict: 'FORWARDED' }));
    expect(e.observed).toEqual({ verdict: 'FORWARDED', agrees: true });
  });
});

describe('explainConnection: host-network pods', () => {
  it('a host-network pod with its address is no "gone" pod: no fallback note, evaluated as its node', () => {
    const snap = cluster({
      pods: [
        { ns: 'shop', name: 'web', ip: '10.244.0.2', node: 'node-a' },
        { ns: 'kube-system', name: 'agent', ip: '10.224.0.5', node: 'node-b', hostNetwork: true },
      ],
    });
    const e = ok(explainConnection(new PolicyEngine(snap), snap, { from: { pod: 'kube-system/agent' }, fromIp: '10.224.0.5', to: { pod: 'shop/web' }, port: 80, protocol: 'TCP' }));
    expect(e.notes.join(' ')).not.toContain('not in the cluster source');
    expect(e.source).toEqual({ kind: 'remote-node', name: 'remote-node (10.224.0.5)' });
  });
});
