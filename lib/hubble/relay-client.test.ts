import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoRelay } from '../demo/demo-relay';
import { encodeFlowResponse } from '../demo/flow-encoder';
import { demoFlowSequence } from '../demo/flow-generator';
import type { FlowRecord } from '../flows/flow-record';
import type { FlowFilter } from './flow-filter';
import { RelayClient, type GetFlowsParams } from './relay-client';
import { startSilentTcpServer } from './testing/silent-tcp-server';

let relay: DemoRelay;
let client: RelayClient;

beforeAll(async () => {
  relay = new DemoRelay({ rate: 400, historySeconds: 30, seed: 5 });
  const port = await relay.start();
  client = new RelayClient({ address: `127.0.0.1:${port}` });
});

afterAll(async () => {
  client.close();
  await relay.stop();
});

function fetchFrom(from: RelayClient, params: GetFlowsParams): Promise<FlowRecord[]> {
  return new Promise((resolve, reject) => {
    const out: FlowRecord[] = [];
    from.getFlows(params, { onFlow: (f) => out.push(f), onEnd: (err) => (err ? reject(err) : resolve(out)) });
  });
}

/** Admits every second flow, as the ingest governor does at a kept share of 0.5. */
function halfAdmission() {
  let credit = 0;
  const admission = {
    keptShare: 0.5,
    shed: 0,
    admit: () => {
      credit += 0.5;
      if (credit >= 1) {
        credit -= 1;
        return true;
      }
      admission.shed++;
      return false;
    },
    noteShed: (n: number) => void (admission.shed += n),
  };
  return admission;
}

// Every GetFlows case twice: grpc-js on this thread (the CLI), and on a thread of its own that hands
// the raw messages over in batches (the server: flow-stream.worker.mjs). Same flows, same errors.
describe.each([
  ['on the event loop', false],
  ['on a thread of its own', true],
])('RelayClient.getFlows against the demo relay over gRPC, %s', (_where, streamInWorker) => {
  let stream: RelayClient;
  beforeAll(() => {
    stream = new RelayClient({ address: client.address.target, streamInWorker });
  });
  afterAll(() => stream.close());
  const fetchFlows = (params: GetFlowsParams) => fetchFrom(stream, params);

  it('returns the last N flows of the buffer, oldest first', async () => {
    const flows = await fetchFlows({ number: 50 });
    expect(flows).toHaveLength(50);
    expect(new Set(flows.map((f) => f.uuid)).size).toBe(50);
  });

  it('skips the flow messages beyond the admitted share, undecoded and counted, and delivers the others as they are', async () => {
    // A window in the past: both calls get the same 60 flows.
    const until = new Date(Date.now() - 1000);
    const all = await fetchFlows({ number: 60, until });
    // Half of the flows, every second one: asked per flow here, applied as a share by the stream's thread.
    const admission = halfAdmission();
    const halving = new RelayClient({ address: client.address.target, admission, streamInWorker });
    try {
      const kept = await new Promise<FlowRecord[]>((resolve, reject) => {
        const out: FlowRecord[] = [];
        halving.getFlows({ number: 60, until }, { onFlow: (f) => out.push(f), onEnd: (err) => (err ? reject(err) : resolve(out)) });
      });
      expect(kept.map((f) => f.uuid)).toEqual(all.filter((_, i) => i % 2 === 1).map((f) => f.uuid));
      expect(kept[0]).toEqual(all[1]);
      expect(admission.shed).toBe(30);
    } finally {
      halving.close();
    }
  });

  it('returns the first N flows with `first`, older than the last N', async () => {
    const first = await fetchFlows({ number: 20, first: true });
    const last = await fetchFlows({ number: 20 });
    expect(first).toHaveLength(20);
    expect(Math.max(...first.map((f) => f.time))).toBeLessThan(Math.min(...last.map((f) => f.time)));
  });

  it('honours since and until', async () => {
    const now = Date.now();
    const since = new Date(now - 10_000);
    const until = new Date(now - 5_000);
    const flows = await fetchFlows({ since, until });
    expect(flows.length).toBeGreaterThan(10);
    for (const f of flows) {
      expect(f.time).toBeGreaterThanOrEqual(since.getTime());
      expect(f.time).toBeLessThanOrEqual(until.getTime());
    }
  });

  it('filters on the server: allow list with OR, deny list removes', async () => {
    const allow: FlowFilter[] = [{ source_pod: ['payments/'] }, { destination_pod: ['payments/'] }];
    const deny: FlowFilter[] = [{ verdict: ['FORWARDED'] }];
    const flows = await fetchFlows({ number: 200, allow, deny });
    expect(flows.length).toBeGreaterThan(0);
    for (const f of flows) {
      expect(f.source.namespace === 'payments' || f.destination.namespace === 'payments').toBe(true);
      expect(f.verdict).not.toBe('FORWARDED');
    }
    // The payments DNS lookups are dropped by its default-deny egress: they must be among them.
    expect(flows.some((f) => f.destination.port === 53 && f.verdict === 'DROPPED')).toBe(true);
  });

  it('rejects an invalid filter with INVALID_ARGUMENT naming the field', async () => {
    await expect(fetchFlows({ number: 1, allow: [{ source_ip: ['not-an-ip'] }] })).rejects.toMatchObject({ code: 3, details: expect.stringContaining('source_ip') });
  });

  it('follows new flows after the requested history', async () => {
    const got: FlowRecord[] = [];
    const start = Date.now();
    await new Promise<void>((resolve, reject) => {
      const call = stream.getFlows(
        { follow: true, number: 0 },
        {
          onFlow: (f) => {
            got.push(f);
            if (got.length >= 30) {
              call.cancel();
              resolve();
            }
          },
          onEnd: (err) => reject(err ?? new Error('ended early')),
        },
      );
    });
    expect(got.every((f) => f.time >= start - 100)).toBe(true);
  });
});

