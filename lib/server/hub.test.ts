import { afterEach, describe, expect, it } from 'vitest';
import { parseStreamEvent } from '../graph/graph-wire';
import type { GraphDelta, GraphSnapshot } from '../graph/types';
import { compileFilters } from '../hubble/flow-filter';
import { flow, pod } from '../testing/flow-fixtures';
import { loadConfig } from './config';
import { Hub, HUB_TICK_MS, type HubClient } from './hub';
import { openSseStream } from './sse';
import { connectWithoutReading, startRouteServer } from './testing/route-server';

class FakeClient implements HubClient {
  events: { event: string; data: unknown }[] = [];
  closed: string | null = null;
  full = false;
  constructor(readonly predicate: ReturnType<typeof compileFilters> | null = compileFilters()) {}
  send(event: string, json: string): boolean {
    if (this.full) return false;
    this.events.push({ event, data: parseStreamEvent(event, json) });
    return true;
  }
  close(reason: string): void {
    this.closed = reason;
  }
  of(event: string) {
    return this.events.filter((e) => e.event === event).map((e) => e.data);
  }
}

const hubs: Hub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.stop();
});

/** A hub fed by hand (not started): its fan-out logic, without a relay. */
function hub(opts = {}) {
  const h = new Hub(loadConfig({}), { samplePerTick: 5, stallTimeoutMs: 1000, ...opts });
  hubs.push(h);
  return h;
}

const frontend = pod('production', 'frontend-7d9f8b6c4-x7k2p');
const api = pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 8080 });
const legacy = pod('legacy', 'legacy-app-9c8d7b6f5a-x7k2p');

