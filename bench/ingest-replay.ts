/**
 * The server's per-flow main-thread cost, repeatably: the Runtime boots as in production (hub,
 * flow history, posture from manifests, edge verdicts, one browser reading everything), with a hub
 * that does not connect and a history whose engine takes blocks without storing them (the
 * encoding, the main thread's part, stays). Pre-encoded GetFlowsResponse messages of the scaled demo
 * cluster are then decoded and ingested as fast as they go, a tick per HUB_TICK_MS of flow time at
 * BENCH_RATE, on a simulated clock; nothing depends on the wall clock or on other processes, so
 * the figure moves with the code, not with the machine's load (best of BENCH_ROUNDS).
 *
 *   npm run bench:ingest-replay
 *
 * The cluster's manifests are written to a temporary folder, or read from BENCH_MANIFESTS.
 * BENCH_RATE (flows/s of flow time, 20000), BENCH_SCALE (5000), BENCH_FLOWS (per round, 200000),
 * BENCH_ROUNDS (3), BENCH_PROFILE=<file> (a CPU profile of the last round).
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { encodeFlowResponse } from '../lib/demo/flow-encoder';
import { FlowGenerator } from '../lib/demo/flow-generator';
import { scaledScenario } from '../lib/demo/scaled-scenario';
import { scenarioManifestFiles } from '../lib/demo/scenario-manifests';
import type { HistoryEngine } from '../lib/history/engine';
import { SqlFlowStore } from '../lib/history/sql-flow-store';
import { decodeGetFlowsResponse } from '../lib/hubble/flow-decoder';
import { Hub, HUB_TICK_MS } from '../lib/server/hub';
import { Runtime } from '../lib/server/runtime';
import { threadCpu } from './thread-cpu';

const rate = Number(process.env.BENCH_RATE ?? 20_000);
const scale = Number(process.env.BENCH_SCALE ?? 5000);
const perRound = Number(process.env.BENCH_FLOWS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const POOL = 100_000;
const TICK_MS = HUB_TICK_MS;

/** A hub that never connects: the bench hands it the flows. */
class FedHub extends Hub {
  override async start(): Promise<void> {}
}

/** Takes every block and stores nothing; reads answer nothing. */
const nullEngine: HistoryEngine = {
  kind: 'chdb',
  location: 'nowhere',
  query: async () => [],
  exec: async () => undefined,
  insert: async () => undefined,
  close: async () => undefined,
};

/** The scaled cluster's manifests (as `demo-relay --write-manifests` writes them), for the posture. */
function writeManifests(dataDir: string): string {
  const dir = path.join(dataDir, 'manifests');
  fs.mkdirSync(dir);
  for (const f of scenarioManifestFiles(scaledScenario(scale))) fs.writeFileSync(path.join(dir, f.name), f.text);
  return dir;
}

const turn = () => new Promise((r) => setImmediate(r));

async function main(): Promise<void> {
  const setup = performance.now();
  const generator = new FlowGenerator(scaledScenario(scale), 7);
  const pool = generator.generate(POOL, Date.now(), 0.05).slice(0, POOL).map((f) => Buffer.from(encodeFlowResponse(f)));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-bench-replay-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLOWSIGHT_RELAY: '127.0.0.1:1',
    FLOWSIGHT_MANIFESTS: process.env.BENCH_MANIFESTS ?? writeManifests(dataDir),
    FLOWSIGHT_DATA_DIR: dataDir,
    FLOWSIGHT_LOG_LEVEL: 'warn',
  };
  let hub!: Hub;
  const store = new SqlFlowStore(nullEngine, { retention: { days: 7, maxBytes: 5 * 1024 ** 3, rollupAfterMinutes: null } });
  const runtime = new Runtime({ env, createHub: (config, logger) => (hub = new FedHub(config, { logger })), createHistory: async () => store });
  await runtime.boot();
  await runtime.history();
  await runtime.posture();
  let bytes = 0;
  hub.subscribe({ predicate: () => true, send: (_e, json) => ((bytes += json.length), true), close: () => undefined });
  console.error(`ready after ${Math.round(performance.now() - setup)} ms`);

  let next = 0;
  let clock = Date.now();
  const perTick = Math.round((rate * TICK_MS) / 1000);
  const step = 1000 / rate;
  /** Feeds `count` flows, a tick after each tick's worth, yielding so the store encodes between ticks as it does live. */
  const run = async (count: number) => {
    for (let done = 0; done < count; ) {
      const n = Math.min(perTick, count - done);
      for (let i = 0; i < n; i++) {
        const m = decodeGetFlowsResponse(pool[next]);
        next = (next + 1) % POOL;
        if (m.kind !== 'flow') continue;
        clock += step;
        m.flow.time = clock;
        hub.ingest(m.flow);
      }
      done += n;
      hub.tick(Math.round(clock));
      // The store encodes 2,000 flows per turn of the event loop: enough turns for a tick's flows.
      for (let t = 0; t < Math.ceil(n / 2000) + 1; t++) await turn();
    }
  };
  await run(perRound); // warm-up
  const results: number[] = [];
  const profile = process.env.BENCH_PROFILE;
  for (let r = 0; r < rounds; r++) {
    const session = profile && r === rounds - 1 ? new Session() : null;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const stored0 = store.status();
    const before = threadCpu().get('main thread') ?? 0;
    await run(perRound);
    const after = threadCpu().get('main thread') ?? 0;
    if (session && profile) {
      const { profile: taken } = await session.post('Profiler.stop');
      fs.writeFileSync(profile, JSON.stringify(taken));
    }
    const us = ((after - before) * 1e6) / perRound;
    results.push(us);
    const st = store.status();
    console.error(`round ${r + 1}: main thread ${us.toFixed(2)} µs/flow, stored ${st.writtenFlows - stored0.writtenFlows}, dropped ${st.droppedFlows - stored0.droppedFlows}`);
  }
  console.log(JSON.stringify({ bestMainThreadUsPerFlow: Number(Math.min(...results).toFixed(2)), rounds: results.map((u) => Number(u.toFixed(2))), edges: hub.graph.size.edges, sseMB: Math.round(bytes / 1e6) }));
  await runtime.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

void main();
