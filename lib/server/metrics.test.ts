import { describe, expect, it } from 'vitest';
import type { FlowStore, StoreStatus } from '../history/flow-store';
import { initialStoreStatus } from '../history/flow-store';
import { flow, pod } from '../testing/flow-fixtures';
import type { HubStatus } from './hub';
import { FlowsightMetrics } from './metrics';

const a = pod('shop', 'web-6d8f9c7b5-abcde');
const b = pod('shop', 'api-7f9d8c6b4-fghij');

function hubStatus(patch: { state?: string; lostEvents?: number; reconnects?: number; clients?: number; shedFlows?: number } = {}): HubStatus {
  return {
    relay: { state: patch.state ?? 'streaming', lostEvents: patch.lostEvents ?? 0, reconnects: patch.reconnects ?? 0, ingest: { atCapacity: !!patch.shedFlows, keptShare: patch.shedFlows ? 0.5 : 1, shedFlows: patch.shedFlows ?? 0 } },
    graph: { nodes: 2, edges: 1, evictedEdges: 0, pendingEdges: 0, windowSeconds: 300 },
    clients: { connected: patch.clients ?? 0, cutOff: 0, resyncs: 0 },
    startedAt: 0,
  } as unknown as HubStatus;
}

function storeStatus(patch: Partial<StoreStatus> = {}): StoreStatus {
  return { ...initialStoreStatus('chdb', '/tmp/x', { days: 7, maxBytes: 1, rollupAfterMinutes: null }, true), ...patch };
}

/** One sample's value from the exposition text (undefined when the metric has no such sample). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('Prometheus metrics', () => {
  it('counts ingested flows by verdict as they arrive', async () => {
    const m = new FlowsightMetrics({ hub: () => null, store: () => null, clusterSyncedAt: () => null });
    m.countFlows([flow(a, b), flow(a, b), flow(a, b, { verdict: 'DROPPED', dropReason: 'POLICY_DENIED' })]);
    let text = (await m.exposition()).text;
    expect(sample(text, 'flowsight_flows_ingested_total', '{verdict="forwarded"}')).toBe(2);
    expect(sample(text, 'flowsight_flows_ingested_total', '{verdict="dropped"}')).toBe(1);
    m.countFlows([flow(a, b, { verdict: 'AUDIT' })]);
    text = (await m.exposition()).text;
    expect(sample(text, 'flowsight_flows_ingested_total', '{verdict="audit"}')).toBe(1);
    expect(sample(text, 'flowsight_flows_ingested_total', '{verdict="forwarded"}')).toBe(2);
  });

  it("mirrors the hub's and the store's running totals and states at each scrape", async () => {
    let hub = hubStatus({ lostEvents: 5, reconnects: 1, clients: 3, shedFlows: 2500 });
    let store = storeStatus({ writtenFlows: 1000, droppedBatches: 2, droppedFlows: 700, writeLagMs: 1500, pendingFlows: 42 });
    const now = 1_800_000_000_000;
    const m = new FlowsightMetrics({ hub: () => hub, store: () => store, clusterSyncedAt: () => now - 30_000, now: () => now });
    let text = (await m.exposition()).text;
    expect(sample(text, 'flowsight_relay_lost_events_total')).toBe(5);
    expect(sample(text, 'flowsight_relay_reconnects_total')).toBe(1);
    expect(sample(text, 'flowsight_ingest_shed_flows_total')).toBe(2500);
    expect(sample(text, 'flowsight_ingest_kept_ratio')).toBe(0.5);
    expect(sample(text, 'flowsight_relay_connected')).toBe(1);
    expect(sample(text, 'flowsight_sse_clients')).toBe(3);
    expect(sample(text, 'flowsight_store_written_flows_total')).toBe(1000);
    expect(sample(text, 'flowsight_store_dropped_batches_total')).toBe(2);
    expect(sample(text, 'flowsight_store_dropped_flows_total')).toBe(700);
    expect(sample(text, 'flowsight_store_write_lag_seconds', '{engine="chdb"}')).toBe(1.5);
    expect(sample(text, 'flowsight_store_pending_flows', '{engine="chdb"}')).toBe(42);
    expect(sample(text, 'flowsight_source_sync_age_seconds', '{source="cluster"}')).toBe(30);

    hub = hubStatus({ state: 'retrying', lostEvents: 9, reconnects: 2, shedFlows: 4000 });
    store = storeStatus({ writtenFlows: 2500, droppedBatches: 2, droppedFlows: 700 });
    text = (await m.exposition()).text;
    expect(sample(text, 'flowsight_relay_lost_events_total')).toBe(9);
    expect(sample(text, 'flowsight_relay_reconnects_total')).toBe(2);
    expect(sample(text, 'flowsight_ingest_shed_flows_total')).toBe(4000);
    expect(sample(text, 'flowsight_relay_connected')).toBe(0);
    expect(sample(text, 'flowsight_store_written_flows_total')).toBe(2500);

    // A store reopened after a failure starts its totals again: the counter never goes down.
    store = storeStatus({ writtenFlows: 100 });
    text = (await m.exposition()).text;
    expect(sample(text, 'flowsight_store_written_flows_total')).toBe(2600);
  });

  it('leaves out what is not running, and names everything flowsight_', async () => {
    const m = new FlowsightMetrics({ hub: () => null, store: () => null, clusterSyncedAt: () => null });
    const text = (await m.exposition()).text;
    expect(sample(text, 'flowsight_relay_connected')).toBe(0);
    expect(text).not.toMatch(/^flowsight_store_write_lag_seconds\{/m);
    expect(text).not.toMatch(/^flowsight_source_sync_age_seconds\{/m);
    const names = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(name).toMatch(/^flowsight_/);
    expect(names).toContain('flowsight_process_cpu_seconds_total');
  });

  it('times history queries by kind and outcome', async () => {
    const m = new FlowsightMetrics({ hub: () => null, store: () => null, clusterSyncedAt: () => null });
    const page = { flows: [], nextCursor: null };
    const store = {
      search: async () => page,
      histogram: async () => {
        throw Object.assign(new Error('stopped'), { name: 'AbortError' });
      },
      edges: async () => {
        throw new Error('engine gone');
      },
      status: () => storeStatus(),
    } as unknown as FlowStore;
    const timed = m.timed(store);
    expect(await timed.search({ range: {}, limit: 10 })).toBe(page);
    await expect(timed.histogram({ range: {}, buckets: 10 })).rejects.toThrow('stopped');
    await expect(timed.edges({ range: {} })).rejects.toThrow('engine gone');
    const text = (await m.exposition()).text;
    expect(sample(text, 'flowsight_query_duration_seconds_count', '{kind="search",outcome="ok"}')).toBe(1);
    expect(sample(text, 'flowsight_query_duration_seconds_count', '{kind="histogram",outcome="cancelled"}')).toBe(1);
    expect(sample(text, 'flowsight_query_duration_seconds_count', '{kind="edges",outcome="error"}')).toBe(1);
  });
});