describe('Hub fan-out', () => {
  it('sends a snapshot on connect, then deltas and counters each tick', () => {
    const h = hub();
    h.ingest(flow(frontend, api));
    const c = new FakeClient();
    h.subscribe(c);
    expect(c.events[0].event).toBe('snapshot');
    h.ingest(flow(legacy, api, { verdict: 'DROPPED' }));
    h.tick();
    const deltas = c.of('delta') as { upsertEdges: { id: string }[] }[];
    expect(deltas).toHaveLength(1);
    expect(deltas[0].upsertEdges.map((e) => e.id)).toContain('legacy/legacy-app|production/api-server|8080|TCP');
    expect(c.of('counters').length).toBeGreaterThanOrEqual(2);
  });

  it('counts live flows in the rates but not the backlog replayed at connect', () => {
    const h = hub();
    h.ingest(flow(frontend, api, { time: Date.now() - 60_000 }));
    h.ingest(flow(frontend, api, { time: Date.now() }));
    h.ingest(flow(legacy, api, { time: Date.now(), verdict: 'DROPPED' }));
    expect(h.counters.total).toBe(2);
    expect(h.graph.snapshot().edges.find((e) => e.source === 'production/frontend')?.total).toBe(2); // both are on the map
  });

  it('samples only the flows the client asked for, at most N per tick', () => {
    const h = hub();
    const c = new FakeClient(compileFilters([{ verdict: ['DROPPED'] }]));
    h.subscribe(c);
    for (let i = 0; i < 20; i++) h.ingest(flow(legacy, api, { verdict: i % 2 ? 'DROPPED' : 'FORWARDED' }));
    h.tick();
    const sample = c.of('flows').flat() as { verdict: string }[];
    expect(sample).toHaveLength(5);
    expect(sample.every((f) => f.verdict === 'DROPPED')).toBe(true);
    h.tick();
    expect((c.of('flows').flat() as unknown[]).length).toBe(10); // continues from its cursor
  });

  it('a page that lists no flows (sample=0) gets graph and counters but no flow samples', () => {
    const h = hub();
    const c = new FakeClient(null);
    h.subscribe(c);
    for (let i = 0; i < 10; i++) h.ingest(flow(legacy, api));
    h.tick();
    expect(c.of('flows')).toHaveLength(0);
    expect(c.of('delta')).toHaveLength(1);
    expect(c.of('counters').length).toBeGreaterThan(0);
  });

  it('a slow client is skipped and resynced with a snapshot; the fast one gets every delta', () => {
    const h = hub();
    const fast = new FakeClient();
    const slow = new FakeClient();
    h.subscribe(fast);
    h.subscribe(slow);
    slow.full = true;
    h.ingest(flow(frontend, api));
    h.tick();
    h.ingest(flow(legacy, api, { verdict: 'DROPPED' }));
    h.tick();
    expect(fast.of('delta')).toHaveLength(2);
    slow.full = false;
    h.ingest(flow(api, legacy));
    h.tick();
    expect(slow.of('delta')).toHaveLength(0);
    const snaps = slow.of('snapshot') as { graph: { edges: unknown[] } }[];
    expect(snaps).toHaveLength(2);
    expect(snaps[1].graph.edges).toHaveLength(3); // the snapshot carries what the skipped deltas had
    expect(h.status().clients.resyncs).toBe(1);
  });

  it('sends a large graph as a snapshot with the islands picture first, then its other edges in parts (issue 13)', async () => {
    const h = hub();
    // 6,000 connections: more than one part holds.
    for (let i = 0; i < 6000; i++) h.ingest(flow(pod(`ns${i % 6}`, `app${i % 60}-5f6d7c8b9-x7k2p`), pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 1000 + i })));
    h.tick();
    const c = new FakeClient();
    h.subscribe(c);
    await h.snapshotsSent();
    expect(c.events.map((e) => e.event).slice(0, 3)).toEqual(['snapshot', 'snapshot-part', 'snapshot-part']);
    const [snap] = c.of('snapshot') as { graph: GraphSnapshot; parts: number }[];
    const parts = c.of('snapshot-part') as GraphDelta[];
    expect(snap.parts).toBe(parts.length);
    expect(snap.graph.edges.length).toBeLessThan(100); // 61 workloads and 6 pairs of islands need few
    for (const p of parts) expect(p.seq).toBe(snap.graph.seq);
    const all = new Set([...snap.graph.edges, ...parts.flatMap((p) => p.upsertEdges)].map((e) => e.id));
    expect(all.size).toBe(6000);
    expect(h.status().graph.edges).toBe(6000);
  });

  it('keeps a snapshot of the largest graph within a few parts, well inside a browser queue of 32 events', async () => {
    const h = hub();
    for (let i = 0; i < 40_000; i++) h.ingest(flow(pod(`ns${i % 8}`, `app${i % 80}-5f6d7c8b9-x7k2p`), pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 1000 + (i % 40_000) })));
    h.tick();
    const c = new FakeClient();
    h.subscribe(c);
    await h.snapshotsSent();
    const parts = c.of('snapshot-part') as GraphDelta[];
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThanOrEqual(12);
    const [snap] = c.of('snapshot') as { graph: GraphSnapshot; parts: number }[];
    expect(snap.graph.edges.length + parts.reduce((n, p) => n + p.upsertEdges.length, 0)).toBe(40_000);
  });

  it('sends a snapshot cut short by a full socket again, whole, at the next tick', async () => {
    const h = hub();
    for (let i = 0; i < 6000; i++) h.ingest(flow(frontend, pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 1000 + i })));
    h.tick();
    const c = new FakeClient();
    let room = 2; // the snapshot and one part, then the socket is full
    const send = c.send.bind(c);
    c.send = (event, json) => room-- > 0 && send(event, json);
    h.subscribe(c);
    await h.snapshotsSent();
    expect(c.events.map((e) => e.event)).toEqual(['snapshot', 'snapshot-part']);
    room = Infinity;
    h.ingest(flow(legacy, api));
    h.tick();
    await h.snapshotsSent();
    const events = c.events.map((e) => e.event);
    // Whole again (the same snapshot, still fresh), then the tick's delta on top of it: no delta ever
    // follows a snapshot the page did not get whole.
    const [, again] = c.of('snapshot') as { graph: GraphSnapshot; parts: number }[];
    expect(events.slice(2, 4 + again.parts)).toEqual(['snapshot', ...Array(again.parts).fill('snapshot-part'), 'delta']);
    const [delta] = c.of('delta') as GraphDelta[];
    expect(delta.seq).toBe(again.graph.seq + 1);
    const edges = new Set([...again.graph.edges, ...c.events.slice(3).flatMap((e) => (e.event === 'snapshot-part' || e.event === 'delta' ? (e.data as GraphDelta).upsertEdges : []))].map((e) => e.id));
    expect(edges.size).toBe(h.status().graph.edges);
  });

  it('builds the whole graph\'s snapshot once for the browsers that ask while it is fresh, each then getting the deltas since', async () => {
    const h = hub({ snapshotSliceMs: 1 });
    for (let i = 0; i < 6000; i++) h.ingest(flow(frontend, pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 1000 + i })));
    h.tick();
    let copies = 0;
    const copy = h.graph.snapshot.bind(h.graph);
    h.graph.snapshot = () => (copies++, copy());
    // The map's HTML is on its way: the snapshot is started before its stream asks.
    h.prepareSnapshot();
    h.ingest(flow(legacy, api));
    h.tick();
    const early = new FakeClient(null);
    h.subscribe(early);
    await h.snapshotsSent();
    h.ingest(flow(legacy, api, { verdict: 'DROPPED' }));
    h.tick();
    // Done before it asked: a late browser gets it at once, with every delta since, in order.
    const late = new FakeClient(null);
    h.subscribe(late);
    expect(copies).toBe(1);
    for (const c of [early, late]) {
      const [snap] = c.of('snapshot') as { graph: GraphSnapshot; parts: number }[];
      const deltas = c.of('delta') as GraphDelta[];
      expect(deltas.map((d) => d.seq)).toEqual([snap.graph.seq + 1, snap.graph.seq + 2]);
      const order = c.events.map((e) => e.event).filter((e) => e !== 'counters');
      expect(order).toEqual(['snapshot', ...Array(snap.parts).fill('snapshot-part'), 'delta', 'delta']);
      const edges = new Set([...snap.graph.edges, ...c.events.flatMap((e) => (e.event === 'snapshot-part' || e.event === 'delta' ? (e.data as GraphDelta).upsertEdges : []))].map((e) => e.id));
      expect(edges.size).toBe(h.status().graph.edges);
    }
    // Once it is no longer fresh, a browser gets a new one of the graph as it stands, with no deltas to catch up.
    h.tick(Date.now() + 3_100);
    const next = new FakeClient(null);
    h.subscribe(next);
    await h.snapshotsSent();
    expect(copies).toBe(2);
    const [fresh] = next.of('snapshot') as { graph: GraphSnapshot }[];
    expect(fresh.graph.seq).toBe(h.graph.sequence);
    expect(next.of('delta')).toHaveLength(0);
  });

  it('prepares nothing for a graph small enough to send whole', () => {
    const h = hub();
    h.ingest(flow(frontend, api));
    h.tick();
    let copies = 0;
    const copy = h.graph.snapshot.bind(h.graph);
    h.graph.snapshot = () => (copies++, copy());
    h.prepareSnapshot();
    expect(copies).toBe(0);
    const c = new FakeClient();
    h.subscribe(c);
    expect(copies).toBe(1);
    expect(c.events[0].event).toBe('snapshot');
  });

  it('sends a large snapshot over several turns of the event loop, holding the deltas of the ticks meanwhile for after its last part', async () => {
    // Slices of 1 ms: however fast this machine, the snapshot takes several.
    const h = hub({ snapshotSliceMs: 1 });
    const target = (i: number) => pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 1000 + i });
    for (let i = 0; i < 20_000; i++) h.ingest(flow(pod(`ns${i % 8}`, `app${i % 80}-5f6d7c8b9-x7k2p`), target(i)));
    // Deltas are capped: as many ticks as it takes for the graph to have nothing pending.
    while (h.status().graph.pendingEdges > 0) h.tick();
    h.tick();
    const c = new FakeClient();
    // Other work queued for the loop's next turn, before the snapshot starts: it runs before the last part goes out.
    let turns = 0;
    const spin = () => {
      turns++;
      if (h.status().clients.connected && !c.events.some((e) => e.event === 'counters')) setImmediate(spin);
    };
    setImmediate(spin);
    h.subscribe(c);
    // The subscribing call returns before the parts are out: other work gets turns in between.
    const partsAtReturn = c.of('snapshot-part').length;
    // Ticks while it is sent: a new edge and one that changes.
    h.ingest(flow(frontend, api, { verdict: 'DROPPED' }));
    h.tick();
    h.ingest(flow(pod('ns1', 'app1-5f6d7c8b9-x7k2p'), target(1)));
    h.tick();
    expect(c.of('delta')).toHaveLength(0);
    await h.snapshotsSent();
    expect(partsAtReturn).toBe(0);
    expect(turns).toBeGreaterThan(1);
    const events = c.events.map((e) => e.event);
    const [snap] = c.of('snapshot') as { graph: GraphSnapshot; parts: number }[];
    expect(events.slice(0, 1 + snap.parts)).toEqual(['snapshot', ...Array(snap.parts).fill('snapshot-part')]);
    // Then the held deltas, in order, then the counters.
    expect(events.slice(1 + snap.parts, 4 + snap.parts)).toEqual(['delta', 'delta', 'counters']);
    const deltas = c.of('delta') as GraphDelta[];
    expect(deltas[0].seq).toBe(snap.graph.seq + 1);
    expect(deltas[1].seq).toBe(snap.graph.seq + 2);
    expect(deltas[0].upsertEdges.map((e) => e.id)).toContain('production/frontend|production/api-server|8080|TCP');
    // Everything the page holds then is the graph as it stands.
    const held = new Set([...snap.graph.edges, ...(c.of('snapshot-part') as GraphDelta[]).flatMap((p) => p.upsertEdges), ...deltas.flatMap((d) => d.upsertEdges)].map((e) => e.id));
    expect(held.size).toBe(h.status().graph.edges);
    // From now on, deltas go out each tick again.
    h.ingest(flow(legacy, api));
    h.tick();
    expect(c.of('delta')).toHaveLength(3);
  });

  it("sends a large snapshot's parts in one write to a client that takes several events at once", async () => {
    const h = hub({ snapshotSliceMs: 1 });
    for (let i = 0; i < 20_000; i++) h.ingest(flow(pod(`ns${i % 8}`, `app${i % 80}-5f6d7c8b9-x7k2p`), pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 1000 + i })));
    while (h.status().graph.pendingEdges > 0) h.tick();
    const c = new FakeClient();
    const writes: string[][] = [];
    const sendAll = (events: readonly (readonly [string, string])[]) => {
      writes.push(events.map(([event]) => event));
      return events.every(([event, json]) => c.send(event, json));
    };
    h.subscribe(Object.assign(c, { sendAll }));
    await h.snapshotsSent();
    const [snap] = c.of('snapshot') as { parts: number }[];
    expect(snap.parts).toBeGreaterThan(1);
    // The head on its own (it draws the islands picture), then every part together.
    expect(writes).toEqual([['snapshot'], Array(snap.parts).fill('snapshot-part')]);
    const held = new Set([...(c.of('snapshot') as { graph: GraphSnapshot }[])[0].graph.edges, ...(c.of('snapshot-part') as GraphDelta[]).flatMap((p) => p.upsertEdges)].map((e) => e.id));
    expect(held.size).toBe(h.status().graph.edges);
  });

  it('starts a large snapshot over when too many deltas pile up behind it', async () => {
    const h = hub({ snapshotSliceMs: 1 });
    for (let i = 0; i < 6000; i++) h.ingest(flow(frontend, pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 1000 + i })));
    h.tick();
    const c = new FakeClient();
    h.subscribe(c);
    // 10 s of ticks are held; a few more start it over.
    const ticks = 10_000 / HUB_TICK_MS + 5;
    for (let i = 0; i < ticks; i++) {
      h.ingest(flow(legacy, pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 100 + i })));
      h.tick();
    }
    expect(h.status().clients.resyncs).toBe(1);
    await h.snapshotsSent();
    // The first snapshot stopped where it was (whatever of it had gone out); the next tick started a
    // fresh one, whole, and the ticks after it were held for after it.
    const snaps = c.of('snapshot') as { graph: GraphSnapshot; parts: number }[];
    expect(snaps.length).toBeGreaterThanOrEqual(1);
    const last = snaps[snaps.length - 1];
    const second = c.events.findLastIndex((e) => e.event === 'snapshot');
    expect(c.events.slice(0, second).some((e) => e.event === 'delta')).toBe(false);
    const after = c.events.slice(second);
    expect(after.filter((e) => e.event === 'snapshot-part')).toHaveLength(last.parts);
    const edges = new Set([...last.graph.edges, ...after.flatMap((e) => (e.event === 'snapshot-part' || e.event === 'delta' ? (e.data as GraphDelta).upsertEdges : []))].map((e) => e.id));
    expect(edges.size).toBe(6000 + ticks);
  });

  it('cuts off a client that stays stalled past the timeout', () => {
    const h = hub();
    const c = new FakeClient();
    h.subscribe(c);
    c.full = true;
    const t0 = Date.now();
    h.ingest(flow(frontend, api));
    h.tick(t0);
    h.tick(t0 + 500);
    expect(c.closed).toBeNull();
    h.tick(t0 + 1500);
    expect(c.closed).toMatch(/too slow/);
    expect(h.status().clients).toMatchObject({ connected: 0, cutOff: 1 });
  });

  it('a client it cuts off is disconnected even if it never reads (the socket and its send queue are released)', async () => {
    const h = hub({ samplePerTick: 2000, recentCapacity: 4000, stallTimeoutMs: 1000 });
    const server = await startRouteServer((request) => openSseStream(request, (client) => h.subscribe({ ...client, predicate: compileFilters() })));
    try {
      const socket = await connectWithoutReading(server.port, '/api/stream');
      let t = Date.now();
      for (let i = 0; i < 400 && h.status().clients.cutOff === 0; i++) {
        for (let k = 0; k < 2000; k++) h.ingest(flow(frontend, api, { summary: 'x'.repeat(300) }));
        h.tick((t += 100));
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(h.status().clients).toMatchObject({ connected: 0, cutOff: 1 });
      const end = Date.now() + 3000;
      while ((await server.connections()) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(await server.connections()).toBe(0);
      socket.destroy();
    } finally {
      await server.close();
    }
  });
});

