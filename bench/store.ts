/**
 * Flow history benchmark (embedded store: chdb in its worker thread, through the real FlowStore API):
 * ingest rate, then p50/p95 latency of ten typical incident queries at 1M and 10M stored flows
 * (demo traffic spread over ~6 hours), and bytes on disk per flow. BENCH_STORE_MAX=1000000 stops at
 * 1M. The last output line is JSON for CI trend tracking.
 *
 * The ingest rate is the first million flows streamed in as the hub hands them over (appends of a
 * few thousand, the event loop free in between), from the moment the first is appended until the
 * last is on disk: a pool of generated traffic replayed with fresh times and ids, so that the
 * generator's time is not counted as the store's. The store may not drop any (the bench waits
 * while it is a block behind). Node runs with the server's young-generation size
 * (--max-semi-space-size=64, as scripts/start.mjs starts it).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeFlowResponse } from '../lib/demo/flow-encoder';
import { FlowGenerator } from '../lib/demo/flow-generator';
import { demoScenario } from '../lib/demo/scenario';
import { openFlowStore, type ManagedFlowStore } from '../lib/history/open-store';
import type { SqlCondition } from '../lib/history/flow-store';
import { DEFAULT_BATCHING } from '../lib/history/sql-flow-store';
import type { FlowRecord } from '../lib/flows/flow-record';
import { decodeGetFlowsResponse } from '../lib/hubble/flow-decoder';
import { parseSearch } from '../lib/search/parse';
import { searchToSql } from '../lib/search/sql';
import { cpuPerItem, threadCpu } from './thread-cpu';

const SPAN_MS = 6 * 3600_000;
const CHUNK = 100_000;
/** The store's block size here: the server's default (sql-flow-store.ts). */
const BATCH_FLOWS = DEFAULT_BATCHING.maxBatchFlows;
/** Flows per append while streaming: about what the hub hands over per tick at ~20k flows/s. */
const APPEND = 5000;
const RUNS_PER_QUERY = 5;
const MAX = Number(process.env.BENCH_STORE_MAX ?? 10_000_000);
/** 1M then 10M; a smaller BENCH_STORE_MAX runs one step of that size (a quick comparison, not the figures). */
const STEPS = MAX < 1_000_000 ? [MAX] : [1_000_000, 10_000_000].filter((n) => n <= MAX);

function condition(text: string): SqlCondition {
  const parsed = parseSearch(text);
  if (!parsed.ok) throw new Error(`bench query ${text}: ${parsed.error.message}`);
  return searchToSql(parsed.ast);
}

interface IncidentQuery {
  name: string;
  run(store: ManagedFlowStore, end: number): Promise<unknown>;
}

const lastHour = (end: number) => ({ since: end - 3600_000, until: end + 1 });
const search = (text: string, range: (end: number) => { since?: number; until?: number }) => (store: ManagedFlowStore, end: number) =>
  store.search({ condition: condition(text), range: range(end), limit: 100 });

/** What a person asks during an incident, as the search box would send it. */
const QUERIES: IncidentQuery[] = [
  { name: 'a namespace, last hour', run: search('ns:production', lastHour) },
  { name: 'drops in a namespace, last hour', run: search('ns:production verdict:dropped', lastHour) },
  { name: "a workload's egress to an FQDN, 6 h", run: search('from-workload:api-server to-fqdn:*.stripe.com', (end) => ({ since: end - SPAN_MS })) },
  { name: 'port 53 errors, last hour', run: search('port:53 (verdict:error OR verdict:dropped)', lastHour) },
  { name: 'http 5xx, last hour', run: search('http-status:5xx', lastHour) },
  { name: 'a pod by name glob, last hour', run: search('pod:frontend-*', lastHour) },
  { name: 'an IP CIDR, last hour', run: search('ip:10.244.0.0/16 verdict:dropped', lastHour) },
  { name: 'histogram over 1 h', run: (store, end) => store.histogram({ range: lastHour(end), buckets: 60 }) },
  { name: 'edges over 15 min', run: (store, end) => store.edges({ range: { since: end - 900_000, until: end + 1 } }) },
  { name: 'newest page of everything', run: (store) => store.search({ range: {}, limit: 100 }) },
];

/**
 * One append as the hub makes it (a tick's flows), then the event loop is left free (that is when
 * the store encodes); while the store holds more than a block the bench waits, so none is dropped.
 */
