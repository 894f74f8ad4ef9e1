/**
 * The scaled demo's verdicts must be what the policy engine decides on the scaled demo's own policies,
 * for every traffic pattern and every pod pair behind it (up to N = 5,000, the benchmark's size: about
 * 24,000 patterns), as scenario-verdicts.test.ts checks for the hand-written demo. The policy mix follows Kubernetes
 * NetworkPolicy semantics (kubernetes.io/docs/concepts/services-networking/network-policies/: a pod is
 * isolated in a direction when any policy selecting it names that direction, allows are additive, a
 * connection needs the sender's egress and the receiver's ingress) and Cilium's (docs.cilium.io, Policy
 * Language: toFQDNs learns addresses through the DNS proxy; policy audit mode passes and reports).
 */

import { describe, expect, it } from 'vitest';
import { demoSnapshot } from '../k8s/demo-source';
import { isEngineError, PolicyEngine, type ConnectionVerdict } from '../policy-engine/engine';
import type { L7Request } from '../policy-engine/l7-rules';
import type { PeerRef } from '../policy-engine/peer-ref';
import { scaledScenario } from './scaled-scenario';
import type { DemoScenario, PeerRef as DemoPeer, TrafficPattern } from './scenario';
import { podsByWorkload } from './workload-pods';

function engineFor(scenario: DemoScenario) {
  const { snapshot, errors } = demoSnapshot(scenario);
  // What Cilium's DNS proxy would have learned: the scenario's internet hosts and their addresses.
  const dns: Record<string, string[]> = {};
  for (const t of scenario.traffic) for (const peer of [t.from, t.to]) if ('world' in peer && peer.world) dns[peer.world] = [peer.ip];
  // The app models Cilium for every relay's flows (runtime.ts: Hubble runs on Cilium); the scaled demo has Cilium policies anyway.
  return { engine: new PolicyEngine(snapshot, { dns, datapath: 'cilium' }), errors };
}

const allowedBy = (v: ConnectionVerdict, direction: 'egress' | 'ingress') => v[direction].by.filter((b) => b.action === 'allow').map((b) => `${b.kind}/${b.namespace}/${b.name}`);

/** Every pod pair of the pattern evaluated by the engine; the mismatches, described. */
function mismatches(scenario: DemoScenario, engine: PolicyEngine, t: TrafficPattern): string[] {
  const pods = podsByWorkload(scenario);
  const refsOf = (peer: DemoPeer): PeerRef[] => {
    if ('workload' in peer) return (pods.get(peer.workload) ?? []).map((p) => ({ pod: `${p.namespace}/${p.name}` }));
    if ('world' in peer) return [{ ip: peer.ip }];
    return [{ entity: peer.reserved, ...(peer.ip ? { ip: peer.ip } : {}) }];
  };
  const l7: L7Request | undefined = t.dnsQuery ? { dns: { query: t.dnsQuery } } : undefined;
  const out: string[] = [];
  const fromRefs = refsOf(t.from);
  const toRefs = refsOf(t.to);
  if (!fromRefs.length || !toRefs.length) return [`${t.id}: no pods`];
  for (const from of fromRefs) {
    for (const to of toRefs) {
      // A kubelet probe comes from the node the destination pod runs on.
      const fromRef: PeerRef = 'entity' in from && from.entity === 'host' && 'pod' in to ? { entity: 'host', node: engine.pod(to.pod)?.node } : from;
      const r = engine.evaluate({ from: fromRef, to, port: t.port, protocol: t.protocol, ...(l7 ? { l7 } : {}) });
      if (isEngineError(r)) {
        out.push(`${t.id}: ${r.error.message}`);
        continue;
      }
      const label = `${t.id} (${JSON.stringify(from)} -> ${JSON.stringify(to)})`;
      if (r.verdict !== t.verdict) out.push(`${label}: engine ${r.verdict} at ${r.enforcedAt ?? '-'}, scenario ${t.verdict} (${t.why})`);
      else if (t.verdict !== 'FORWARDED' && r.enforcedAt !== t.enforcedAt) out.push(`${label}: engine enforces at ${r.enforcedAt}, scenario at ${t.enforcedAt}`);
      for (const p of t.egressAllowedBy ?? []) if (!allowedBy(r, 'egress').includes(`${p.kind}/${p.namespace}/${p.name}`)) out.push(`${label}: egress not allowed by ${p.name} (engine: ${allowedBy(r, 'egress').join(', ')})`);
      for (const p of t.ingressAllowedBy ?? []) if (!allowedBy(r, 'ingress').includes(`${p.kind}/${p.namespace}/${p.name}`)) out.push(`${label}: ingress not allowed by ${p.name} (engine: ${allowedBy(r, 'ingress').join(', ')})`);
    }
  }
  return out;
}

describe('scaled demo verdicts agree with the policy engine', () => {
  it.each([10, 60, 1000, 5000])('at %i workloads: every policy compiles and every pattern has the engine\'s verdict for every pod pair', (n) => {
    const scenario = scaledScenario(n);
    const { engine, errors } = engineFor(scenario);
    expect(errors).toEqual([]);
    expect(engine.errors).toEqual([]);
    expect(engine.policies()).toHaveLength(scenario.policies.length);
    const wrong = scenario.traffic.flatMap((t) => mismatches(scenario, engine, t));
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('has every kind of verdict and reason at 1,000 workloads: dropped at egress and ingress, audited, forgotten DNS, toFQDNs', () => {
    const traffic = scaledScenario(1000).traffic;
    const count = (pred: (t: TrafficPattern) => boolean) => traffic.filter(pred).length;
    expect(count((t) => t.verdict === 'DROPPED' && t.enforcedAt === 'egress' && 'workload' in t.to)).toBeGreaterThan(10);
    expect(count((t) => t.verdict === 'DROPPED' && t.enforcedAt === 'ingress')).toBeGreaterThan(10);
    expect(count((t) => t.verdict === 'AUDIT')).toBeGreaterThan(5);
    expect(count((t) => t.verdict === 'DROPPED' && t.port === 53)).toBeGreaterThan(10);
    expect(count((t) => t.verdict === 'DROPPED' && 'world' in t.to)).toBeGreaterThan(5);
    expect(count((t) => t.verdict === 'FORWARDED' && 'world' in t.to && (t.egressAllowedBy ?? []).some((p) => p.kind === 'CiliumNetworkPolicy'))).toBeGreaterThan(5);
    expect(count((t) => !!t.dnsQuery)).toBeGreaterThan(5);
  });
});
