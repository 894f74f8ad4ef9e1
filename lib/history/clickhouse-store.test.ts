import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFlowStore, type ManagedFlowStore } from './open-store';
import { redactedUrl } from './clickhouse-engine';
import { startLoopbackClickHouse, type LoopbackClickHouse } from './testing/clickhouse-http';
import { knownFlows, T0 } from './testing/known-flows';

/**
 * The scale-out path end to end: the real @clickhouse/client over HTTP (query parameters as
 * `param_*`, inserts as a request body, errors as ClickHouse sends them) into ClickHouseFlowStore,
 * against a loopback endpoint that executes on chdb (see testing/clickhouse-http.ts).
 */
describe('the ClickHouse server store over @clickhouse/client', () => {
  const flows = knownFlows();
  let dir: string;
  let server: LoopbackClickHouse;
  let store: ManagedFlowStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-clickhouse-'));
    server = await startLoopbackClickHouse(dir);
    const url = server.url.replace('http://', 'http://flowsight:s3cret@');
    store = await openFlowStore({ kind: 'clickhouse', url, retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null } });
    store.append(flows);
    await store.flush();
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the schema, writes through HTTP and reports where, without credentials', async () => {
    const s = await store.refreshStatus();
    expect(s.engine).toBe('clickhouse');
    expect(s.location).toBe(server.url);
    expect(s.location).not.toContain('s3cret');
    expect(s.storedFlows).toBe(flows.length);
    expect(s.writtenFlows).toBe(flows.length);
    expect(server.seen.some((r) => /^CREATE TABLE IF NOT EXISTS flows/.test(r.query))).toBe(true);
    expect(server.seen.some((r) => /^INSERT INTO flows \(time, uuid/.test(r.query))).toBe(true);
    expect(server.seen[0].authorization).toBe(`Basic ${Buffer.from('flowsight:s3cret').toString('base64')}`);
  });

  it('searches with bound parameters and pages with the cursor, the same as the embedded store', async () => {
    const condition = { where: 'verdict = {p0:String} OR dst_port = {p1:UInt16}', params: { p0: 'DROPPED', p1: 53 } };
    const expected = flows.filter((f) => f.verdict === 'DROPPED' || f.destination.port === 53).sort((a, b) => b.time - a.time);
    const first = await store.search({ condition, range: { since: T0 }, limit: 70 });
    expect(first.flows.map((f) => f.uuid)).toEqual(expected.slice(0, 70).map((f) => f.uuid));
    const second = await store.search({ condition, range: { since: T0 }, limit: 1000, cursor: first.nextCursor! });
    expect(second.flows.map((f) => f.uuid)).toEqual(expected.slice(70).map((f) => f.uuid));
    expect(second.nextCursor).toBeNull();
    expect(first.flows[0]).toEqual(expected[0]);
    // The user's values travel as param_* URL parameters, never in the SQL text.
    const hostile = "shop' OR 1=1 --";
    const none = await store.search({ condition: { where: 'src_ns = {p0:String}', params: { p0: hostile } }, range: {}, limit: 10 });
    expect(none.flows).toEqual([]);
    const request = server.seen.find((r) => r.params.p0?.includes('OR 1=1'));
    expect(request?.query).toContain('{p0:String}');
    expect(server.seen.every((r) => !r.query.includes('OR 1=1'))).toBe(true);
  });

  it('answers histograms, edges and completion values', async () => {
    const h = await store.histogram({ range: { since: T0, until: T0 + 3_000_000 }, buckets: 10 });
    expect(h.buckets).toHaveLength(10);
    expect(h.buckets.reduce((n, b) => n + b.dropped, 0)).toBe(flows.filter((f) => f.verdict === 'DROPPED').length);
    const edges = await store.edges({ range: { since: T0, until: T0 + 3_600_000 } });
    const toApi = edges.find((e) => e.source === 'shop/frontend' && e.target === 'shop/api' && e.port === 8080);
    expect(toApi).toMatchObject({ flows: 200, replies: 100 });
    store.append(flows.slice(0, 6).map((f, i) => ({ ...f, uuid: `now-${i}`, time: Date.now() - 1000 })));
    await store.flush();
    expect(await store.values('namespace', 'S', 5)).toEqual(['shop']);
  });

  it('reports an engine error as ClickHouse sent it', async () => {
    await expect(store.search({ condition: { where: 'no_such_column = 1', params: {} }, range: {}, limit: 1 })).rejects.toThrow(/no_such_column|UNKNOWN_IDENTIFIER/);
  });

  it('runs retention maintenance through the client', async () => {
    const report = await store.maintain();
    expect(report).toEqual({ droppedPartitions: [], trimmedPartitions: [], rolledUpBefore: null });
  });

  it('never shows credentials of a URL', () => {
    expect(redactedUrl('https://user:pw@ch.example.com:8443/?database=x')).toBe('https://ch.example.com:8443');
  });
});
