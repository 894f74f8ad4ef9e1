/**
 * The server's way of reading findings (PolicyPosture.current): computed in slices, and answered from
 * the last result while new flows are being folded in.
 */
import { describe, expect, it, vi } from 'vitest';
import { FlowGenerator } from '../demo/flow-generator';
import { scaledScenario } from '../demo/scaled-scenario';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import type { ClusterSource, SnapshotListener } from '../k8s/cluster-source';
import type { ClusterSnapshot } from '../k8s/types';
import { PolicyEngine } from '../policy-engine/engine';
import { PolicyPosture } from './policy-posture';

/** A source whose snapshot the test replaces. */
function settableSource(first: ClusterSnapshot): ClusterSource & { set(s: ClusterSnapshot): void } {
  let current = first;
  const listeners = new Set<SnapshotListener>();
  return {
    start: async () => {},
    stop: async () => {},
    snapshot: () => current,
    onChange: (l) => (listeners.add(l), () => listeners.delete(l)),
    status: () => ({ kind: 'manifests', stale: false, errors: [] }),
    set(s) {
      current = s;
      for (const l of listeners) l(s);
    },
  };
}

/** A pause the test releases by hand: shows whether a recompute is under way, and how many. */
function heldPauses() {
  const waiting: (() => void)[] = [];
  return {
    pause: () => new Promise<void>((resolve) => waiting.push(resolve)),
    get waiting() {
      return waiting.length;
    },
    /** Releases pauses until `result` settles. */
    async until<T>(result: Promise<T>): Promise<T> {
      let settled = false;
      void result.finally(() => (settled = true));
      while (!settled) {
        waiting.splice(0).forEach((r) => r());
        await new Promise((r) => setImmediate(r));
      }
      return result;
    },
  };
}

describe('PolicyPosture.current (findings in slices)', () => {
  it('gives the findings computed in one go, with every fix checked, pausing many times on a 200-workload cluster', async () => {
    const scenario = scaledScenario(200);
    const { snapshot } = demoSnapshot(scenario);
    const flows = new FlowGenerator(scenario, 7).generate(4000, 1_700_000_000_000, 5);
    const inOneGo = new PolicyPosture(settableSource(snapshot), { fixCheckBudgetMs: Infinity });
    inOneGo.addFlows(flows);
    const sliced = new PolicyPosture(settableSource(snapshot), { fixCheckBudgetMs: Infinity });
    sliced.addFlows(flows);
    let pauses = 0;
    const r = await sliced.current(undefined);
    expect(r.findings.length).toBeGreaterThan(20);
    expect(r.findings).toEqual(inOneGo.findings());
    expect(r.scores).toEqual(inOneGo.scores());
    expect(r.findings.filter((f) => f.fix.check?.status === 'pending')).toEqual([]);
    expect(r.observed.count).toBe(flows.length);

    // The same again, counting the event loop's turns: at least one per workload.
    const counted = new PolicyPosture(settableSource(snapshot), { fixCheckBudgetMs: Infinity, slices: { sliceMs: 0, pause: async () => void pauses++ } });
    counted.addFlows(flows);
    await counted.current(undefined);
    expect(pauses).toBeGreaterThan(200);
  });

  it('when only flows came, the last findings answer at once and a single recompute runs behind them', async () => {
    const { snapshot } = demoSnapshot();
    const gate = heldPauses();
    let t = 0;
    const posture = new PolicyPosture(settableSource(snapshot), { now: () => t, slices: { sliceMs: 0, pause: gate.pause } });
    const before = await gate.until(posture.current(undefined));

    const flows = new FlowGenerator(demoScenario(), 3).generate(500, 1_700_000_000_000, 10);
    posture.addFlows(flows);
    t += 1e9; // long past the freshness window
    const a = await posture.current(undefined);
    const b = await posture.current(undefined);
    expect(a.findings).toBe(before.findings);
    expect(b.findings).toBe(before.findings);
    expect(a.observed.count).toBe(0);
    // One recompute under way (paused), not two.
    await new Promise((r) => setImmediate(r));
    expect(gate.waiting).toBe(1);
    // Once it is done (and nothing new came), its result answers.
    const after = await gate.until((posture as unknown as { running: { result: Promise<unknown> } }).running.result).then(() => posture.current(undefined));
    expect(after.findings).not.toBe(before.findings);
    expect(after.observed.count).toBe(flows.length);
  });

  it('a new snapshot is waited for, never answered with the old findings', async () => {
    const { snapshot } = demoSnapshot();
    const source = settableSource(snapshot);
    const posture = new PolicyPosture(source, { now: () => 0 });
    const before = await posture.current(undefined);
    expect(before.findings.some((f) => f.key === 'unprotected-namespace:legacy')).toBe(true);
    // The same cluster without the unprotected namespace's pods.
    source.set({ ...snapshot, pods: snapshot.pods.filter((p) => p.namespace !== 'legacy') });
    const after = await posture.current(undefined);
    expect(after.findings.some((f) => f.key === 'unprotected-namespace:legacy')).toBe(false);
    expect(after.findings.length).toBeGreaterThan(0);
  });
  it('a new snapshot is compiled in slices too (a pause before each policy), once, and kept for later reads', async () => {
    const { snapshot } = demoSnapshot(scaledScenario(200));
    let pauses = 0;
    const slices = { sliceMs: 0, pause: async () => void pauses++ };
    // No time budget for the fix checks: with one, how many are checked (and so how many pauses the
    // findings take) depends on the machine's load, and the two reads below would differ by more than the compile.
    const options = { slices, fixCheckBudgetMs: Infinity };
    // Compiled in one go first: the sliced read's pauses are the findings' alone.
    const precompiled = new PolicyPosture(settableSource(snapshot), options);
    precompiled.engine();
    await precompiled.current(undefined);
    const findingsPauses = pauses;

    pauses = 0;
    const compiles = vi.spyOn(PolicyEngine, 'compile');
    const source = settableSource(snapshot);
    const posture = new PolicyPosture(source, options);
    const r = await posture.current(undefined);
    expect(pauses - findingsPauses).toBeGreaterThanOrEqual(snapshot.policies.length);
    expect(r.findings).toEqual(precompiled.findings());
    const engine = posture.engine();
    // Fix checks compile their own engines (snapshot + fix); the cluster's is compiled once.
    const compilesOf = (s: ClusterSnapshot) => compiles.mock.calls.filter(([compiled]) => compiled === s).length;
    expect(compilesOf(snapshot)).toBe(1);

    // A new snapshot: compiled once more, and that engine answers afterwards.
    const gone = snapshot.pods.find((p) => !p.hostNetwork)!;
    const next = { ...snapshot, pods: snapshot.pods.filter((p) => p !== gone) };
    source.set(next);
    await posture.current(undefined);
    expect(posture.engine()).not.toBe(engine);
    expect(posture.engine().pods().length).toBe(engine.pods().length - 1);
    expect(compilesOf(next)).toBe(1);
    expect(compilesOf(snapshot)).toBe(1);
    compiles.mockRestore();
  });

  it('a one-go read during a sliced compile of the same snapshot leaves one engine', async () => {
    const { snapshot } = demoSnapshot();
    const source = settableSource(snapshot);
    const gate = heldPauses();
    const posture = new PolicyPosture(source, { slices: { sliceMs: 0, pause: gate.pause } });
    const reading = posture.current(undefined);
    await new Promise((r) => setImmediate(r));
    expect(gate.waiting).toBe(1);
    const oneGo = posture.engine();
    await gate.until(reading);
    expect(posture.engine()).toBe(oneGo);
  });
});
