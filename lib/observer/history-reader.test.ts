import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { flow, pod } from '../testing/flow-fixtures';
import { findLastN, readOldestFirst, ScanBudget, ScanLimitError } from './history-reader';
import { MemoryFlowStore } from './testing/memory-flow-store';

const T0 = 1_795_000_000_000;

function at(time: number, i: number): FlowRecord {
  return flow(pod('shop', 'web-1'), pod('db', 'pg-0'), { uuid: `f-${String(i).padStart(6, '0')}`, time });
}

/** Sparse flows, a gap of days, then a burst of many flows within one millisecond. */
function unevenFlows(): FlowRecord[] {
  const out: FlowRecord[] = [];
  let i = 0;
  for (let k = 0; k < 40; k++) out.push(at(T0 + k * 997, i++));
  for (let k = 0; k < 300; k++) out.push(at(T0 + 3 * 86_400_000 + 0.25, i++));
  for (let k = 0; k < 60; k++) out.push(at(T0 + 3 * 86_400_000 + 5 + k * 0.01, i++));
  return out;
}

/** Oldest first, ties in the store's order reversed (uuid ascending). */
const chronological = (flows: FlowRecord[]) => [...flows].sort((a, b) => a.time - b.time || (a.uuid < b.uuid ? -1 : 1));

async function collect(gen: AsyncGenerator<FlowRecord[]>): Promise<FlowRecord[]> {
  const out: FlowRecord[] = [];
  for await (const page of gen) out.push(...page);
  return out;
}

describe('readOldestFirst', () => {
  it('returns every flow of the range once, oldest first, across gaps and bursts larger than a page', async () => {
    const flows = unevenFlows();
    const store = new MemoryFlowStore();
    store.fill(flows);
    const got = await collect(readOldestFirst(store, { since: T0, until: T0 + 4 * 86_400_000 }, new ScanBudget(1e6), { pageSize: 25 }));
    expect(got.map((f) => f.uuid)).toEqual(chronological(flows).map((f) => f.uuid));
  });

  it('keeps `until` exclusive and `since` inclusive', async () => {
    const flows = Array.from({ length: 10 }, (_, i) => at(T0 + i * 10, i));
    const store = new MemoryFlowStore();
    store.fill(flows);
    const got = await collect(readOldestFirst(store, { since: T0 + 20, until: T0 + 60 }, new ScanBudget(1e6), { pageSize: 3 }));
    expect(got.map((f) => f.time - T0)).toEqual([20, 30, 40, 50]);
  });

  it('stops past its budget', async () => {
    const store = new MemoryFlowStore();
    store.fill(Array.from({ length: 200 }, (_, i) => at(T0 + i, i)));
    await expect(collect(readOldestFirst(store, { since: T0, until: T0 + 1000 }, new ScanBudget(50), { pageSize: 20 }))).rejects.toBeInstanceOf(ScanLimitError);
  });

  it('stops when the signal aborts', async () => {
    const store = new MemoryFlowStore();
    store.fill(Array.from({ length: 200 }, (_, i) => at(T0 + i * 1000, i)));
    const controller = new AbortController();
    const pages: number[] = [];
    const run = (async () => {
      for await (const page of readOldestFirst(store, { since: T0, until: T0 + 300_000 }, new ScanBudget(1e6), { pageSize: 10, initialWindowMs: 5000 }, controller.signal)) {
        pages.push(page.length);
        if (pages.length === 2) controller.abort();
      }
    })();
    await expect(run).rejects.toThrow();
    expect(pages).toHaveLength(2);
  });
});

describe('findLastN', () => {
  const flows = unevenFlows();
  const store = new MemoryFlowStore();
  store.fill(flows);
  const range = { since: T0, until: T0 + 4 * 86_400_000 };
  const even = (f: FlowRecord) => Number(f.uuid.slice(2)) % 2 === 0;

  it('keeps the newest N matching, oldest first, when N fits the buffer', async () => {
    const last = await findLastN(store, range, even, 30, 100, new ScanBudget(1e6), { pageSize: 16 });
    const want = chronological(flows.filter(even)).slice(-30);
    expect(last.kind).toBe('flows');
    if (last.kind === 'flows') expect(last.flows.map((f) => f.uuid)).toEqual(want.map((f) => f.uuid));
  });

  it('returns the boundary, with the flows tied at its time that belong to the N, when N is above the buffer', async () => {
    // The boundary falls inside the 300-flow burst sharing one timestamp.
    const last = await findLastN(store, range, () => true, 100, 10, new ScanBudget(1e6), { pageSize: 16 });
    expect(last.kind).toBe('from');
    if (last.kind !== 'from') return;
    const want = chronological(flows).slice(-100);
    expect(last.since).toBe(want[0].time);
    const tied = want.filter((f) => f.time === last.since).map((f) => f.uuid);
    expect([...(last.atBoundary ?? [])].sort()).toEqual(tied.sort());
  });

  it('asks the store for little more than N first, and for larger pages as a filter needs them', async () => {
    const own = new MemoryFlowStore();
    own.fill(flows);
    await findLastN(own, range, () => true, 5, 100, new ScanBudget(1e6), { pageSize: 500 });
    expect([own.searches, own.rowsRead]).toEqual([1, 32]);
    const limits: number[] = [];
    own.beforeSearch = (q) => void limits.push(q.limit);
    await findLastN(own, range, (f) => f.uuid === 'f-000003', 1, 100, new ScanBudget(1e6), { pageSize: 100 });
    // 400 flows, the match among the oldest: 32 + 64 + 100 × 4 reads them all.
    expect(limits).toEqual([32, 64, 100, 100, 100, 100]);
  });

  it('returns everything from the start of the range when fewer than N match', async () => {
    const last = await findLastN(store, range, (f) => f.uuid === 'f-000003', 500, 10, new ScanBudget(1e6), { pageSize: 50 });
    expect(last).toEqual({ kind: 'from', since: range.since, atBoundary: null });
  });
});
