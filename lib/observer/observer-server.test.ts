import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import type { FlowStore } from '../history/flow-store';
import type { FlowFilter } from '../hubble/flow-filter';
import { compileFilters } from '../hubble/flow-filter';
import { observerTypes } from '../hubble/proto';
import { FlowSubscription } from '../hubble/flow-subscription';
import { RelayClient, type GetFlowsParams } from '../hubble/relay-client';
import { startObserverServer, type ObserverServer, type ObserverServerOptions } from './observer-server';
import { MemoryFlowStore } from './testing/memory-flow-store';
import { knownFlows, liveFlow, quietLogger, TestLiveFeed } from './testing/observer-fixtures';
import { fieldBytes, fieldNumbers, RawObserverClient } from './testing/raw-observer-client';

/* ------------------------------------------------------------------ helpers */

const VARINT = 0;
const LEN = 2;
const tag = (field: number, wire: number) => ((field << 3) | wire) >>> 0;

/** A FlowFilter encoded by field number (as Go's protobuf would), independent of our .proto. */
function filterBytes(fields: [number, string][]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [n, v] of fields) w.uint32(tag(n, LEN)).string(v);
  return w.finish();
}

/** A GetFlowsRequest encoded by field number: what `hubble observe` puts on the wire. */
function hubbleRequest(p: { number?: number; follow?: boolean; first?: boolean; since?: number; until?: number; whitelist?: Uint8Array[]; blacklist?: Uint8Array[]; extra?: (w: protobuf.Writer) => void }): Uint8Array {
  const w = protobuf.Writer.create();
  const ts = (field: number, ms: number) => w.uint32(tag(field, LEN)).fork().uint32(tag(1, VARINT)).int64(Math.floor(ms / 1000)).uint32(tag(2, VARINT)).int32((ms % 1000) * 1e6).ldelim();
  if (p.number) w.uint32(tag(1, VARINT)).uint64(p.number);
  if (p.follow) w.uint32(tag(3, VARINT)).bool(true);
  for (const b of p.blacklist ?? []) w.uint32(tag(5, LEN)).bytes(b);
  for (const b of p.whitelist ?? []) w.uint32(tag(6, LEN)).bytes(b);
  if (p.since !== undefined) ts(7, p.since);
  if (p.until !== undefined) ts(8, p.until);
  if (p.first) w.uint32(tag(9, VARINT)).bool(true);
  p.extra?.(w);
  return w.finish();
}

function decodeResponse(b: Uint8Array): Record<string, any> {
  return observerTypes().GetFlowsResponse.toObject(observerTypes().GetFlowsResponse.decode(b), { longs: Number, defaults: false }) as Record<string, any>;
}

function fetchFlows(client: RelayClient, params: GetFlowsParams): Promise<FlowRecord[]> {
  return new Promise((resolve, reject) => {
    const out: FlowRecord[] = [];
    client.getFlows(params, { onFlow: (f) => out.push(f), onEnd: (err) => (err ? reject(err) : resolve(out)) });
  });
}

const uuids = (flows: readonly FlowRecord[]) => flows.map((f) => f.uuid);

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Harness {
  server: ObserverServer;
  store: MemoryFlowStore;
  live: TestLiveFeed;
  client: RelayClient;
  raw: RawObserverClient;
  close(): Promise<void>;
}

async function harness(flows: FlowRecord[], opts: Partial<ObserverServerOptions> = {}): Promise<Harness> {
  const store = new MemoryFlowStore();
  store.fill(flows);
  const live = new TestLiveFeed();
  const server = await startObserverServer({
    port: 0,
    host: '127.0.0.1',
    store,
    live,
    logger: quietLogger,
    nodeName: 'flowsight-test',
    version: 'flowsight/test',
    maxConcurrentCalls: 8,
    ...opts,
  });
  const target = `127.0.0.1:${server.port}`;
  const client = new RelayClient({ address: target });
  const raw = new RawObserverClient(target);
  return {
    server, store, live, client, raw,
    close: async () => {
      client.close();
      raw.close();
      await server.close();
    },
  };
}

/* ------------------------------------------------------------- the history */

