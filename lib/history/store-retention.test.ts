import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FlowRecord, Verdict } from '../flows/flow-record';
import { flow, pod } from '../testing/flow-fixtures';
import { openChdbEngine } from './chdb-engine';
import type { HistoryEngine } from './engine';
import { prepareSchema } from './open-store';
import { alignTtl } from './retention';
import type { RetentionPolicy } from './retention';
import { SqlFlowStore } from './sql-flow-store';

const HOUR = 3_600_000;
const root = mkdtempSync(path.join(tmpdir(), 'flowsight-retention-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const client = pod('ret', 'client-6d8f9c7b5-abcde');
const server = pod('ret', 'server-7f9d8c6b4-fghij');
let seq = 0;
const flowsAt = (time: number, verdict: Verdict, n: number): FlowRecord[] =>
  Array.from({ length: n }, (_, i) => flow(client, { ...server, port: 8080 }, { uuid: `ret-${seq++}`, time: time + i, verdict, dropReason: verdict === 'DROPPED' ? 'POLICY_DENIED' : '' }));

/** The current hour's start, so that "N hours ago" lands in a known hour partition. */
const NOW = Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000;

let engine: HistoryEngine | undefined;
let store: SqlFlowStore | undefined;
let dirs = 0;

async function freshStore(retention: RetentionPolicy, now = NOW): Promise<SqlFlowStore> {
  engine = await openChdbEngine(path.join(root, `store-${dirs++}`));
  await prepareSchema(engine, retention.days);
  store = new SqlFlowStore(engine, { retention, now: () => now });
  return store;
}

afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function countBy(s: SqlFlowStore, where: string): Promise<number> {
  const page = await s.search({ condition: { where, params: {} }, range: {}, limit: 5000 });
  return page.flows.length;
}

describe('retention and roll-up', () => {
  it('drops hours past the retention age, whatever their verdicts', async () => {
    // The store's clock runs 6 h ahead of the engine's: the engine's TTL (real time) keeps these rows,
    // so what goes is what maintain() drops.
    const s = await freshStore({ days: 1, maxBytes: 1e12, rollupAfterMinutes: null }, NOW + 6 * HOUR);
    s.append([...flowsAt(NOW - 21 * HOUR, 'DROPPED', 20), ...flowsAt(NOW - 20 * HOUR, 'FORWARDED', 20), ...flowsAt(NOW - 2 * HOUR, 'FORWARDED', 30), ...flowsAt(NOW - HOUR, 'DROPPED', 5)]);
    // Rows already past the tables' TTL: ClickHouse may discard them at insert or at a merge; either
    // way they are past the store's age too, and gone after maintenance.
    s.append(flowsAt(NOW - 50 * HOUR, 'DROPPED', 7));
    await s.flush();
    expect((await s.refreshStatus()).storedFlows).toBeGreaterThanOrEqual(75);
    const report = await s.maintain();
    const ttlHour = NOW - 50 * HOUR - 30 * 60_000;
    expect(report.droppedPartitions.filter((h) => h !== ttlHour).sort()).toEqual([NOW - 21 * HOUR - 30 * 60_000, NOW - 20 * HOUR - 30 * 60_000].sort());
    expect((await s.refreshStatus()).storedFlows).toBe(35);
    expect((await s.refreshStatus()).oldest).toBe(NOW - 2 * HOUR);
  }, 40_000);

  it('rolls allowed flows up after N minutes, keeping denied, audited and errored ones and every edge count', async () => {
    const s = await freshStore({ days: 30, maxBytes: 1e12, rollupAfterMinutes: 60 });
    const old = NOW - 3 * HOUR;
    const recent = NOW - 10 * 60_000;
    s.append([...flowsAt(old, 'FORWARDED', 40), ...flowsAt(old, 'DROPPED', 7), ...flowsAt(old, 'AUDIT', 3), ...flowsAt(old, 'ERROR', 2), ...flowsAt(recent, 'FORWARDED', 11)]);
    await s.flush();
    const edgesBefore = await s.edges({ range: {} });
    const report = await s.maintain();
    expect(report.rolledUpBefore).toBe(NOW - HOUR);
    expect(await countBy(s, "verdict = 'FORWARDED'")).toBe(11);
    expect(await countBy(s, "verdict = 'DROPPED'")).toBe(7);
    expect(await countBy(s, "verdict = 'AUDIT'")).toBe(3);
    expect(await countBy(s, "verdict = 'ERROR'")).toBe(2);
    // The map of the past keeps the rolled-up flows' counts.
    const edgesAfter = await s.edges({ range: {} });
    expect(edgesAfter).toEqual(edgesBefore);
    expect(edgesAfter.find((e) => e.verdict === 'FORWARDED')?.flows).toBe(51);
  }, 40_000);

  it('meets the size cap by deleting the oldest allowed flows first, keeping denied ones', async () => {
    const s = await freshStore({ days: 30, maxBytes: 1e12, rollupAfterMinutes: null });
    s.append([...flowsAt(NOW - 5 * HOUR, 'FORWARDED', 3000), ...flowsAt(NOW - 5 * HOUR + 1000, 'DROPPED', 30)]);
    s.append([...flowsAt(NOW - 3 * HOUR, 'FORWARDED', 3000), ...flowsAt(NOW - 3 * HOUR + 1000, 'DROPPED', 30)]);
    s.append([...flowsAt(NOW - HOUR, 'FORWARDED', 3000), ...flowsAt(NOW - HOUR + 1000, 'DROPPED', 30)]);
    await s.flush();
    const bytes = (await s.refreshStatus()).bytesOnDisk;
    // Just over the cap: the oldest hour's allowed flows are enough to give back.
    (s as unknown as { options: { retention: RetentionPolicy } }).options.retention.maxBytes = bytes - 1;
    const report = await s.maintain();
    expect(report.trimmedPartitions).toEqual([NOW - 5 * HOUR - 30 * 60_000]);
    expect(report.droppedPartitions).toEqual([]);
    expect(await countBy(s, "verdict = 'DROPPED'")).toBe(90);
    expect(await countBy(s, 'verdict = \'FORWARDED\' AND time < now64() - INTERVAL 4 HOUR')).toBe(0);
    expect((await s.refreshStatus()).storedFlows).toBe(6090);
  }, 60_000);

  it('drops the oldest hours whole only when nothing but kept verdicts is left, never the newest', async () => {
    const s = await freshStore({ days: 30, maxBytes: 1, rollupAfterMinutes: null });
    s.append([...flowsAt(NOW - 4 * HOUR, 'FORWARDED', 50), ...flowsAt(NOW - 4 * HOUR, 'DROPPED', 5)]);
    s.append([...flowsAt(NOW - 2 * HOUR, 'FORWARDED', 50), ...flowsAt(NOW - 2 * HOUR, 'DROPPED', 5)]);
    s.append([...flowsAt(NOW, 'FORWARDED', 50), ...flowsAt(NOW, 'ERROR', 5)]);
    await s.flush();
    const report = await s.maintain();
    expect(report.trimmedPartitions).toHaveLength(3);
    expect(report.droppedPartitions.sort()).toEqual([NOW - 4 * HOUR - 30 * 60_000, NOW - 2 * HOUR - 30 * 60_000].sort());
    expect(await countBy(s, '1')).toBe(5);
    expect(await countBy(s, "verdict = 'ERROR'")).toBe(5);
  }, 60_000);

  it('aligns the tables TTL with the configured days when they change', async () => {
    const s = await freshStore({ days: 7, maxBytes: 1e12, rollupAfterMinutes: null });
    const ddl = async () => (await engine!.query("SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name IN ('flows', 'edge_minutes') ORDER BY name", {})).map((r) => String(r.q));
    expect((await ddl()).every((q) => q.includes('toIntervalDay(7)'))).toBe(true);
    expect(await alignTtl(engine!, 7)).toBe(false);
    expect(await alignTtl(engine!, 3)).toBe(true);
    expect((await ddl()).every((q) => q.includes('toIntervalDay(3)') && !q.includes('toIntervalDay(7)'))).toBe(true);
    expect(await alignTtl(engine!, 3)).toBe(false);
    expect(s.status().retention.days).toBe(7);
  }, 40_000);
});
