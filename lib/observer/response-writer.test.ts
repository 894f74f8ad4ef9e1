import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { observerTypes } from '../hubble/proto';
import { liveFlow } from './testing/observer-fixtures';
import { ResponseWriter, type WritableCall } from './response-writer';

/** A call whose socket takes `room` messages, then is full until drain() is called. */
class FakeCall extends EventEmitter implements WritableCall {
  written: Uint8Array[] = [];
  constructor(private room: number) {
    super();
  }
  write(chunk: Uint8Array): boolean {
    this.written.push(chunk);
    return --this.room > 0;
  }
  drain(room: number): void {
    this.room = room;
    this.emit('drain');
  }
}

const decode = (b: Uint8Array) => observerTypes().GetFlowsResponse.toObject(observerTypes().GetFlowsResponse.decode(b), { longs: Number }) as Record<string, any>;

describe('ResponseWriter', () => {
  it('makes send() wait while the socket is full', async () => {
    const call = new FakeCall(2);
    const w = new ResponseWriter(call, 'n', 10);
    await w.send(liveFlow('a', 1));
    await w.send(liveFlow('b', 2));
    let third = false;
    const pending = w.send(liveFlow('c', 3)).then(() => (third = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    expect(call.written).toHaveLength(2);
    call.drain(10);
    await pending;
    expect(call.written.map((b) => decode(b).flow.uuid)).toEqual(['a', 'b', 'c']);
  });

  it('queues live flows while full, counts the overflow lost, and reports it first after the drain', async () => {
    const call = new FakeCall(1);
    const w = new ResponseWriter(call, 'flowsight', 2);
    w.offer(liveFlow('a', 1));
    for (const id of ['b', 'c', 'd', 'e']) w.offer(liveFlow(id, 2));
    expect(call.written).toHaveLength(1);
    call.drain(10);
    const got = call.written.map(decode);
    expect(got[0].flow.uuid).toBe('a');
    expect(got[1].lost_events).toMatchObject({ source: 2, num_events_lost: 2 });
    expect(got[1].node_name).toBe('flowsight');
    expect(got.slice(2).map((m) => m.flow.uuid)).toEqual(['b', 'c']);
  });

  it('wakes a waiting sender when closed, and writes nothing after', async () => {
    const call = new FakeCall(1);
    const w = new ResponseWriter(call, 'n', 10);
    await w.send(liveFlow('a', 1));
    const pending = w.send(liveFlow('b', 2));
    w.close();
    await pending;
    w.offer(liveFlow('c', 3));
    expect(call.written).toHaveLength(1);
  });
});
