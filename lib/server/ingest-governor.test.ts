import { describe, expect, it } from 'vitest';
import { IngestGovernor } from './ingest-governor';

/** A governor on a busy share the test sets per step. */
function rig(maxBusy = 0.85) {
  let busy = 0;
  const governor = new IngestGovernor({ maxBusy, periodMs: 100, measure: () => busy });
  return {
    governor,
    steps(share: number, n: number) {
      busy = share;
      for (let i = 0; i < n; i++) governor.step();
    },
    /** How many of `n` flows it admits. */
    admitted(n: number) {
      let kept = 0;
      for (let i = 0; i < n; i++) if (governor.admit()) kept++;
      return kept;
    },
  };
}

describe('IngestGovernor', () => {
  it('keeps every flow while the loop has room, and is not at capacity', () => {
    const r = rig();
    r.steps(0.6, 50);
    expect(r.admitted(1000)).toBe(1000);
    expect(r.governor.status()).toEqual({ atCapacity: false, keptShare: 1, shedFlows: 0 });
  });

  it('one long task sheds nothing: the busy share is smoothed over about a second', () => {
    const r = rig();
    r.steps(0.5, 10);
    r.steps(1, 1);
    r.steps(0.5, 10);
    expect(r.governor.status().keptShare).toBe(1);
  });

  it('a saturated loop sheds a growing share, spread evenly, and counts what it skipped', () => {
    const r = rig();
    r.steps(1, 30);
    const { keptShare } = r.governor.status();
    expect(keptShare).toBeLessThan(0.5);
    expect(keptShare).toBeGreaterThanOrEqual(0.05);
    // Spread evenly: every window of 100 flows keeps about the same number.
    const windows = Array.from({ length: 10 }, () => r.admitted(100));
    for (const w of windows) expect(Math.abs(w - keptShare * 100)).toBeLessThanOrEqual(1);
    expect(r.governor.status()).toMatchObject({ atCapacity: true, shedFlows: 1000 - windows.reduce((a, b) => a + b, 0) });
  });

  it('settles where the loop is about as busy as the limit: busy = 0.3 + 0.9 x kept share', () => {
    const r = rig();
    let busy = 1;
    for (let i = 0; i < 600; i++) {
      r.steps(busy, 1);
      busy = 0.3 + 0.9 * r.governor.status().keptShare;
    }
    // 0.85 = 0.3 + 0.9 x 0.61: it hovers near 0.61, never stuck at the floor or back at 1.
    const kept = r.governor.status().keptShare;
    expect(kept).toBeGreaterThan(0.45);
    expect(kept).toBeLessThan(0.75);
  });

  it('grows back to every flow once the load goes, and 10 s later is no longer at capacity; stop keeps all', () => {
    const r = rig();
    r.steps(1, 30);
    r.steps(0.2, 60);
    expect(r.governor.status()).toMatchObject({ keptShare: 1, atCapacity: true });
    r.steps(0.2, 100);
    expect(r.governor.status().atCapacity).toBe(false);
    r.steps(1, 30);
    r.governor.stop();
    expect(r.admitted(100)).toBe(100);
  });

  it('hands its share to a stream thread that skips flows itself, and counts what that thread skipped', () => {
    const r = rig();
    expect(r.governor.keptShare).toBe(1);
    r.steps(1, 30);
    expect(r.governor.keptShare).toBeCloseTo(r.governor.status().keptShare, 3);
    expect(r.governor.keptShare).toBeLessThan(0.5);
    r.governor.noteShed(700);
    r.governor.noteShed(300);
    expect(r.governor.status().shedFlows).toBe(1000);
    r.governor.stop();
    expect(r.governor.keptShare).toBe(1);
  });

  it('a limit of 100% never sheds', () => {
    const r = rig(1);
    r.steps(1, 50);
    expect(r.admitted(100)).toBe(100);
  });
});
