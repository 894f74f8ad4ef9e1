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

  it('keeps the update order right when one edge gets several flows in a row, across batches and evictions', () => {
    const index = new EdgeFlows({ maxEdges: 2 });
    const f = (ip: string) => flow(app, world('x', ip));
    // `a` twice in a row, then `b`: `a` is the one updated longest ago.
    index.add(batch([['a', f('1.1.1.1')], ['a', f('1.1.1.2')], ['b', f('2.2.2.2')]]));
    // `b` again (noted last in the batch before), then a new edge: `a` goes.
    index.add(batch([['b', f('2.2.2.3')], ['c', f('3.3.3.3')]]));
    expect(index.latest('a')).toBeUndefined();
    expect(index.addresses('b')).toEqual(['2.2.2.3', '2.2.2.2']);
    // `c` again (noted last, so already newest), then `a` (forgotten) anew: `b` goes.
    index.add(batch([['c', f('3.3.3.4')], ['a', f('1.1.1.9')]]));
    expect(index.latest('b')).toBeUndefined();
    expect(index.addresses('a')).toEqual(['1.1.1.9']);
    expect(index.addresses('c')).toEqual(['3.3.3.4', '3.3.3.3']);
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