describe('GetFlows from the history, through the project\'s own relay client', () => {
  const flows = knownFlows(600);
  let h: Harness;

  beforeAll(async () => {
    // Small pages and a small last-N buffer, so paging, windows and the two-pass last-N all run.
    h = await harness(flows, { limits: { pageSize: 37, lastBuffer: 25 } });
  });
  afterAll(() => h.close());

  it('answers since/until with exactly the flows of the window, oldest first', async () => {
    const since = flows[100].time;
    const until = flows[250].time;
    const got = await fetchFlows(h.client, { since: new Date(since), until: new Date(until) });
    expect(uuids(got)).toEqual(uuids(flows.slice(100, 251)));
  });

  it('answers `number` with the newest N, oldest first (one pass at or below the buffer)', async () => {
    const got = await fetchFlows(h.client, { number: 20 });
    expect(uuids(got)).toEqual(uuids(flows.slice(-20)));
  });

  it('answers a `number` above the last-N buffer in two passes with the same result', async () => {
    const got = await fetchFlows(h.client, { number: 140 });
    expect(uuids(got)).toEqual(uuids(flows.slice(-140)));
    const dropped = await fetchFlows(h.client, { number: 60, allow: [{ verdict: ['DROPPED'] }] });
    expect(uuids(dropped)).toEqual(uuids(flows.filter((f) => f.verdict === 'DROPPED').slice(-60)));
  });

  it('lets the store skip flows of other verdicts when every allow filter names verdicts', async () => {
    const before = h.store.rowsRead;
    const since = new Date(flows[0].time);
    const got = await fetchFlows(h.client, { since, allow: [{ verdict: ['DROPPED'], source_pod: ['shop/'] }, { verdict: ['DROPPED'], destination_pod: ['shop/'] }] });
    const want = flows.filter((f) => f.verdict === 'DROPPED' && (f.source.namespace === 'shop' || f.destination.namespace === 'shop'));
    expect(uuids(got)).toEqual(uuids(want));
    // Only drops were read (a fifth of the flows; a window that overflowed is read again smaller), not all 600.
    const read = h.store.rowsRead - before;
    expect(read).toBeGreaterThanOrEqual(flows.length / 5);
    expect(read).toBeLessThan(flows.length / 2);
  });

  it('answers `number` within since/until with the newest N of that window', async () => {
    const got = await fetchFlows(h.client, { number: 10, since: new Date(flows[0].time), until: new Date(flows[299].time) });
    expect(uuids(got)).toEqual(uuids(flows.slice(290, 300)));
  });

  it('answers `first` with the oldest N from since', async () => {
    const got = await fetchFlows(h.client, { number: 15, first: true, since: new Date(flows[42].time) });
    expect(uuids(got)).toEqual(uuids(flows.slice(42, 57)));
  });

  it('applies Hubble FlowFilter semantics: allow lists OR, deny removes', async () => {
    const allow: FlowFilter[] = [{ source_pod: ['shop/'] }, { destination_fqdn: ['*.stripe.com'] }];
    const deny: FlowFilter[] = [{ verdict: ['DROPPED'] }];
    const got = await fetchFlows(h.client, { since: new Date(flows[0].time), allow, deny });
    const want = flows.filter(compileFilters(allow, deny));
    expect(want.length).toBeGreaterThan(100);
    expect(uuids(got)).toEqual(uuids(want));
    for (const f of got) expect(f.verdict).toBe('FORWARDED');
  });

  it('returns the whole history oldest first when nothing bounds it', async () => {
    const got = await fetchFlows(h.client, {});
    expect(uuids(got)).toEqual(uuids(flows));
  });

  it('returns nothing (and ends) for a window with no flows', async () => {
    const got = await fetchFlows(h.client, { since: new Date(flows[0].time - 60_000), until: new Date(flows[0].time - 1) });
    expect(got).toEqual([]);
  });
});

