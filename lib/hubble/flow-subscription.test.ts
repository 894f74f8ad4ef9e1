import { afterEach, describe, expect, it } from 'vitest';
import { DemoRelay } from '../demo/demo-relay';
import type { FlowRecord } from '../flows/flow-record';
import { FlowSubscription, type SubscriptionStats } from './flow-subscription';
import { RelayClient } from './relay-client';
import { FlowGenerator } from '../demo/flow-generator';
import { demoScenario } from '../demo/scenario';
import { startSilentTcpServer } from './testing/silent-tcp-server';
import { StubRelay } from './testing/stub-relay';

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

  it('resumes across a demo relay restarted in a new process (same seed, same port) without losing flows to dedupe', async () => {
    const first = new DemoRelay({ rate: 400, historySeconds: 10, seed: 9 });
    const port = await first.start();
    cleanups.push(() => first.stop());
    const client = new RelayClient({ address: `127.0.0.1:${port}` });
    cleanups.push(() => client.close());
    const got: FlowRecord[] = [];
    // A wide resume overlap: every flow still remembered is compared by uuid on resume.
    const sub = new FlowSubscription(client, { initialLast: 5000, resumeOverlapMs: 60_000, backoff: { initialMs: 50, maxMs: 200 }, onFlow: (f) => got.push(f) });
    sub.start();
    cleanups.push(() => sub.stop());
    await until(() => got.length >= 4000);
    await first.stop();
    await until(() => sub.snapshot().state === 'retrying');
    const before = got.length;

    // The same command run again: a new process with the same seed, so the same counter.
    const second = new DemoRelay({ rate: 400, historySeconds: 10, seed: 9, port });
    await second.start();
    cleanups.push(() => second.stop());
    await until(() => sub.snapshot().state === 'streaming' && got.length > before + 200);

    const stats = sub.snapshot();
    expect(stats.duplicatesSkipped).toBe(0); // nothing the second relay sent had been seen before
    const delivered = new Set(got.map((f) => `${f.uuid}@${f.time}`));
    const served = (second as unknown as { buffered(): FlowRecord[] }).buffered().filter((f) => f.time >= stats.resumedFrom! && f.time <= got[got.length - 1].time);
    expect(served.length).toBeGreaterThan(100);
    expect(served.filter((f) => !delivered.has(`${f.uuid}@${f.time}`))).toEqual([]);
  });

  it('counts the flows a relay reports lost when the consumer cannot keep up', async () => {
    const relay = new DemoRelay({ rate: 20_000, historySeconds: 0, seed: 3 });
    const port = await relay.start();
    cleanups.push(() => relay.stop());
    const client = new RelayClient({ address: `127.0.0.1:${port}` });
    cleanups.push(() => client.close());
    let lost = 0;
    const sub = new FlowSubscription(client, { onFlow: () => {}, onLost: (n) => (lost += n.lost) });
    sub.start();
    cleanups.push(() => sub.stop());
    await until(() => sub.snapshot().state === 'streaming');
    // Pause until the socket, HTTP/2 window and the relay's per-client queue are full. How long that
    // takes depends on how fast this machine generates flows, so pause again (longer) until a loss shows.
    for (let pauseMs = 2000; lost === 0 && pauseMs <= 8000; pauseMs *= 2) {
      sub.pause();
      await new Promise((r) => setTimeout(r, pauseMs));
      sub.resume();
      await until(() => lost > 0, 4000).catch(() => undefined);
    }
    expect(lost).toBeGreaterThan(0);
    expect(sub.snapshot().lostEvents).toBe(lost);
  }, 60_000);

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

  describe('watchdog', () => {
    const fast = { connectTimeoutMs: 300, idleMs: 300, probeTimeoutMs: 200, backoff: { initialMs: 50, maxMs: 100 } };
    const recentFlows = (n: number) => new FlowGenerator(demoScenario(), 4).generate(n, Date.now() - 1000, 5).slice(0, n);

    it('gives up on a relay that accepts TCP but never answers, says so, and keeps retrying', async () => {
      const silent = await startSilentTcpServer();
      cleanups.push(() => silent.close());
      const client = new RelayClient({ address: `127.0.0.1:${silent.port}` });
      cleanups.push(() => client.close());
      const sub = new FlowSubscription(client, { ...fast, onFlow: () => {} });
      sub.start();
      cleanups.push(() => sub.stop());
      await until(() => sub.snapshot().reconnects >= 2, 5000);
      const s = sub.snapshot();
      expect(s.state).toMatch(/retrying|connecting/);
      expect(s.fault).toBe('connect-timeout');
      expect(s.lastError).toMatch(/^relay not answering \(connect timeout after [\d.]+s\)$/);
    });

    it('cancels and resumes a stream that froze while the relay still sees flows', async () => {
      const relay = new StubRelay({ flows: (call) => (call === 0 ? recentFlows(20) : []) });
      const port = await relay.start();
      cleanups.push(() => relay.stop());
      const grow = setInterval(() => (relay.seenFlows += 10), 20);
      cleanups.push(() => clearInterval(grow));
      const client = new RelayClient({ address: `127.0.0.1:${port}` });
      cleanups.push(() => client.close());
      const states: string[] = [];
      const sub = new FlowSubscription(client, { ...fast, onFlow: () => {}, onState: (s) => states.push(s.state) });
      sub.start();
      cleanups.push(() => sub.stop());
      await until(() => sub.snapshot().received === 20);
      expect(sub.snapshot().state).toBe('streaming');
      await until(() => sub.snapshot().fault === 'stalled', 5000);
      const s = sub.snapshot();
      expect(s.state).toBe('retrying');
      expect(s.lastError).toMatch(/^relay stream stalled: the relay saw \d+ new flows but none arrived for [\d.]+s$/);
      const afterStall = states.length;
      await until(() => relay.getFlowsCalls >= 3, 5000);
      expect(sub.snapshot().resumedFrom).not.toBeNull(); // each new call resumes from the last flow
      // Headers alone do not clear the fault (they came last time too): no flapping to "streaming".
      expect(states.slice(afterStall)).not.toContain('streaming');
      expect(sub.snapshot().fault).toBe('stalled');

      // The relay recovers (its counter stops running away): streaming again, idle, fault cleared.
      clearInterval(grow);
      await until(() => sub.snapshot().state === 'streaming' && sub.snapshot().idle, 5000);
      expect(sub.snapshot().fault).toBeNull();
    });

    it('leaves a quiet stream on an idle cluster alone (streaming, flagged idle, no reconnects)', async () => {
      const relay = new StubRelay({ flows: (call) => (call === 0 ? recentFlows(5) : []) });
      relay.seenFlows = 12_345;
      const port = await relay.start();
      cleanups.push(() => relay.stop());
      const client = new RelayClient({ address: `127.0.0.1:${port}` });
      cleanups.push(() => client.close());
      const sub = new FlowSubscription(client, { ...fast, onFlow: () => {} });
      sub.start();
      cleanups.push(() => sub.stop());
      await until(() => sub.snapshot().idle, 3000);
      await new Promise((r) => setTimeout(r, 1500)); // several idle periods
      const s = sub.snapshot();
      expect(s).toMatchObject({ state: 'streaming', idle: true, fault: null, lastError: null, reconnects: 0, received: 5 });
      expect(relay.getFlowsCalls).toBe(1);
      expect(relay.serverStatusCalls).toBeGreaterThanOrEqual(3);
    });

    it('treats a relay that answers ServerStatus but stops answering it as not answering once the stream is silent', async () => {
      const relay = new StubRelay({ flows: (call) => (call === 0 ? recentFlows(5) : []) });
      const port = await relay.start();
      cleanups.push(() => relay.stop());
      const client = new RelayClient({ address: `127.0.0.1:${port}` });
      cleanups.push(() => client.close());
      const sub = new FlowSubscription(client, { ...fast, onFlow: () => {} });
      sub.start();
      cleanups.push(() => sub.stop());
      await until(() => sub.snapshot().received === 5);
      relay.answerStatus = false; // a wedged process: HTTP/2 still up, nothing answers
      await until(() => sub.snapshot().fault !== null, 5000);
      expect(sub.snapshot().fault).toMatch(/not-answering|connect-timeout/);
      expect(sub.snapshot().lastError).toMatch(/^relay not answering/);
    });
  });
});
