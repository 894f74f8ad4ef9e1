/**
 * How long the posture holds the server's event loop at a time: the findings of the scaled demo cluster
 * (5,000 workloads, its flows folded in) recomputed in slices as the server does (PolicyPosture.current),
 * each step between two pauses timed. A step is the least the loop waits for: every browser's deltas
 * and every request queue behind the longest one, and it counts in the live map's p99 latency. The
 * first recompute compiles the cluster (a new snapshot); the next ones are the steady state (only flows
 * changed: the last findings answer and one recompute runs behind them).
 *
 *   npm run bench:posture
 *
 * BENCH_SCALE (5000), BENCH_FLOWS (flows folded in before, 200000), BENCH_ROUNDS (steady recomputes, 4).
 * The last line is JSON: per recompute the time computing (busyMs), its steps, the longest, and how
 * many ran past 12 ms (the slice) and past 25 ms.
 */

import { FlowGenerator } from '../lib/demo/flow-generator';
import { scaledScenario } from '../lib/demo/scaled-scenario';
import { demoSnapshot } from '../lib/k8s/demo-source';
import type { ClusterSource } from '../lib/k8s/cluster-source';
import { PolicyPosture } from '../lib/posture/policy-posture';

const scale = Number(process.env.BENCH_SCALE ?? 5000);
const flowCount = Number(process.env.BENCH_FLOWS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const log = (s: string) => console.error(`[bench:posture] ${s}`);

interface Recompute {
  busyMs: number;
  steps: number;
  longestStepMs: number;
  over12Ms: number;
  over25Ms: number;
}

async function main() {
  const scenario = scaledScenario(scale);
  const { snapshot } = demoSnapshot(scenario);
  const source: ClusterSource = {
    start: async () => {},
    stop: async () => {},
    snapshot: () => snapshot,
    onChange: () => () => {},
    status: () => ({ kind: 'manifests', stale: false, errors: [] }),
  };
  let steps: number[] = [];
  let stepStart = performance.now();
  // The clock the freshness rule reads: moved on by hand, so that every read below recomputes.
  let clock = 0;
  const posture = new PolicyPosture(source, {
    now: () => clock,
    slices: {
      // A pause after every step, so that each is timed on its own.
      sliceMs: 0,
      now: () => performance.now(),
      pause: async () => {
        steps.push(performance.now() - stepStart);
        await new Promise((r) => setImmediate(r));
        stepStart = performance.now();
      },
    },
  });
  const generator = new FlowGenerator(scenario, 7);
  let t = 1_700_000_000_000;
  const feed = (n: number) => {
    for (let left = n; left > 0; left -= 20_000, t += 1000) posture.addFlows(generator.generate(Math.min(20_000, left), t, 1));
  };
  log(`${scale} workloads (${snapshot.pods.length} pods, ${snapshot.policies.length} policies), ${flowCount} flows folded in`);
  feed(flowCount);

  const results: Recompute[] = [];
  for (let round = 0; round <= rounds; round++) {
    steps = [];
    clock += 1e9;
    stepStart = performance.now();
    const started = performance.now();
    await posture.current(undefined);
    // When only flows changed, the last findings answered: wait for the recompute behind them (as the tests do).
    await (posture as unknown as { running?: { result: Promise<unknown> } }).running?.result;
    const findings = await posture.current(undefined);
    const wall = performance.now() - started;
    const busyMs = steps.reduce((a, b) => a + b, 0);
    const r: Recompute = {
      busyMs: Math.round(busyMs),
      steps: steps.length,
      longestStepMs: Math.round(Math.max(0, ...steps) * 10) / 10,
      over12Ms: steps.filter((s) => s > 12).length,
      over25Ms: steps.filter((s) => s > 25).length,
    };
    results.push(r);
    log(`${round === 0 ? 'first (compiles the cluster)' : `steady ${round}`}: ${r.busyMs} ms computing in ${r.steps} steps (${Math.round(wall)} ms with the pauses), longest ${r.longestStepMs} ms, ${r.over12Ms} over 12 ms, ${r.over25Ms} over 25 ms; ${findings.findings.length} findings`);
    feed(20_000);
  }
  const steady = results.slice(1);
  console.log(
    JSON.stringify({
      workloads: scale,
      first: results[0],
      steady,
      steadyLongestStepMs: Math.max(...steady.map((r) => r.longestStepMs)),
      steadyOver25Ms: steady.reduce((a, r) => a + r.over25Ms, 0),
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