describe('RelayClient.getFlows on a thread of its own', () => {
  it('hands over a large history whole and in order, across many batches', async () => {
    const until = new Date(Date.now() - 500);
    const here = await fetchFrom(client, { number: 4_000, until });
    const threaded = new RelayClient({ address: client.address.target, streamInWorker: true });
    try {
      const there = await fetchFrom(threaded, { number: 4_000, until });
      expect(here.length).toBe(4_000);
      expect(there.map((f) => f.uuid)).toEqual(here.map((f) => f.uuid));
      expect(there[3_999]).toEqual(here[3_999]);
    } finally {
      threaded.close();
    }
  });

  it('stops delivering while paused and goes on after resume', async () => {
    const threaded = new RelayClient({ address: client.address.target, streamInWorker: true });
    let got = 0;
    const call = threaded.getFlows({ follow: true }, { onFlow: () => got++, onEnd: () => undefined });
    try {
      await expect.poll(() => got, { timeout: 5_000 }).toBeGreaterThan(5);
      call.pause();
      // What was already read when the pause arrived may still come; then nothing.
      await new Promise((r) => setTimeout(r, 300));
      const paused = got;
      await new Promise((r) => setTimeout(r, 600));
      expect(got).toBe(paused);
      call.resume();
      await expect.poll(() => got, { timeout: 5_000 }).toBeGreaterThan(paused + 5);
    } finally {
      call.cancel();
      threaded.close();
    }
  });

  it('ends with UNAVAILABLE when nothing listens at the address', async () => {
    const silent = await startSilentTcpServer();
    const port = silent.port;
    await silent.close();
    const threaded = new RelayClient({ address: `127.0.0.1:${port}`, streamInWorker: true });
    try {
      await expect(fetchFrom(threaded, { number: 1 })).rejects.toMatchObject({ code: 14 });
    } finally {
      threaded.close();
    }
  });
});

/** The stream thread's batch size (BATCH_BYTES in flow-stream.worker.mjs). */
const STREAM_BATCH_BYTES = 256 * 1024;

