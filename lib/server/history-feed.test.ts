import { afterEach, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { flow, pod } from '../testing/flow-fixtures';
import { HistoryFeed } from './history-feed';

const at = (time: number, uuid: string): FlowRecord => flow(pod('shop', 'web-1'), pod('shop', 'db-0'), { time, uuid });

describe('HistoryFeed', () => {
  let feed: HistoryFeed | undefined;
  afterEach(() => feed?.stop());

  it('hands collected flows to the store in one array, in ingest order', () => {
    const batches: FlowRecord[][] = [];
    feed = new HistoryFeed({ append: (b) => batches.push([...b]) }, { liveSince: 0, storedUntil: null, intervalMs: 60_000 });
    feed.add(at(10, 'a'));
    feed.add(at(11, 'b'));
    expect(batches).toEqual([]);
    feed.handOver();
    expect(batches.map((b) => b.map((f) => f.uuid))).toEqual([['a', 'b']]);
    feed.handOver();
    expect(batches).toHaveLength(1);
  });

  it('hands over early once it holds maxCollected flows', () => {
    const batches: FlowRecord[][] = [];
    feed = new HistoryFeed({ append: (b) => batches.push([...b]) }, { liveSince: 0, storedUntil: null, intervalMs: 60_000, maxCollected: 3 });
    for (let i = 0; i < 7; i++) feed.add(at(i, `f${i}`));
    expect(batches.map((b) => b.length)).toEqual([3, 3]);
  });

  it('skips the relay backlog the store already holds after a restart, never live flows', () => {
    const batches: FlowRecord[][] = [];
    // Live from t=1000; the store's newest flow is t=900.
    feed = new HistoryFeed({ append: (b) => batches.push([...b]) }, { liveSince: 1000, storedUntil: 900, intervalMs: 60_000 });
    feed.add(at(850, 'stored-before'));
    feed.add(at(900, 'stored-newest'));
    feed.add(at(950, 'backlog-new'));
    feed.add(at(1200, 'live'));
    feed.handOver();
    expect(batches.flat().map((f) => f.uuid)).toEqual(['backlog-new', 'live']);
    expect(feed.skippedBacklog).toBe(2);
  });

  it('keeps the whole backlog when the store was empty', () => {
    const batches: FlowRecord[][] = [];
    feed = new HistoryFeed({ append: (b) => batches.push([...b]) }, { liveSince: 1000, storedUntil: null, intervalMs: 60_000 });
    feed.add(at(10, 'old'));
    feed.stop();
    feed = undefined;
    expect(batches.flat().map((f) => f.uuid)).toEqual(['old']);
  });
});
