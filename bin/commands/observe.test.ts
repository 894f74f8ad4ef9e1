import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoRelay } from '../../lib/demo/demo-relay';
import type { FlowRecord } from '../../lib/flows/flow-record';
import { runCli as run } from './testing/run-cli';
import { parseTime } from './observe';
import { PATHOLOGICAL } from '../../lib/match/testing/time-ratio';
import { timeRatioAsync } from '../../lib/match/testing/time-ratio-async';

let relay: DemoRelay;
let address: string;

beforeAll(async () => {
  relay = new DemoRelay({ rate: 300, historySeconds: 30, seed: 21 });
  address = `127.0.0.1:${await relay.start()}`;
});
afterAll(() => relay.stop());

describe('flowsight observe', () => {
  it('prints one FlowRecord per line with -o json, filtered on the relay', async () => {
    const r = await run(['observe', '--relay', address, '--last', '30', '--verdict', 'DROPPED', '-n', 'payments', '-o', 'json']);
    expect(r.code).toBe(0);
    const flows = r.out.trim().split('\n').map((l) => JSON.parse(l) as FlowRecord);
    expect(flows.length).toBeGreaterThan(0);
    expect(flows.length).toBeLessThanOrEqual(30);
    for (const f of flows) {
      expect(f.verdict).toBe('DROPPED');
      expect([f.source.namespace, f.destination.namespace]).toContain('payments');
    }
  });

  it('prints a readable table by default', async () => {
    const r = await run(['observe', '--relay', address, '--last', '5', '--to-fqdn', '*.github.com']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(l).toMatch(/legacy\/legacy-app-\S+ -> api\.github\.com 443\/TCP {2}FORWARDED/);
  });

  it.each([
    [['--verdict', 'ALLOWED'], /invalid --verdict/],
    [['--port', 'http'], /invalid --port/],
    [['--from-ip', '10.0.0.0/33'], /CIDR/],
    [['--since', 'yesterday-ish'], /--since/],
    [['--relay', 'not a host'], /--relay/],
    [['--first', '3', '--follow'], /--first cannot be combined with --follow/],
  ])('exits 2 with a clear message for %o', async (args, message) => {
    const r = await run(['observe', '--relay', address, ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  // Issue 8 (hardening), item 1: `observe` sends its patterns to the relay; a hostile one froze the demo relay.
  it.each(['--to-fqdn', '--from-fqdn', '--fqdn'])('%s with a pathological wildcard runs in about the time of a plain one', async (flag) => {
    const hostile = () => run(['observe', '--relay', address, '--last', '2000', flag, PATHOLOGICAL.alternating, '-o', 'json']);
    const plain = () => run(['observe', '--relay', address, '--last', '2000', flag, '*.github.com', '-o', 'json']);
    expect((await hostile()).code).toBe(0);
    expect(await timeRatioAsync(hostile, plain)).toBeLessThan(10);
  });

  it('parses relative and absolute times', () => {
    expect(parseTime('5m', 1_000_000)!.getTime()).toBe(700_000);
    expect(parseTime('2026-11-25T10:00:00Z')!.toISOString()).toBe('2026-11-25T10:00:00.000Z');
    expect(parseTime('soon')).toBeNull();
  });
});