describe('Hub flow push', () => {
  it('hands each tick the flows ingested since the last one, with their edges, each flow once', () => {
    const h = hub();
    const batches: { uuids: string[]; edgeIds: string[]; skipped: number }[] = [];
    h.onFlows((b) => batches.push({ uuids: b.flows.map((f) => f.uuid), edgeIds: [...b.edgeIds], skipped: b.skipped }));
    const a = flow(frontend, api);
    const b = flow(legacy, api, { verdict: 'DROPPED' });
    h.ingest(a);
    h.ingest(b);
    h.tick();
    h.tick(); // nothing new: no empty batch
    const c = flow(frontend, api);
    h.ingest(c);
    h.tick();
    expect(batches).toEqual([
      { uuids: [a.uuid, b.uuid], edgeIds: ['production/frontend|production/api-server|8080|TCP', 'legacy/legacy-app|production/api-server|8080|TCP'], skipped: 0 },
      { uuids: [c.uuid], edgeIds: ['production/frontend|production/api-server|8080|TCP'], skipped: 0 },
    ]);
  });

  it('handOverFlows pushes what came since the last tick at once (a history search asks), and the tick does not repeat it', () => {
    const h = hub();
    const seen: string[][] = [];
    h.onFlows((b) => seen.push(b.flows.map((f) => f.uuid)));
    const a = flow(frontend, api);
    h.ingest(a);
    h.handOverFlows();
    expect(seen).toEqual([[a.uuid]]);
    const b = flow(legacy, api);
    h.ingest(b);
    h.tick();
    h.handOverFlows(); // nothing new: no empty batch
    expect(seen).toEqual([[a.uuid], [b.uuid]]);
  });

  it('a listener that joins late gets the flows already pushed first (replay), then only new ones', () => {
    const h = hub();
    h.onFlows(() => undefined);
    const early = [flow(frontend, api), flow(legacy, api)];
    for (const f of early) h.ingest(f);
    h.tick();
    const pending = flow(frontend, api);
    h.ingest(pending); // ingested, not yet pushed: must arrive once, with the next tick
    const seen: string[][] = [];
    h.onFlows((b) => seen.push(b.flows.map((f) => f.uuid)), { replay: true });
    expect(seen).toEqual([early.map((f) => f.uuid)]);
    h.tick();
    expect(seen).toEqual([early.map((f) => f.uuid), [pending.uuid]]);
  });

  it('hands over every flow of a burst larger than the ring (the history and the posture counts miss none)', () => {
    const h = hub({ recentCapacity: 4 });
    const got: { n: number; skipped: number }[] = [];
    h.onFlows((b) => got.push({ n: b.flows.length, skipped: b.skipped }));
    for (let i = 0; i < 10; i++) h.ingest(flow(frontend, api));
    h.tick();
    expect(got).toEqual([{ n: 10, skipped: 0 }]);
  });

  it('the first listener gets, by replay, what was ingested before it joined, then every new flow once', () => {
    const h = hub();
    const before = [flow(frontend, api), flow(legacy, api)];
    for (const f of before) h.ingest(f); // no listener yet: nothing held for a tick
    const seen: string[][] = [];
    h.onFlows((b) => seen.push(b.flows.map((f) => f.uuid)), { replay: true });
    const after = flow(frontend, api);
    h.ingest(after);
    h.tick();
    expect(seen).toEqual([before.map((f) => f.uuid), [after.uuid]]);
  });

  it('a listener that throws does not stop the others or the fan-out', () => {
    const errors: unknown[] = [];
    const h = hub({ logger: { error: (e: unknown) => errors.push(e) } });
    h.onFlows(() => {
      throw new Error('broken consumer');
    });
    let delivered = 0;
    h.onFlows((b) => (delivered += b.flows.length));
    const c = new FakeClient();
    h.subscribe(c);
    h.ingest(flow(frontend, api));
    h.tick();
    expect(delivered).toBe(1);
    expect(errors).toHaveLength(1);
    expect(c.of('delta')).toHaveLength(1);
  });

  it("writes the browsers' delta before the flow listeners fold the tick's flows in, except those whose count goes out with it (beforeSend)", () => {
    const h = hub();
    const c = new FakeClient();
    h.subscribe(c);
    h.tick(); // the snapshot
    const order: string[] = [];
    const deltasWritten = () => c.of('delta').length;
    h.onFlows(() => order.push(`listener saw ${deltasWritten()} deltas`));
    h.onFlows(() => order.push(`counting saw ${deltasWritten()} deltas`), { beforeSend: true });
    h.ingest(flow(frontend, api));
    h.tick();
    expect(order).toEqual(['counting saw 0 deltas', 'listener saw 1 deltas']);
    // handOverFlows (a history search) reaches both kinds.
    h.ingest(flow(legacy, api));
    h.handOverFlows();
    expect(order.slice(2)).toEqual(['counting saw 1 deltas', 'listener saw 1 deltas']);
  });
});
