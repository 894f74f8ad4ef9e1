/**
 * The demo's Services must tell the same story as its traffic: a workload reached through its Service (by
 * DNS name or ClusterIP, on the Service port) gets the verdict the scenario gives for reaching its pods on
 * the target port, because the Service address is translated to a backend before policy applies
 * (kubernetes.io/docs/reference/networking/virtual-ips/; docs.cilium.io "Kubernetes Without kube-proxy").
 */

import { describe, expect, it } from 'vitest';
import { demoScenario, podsOf, type TrafficPattern } from './scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { isServiceLookupError, serviceIndexOf } from '../k8s/service-index';
import { PolicyEngine } from '../policy-engine/engine';
import type { L7Request } from '../policy-engine/l7-rules';
import type { PeerRef } from '../policy-engine/peer-ref';
import { evaluateConnection } from '../policy-engine/service-connection';
import type { Service } from '../k8s/types';

const scenario = demoScenario();
const { snapshot, errors } = demoSnapshot(scenario);
const dnsNames: Record<string, string[]> = {};
for (const t of scenario.traffic) for (const peer of [t.from, t.to]) if ('world' in peer && peer.world) dnsNames[peer.world] = [peer.ip];
const engine = new PolicyEngine(snapshot, { dns: dnsNames });
const services = serviceIndexOf(snapshot);

function requestsOf(t: TrafficPattern): (L7Request | undefined)[] {
  if (t.http) return t.http.map((h) => ({ http: { method: h.method, path: h.path } }));
  if (t.dnsQuery) return [{ dns: { query: t.dnsQuery } }];
  return [undefined];
}

/** The Services (and their port) that forward to the pattern's destination pods on its port. */
function servicesInFrontOf(t: TrafficPattern): { service: Service; port: number }[] {
  if (!('workload' in t.to)) return [];
  const pods = podsOf(scenario, t.to.workload);
  const out: { service: Service; port: number }[] = [];
  for (const s of services.services()) {
    if (s.namespace !== pods[0].namespace || !s.selector) continue;
    if (!pods.every((p) => Object.entries(s.selector!).every(([k, v]) => p.labels[k] === v))) continue;
    if (s.headless) out.push({ service: s, port: t.port });
    for (const sp of s.ports) {
      const target = services.target(s, sp.port, t.protocol);
      if (!isServiceLookupError(target) && sp.protocol === t.protocol && target.backends.every((b) => b.port === t.port) && target.backends.length) out.push({ service: s, port: sp.port });
    }
  }
  return out;
}

describe('demo Services', () => {
  it('load without errors, and every Service port has backends', () => {
    expect(errors).toEqual([]);
    expect(snapshot.services.length).toBe(scenario.services.length);
    expect(snapshot.endpointSlices.length).toBe(scenario.endpointSlices.length);
    for (const s of snapshot.services) {
      for (const sp of s.ports) {
        const t = services.target(s, sp.port, sp.protocol);
        if (isServiceLookupError(t)) throw new Error(t.message);
        expect(t.backends.length, `${s.namespace}/${s.name} ${sp.port}`).toBeGreaterThan(0);
        expect(t.skipped, `${s.namespace}/${s.name} ${sp.port}`).toEqual([]);
      }
    }
  });

  it('kube-dns answers on the AKS default 10.0.0.10, UDP and TCP 53, at the CoreDNS pods', () => {
    const dns = services.byClusterIp('10.0.0.10');
    expect(dns).toMatchObject({ namespace: 'kube-system', name: 'kube-dns' });
    for (const protocol of ['UDP', 'TCP'] as const) {
      const t = services.target(dns!, 53, protocol);
      if (isServiceLookupError(t)) throw new Error(t.message);
      const coredns = podsOf(scenario, 'kube-system/coredns').map((p) => `${p.namespace}/${p.name}`);
      expect(t.backends.map((b) => ('pod' in b.target ? b.target.pod : b.target.ip)).sort()).toEqual(coredns.sort());
    }
  });

  const reachable = scenario.traffic.filter((t) => 'workload' in t.from && servicesInFrontOf(t).length > 0);

  it('front most workload traffic of the scenario', () => {
    expect(reachable.map((t) => t.id)).toEqual(expect.arrayContaining(['frontend-to-api', 'api-dns', 'payments-dns', 'legacy-to-db', 'legacy-to-payments', 'api-to-db']));
  });

  it.each(reachable.map((t) => [t.id, t] as const))('%s: through its Service, by name and ClusterIP, the same verdict at every backend', (_id, t) => {
    const sources = podsOf(scenario, (t.from as { workload: string }).workload).map((p): PeerRef => ({ pod: `${p.namespace}/${p.name}` }));
    for (const { service, port } of servicesInFrontOf(t)) {
      const targets: PeerRef[] = [{ service: `${service.namespace}/${service.name}` }, ...service.clusterIPs.map((ip) => ({ ip }))];
      for (const from of sources) {
        for (const to of targets) {
          for (const l7 of requestsOf(t)) {
            const r = evaluateConnection(engine, { from, to, port, protocol: t.protocol, ...(l7 ? { l7 } : {}) });
            const label = `${JSON.stringify(from)} -> ${JSON.stringify(to)}:${port} ${JSON.stringify(l7 ?? {})}`;
            if (r.kind !== 'service') throw new Error(`${label}: ${JSON.stringify(r)}`);
            expect(r.verdict.verdict, label).toBe(t.verdict);
            expect(r.verdict.outcome, label).toBe(t.verdict === 'DROPPED' ? 'none-allowed' : 'all-allowed');
            expect(r.verdict.backends.every((b) => b.port === t.port), label).toBe(true);
          }
        }
      }
    }
  });
});
