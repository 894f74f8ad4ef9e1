/**
 * The demo's hand-written traffic verdicts must be what the policy engine decides on the demo's own
 * policies: the scenario is the story the UI tells, and the engine is the source of truth.
 */

import { describe, expect, it } from 'vitest';
import { demoScenario, podsOf, type PeerRef as DemoPeer, type TrafficPattern } from './scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { PolicyEngine, isEngineError, type ConnectionVerdict } from '../policy-engine/engine';
import type { PeerRef } from '../policy-engine/peer-ref';
import type { L7Request } from '../policy-engine/l7-rules';

const scenario = demoScenario();
const { snapshot, errors } = demoSnapshot(scenario);

// What Cilium's DNS proxy would have learned: the demo's internet hosts and their addresses.
const dnsNames: Record<string, string[]> = {};
for (const t of scenario.traffic) {
  for (const peer of [t.from, t.to]) if ('world' in peer && peer.world) dnsNames[peer.world] = [peer.ip];
}
const engine = new PolicyEngine(snapshot, { dns: dnsNames });

function refsOf(peer: DemoPeer): PeerRef[] {
  if ('workload' in peer) return podsOf(scenario, peer.workload).map((p) => ({ pod: `${p.namespace}/${p.name}` }));
  if ('world' in peer) return [{ ip: peer.ip }];
  return [{ entity: peer.reserved, ...(peer.ip ? { ip: peer.ip } : {}) }];
}

function requestsOf(t: TrafficPattern): (L7Request | undefined)[] {
  if (t.http) return t.http.map((h) => ({ http: { method: h.method, path: h.path } }));
  if (t.dnsQuery) return [{ dns: { query: t.dnsQuery } }];
  return [undefined];
}

function names(v: ConnectionVerdict, direction: 'egress' | 'ingress'): string[] {
  return v[direction].by.filter((b) => b.action === 'allow').map((b) => `${b.kind}/${b.namespace}/${b.name}`);
}

describe('demo scenario traffic verdicts agree with the policy engine', () => {
  it('compiles every demo policy without errors', () => {
    expect(errors).toEqual([]);
    expect(engine.errors).toEqual([]);
    expect(engine.policies()).toHaveLength(scenario.policies.length);
  });

  it.each(scenario.traffic.map((t) => [t.id, t] as const))('%s', (_id, t) => {
    const fromRefs = refsOf(t.from);
    const toRefs = refsOf(t.to);
    expect(fromRefs.length).toBeGreaterThan(0);
    expect(toRefs.length).toBeGreaterThan(0);
    for (const from of fromRefs) {
      for (const to of toRefs) {
        for (const l7 of requestsOf(t)) {
          // A kubelet probe comes from the node the destination pod runs on.
          const fromRef: PeerRef = 'entity' in from && from.entity === 'host' && 'pod' in to ? { entity: 'host', node: engine.pod(to.pod)?.node } : from;
          const r = engine.evaluate({ from: fromRef, to, port: t.port, protocol: t.protocol, ...(l7 ? { l7 } : {}) });
          if (isEngineError(r)) throw new Error(r.error.message);
          const label = `${JSON.stringify(from)} -> ${JSON.stringify(to)} ${JSON.stringify(l7 ?? {})}`;
          expect(r.verdict, label).toBe(t.verdict);
          if (t.verdict !== 'FORWARDED') expect(r.enforcedAt, label).toBe(t.enforcedAt);
          for (const p of t.egressAllowedBy ?? []) expect(names(r, 'egress'), label).toContain(`${p.kind}/${p.namespace}/${p.name}`);
          for (const p of t.ingressAllowedBy ?? []) expect(names(r, 'ingress'), label).toContain(`${p.kind}/${p.namespace}/${p.name}`);
        }
      }
    }
  });
});
