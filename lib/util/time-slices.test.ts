import { describe, expect, it } from 'vitest';
import { measured, runInSlices, runToEnd, type Steps } from './time-slices';

/** Three steps of 5 "ms" each on a clock the steps move. */
function* threeSteps(clock: { t: number }, log: string[]): Steps<string> {
  for (const name of ['a', 'b', 'c']) {
    clock.t += 5;
    log.push(name);
    yield;
  }
  return log.join('');
}

describe('time slices', () => {
  it('runToEnd runs every step in the calling task', () => {
    const log: string[] = [];
    expect(runToEnd(threeSteps({ t: 0 }, log))).toBe('abc');
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('runInSlices pauses once a slice has run its length, and counts only the time computing', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const pauses: string[] = [];
    // Each pause "takes" 100 ms: the busy time must not include it.
    const pause = async () => {
      pauses.push(log.join(''));
      clock.t += 100;
    };
    const r = await runInSlices(threeSteps(clock, log), { sliceMs: 10, pause, now: () => clock.t });
    // a (5 ms) is under the slice, b brings it to 10: pause; then c and the end.
    expect(pauses).toEqual(['ab']);
    expect(r).toEqual({ value: 'abc', busyMs: 15, slices: 2 });
  });

  it('asks a slice length given as a function at the start of each slice (shorter while nobody waits, say)', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const pauses: string[] = [];
    const lengths = [5, 100];
    const pause = async () => void pauses.push(log.join(''));
    const r = await runInSlices(threeSteps(clock, log), { sliceMs: () => lengths.shift() ?? 100, pause, now: () => clock.t });
    // First slice 5 ms: a alone; then 100 ms: b and c together.
    expect(pauses).toEqual(['a']);
    expect(r.slices).toBe(2);
  });

  it('with a slice of 0 the event loop gets a turn after every step, and other work runs in between', async () => {
    const log: string[] = [];
    const done = runInSlices(threeSteps({ t: 0 }, log), { sliceMs: 0 });
    setImmediate(() => log.push('other'));
    expect((await done).slices).toBe(4);
    expect(log.indexOf('other')).toBeGreaterThan(0);
    expect(log.indexOf('other')).toBeLessThan(3);
  });

  it('measured adds up the time of the steps, not of the pauses between them', async () => {
    const clock = { t: 0 };
    let spent = 0;
    const pause = async () => void (clock.t += 100);
    const r = await runInSlices(measured(threeSteps(clock, []), (ms) => (spent += ms), () => clock.t), { sliceMs: 0, pause, now: () => clock.t });
    expect(r.value).toBe('abc');
    expect(clock.t).toBeGreaterThanOrEqual(315);
    expect(spent).toBe(15);
  });
});
