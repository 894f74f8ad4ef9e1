import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SubscriptionStats } from '../hubble/flow-subscription';
import { createLogger } from './logger';
import { relayEventLogger } from './relay-log';

/** A logger whose JSON lines are collected. */
function captured(level: Parameters<typeof createLogger>[0] = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

function stats(patch: Partial<SubscriptionStats>): SubscriptionStats {
  return { state: 'connecting', received: 0, duplicatesSkipped: 0, lostEvents: 0, reconnects: 0, lastError: null, lastFlowAt: null, nextRetryAt: null, resumedFrom: null, fault: null, idle: false, ...patch };
}

afterEach(() => vi.useRealTimers());

describe('relayEventLogger', () => {
  it('logs connect, each retry with its reason, reconnect and idle: changes only, not every report', () => {
    const { logger, lines } = captured();
    const log = relayEventLogger(logger, { relay: 'hubble-relay:4245' });
    log({ kind: 'state', stats: stats({ state: 'connecting' }) });
    log({ kind: 'state', stats: stats({ state: 'streaming' }) });
    log({ kind: 'state', stats: stats({ state: 'streaming' }) }); // a repeated report: nothing new
    log({ kind: 'state', stats: stats({ state: 'retrying', fault: 'error', lastError: 'relay unavailable: connect ECONNREFUSED', reconnects: 1, nextRetryAt: Date.now() + 250 }) });
    log({ kind: 'state', stats: stats({ state: 'retrying', fault: 'error', lastError: 'relay unavailable: connect ECONNREFUSED', reconnects: 1 }) }); // the attempt itself
    log({ kind: 'state', stats: stats({ state: 'retrying', fault: 'error', lastError: 'relay unavailable: connect ECONNREFUSED', reconnects: 2 }) });
    log({ kind: 'state', stats: stats({ state: 'streaming', reconnects: 2, resumedFrom: 1_795_000_000_000 }) });
    log({ kind: 'state', stats: stats({ state: 'streaming', reconnects: 2, idle: true }) });
    expect(lines.map((l) => [l.level, l.state, l.msg])).toEqual([
      [30, 'connecting', 'relay: connecting'],
      [30, 'streaming', 'relay connected: streaming flows'],
      [40, 'retrying', 'relay connection lost: retrying'],
      [40, 'retrying', 'relay connection lost: retrying'],
      [30, 'streaming', 'relay connected: streaming flows'],
      [30, 'streaming', 'relay connected: the cluster is idle'],
    ]);
    expect(lines[2]).toMatchObject({ relay: 'hubble-relay:4245', fault: 'error', error: 'relay unavailable: connect ECONNREFUSED', reconnects: 1 });
    expect(lines[4].resumedFrom).toBe(new Date(1_795_000_000_000).toISOString());
  });

  it('logs the first lost-events notice at once and sums a burst into one later line', () => {
    vi.useFakeTimers();
    const { logger, lines } = captured();
    const log = relayEventLogger(logger, { relay: 'demo relay', lostSummaryMs: 1000 });
    log({ kind: 'lost', notice: { source: 'HUBBLE_RING_BUFFER', lost: 5 } });
    for (let i = 0; i < 100; i++) log({ kind: 'lost', notice: { source: 'HUBBLE_RING_BUFFER', lost: 2 } });
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(lines.map((l) => l.lost)).toEqual([5, 200]);
    expect(lines.every((l) => l.level === 40)).toBe(true);
  });

  it('writes nothing at level silent', () => {
    const { logger, lines } = captured('silent');
    relayEventLogger(logger, { relay: 'demo relay' })({ kind: 'state', stats: stats({ state: 'retrying', reconnects: 1 }) });
    expect(lines).toEqual([]);
  });
});
