import { describe, expect, it } from 'vitest';
import { IngestGovernor } from './ingest-governor';

/** A valve that records what it was told, and a busy share the test sets per step. */
function rig(maxBusy = 0.85) {
  const calls: string[] = [];
  let busy = 0;
  const governor = new IngestGovernor({ pause: () => calls.push('pause'), resume: () => calls.push('resume') }, { maxBusy, periodMs: 100, measure: () => busy });
  return {
    calls,
    governor,
    steps(share: number, n: number) {
      busy = share;
      for (let i = 0; i < n; i++) governor.step();
    },
  };
}

describe('IngestGovernor', () => {
  it('reads all the time while the loop has room, and says it is not at capacity', () => {
    const r = rig();
    r.steps(0.6, 50);
    expect(r.calls).toEqual([]);
    expect(r.governor.status()).toEqual({ atCapacity: false, pausedShare: 0, pausedMs: 0 });
  });

  it('one long task does not pause reading: the busy share is smoothed over about a second', () => {
    const r = rig();
    r.steps(0.5, 10);
    r.steps(1, 1);
    r.steps(0.5, 10);
    expect(r.calls).toEqual([]);
  });

  it('a saturated loop pauses reading, resumes once the loop has room, and reads most of the time on the whole', () => {
    const r = rig();
    // About half a second of a fully busy loop.
    r.steps(1, 5);
    expect(r.calls).toEqual([]);
    r.steps(1, 1);
    expect(r.calls).toEqual(['pause']);
    expect(r.governor.status().atCapacity).toBe(true);
    // The loop as it behaves: fully busy while reading, 20% busy while paused.
    let paused = true;
    const sim = { pause: 0, read: 0 };
    for (let i = 0; i < 200; i++) {
      r.steps(paused ? 0.2 : 1, 1);
      paused = r.calls[r.calls.length - 1] === 'pause';
      sim[paused ? 'pause' : 'read']++;
    }
    // Alternates (never stuck paused), reading about 80% of the time: busy 0.85 = 0.2 + 0.8 x reading share.
    expect(r.calls.filter((c) => c === 'resume').length).toBeGreaterThan(10);
    expect(sim.read / 200).toBeGreaterThan(0.6);
    expect(sim.read / 200).toBeLessThan(0.95);
    const s = r.governor.status();
    expect(s.pausedShare).toBeGreaterThan(0.05);
    expect(s.pausedMs).toBeGreaterThan(0);
  });

  it('10 s after the last pause it is no longer at capacity; stop resumes reading', () => {
    const r = rig();
    r.steps(1, 6);
    r.steps(0, 20);
    expect(r.calls).toEqual(['pause', 'resume']);
    expect(r.governor.status().atCapacity).toBe(true);
    r.steps(0, 100);
    expect(r.governor.status()).toMatchObject({ atCapacity: false, pausedShare: 0 });
    r.steps(1, 6);
    r.governor.stop();
    expect(r.calls).toEqual(['pause', 'resume', 'pause', 'resume']);
  });

  it('a limit of 100% never pauses (and start does not even watch)', () => {
    const r = rig(1);
    r.steps(1, 50);
    expect(r.calls).toEqual([]);
  });
});
