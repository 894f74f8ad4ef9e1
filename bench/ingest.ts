/**
 * `npm run bench:ingest`: the demo relay (a separate process) streams at full speed over loopback
 * gRPC into the hub (relay client, normalization, graph, counters, recent ring) and, as in the
 * server, into the flow history (the embedded store in a temporary folder; BENCH_STORE=off leaves
 * it out) for ~20 s. Prints progress, then one JSON line: end-to-end flows/s, flows stored per
 * second and dropped by the store, the raw protobuf decode rate of the same messages on this
 * machine (the ceiling), their ratio, and memory over time.
 */

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openFlowStore } from '../lib/history/open-store';
import type { FlowStore } from '../lib/history/flow-store';
import { HistoryFeed } from '../lib/server/history-feed';
import { encodeFlowResponse } from '../lib/demo/flow-encoder';
import { FlowGenerator } from '../lib/demo/flow-generator';
import { demoScenario } from '../lib/demo/scenario';
import { decodeGetFlowsResponse } from '../lib/hubble/flow-decoder';
import { observerTypes } from '../lib/hubble/proto';
import { loadConfig } from '../lib/server/config';
import { Hub } from '../lib/server/hub';
import { cpuPerItem, threadCpu } from './thread-cpu';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const warmupSeconds = 3;

/** Best of five passes of `decode` over the messages, in messages per second. */
function decodeRate(messages: Buffer[], decode: (m: Buffer) => unknown): number {
  let best = 0;
  for (let pass = 0; pass < 5; pass++) {
    const t0 = performance.now();
    let sink = 0;
    for (const m of messages) sink += decode(m) ? 1 : 0;
    const rate = messages.length / ((performance.now() - t0) / 1000);
    if (sink < 0) console.log(sink);
    best = Math.max(best, rate);
  }
  return best;
}

/** The ceiling: protobufjs' generic decoder over the very messages the relay sent (same pool, same seed). */
function decodeRates(): { generic: number; flowsight: number } {
  const messages = new FlowGenerator(demoScenario(), 7).generate(65_536, Date.now(), 0.01).slice(0, 65_536).map((f) => Buffer.from(encodeFlowResponse(f)));
  const type = observerTypes().GetFlowsResponse;
  return { generic: decodeRate(messages, (m) => type.decode(m)), flowsight: decodeRate(messages, decodeGetFlowsResponse) };
}

async function startRelay(): Promise<{ address: string; stop(): void }> {
  // The relay gets the same young-generation size as the hub (see scripts/start.mjs).
  const child = spawn(process.execPath, ['--max-semi-space-size=64', path.join(__dirname, '..', 'bin', 'flowsight.mjs'), 'demo-relay', '--port', '0', '--rate', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /listening on (\S+):(\d+)/.exec(String(d));
      if (m) resolve(`${m[1]}:${m[2]}`);
    });
    child.on('exit', (code) => reject(new Error(`demo relay exited with ${code}`)));
  });
  return { address, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const relay = await startRelay();
  const hub = new Hub(loadConfig({ FLOWSIGHT_RELAY: relay.address }));
  let store: FlowStore | null = null;
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-bench-ingest-'));
  if (process.env.BENCH_STORE !== 'off') {
    const opened = await openFlowStore({ kind: 'chdb', dir: storeDir, retention: { days: 7, maxBytes: 5 * 1024 ** 3, rollupAfterMinutes: null } });
    store = opened;
    const feed = new HistoryFeed(opened, { liveSince: 0, storedUntil: null });
    hub.onFlows((batch) => feed.add(batch.flows));
  }
  await hub.start();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await sleep(warmupSeconds * 1000);
  const startCount = hub.counters.total;
  const startStored = store?.status().writtenFlows ?? 0;
  const t0 = performance.now();
  const threadsBefore = threadCpu();
  const rss: number[] = [];
  for (let s = 1; s <= seconds; s++) {
    await sleep(1000);
    rss.push(process.memoryUsage().rss / 1048576);
    const rate = (hub.counters.total - startCount) / ((performance.now() - t0) / 1000);
    const st = store?.status();
    const stored = st ? `, stored ${Math.round((st.writtenFlows - startStored) / ((performance.now() - t0) / 1000))}/s (dropped ${st.droppedFlows}, lag ${st.writeLagMs} ms)` : '';
    console.error(`[${s}/${seconds}s] ${Math.round(rate)} flows/s${stored}, rss ${rss[rss.length - 1].toFixed(0)} MB, graph ${hub.graph.size.edges} edges`);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const flows = hub.counters.total - startCount;
  // Where this process's CPU went (the relay is another process): the hub's own thread is the limit.
  console.error(`CPU per flow: ${cpuPerItem(threadsBefore, threadCpu(), flows)}`);
  const status = hub.status();
  const stored = store?.status();
  await hub.stop();
  await store?.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
  relay.stop();
  // Measured after the run so the memory figures above are the hub's alone.
  console.error('measuring the raw protobuf decode rate of the same messages…');
  const rates = decodeRates();
  const raw = rates.generic;
  const flowsPerSec = flows / elapsed;
  const early = rss.slice(0, 5).reduce((a, b) => a + b, 0) / Math.min(5, rss.length);
  const late = rss.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, rss.length);
  console.log(
    JSON.stringify({
      flowsPerSec: Math.round(flowsPerSec),
      store: store ? 'chdb' : 'off',
      ...(stored ? { storedFlowsPerSec: Math.round((stored.writtenFlows - startStored) / elapsed), storeDroppedFlows: stored.droppedFlows, storeWriteLagMs: stored.writeLagMs } : {}),
      rawDecodePerSec: Math.round(raw),
      ratio: Number((flowsPerSec / raw).toFixed(3)),
      flowsightDecodePerSec: Math.round(rates.flowsight),
      peakRssMB: Math.round(Math.max(...rss)),
      rssFirst5sMB: Math.round(early),
      rssLast5sMB: Math.round(late),
      seconds: Math.round(elapsed),
      flows,
      lostEvents: status.relay.lostEvents,
      graphEdges: status.graph.edges,
    }),
  );
  process.exit(0);
}

void main();