describe('GetFlows with follow: history, then live flows, no gap and no duplicate at the seam', () => {
  const flows = knownFlows(200);
  let h: Harness;

  beforeAll(async () => {
    h = await harness(flows, { limits: { pageSize: 16 } });
  });
  afterAll(() => h.close());

  it('sends the last N, then the live flows that match, with FlowSubscription (the hub\'s own follower)', async () => {
    const got: FlowRecord[] = [];
    const sub = new FlowSubscription(h.client, { initialLast: 5, allow: [{ source_pod: ['shop/'] }], idleMs: 0, onFlow: (f) => got.push(f) });
    sub.start();
    await waitFor(() => got.length === 5);
    expect(uuids(got)).toEqual(uuids(flows.filter((f) => f.source.namespace === 'shop').slice(-5)));
    await waitFor(() => h.live.subscribers >= 2);
    const t = Date.now();
    h.live.push([liveFlow('live-1', t, 'shop'), liveFlow('live-2', t + 1, 'payments'), liveFlow('live-3', t + 2, 'shop')]);
    await waitFor(() => got.length === 7);
    sub.stop();
    expect(uuids(got.slice(5))).toEqual(['live-1', 'live-3']);
  });

  it('includes flows handed to the store but not yet written, and sends a flow seen on both sides once', async () => {
    await waitFor(() => h.live.subscribers === 1);
    const t = flows[flows.length - 1].time;
    // Handed over before the call: still in the store's queue (the call flushes it).
    const queued = liveFlow('queued-1', t + 10);
    h.store.append([queued]);
    // While the history is read, the hub pushes a flow that the store also holds, and a new one.
    const both = liveFlow('both-1', t + 20);
    const fresh = liveFlow('fresh-1', t + 30);
    let pushed = false;
    h.store.beforeSearch = () => {
      if (pushed) return;
      pushed = true;
      h.store.fill([both]);
      h.live.push([both, fresh]);
    };
    const res = await h.raw.getFlows(hubbleRequest({ follow: true, since: flows[190].time }), { take: 13 });
    h.store.beforeSearch = null;
    expect(res.error).toBeNull();
    const got = res.messages.map((m) => decodeResponse(m).flow.uuid);
    expect(got).toEqual([...uuids(flows.slice(190)), 'queued-1', 'both-1', 'fresh-1']);
    expect(new Set(got).size).toBe(got.length);
  });

  it('does not repeat a history flow that the hub pushes live after the switch (store fed before the push)', async () => {
    const own = await harness(flows);
    const received: string[] = [];
    const stream = own.client.getFlows({ follow: true, since: new Date(flows[195].time) }, { onFlow: (f) => received.push(f.uuid), onEnd: () => {} });
    try {
      await waitFor(() => received.length === 5);
      own.live.push([flows[198], flows[199], liveFlow('after-1', Date.now())]);
      await waitFor(() => received.length >= 6);
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toEqual([...uuids(flows.slice(195)), 'after-1']);
    } finally {
      stream.cancel();
      await own.close();
    }
  });

  it('reports live flows that overflowed the buffer during the history as lost_events, then goes on', async () => {
    const own = await harness(flows, { limits: { pageSize: 16, liveBuffer: 2 } });
    const received: string[] = [];
    const lost: number[] = [];
    let pushed = false;
    own.store.beforeSearch = () => {
      if (pushed) return;
      pushed = true;
      own.live.push([1, 2, 3, 4, 5].map((k) => liveFlow(`burst-${k}`, Date.now() + k)));
    };
    const stream = own.client.getFlows(
      { follow: true, number: 1 },
      { onFlow: (f) => received.push(f.uuid), onLost: (n) => lost.push(n.lost), onEnd: () => {} },
    );
    try {
      await waitFor(() => received.length === 3);
      expect(received).toEqual([flows[199].uuid, 'burst-1', 'burst-2']);
      expect(lost).toEqual([3]);
    } finally {
      stream.cancel();
      await own.close();
    }
  });

  it('plain follow starts at now and needs no history', async () => {
    await waitFor(() => h.live.subscribers === 1);
    const received: string[] = [];
    const before = h.live.subscribers;
    const stream = h.client.getFlows({ follow: true }, { onFlow: (f) => received.push(f.uuid), onEnd: () => {} });
    await waitFor(() => h.live.subscribers > before);
    h.live.push([liveFlow('now-1', Date.now())]);
    await waitFor(() => received.length === 1);
    stream.cancel();
    expect(received).toEqual(['now-1']);
    await waitFor(() => h.live.subscribers === before);
  });

  it('ends a follow call once its until has passed and drops live flows after it', async () => {
    await waitFor(() => h.live.subscribers === 1);
    const until = Date.now() + 300;
    const start = Date.now();
    const received: string[] = [];
    const done = new Promise<Error | undefined>((resolve) =>
      h.client.getFlows({ follow: true, since: new Date(flows[199].time), until: new Date(until) }, { onFlow: (f) => received.push(f.uuid), onEnd: resolve }),
    );
    await waitFor(() => received.length >= 1);
    h.live.push([liveFlow('in-time', until - 100), liveFlow('too-late', until + 5000)]);
    expect(await done).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(received).toContain('in-time');
    expect(received).not.toContain('too-late');
  });
});

