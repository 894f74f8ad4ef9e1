import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlowsRequest } from '../api/flows-request';
import { openChdbEngine } from '../history/chdb-engine';
import { prepareSchema } from '../history/open-store';
import { SqlFlowStore } from '../history/sql-flow-store';
import { flow, pod } from '../testing/flow-fixtures';
import { FreshReads, searchFlows, type LiveFlows } from './flow-search';

// The embedded engine with a block every minute: what the hub handed the store in the last seconds
// is still queued when a person searches for it.
describe('a search of the real store finds the flows of the last seconds', () => {
  let dir: string;
  let store: SqlFlowStore;
  const noRing: LiveFlows = { latestFlows: () => [] };
  const request = (query: string) => {
    const r = parseFlowsRequest(new URLSearchParams(query));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.value;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-fresh-reads-'));
    const engine = await openChdbEngine(dir);
    await prepareSchema(engine, 30);
    store = new SqlFlowStore(engine, { retention: { days: 30, maxBytes: 1e12, rollupAfterMinutes: null }, batching: { flushMs: 60_000 } });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without FreshReads the newest flows are missing; with it they are the first rows', async () => {
    const now = Date.now();
    const older = flow(pod('shop', 'web-1'), pod('shop', 'db-0', { port: 5432 }), { time: now - 10_000, uuid: 'older' });
    store.append([older]);
    await store.flush();
    const newest = flow(pod('shop', 'web-1'), pod('shop', 'db-0', { port: 5432 }), { time: now - 500, uuid: 'just-now', verdict: 'DROPPED', dropReason: 'POLICY_DENIED' });
    store.append([newest]);
    expect(store.status().pendingFlows).toBe(1);

    const plain = await searchFlows(request('q=ns:shop&since=5m'), { live: noRing, store });
    expect(plain.flows.map((f) => f.uuid)).toEqual(['older']);

    const fresh = await searchFlows(request('q=ns:shop&since=5m'), { live: noRing, store, fresh: new FreshReads() });
    expect(fresh.source).toBe('history');
    expect(fresh.flows.map((f) => f.uuid)).toEqual(['just-now', 'older']);
    expect(store.status().pendingFlows).toBe(0);
  }, 60_000);
});
