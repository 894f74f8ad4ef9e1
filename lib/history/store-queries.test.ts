import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { openChdbEngine } from './chdb-engine';
import type { HistoryEngine } from './engine';
import { openFlowStore, prepareSchema, type ManagedFlowStore } from './open-store';
import { SqlFlowStore } from './sql-flow-store';
import { bucketWidth, decodeCursor, encodeCursor, HistoryQueryError } from './queries';
import { knownFlows, T0 } from './testing/known-flows';

describe('history queries on a store filled with known flows', () => {
  const flows = knownFlows();
  let dir: string;
  let store: ManagedFlowStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-history-'));
    store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null } });
    // Two appends, as the hub would send them.
    store.append(flows.slice(0, 250));
    store.append(flows.slice(250));
    await store.flush();
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every flow and reports it', async () => {
    const s = await store.refreshStatus();
    expect(s.storedFlows).toBe(flows.length);
    expect(s.writtenFlows).toBe(flows.length);
    expect(s.droppedFlows).toBe(0);
    expect(s.oldest).toBe(T0);
    expect(s.newest).toBe(flows[flows.length - 1].time);
    expect(s.bytesOnDisk).toBeGreaterThan(0);
  });

  it('pages newest first with a cursor, without gaps or repeats, and reads flows back as written', async () => {
    const seen: FlowRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.search({ range: {}, limit: 130, cursor });
      seen.push(...page.flows);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(Math.ceil(flows.length / 130));
    const expected = [...flows].sort((a, b) => b.time - a.time || (a.uuid < b.uuid ? 1 : -1));
    expect(seen.map((f) => f.uuid)).toEqual(expected.map((f) => f.uuid));
    const original = new Map(flows.map((f) => [f.uuid, f]));
    const sample = seen.find((f) => f.uuid === 'd-2')!;
    expect(sample).toEqual(original.get('d-2'));
  });

  it('applies a search condition (bound parameters) and the time range, until exclusive', async () => {
    const since = T0 + 600_000;
    const until = T0 + 1_200_000;
    const page = await store.search({
      condition: { where: 'verdict = {p0:String} AND (src_ns = {p1:String} OR dst_ns = {p1:String})', params: { p0: 'DROPPED', p1: 'data' } },
      range: { since, until },
      limit: 1000,
    });
    const expected = flows.filter((f) => f.verdict === 'DROPPED' && f.time >= since && f.time < until);
    expect(expected.length).toBeGreaterThan(0);
    expect(page.flows.map((f) => f.uuid).sort()).toEqual(expected.map((f) => f.uuid).sort());
    expect(page.nextCursor).toBeNull();
  });

  it('keeps user text out of the SQL: a hostile value is only a value', async () => {
    const page = await store.search({ condition: { where: 'src_ns = {p0:String}', params: { p0: "shop' OR 1=1 --" } }, range: {}, limit: 10 });
    expect(page.flows).toEqual([]);
    const count = await store.refreshStatus();
    expect(count.storedFlows).toBe(flows.length);
  });

  it('refuses a cursor it did not make and a search that claims the store parameter names', async () => {
    await expect(store.search({ range: {}, limit: 10, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(HistoryQueryError);
    await expect(store.search({ condition: { where: '1', params: { h_limit: 1 } }, range: {}, limit: 10 })).rejects.toThrow(/reserved/);
  });

  it('counts verdicts per bucket, zero-filled over the whole range', async () => {
    const since = T0 - 600_000;
    const until = T0 + 3_000_000;
    const h = await store.histogram({ range: { since, until }, buckets: 12 });
    expect(h.bucketMs).toBe(300_000);
    expect(h.buckets.length).toBe(12);
    expect(h.buckets[0]).toEqual({ start: since, forwarded: 0, dropped: 0, audit: 0, error: 0, other: 0 });
    for (const b of h.buckets) {
      const inBucket = flows.filter((f) => f.time >= b.start && f.time < b.start + h.bucketMs);
      expect(b.forwarded).toBe(inBucket.filter((f) => f.verdict === 'FORWARDED').length);
      expect(b.dropped).toBe(inBucket.filter((f) => f.verdict === 'DROPPED').length);
      expect(b.audit).toBe(inBucket.filter((f) => f.verdict === 'AUDIT').length);
      expect(b.error).toBe(inBucket.filter((f) => f.verdict === 'ERROR').length);
    }
    const total = h.buckets.reduce((n, b) => n + b.forwarded + b.dropped + b.audit + b.error + b.other, 0);
    expect(total).toBe(flows.length);
  });

  it('filters a histogram by the search condition', async () => {
    const h = await store.histogram({ condition: { where: 'dst_port = {p0:UInt16}', params: { p0: 53 } }, range: { since: T0, until: T0 + 3_000_000 }, buckets: 10 });
    const sum = h.buckets.reduce((n, b) => n + b.forwarded + b.error, 0);
    expect(sum).toBe(flows.filter((f) => f.destination.port === 53).length);
    expect(h.buckets.reduce((n, b) => n + b.dropped, 0)).toBe(0);
  });

  it('aggregates edges over a window with replies folded onto the connection they answer', async () => {
    const edges = await store.edges({ range: { since: T0, until: T0 + 3_600_000 } });
    const toApi = edges.filter((e) => e.source === 'shop/frontend' && e.target === 'shop/api' && e.port === 8080);
    expect(toApi).toHaveLength(1);
    expect(toApi[0].flows).toBe(200); // 100 requests + 100 replies
    expect(toApi[0].replies).toBe(100);
    expect(toApi[0].allowedBy).toEqual(['NetworkPolicy/shop/allow-api']);
    expect(toApi[0].firstSeen).toBe(T0);
    const denied = edges.find((e) => e.target === 'data/postgres' && e.verdict === 'DROPPED');
    expect(denied).toMatchObject({ dropReason: 'POLICY_DENIED', flows: 100, deniedBy: ['CiliumNetworkPolicy/data/deny-all'], sourceNamespace: 'shop', targetNamespace: 'data' });
    const dnsEdges = edges.filter((e) => e.target === 'kube-system/coredns');
    expect(dnsEdges.map((e) => [e.verdict, e.flows, e.l7.dns]).sort()).toEqual([
      ['ERROR', 50, 50],
      ['FORWARDED', 50, 50],
    ]);
    // A window of the first ten minutes counts only its minutes.
    const early = await store.edges({ range: { since: T0, until: T0 + 600_000 } });
    const earlyDenied = early.find((e) => e.target === 'data/postgres')!;
    expect(earlyDenied.flows).toBe(flows.filter((f) => f.verdict === 'DROPPED' && f.time < T0 + 600_000).length);
  });

  it('completes values by case-insensitive prefix, most frequent first', async () => {
    const ns = await store.values('namespace', '', 10);
    expect(ns).toEqual([]); // nothing recent
    const recent = flows.slice(0, 12).map((f, i) => ({ ...f, uuid: `recent-${i}`, time: Date.now() - 60_000 }));
    store.append(recent);
    await store.flush();
    expect(await store.values('namespace', '', 10)).toEqual(['shop', 'data', 'kube-system']);
    expect(await store.values('namespace', 'SH', 10)).toEqual(['shop']);
    expect(await store.values('fqdn', 'api.', 10)).toEqual(['api.stripe.com']);
    expect(await store.values('workload', 'post', 10)).toEqual(['postgres']);
    expect(await store.values('reason', '', 10)).toEqual(['POLICY_DENIED']);
    expect(await store.values('label', 'app=f', 10)).toEqual(['app=frontend']);
    expect(await store.values('policy', 'cilium', 10)).toEqual(['CiliumNetworkPolicy/data/deny-all']);
    expect(await store.values('namespace', '%', 10)).toEqual([]); // a LIKE wildcard is just a character
    expect(await store.values('pod', '', 1)).toHaveLength(1);
  });

  it('abandons a cancelled query', async () => {
    const ac = new AbortController();
    ac.abort(new Error('client went away'));
    await expect(store.search({ range: {}, limit: 10 }, ac.signal)).rejects.toThrow('client went away');
    const late = new AbortController();
    const p = store.histogram({ range: { since: T0, until: T0 + 3_600_000 }, buckets: 100 }, late.signal);
    late.abort(new Error('cancelled by the user'));
    await expect(p).rejects.toThrow('cancelled by the user');
    // The store still answers afterwards.
    expect((await store.search({ range: {}, limit: 1 })).flows).toHaveLength(1);
  });
});

describe('searching a long range in time slices', () => {
  // 40 hours of flows, one every 2 minutes; every tenth dropped. Newest first, the store reads the
  // newest hour, then 2, 4, 8... hours further back, until the page is full.
  const HOUR = 3_600_000;
  const start = T0 - 40 * HOUR;
  const flows = Array.from({ length: 1200 }, (_, i) => ({ ...knownFlows()[i % 6], uuid: `s-${String(i).padStart(4, '0')}`, time: start + i * 120_000, verdict: i % 10 === 0 ? ('DROPPED' as const) : ('FORWARDED' as const) }));
  const newestFirst = [...flows].sort((a, b) => b.time - a.time);
  let dir: string;
  let store: ManagedFlowStore;
  const queries: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-history-slices-'));
    const engine = await openChdbEngine(dir);
    await prepareSchema(engine, 3650);
    // The real engine, its reads counted.
    const counted: HistoryEngine = { ...engine, query: (sql, params, signal) => (queries.push(sql), engine.query(sql, params, signal)) };
    store = new SqlFlowStore(counted, { retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null } });
    store.append(flows);
    await store.flush();
    await store.refreshStatus();
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a page from the newest hour alone when it holds enough', async () => {
    queries.length = 0;
    const page = await store.search({ range: {}, limit: 20 });
    expect(page.flows.map((f) => f.uuid)).toEqual(newestFirst.slice(0, 20).map((f) => f.uuid));
    expect(queries).toHaveLength(1);
  });

  it('pages through slices without gaps or repeats, whatever the page size', async () => {
    for (const limit of [13, 500]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.search({ range: {}, limit, cursor });
        seen.push(...page.flows.map((f) => f.uuid));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(newestFirst.map((f) => f.uuid));
    }
  });

  it('keeps to the range and the condition across slices, until exclusive', async () => {
    const since = start + 5 * HOUR;
    const until = start + 30 * HOUR;
    const condition = { where: 'verdict = {p0:String}', params: { p0: 'DROPPED' } };
    queries.length = 0;
    const page = await store.search({ condition, range: { since, until }, limit: 1000 });
    const expected = newestFirst.filter((f) => f.verdict === 'DROPPED' && f.time >= since && f.time < until);
    expect(page.flows.map((f) => f.uuid)).toEqual(expected.map((f) => f.uuid));
    expect(page.nextCursor).toBeNull();
    // 25 hours read as 1, 2, 4, 8 hours, then the rest down to `since`.
    expect(queries).toHaveLength(5);
  });
});

describe('query building', () => {
  it('picks bucket widths a person can read, about as many as asked', () => {
    expect(bucketWidth(3_600_000, 60)).toBe(60_000);
    expect(bucketWidth(3_600_000, 100)).toBe(60_000);
    expect(bucketWidth(900_000, 90)).toBe(10_000);
    expect(bucketWidth(7 * 86_400_000, 50)).toBe(21_600_000);
    expect(bucketWidth(3_600_000, 1_000_000)).toBe(2000); // capped at MAX_BUCKETS
  });

  it('round-trips a cursor and rejects forged ones', () => {
    const c = encodeCursor(1_795_000_000_123_456, 'abc');
    expect(decodeCursor(c)).toEqual({ t: 1_795_000_000_123_456, u: 'abc' });
    expect(() => decodeCursor(Buffer.from('{"t":1}').toString('base64url'))).toThrow(HistoryQueryError);
    expect(() => decodeCursor('x'.repeat(600))).toThrow(/too long/);
  });
});
