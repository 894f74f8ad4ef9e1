import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { flow, pod } from '../testing/flow-fixtures';
import { HistoryFeed } from './history-feed';

const at = (time: number, uuid: string): FlowRecord => flow(pod('shop', 'web-1'), pod('shop', 'db-0'), { time, uuid });

function feedWith(options: ConstructorParameters<typeof HistoryFeed>[1]) {
  const batches: string[][] = [];
  const feed = new HistoryFeed({ append: (b) => batches.push(b.map((f) => f.uuid)) }, options);
  return { feed, batches };
}

describe('HistoryFeed', () => {
  it('hands each tick of flows to the store as it comes, in ingest order', () => {
    const { feed, batches } = feedWith({ liveSince: 0, storedUntil: null });
    feed.add([at(10, 'a'), at(11, 'b')]);
    feed.add([]);
    feed.add([at(12, 'c')]);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('skips the relay backlog the store already holds after a restart, never live flows', () => {
    // Live from t=1000; the store's newest flow is t=900.
    const { feed, batches } = feedWith({ liveSince: 1000, storedUntil: 900 });
    feed.add([at(850, 'stored-before'), at(900, 'stored-newest'), at(950, 'backlog-new'), at(1200, 'live')]);
    expect(batches).toEqual([['backlog-new', 'live']]);
    expect(feed.skippedBacklog).toBe(2);
  });

  it('keeps the whole backlog when the store was empty', () => {
    const { feed, batches } = feedWith({ liveSince: 1000, storedUntil: null });
    feed.add([at(10, 'old')]);
    expect(batches).toEqual([['old']]);
  });

  it('hands nothing over when a whole batch was already stored', () => {
    const { feed, batches } = feedWith({ liveSince: 1000, storedUntil: 900 });
    feed.add([at(100, 'x'), at(200, 'y')]);
    expect(batches).toEqual([]);
  });
});