async function streamAppend(store: ManagedFlowStore, flows: readonly FlowRecord[]): Promise<void> {
  while (store.status().pendingFlows > BATCH_FLOWS) await new Promise((resolve) => setTimeout(resolve, 2));
  store.append(flows);
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A flow as the hub receives it: encoded as the relay sends it, decoded by the relay client. */
function viaRelay(f: FlowRecord): FlowRecord {
  const decoded = decodeGetFlowsResponse(encodeFlowResponse(f));
  if (decoded.kind !== 'flow') throw new Error('the demo encoder wrote something other than a flow');
  return decoded.flow;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

async function timeQueries(store: ManagedFlowStore, end: number, label: string): Promise<{ p50: number; p95: number }> {
  const all: number[] = [];
  for (const q of QUERIES) {
    await q.run(store, end); // warm
    const times: number[] = [];
    for (let i = 0; i < RUNS_PER_QUERY; i++) {
      const t = performance.now();
      await q.run(store, end);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    console.log(`  ${label} ${q.name.padEnd(40)} median ${round(percentile(times, 50))} ms, max ${round(times[times.length - 1])} ms`);
  }
  all.sort((a, b) => a - b);
  return { p50: round(percentile(all, 50)), p95: round(percentile(all, 95)) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowsight-bench-store-'));
  const store = await openFlowStore({
    kind: 'chdb',
    dir,
    retention: { days: 30, maxBytes: 1e13, rollupAfterMinutes: null },
    batching: { maxBatchFlows: BATCH_FLOWS, flushMs: 1000, maxPendingFlows: 4 * BATCH_FLOWS },
    timers: { maintenanceEveryMs: 3600_000 },
  });
  const target = STEPS[STEPS.length - 1];
  const end = Date.now();
  const start = end - SPAN_MS;
  const spacing = SPAN_MS / target;
  const generator = new FlowGenerator(demoScenario(), 7);
  const sample = new FlowGenerator(demoScenario(), 7).generate(10_000, 0, 1);
  const flowsPerConnection = sample.length / (sample[sample.length - 1].time - sample[0].time + 1);
  const result: Record<string, number> = {};
  let stored = 0;
  let firstStepRate = 0;
  let ingestCpuUs = 0;
  let t0 = start;
  try {
    for (const step of STEPS) {
      // The first step spreads its flows over the whole 6 h; the next one fills the same 6 h denser.
      // The generator advances time per connection (several flows each): spacing is per connection.
      const stepSpacing = (step === STEPS[0] ? SPAN_MS / step : spacing) * flowsPerConnection;
      t0 = start;
      const generate = (): FlowRecord[] => {
        const n = Math.min(CHUNK, step - stored);
        const flows = generator.generate(n, t0, stepSpacing).slice(0, n);
        t0 = flows[flows.length - 1].time + stepSpacing;
        return flows;
      };
      if (step === STEPS[0]) {
        // A pool of demo traffic replayed with fresh times and ids, without timing the generator or
        // holding a million flows. The pool goes through the relay's wire format and the relay
        // client's decoder first: the store gets records shaped as the hub gets them (the
        // generator's own objects are slower to read, which would be timed as the store's cost).
        const pool = generate().map(viaRelay);
        const poolSpan = pool[pool.length - 1].time - pool[0].time + stepSpacing;
        const cpu = process.cpuUsage();
        const threadsBefore = threadCpu();
        const t = performance.now();
        let n = 0;
        for (let pass = 0; n < step - stored; pass++) {
          const shift = pass * poolSpan;
          for (let i = 0; i < pool.length && n < step - stored; i += APPEND) {
            const part = pool.slice(i, Math.min(i + APPEND, i + step - stored - n)).map((f) => ({ ...f, time: f.time + shift, uuid: `${pass}-${f.uuid}` }));
            await streamAppend(store, part);
            n += part.length;
          }
        }
        await store.flush();
        const ms = performance.now() - t;
        const used = process.cpuUsage(cpu);
        const threadsAfter = threadCpu();
        ingestCpuUs = used.user + used.system;
        stored += n;
        firstStepRate = Math.round((n / ms) * 1000);
        const status = store.status();
        console.log(`ingest: ${n} flows in ${round(ms / 1000, 2)} s = ${firstStepRate} flows/s (this process's CPU ${round(ingestCpuUs / n, 1)} us per flow, both threads and the engine)`);
        console.log(`  per flow: ${cpuPerItem(threadsBefore, threadsAfter, n)}`);
        console.log(`  dropped batches ${status.droppedBatches}, dropped flows ${status.droppedFlows}`);
      }
      // The rest (up to 10M) only fills the store for the query timings.
      while (stored < step) {
        const flows = generate();
        store.append(flows);
        await store.flush();
        stored += flows.length;
      }
      const status = await store.refreshStatus();
      const label = step >= 1_000_000 ? `${step / 1_000_000}M` : `${step / 1000}k`;
      console.log(`stored ${status.storedFlows} flows, ${round(status.bytesOnDisk / 1e6)} MB on disk (${round(status.bytesOnDisk / Math.max(1, status.storedFlows))} B/flow)`);
      // Questions about the newest data, as during an incident.
      const { p50, p95 } = await timeQueries(store, status.newest ?? end, label);
      console.log(`${label}: p50 ${p50} ms, p95 ${p95} ms`);
      result[`p50Ms_${label}`] = p50;
      result[`p95Ms_${label}`] = p95;
      result.bytesPerFlow = round(status.bytesOnDisk / Math.max(1, status.storedFlows));
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify({
      insertsPerSec: firstStepRate,
      p50Ms_1M: result.p50Ms_1M ?? null,
      p95Ms_1M: result.p95Ms_1M ?? null,
      p50Ms_10M: result.p50Ms_10M ?? null,
      p95Ms_10M: result.p95Ms_10M ?? null,
      bytesPerFlow: result.bytesPerFlow,
    }),
  );
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
