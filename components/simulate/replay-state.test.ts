import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api/problem';
import { initialReplay, replayFraction, replayPhaseText, replayReducer, type ReplayAction, type ReplayState } from './replay-state';

const apply = (actions: ReplayAction<string>[], s: ReplayState<string> = initialReplay<string>()) => actions.reduce(replayReducer<string>, s);
const err = new ApiError({ type: 'about:blank', title: 'x', status: 500, detail: 'boom' }, '/api/simulate');

describe('replayReducer', () => {
  it('runs, follows progress and keeps the result', () => {
    const s = apply([
      { type: 'start', run: 1 },
      { type: 'progress', run: 1, progress: { phase: 'replay', done: 1, total: 2 } },
    ]);
    expect(s.running).toBe(true);
    expect(s.progress).toEqual({ phase: 'replay', done: 1, total: 2 });
    const done = apply([{ type: 'result', run: 1, result: 'r1' }], s);
    expect(done).toMatchObject({ running: false, progress: null, result: 'r1', error: null });
  });

  it('keeps the last result through a new run and a cancel, and clears the old error on start', () => {
    const s = apply([
      { type: 'start', run: 1 },
      { type: 'result', run: 1, result: 'r1' },
      { type: 'start', run: 2 },
      { type: 'error', run: 2, error: err },
      { type: 'start', run: 3 },
    ]);
    expect(s).toMatchObject({ running: true, result: 'r1', error: null });
    const cancelled = apply([{ type: 'cancel' }], s);
    expect(cancelled).toMatchObject({ running: false, cancelled: true, result: 'r1' });
  });

  it('ignores events of an older run and anything after a cancel', () => {
    const s = apply([
      { type: 'start', run: 1 },
      { type: 'start', run: 2 },
      { type: 'result', run: 1, result: 'old' },
    ]);
    expect(s).toMatchObject({ running: true, result: null });
    const after = apply([{ type: 'cancel' }, { type: 'result', run: 2, result: 'late' }], s);
    expect(after).toMatchObject({ running: false, cancelled: true, result: null });
  });
});

describe('replayFraction', () => {
  it('moves through the phases in order', () => {
    expect(replayFraction(null)).toBe(0);
    const points = [
      replayFraction({ phase: 'compile', done: 1, total: 2 }),
      replayFraction({ phase: 'replay', done: 0, total: 100 }),
      replayFraction({ phase: 'replay', done: 50, total: 100 }),
      replayFraction({ phase: 'replay', done: 100, total: 100 }),
      replayFraction({ phase: 'paths', done: 1, total: 1 }),
    ];
    for (let i = 1; i < points.length; i++) expect(points[i]).toBeGreaterThanOrEqual(points[i - 1]);
    expect(points.at(-1)).toBe(1);
    expect(replayFraction({ phase: 'replay', done: 5, total: 0 })).toBeCloseTo(0.1);
  });

  it('says what is happening', () => {
    expect(replayPhaseText({ phase: 'replay', done: 1200, total: 5000 })).toBe('Replaying 1,200 of 5,000 connections…');
  });
});