describe('cancellation and bounds', () => {
  it('stops reading the store when the client hangs up', async () => {
    const h = await harness(knownFlows(3000), { limits: { pageSize: 10 }, maxConcurrentCalls: 1 });
    try {
      h.store.beforeSearch = () => new Promise((r) => setTimeout(r, 5));
      const res = await h.raw.getFlows(hubbleRequest({ since: 0 }), { take: 15 });
      expect(res.messages).toHaveLength(15);
      await new Promise((r) => setTimeout(r, 150));
      const after = h.store.searches;
      await new Promise((r) => setTimeout(r, 300));
      expect(h.store.searches).toBe(after);
      expect(h.store.rowsRead).toBeLessThan(1000);
      // The call's slot is free again (at most one call at a time here).
      h.store.beforeSearch = null;
      expect(await fetchFlows(h.client, { number: 3 })).toHaveLength(3);
    } finally {
      await h.close();
    }
  });

  it('stops a call past its read budget with RESOURCE_EXHAUSTED, after the flows it found', async () => {
    const flows = knownFlows(500);
    const h = await harness(flows, { limits: { pageSize: 20, maxScannedFlows: 100 } });
    try {
      const res = await h.raw.getFlows(hubbleRequest({ since: flows[0].time }));
      expect(res.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(res.error?.details).toMatch(/narrow since\/until or add filters/);
      expect(h.store.rowsRead).toBeLessThanOrEqual(140);
    } finally {
      await h.close();
    }
  });

  it('refuses calls beyond maxConcurrentCalls', async () => {
    const h = await harness(knownFlows(10), { maxConcurrentCalls: 1 });
    try {
      const first = h.client.getFlows({ follow: true }, { onFlow() {}, onEnd() {} });
      await waitFor(() => h.live.subscribers >= 2);
      const res = await h.raw.getFlows(hubbleRequest({ number: 1 }));
      expect(res.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      first.cancel();
    } finally {
      await h.close();
    }
  });
});

/* -------------------------------------------------------------- bad requests */

describe('bad requests and an unready store', () => {
  const flows = knownFlows(50);
  let h: Harness;

  beforeAll(async () => {
    h = await harness(flows);
  });
  afterEach(() => {
    h.store.ready = true;
    h.store.error = null;
  });
  afterAll(() => h.close());

  it('rejects until before since with INVALID_ARGUMENT saying so', async () => {
    const res = await h.raw.getFlows(hubbleRequest({ since: flows[10].time, until: flows[5].time }));
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.details).toMatch(/until .* is before since/);
  });

  it('rejects first with follow', async () => {
    const res = await h.raw.getFlows(hubbleRequest({ number: 3, first: true, follow: true }));
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.details).toMatch(/first cannot be combined with follow/);
  });

  it('rejects filter fields it cannot evaluate instead of ignoring them (http_url, field 31)', async () => {
    const res = await h.raw.getFlows(hubbleRequest({ number: 5, whitelist: [filterBytes([[2, 'shop/'], [31, '/checkout']])] }));
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.details).toContain('whitelist[0].http_url (31)');
    expect(res.messages).toHaveLength(0);
  });

  it('rejects an invalid filter value with the field named', async () => {
    const res = await h.raw.getFlows(hubbleRequest({ number: 5, whitelist: [filterBytes([[1, '10.0.0.0/99']])] }));
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.details).toMatch(/source_ip/);
  });

  it('accepts a field mask (it shapes the payload only) and sends full flows', async () => {
    const res = await h.raw.getFlows(hubbleRequest({ number: 2, extra: (w) => w.uint32(tag(10, LEN)).fork().uint32(tag(1, LEN)).string('source.pod_name').ldelim() }));
    expect(res.error).toBeNull();
    expect(res.messages.map((m) => decodeResponse(m).flow.uuid)).toEqual(uuids(flows.slice(-2)));
  });

  it('answers UNAVAILABLE while the store is not ready, and still serves plain follow', async () => {
    h.store.ready = false;
    h.store.error = 'opening ./data/history';
    const res = await h.raw.getFlows(hubbleRequest({ number: 5 }));
    expect(res.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(res.error?.details).toContain('opening ./data/history');
    const before = h.live.subscribers;
    const pending = h.raw.getFlows(hubbleRequest({ follow: true }), { take: 1 });
    await waitFor(() => h.live.subscribers > before);
    h.live.push([liveFlow('while-opening', Date.now())]);
    const followed = await pending;
    expect(decodeResponse(followed.messages[0]).flow.uuid).toBe('while-opening');
  });

  it('asks a store provider on every call: UNAVAILABLE while it fails to open, served once it opens', async () => {
    const store = new MemoryFlowStore();
    store.fill(flows);
    let opened = false;
    const settled: string[] = [];
    const own = await harness([], {
      store: async () => {
        if (!opened) throw new Error('data directory is not writable');
        return store;
      },
      settle: async (s) => {
        settled.push(s === store ? 'store' : 'other');
        await s.flush();
      },
    });
    try {
      const res = await own.raw.getFlows(hubbleRequest({ number: 2 }));
      expect(res.error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(res.error?.details).toContain('data directory is not writable');
      expect((await own.client.serverStatus()).numUnavailableNodes).toBe(1);
      opened = true;
      expect(uuids(await fetchFlows(own.client, { number: 2 }))).toEqual(uuids(flows.slice(-2)));
      const followed = await own.raw.getFlows(hubbleRequest({ follow: true, number: 1 }), { take: 1 });
      expect(decodeResponse(followed.messages[0]).flow.uuid).toBe(flows[flows.length - 1].uuid);
      expect(settled).toEqual(['store']);
    } finally {
      await own.close();
    }
  });

  it('answers UNAVAILABLE when history is off', async () => {
    const off = await harness([], { store: null as unknown as FlowStore });
    try {
      const res = await off.raw.getFlows(hubbleRequest({ number: 5 }));
      expect(res.error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(res.error?.details).toMatch(/history is off/);
    } finally {
      await off.close();
    }
  });
});

/* ----------------------------------------------------------------- the wire */

describe('wire compatibility with `hubble observe --server`', () => {
  const flows = knownFlows(120);
  let h: Harness;

  beforeAll(async () => {
    h = await harness(flows);
  });
  afterAll(() => h.close());

  it('answers `hubble observe --last 3 -n shop` (two filters: source_pod / destination_pod "shop/")', async () => {
    const req = hubbleRequest({ number: 3, whitelist: [filterBytes([[2, 'shop/']]), filterBytes([[4, 'shop/']])] });
    const res = await h.raw.getFlows(req);
    expect(res.error).toBeNull();
    const want = flows.filter((f) => f.source.namespace === 'shop' || f.destination.namespace === 'shop').slice(-3);
    expect(res.messages.map((m) => decodeResponse(m).flow.uuid)).toEqual(uuids(want));
  });

  it('wraps each flow in GetFlowsResponse with flow (1), node_name (1000) and time (1001)', async () => {
    const res = await h.raw.getFlows(hubbleRequest({ number: 1 }));
    const bytes = res.messages[0];
    expect(fieldNumbers(bytes).sort((a, b) => a - b)).toEqual([1, 1000, 1001]);
    const msg = decodeResponse(bytes);
    const f = flows[flows.length - 1];
    expect(msg.node_name).toBe(f.node);
    expect(Number(msg.time.seconds) * 1000 + (msg.time.nanos ?? 0) / 1e6).toBe(f.time);
    // Inside the flow: time (1), verdict (2), uuid (34), source (8), destination (9), node_name (11).
    const flow = fieldBytes(bytes, 1)!;
    expect(fieldNumbers(flow)).toEqual(expect.arrayContaining([1, 8, 9, 11, 34]));
    expect(msg.flow.uuid).toBe(f.uuid);
    expect(msg.flow.source.namespace).toBe(f.source.namespace);
  });

  it('answers ServerStatus with the stored count, what it has seen, its capacity and one connected node', async () => {
    h.live.push([liveFlow('seen-1', Date.now()), liveFlow('seen-2', Date.now())]);
    const s = await h.client.serverStatus();
    expect(s.numFlows).toBe(flows.length);
    expect(s.seenFlows).toBe(2);
    // 80 bytes per flow in the double, 5 GiB of size retention.
    expect(s.maxFlows).toBe(Math.floor((5 * 1024 ** 3) / 80));
    expect(s.numConnectedNodes).toBe(1);
    expect(s.numUnavailableNodes).toBe(0);
    expect(s.version).toBe('flowsight/test');
    expect(s.uptimeNs).toBeGreaterThan(0);
  });

  it('reports itself unavailable in ServerStatus while the store is not ready', async () => {
    h.store.ready = false;
    try {
      const s = await h.client.serverStatus();
      expect(s.numConnectedNodes).toBe(0);
      expect(s.numUnavailableNodes).toBe(1);
      expect(s.unavailableNodes).toEqual(['flowsight-test']);
    } finally {
      h.store.ready = true;
    }
  });

  it('answers the gRPC health check that `hubble status` asks first: SERVING, NOT_SERVING while the store is not ready', async () => {
    const ok = await h.raw.unary('/grpc.health.v1.Health/Check');
    expect(ok.error).toBeNull();
    expect([...ok.message!]).toEqual([0x08, 1]);
    h.store.ready = false;
    try {
      expect([...(await h.raw.unary('/grpc.health.v1.Health/Check')).message!]).toEqual([0x08, 2]);
    } finally {
      h.store.ready = true;
    }
  });

  it('lists itself as the node and the stored namespaces (`hubble list nodes|namespaces`)', async () => {
    const nodes = await h.client.getNodes();
    expect(nodes.map((n) => [n.name, n.state, n.numFlows])).toEqual([['flowsight-test', 'NODE_CONNECTED', flows.length]]);
    const namespaces = await h.client.getNamespaces();
    expect(namespaces.map((n) => n.namespace)).toEqual(['db', 'payments', 'shop']);
  });
});

/* ---------------------------------------------------------------------- auth */

describe('auth off loopback', () => {
  const flows = knownFlows(30);
  let h: Harness;
  let target: string;

  beforeAll(async () => {
    h = await harness(flows, { host: '0.0.0.0', auth: { token: 'correct-horse' } });
    target = `127.0.0.1:${h.server.port}`;
  });
  afterAll(() => h.close());

  it('refuses to start beyond loopback without a token', async () => {
    await expect(startObserverServer({ port: 0, host: '0.0.0.0', store: new MemoryFlowStore(), live: new TestLiveFeed(), logger: quietLogger, nodeName: 'x', version: 'x', maxConcurrentCalls: 1 })).rejects.toThrow(/without a token/);
  });

  it('rejects GetFlows and ServerStatus without a token, or with a wrong one (UNAUTHENTICATED)', async () => {
    const raw = new RawObserverClient(target);
    try {
      const none = await raw.getFlows(hubbleRequest({ number: 2 }));
      expect(none.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(none.messages).toHaveLength(0);
      const wrong = await raw.getFlows(hubbleRequest({ number: 2 }), { token: 'wrong' });
      expect(wrong.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(wrong.error?.details).toMatch(/not valid/);
      const status = await raw.unary('ServerStatus');
      expect(status.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      // The project's client sends no token: refused too.
      await expect(fetchFlows(h.client, { number: 1 })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    } finally {
      raw.close();
    }
  });

  it('serves a caller with the right bearer token', async () => {
    const raw = new RawObserverClient(target);
    try {
      const ok = await raw.getFlows(hubbleRequest({ number: 2 }), { token: 'correct-horse' });
      expect(ok.error).toBeNull();
      expect(ok.messages.map((m) => decodeResponse(m).flow.uuid)).toEqual(uuids(flows.slice(-2)));
      const status = await raw.unary('ServerStatus', { token: 'correct-horse' });
      expect(status.error).toBeNull();
    } finally {
      raw.close();
    }
  });

  it('locks a client out after repeated wrong tokens (the web API\'s limit)', async () => {
    const raw = new RawObserverClient(target);
    try {
      let last: number | undefined;
      for (let i = 0; i < 8; i++) last = (await raw.unary('ServerStatus', { token: `guess-${i}` })).error?.code;
      expect(last).toBe(grpc.status.RESOURCE_EXHAUSTED);
      // Even the right token waits now.
      expect((await raw.unary('ServerStatus', { token: 'correct-horse' })).error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      raw.close();
    }
  });
});
