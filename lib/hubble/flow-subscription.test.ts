import { afterEach, describe, expect, it } from 'vitest';
import { DemoRelay } from '../demo/demo-relay';
import type { FlowRecord } from '../flows/flow-record';
import { FlowSubscription, type SubscriptionStats } from './flow-subscription';
import { RelayClient } from './relay-client';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('FlowSubscription', () => {
  it('reconnects after the relay restarts and resumes with no duplicates and no gap', async () => {
    const relay = new DemoRelay({ rate: 600, historySeconds: 0, seed: 9 });
    const port = await relay.start();
    cleanups.push(() => relay.stop());
    const client = new RelayClient({ address: `127.0.0.1:${port}` });
    cleanups.push(() => client.close());
    const got: FlowRecord[] = [];
    const states: SubscriptionStats['state'][] = [];
    const sub = new FlowSubscription(client, {
      backoff: { initialMs: 50, maxMs: 200 },
      onFlow: (f) => got.push(f),
      onState: (s) => {
        if (states[states.length - 1] !== s.state) states.push(s.state);
      },
    });
    sub.start();
    cleanups.push(() => sub.stop());
    await until(() => got.length > 100);

    await relay.stop(); // clients see the stream end; the relay keeps its buffer
    await until(() => sub.snapshot().state === 'retrying');
    const beforeRestart = got.length;
    await new Promise((r) => setTimeout(r, 400)); // flows keep being "observed" while it is down
    await relay.start();
    await until(() => got.length > beforeRestart + 300);

    const stats = sub.snapshot();
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(stats.duplicatesSkipped).toBeGreaterThan(0); // the resume overlap was seen and dropped
    expect(states).toEqual(expect.arrayContaining(['streaming', 'retrying']));
    expect(states[states.length - 1]).toBe('streaming');

    const uuids = got.map((f) => f.uuid);
    expect(new Set(uuids).size).toBe(uuids.length);
    // No gap: every flow the relay buffered between the first and last flow we saw reached us.
    const first = got[0].time;
    const last = Math.max(...got.map((f) => f.time));
    const buffered = (relay as unknown as { buffered(): FlowRecord[] }).buffered().filter((f) => f.time >= first && f.time <= last);
    const seen = new Set(uuids);
    expect(buffered.filter((f) => !seen.has(f.uuid))).toEqual([]);
  });

  it('counts the flows a relay reports lost when the consumer cannot keep up', async () => {
    const relay = new DemoRelay({ rate: 60_000, historySeconds: 0, seed: 3 });
    const port = await relay.start();
    cleanups.push(() => relay.stop());
    const client = new RelayClient({ address: `127.0.0.1:${port}` });
    cleanups.push(() => client.close());
    let lost = 0;
    const sub = new FlowSubscription(client, { onFlow: () => {}, onLost: (n) => (lost += n.lost) });
    sub.start();
    cleanups.push(() => sub.stop());
    await until(() => sub.snapshot().state === 'streaming');
    sub.pause(); // the socket fills, the relay's per-client queue overflows
    await new Promise((r) => setTimeout(r, 1500));
    sub.resume();
    await until(() => lost > 0, 15_000);
    expect(sub.snapshot().lostEvents).toBe(lost);
  });

  it('reports "retrying" with the error when no relay listens, and keeps trying', async () => {
    const client = new RelayClient({ address: '127.0.0.1:1' });
    cleanups.push(() => client.close());
    const sub = new FlowSubscription(client, { backoff: { initialMs: 20, maxMs: 40 }, onFlow: () => {} });
    sub.start();
    cleanups.push(() => sub.stop());
    await until(() => sub.snapshot().reconnects >= 3);
    const s = sub.snapshot();
    expect(s.state).toBe('retrying');
    expect(s.lastError).toMatch(/unavailable/);
  });
});
