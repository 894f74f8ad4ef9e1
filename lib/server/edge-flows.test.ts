import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { flow, pod, world } from '../testing/flow-fixtures';
import { EdgeFlows } from './edge-flows';

const app = pod('shop', 'app-7d9f8b6c4-x7k2p');

function batch(entries: [string, FlowRecord][]) {
  return { flows: entries.map(([, f]) => f), edgeIds: entries.map(([e]) => e), skipped: 0 };
}

describe('EdgeFlows', () => {
  it('keeps the newest flow of each edge and its server addresses, newest first and distinct', () => {
    const index = new EdgeFlows();
    const first = flow(app, world('api.github.com', '140.82.121.6'));
    const second = flow(app, world('api.github.com', '140.82.121.9'));
    const third = flow(app, world('api.github.com', '140.82.121.6'));
    index.add(batch([['gh', first], ['gh', second]]));
    index.add(batch([['gh', third]]));
    expect(index.latest('gh')).toBe(third);
    expect(index.addresses('gh')).toEqual(['140.82.121.6', '140.82.121.9']);
    expect(index.latest('other')).toBeUndefined();
    expect(index.addresses('other')).toEqual([]);
  });

  it('takes the server end of a reply (its source)', () => {
    const index = new EdgeFlows();
    const reply = { ...flow(world('pypi.org', '151.101.0.223'), app), isReply: true };
    index.add(batch([['pypi', reply]]));
    expect(index.addresses('pypi')).toEqual(['151.101.0.223']);
  });

  it('is bounded: the edge updated longest ago is forgotten first, and addresses are capped', () => {
    const index = new EdgeFlows({ maxEdges: 2, maxAddresses: 2 });
    index.add(batch([['a', flow(app, world('a', '1.1.1.1'))], ['b', flow(app, world('b', '2.2.2.2'))]]));
    index.add(batch([['a', flow(app, world('a', '1.1.1.2'))], ['a', flow(app, world('a', '1.1.1.3'))], ['c', flow(app, world('c', '3.3.3.3'))]]));
    expect(index.size).toBe(2);
    expect(index.latest('b')).toBeUndefined();
    expect(index.addresses('a')).toEqual(['1.1.1.3', '1.1.1.2']);
    expect(index.latest('c')).toBeDefined();
  });
});
