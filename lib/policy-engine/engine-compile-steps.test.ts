/**
 * PolicyEngine.compile: the constructor's compile as steps, so the server can compile a 5,000-workload
 * snapshot without holding its event loop. It must build exactly the engine the constructor builds.
 */
import { describe, expect, it } from 'vitest';
import { scaledScenario } from '../demo/scaled-scenario';
import { demoScenario } from '../demo/scenario';
import { podsByWorkload } from '../demo/workload-pods';
import { demoSnapshot } from '../k8s/demo-source';
import type { ClusterSnapshot } from '../k8s/types';
import type { Steps } from '../util/time-slices';
import { PolicyEngine, type EngineOptions } from './engine';
import type { PeerRef } from './peer-ref';

/** Runs the steps to their end, counting the pauses. */
function runCounting<T>(steps: Steps<T>): { value: T; pauses: number } {
  let pauses = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, pauses };
    pauses++;
  }
}

/** What an engine tells about every pod and policy, as plain data to compare. */
function described(engine: PolicyEngine) {
  return {
    datapath: engine.datapath,
    errors: engine.errors,
    pods: engine.pods().map((p) => ({ key: `${p.namespace}/${p.name}`, isolation: engine.isolation(p), ingressBy: engine.isolatedBy(p, 'ingress'), egressBy: engine.isolatedBy(p, 'egress') })),
    policies: engine.policies().map((c) => ({ ref: c.ref, selects: engine.selectedPods(c.ref).map((p) => `${p.namespace}/${p.name}`) })),
  };
}

function sameEngine(snapshot: ClusterSnapshot, options: EngineOptions, traffic: { from: PeerRef; to: PeerRef; port: number; protocol: 'TCP' | 'UDP' }[]) {
  const inOneGo = new PolicyEngine(snapshot, options);
  const { value: inSteps, pauses } = runCounting(PolicyEngine.compile(snapshot, options));
  expect(described(inSteps)).toEqual(described(inOneGo));
  for (const c of traffic) expect(inSteps.evaluate(c)).toEqual(inOneGo.evaluate(c));
  return { inSteps, pauses };
}

describe('PolicyEngine.compile (the compile in steps)', () => {
  it('builds the engine the constructor builds on a 1,000-workload cluster, pausing per policy and per batch of pods', () => {
    const scenario = scaledScenario(1000);
    const { snapshot } = demoSnapshot(scenario);
    const pods = podsByWorkload(scenario);
    const refOf = (peer: (typeof scenario.traffic)[number]['from']): PeerRef | undefined => {
      if ('workload' in peer) {
        const p = pods.get(peer.workload)?.[0];
        return p ? { pod: `${p.namespace}/${p.name}` } : undefined;
      }
      return 'world' in peer ? { ip: peer.ip } : undefined;
    };
    const traffic = scenario.traffic.flatMap((t) => {
      const from = refOf(t.from);
      const to = refOf(t.to);
      return from && to ? [{ from, to, port: t.port, protocol: t.protocol as 'TCP' | 'UDP' }] : [];
    });
    expect(traffic.length).toBeGreaterThan(1000);
    const dns: Record<string, string[]> = {};
    for (const t of scenario.traffic) for (const peer of [t.from, t.to]) if ('world' in peer && peer.world) dns[peer.world] = [peer.ip];
    const { inSteps, pauses } = sameEngine(snapshot, { datapath: 'cilium', dns }, traffic);
    // A pause before each policy's selection, and between batches of pods; none is a long stretch.
    expect(pauses).toBeGreaterThanOrEqual(snapshot.policies.length + Math.floor(snapshot.pods.length / 256));
    expect(inSteps.pods().length).toBeGreaterThan(1000);
  });

  it('keeps the errors and the left-out policies of the constructor (Cilium policies on the kubernetes datapath)', () => {
    const { snapshot } = demoSnapshot(demoScenario());
    const { inSteps } = sameEngine(snapshot, { datapath: 'kubernetes' }, []);
    expect(inSteps.errors.some((e) => e.severity === 'warning' && e.message.includes('only Cilium enforces'))).toBe(true);
    expect(inSteps.policies().every((c) => c.ref.kind === 'NetworkPolicy')).toBe(true);
  });

  it('nothing is compiled until the steps run (the server decides when)', () => {
    const { snapshot } = demoSnapshot(demoScenario());
    const steps = PolicyEngine.compile(snapshot);
    const first = steps.next();
    expect(first.done).toBe(false);
    const { value } = runCounting(steps);
    expect(value.pods().length).toBe(snapshot.pods.filter((p) => !p.hostNetwork).length);
  });
});