/** Blocks this thread (a long task on the server's loop), without yielding to anything. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe('RelayClient.getFlows on a thread of its own, while this thread is busy', () => {
  // The relay in a process of its own (as in a cluster), so it goes on sending while this thread is blocked.
  let relayProcess: ChildProcess;
  let address: string;
  beforeAll(async () => {
    relayProcess = spawn(process.execPath, [path.resolve(__dirname, '../../bin/flowsight.mjs'), 'demo-relay', '--port', '0', '--rate', '5000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    address = await new Promise<string>((resolve, reject) => {
      let out = '';
      relayProcess.stdout!.on('data', (d: Buffer) => {
        out += String(d);
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      relayProcess.on('exit', (code) => reject(new Error(`the demo relay exited (${code}): ${out}`)));
    });
  }, 30_000);
  afterAll(() => void relayProcess?.kill());

  /** Follows the relay, blocks this thread for a second once flows come, and reads on until 3,000 more came. */
  async function followThroughABlock(keptShare: number) {
    let shed = 0;
    let lost = 0;
    const admission = { keptShare, admit: () => true, noteShed: (n: number) => void (shed += n) };
    const threaded = new RelayClient({ address, admission, streamInWorker: true });
    const sequence: number[] = [];
    const flows: FlowRecord[] = [];
    let beforeBlock = 0;
    const onFlow = (f: FlowRecord) => {
      sequence.push(demoFlowSequence(f.uuid));
      flows.push(f);
    };
    const call = threaded.getFlows({ follow: true }, { onFlow, onLost: (n) => void (lost += n.lost), onEnd: () => undefined });
    try {
      await expect.poll(() => sequence.length, { timeout: 10_000 }).toBeGreaterThan(500);
      beforeBlock = sequence.length;
      busyFor(1_000);
      const afterBlock = sequence.length;
      await expect.poll(() => sequence.length, { timeout: 10_000 }).toBeGreaterThan(afterBlock + 3_000);
    } finally {
      call.cancel();
      threaded.close();
    }
    let missing = 0;
    let widestGap = 0;
    let widestGapAt = 0;
    for (let i = 1; i < sequence.length; i++) {
      const gap = sequence[i] - sequence[i - 1] - 1;
      missing += gap;
      if (gap > widestGap) [widestGap, widestGapAt] = [gap, i];
    }
    // The flows handed over while this thread was blocked, before the skipped stretch: what queued,
    // and its size on the wire (the relay's own encoder).
    const queuedInBlock = widestGapAt - beforeBlock;
    let queuedBytes = 0;
    for (let i = beforeBlock; i < widestGapAt; i++) queuedBytes += encodeFlowResponse(flows[i]).length;
    return { shed, lost, missing, widestGap, queuedInBlock, queuedBytes };
  }

  it('hands a backlog over a slice of the loop at a time: a timer due meanwhile runs long before the last flow', async () => {
    const threaded = new RelayClient({ address, streamInWorker: true });
    let delivered = 0;
    let atTimer: number | null = null;
    try {
      await new Promise<void>((resolve, reject) => {
        threaded.getFlows(
          { number: 4_000 },
          {
            onFlow: () => {
              if (delivered++ === 0) setTimeout(() => (atTimer = delivered), 0);
              // 0.2 ms per flow: a loaded server folding them in (~800 ms for all of them).
              const until = performance.now() + 0.2;
              while (performance.now() < until);
            },
            onEnd: (err) => (err ? reject(err) : resolve()),
          },
        );
        // This thread busy while the stream's thread reads the 4,000 flows: full batches queue up,
        // which one task used to hand over in one go.
        busyFor(1_000);
      });
    } finally {
      threaded.close();
    }
    expect(delivered).toBe(4_000);
    // Handed over in one task, the backlog ran whole before the timer (4,000). In slices of 15 ms
    // (~75 flows here) the timer runs after the first slice or two on an idle machine; a loaded one
    // (CI runs test files side by side on 2 cores) was seen at 328, so the bound is a quarter of the
    // backlog: what this asserts is that the timer does not wait for it, not how fast a slice runs.
    expect(atTimer).not.toBeNull();
    expect(atTimer!).toBeLessThan(1_000);
  });

  it('at capacity, skips the flows that would queue behind the busy thread, and counts them', async () => {
    // Share 0.999: the server at capacity, one flow in a thousand skipped while it keeps up.
    const r = await followThroughABlock(0.999);
    // ~5,000 flows came during the block; ~80 ms of them were handed over before the stream's thread
    // stopped queueing: the rest were skipped in one stretch (a margin for a loaded machine, whose
    // relay and stream thread get less of that second), every one of them counted.
    expect(r.widestGap).toBeGreaterThan(1_000);
    // What queued for this thread during the block: at most two batches, not eight (~1,000 flows on an
    // idle machine, which a server at capacity took seconds to fold in). In bytes, since a batch is
    // closed by size (BATCH_BYTES in flow-stream.worker.mjs) or after 10 ms, whichever comes first: a
    // loaded machine's stream thread reads bursts and fills them (~280 demo flows each), an idle one
    // closes them at ~50 flows. A tenth more for re-encoding the decoded flows (eight batches: 808 KB here).
    expect(r.queuedInBlock).toBeGreaterThan(0);
    expect(r.queuedBytes).toBeLessThan(2 * STREAM_BATCH_BYTES * 1.1);
    expect(r.shed).toBeGreaterThanOrEqual(r.missing);
    expect(r.lost).toBe(0);
  }, 30_000);

  it('with every flow kept, holds the stream back instead and loses nothing', async () => {
    const r = await followThroughABlock(1);
    expect(r).toMatchObject({ shed: 0, lost: 0, missing: 0, widestGap: 0 });
  }, 30_000);
});

describe('RelayClient against the demo relay over gRPC', () => {
  it('answers ServerStatus, GetNodes and GetNamespaces', async () => {
    const status = await client.serverStatus();
    expect(status.numConnectedNodes).toBe(3);
    expect(status.maxFlows).toBeGreaterThan(status.numFlows - 1);
    expect(status.seenFlows).toBeGreaterThan(0);
    const nodes = await client.getNodes();
    expect(nodes.map((n) => n.state)).toEqual(['NODE_CONNECTED', 'NODE_CONNECTED', 'NODE_CONNECTED']);
    const namespaces = (await client.getNamespaces()).map((n) => n.namespace);
    expect(namespaces).toEqual(expect.arrayContaining(['production', 'payments', 'legacy', 'kube-system']));
  });

  it('gives up on ServerStatus at a short deadline when the relay accepts TCP but never answers', async () => {
    const silent = await startSilentTcpServer();
    const quiet = new RelayClient({ address: `127.0.0.1:${silent.port}` });
    try {
      const t0 = Date.now();
      await expect(quiet.serverStatus({ timeoutMs: 300 })).rejects.toMatchObject({ code: 4 });
      expect(Date.now() - t0).toBeLessThan(2000); // not the client's 12 s default
      expect(silent.accepted()).toBeGreaterThan(0);
    } finally {
      quiet.close();
      await silent.close();
    }
  });
});
