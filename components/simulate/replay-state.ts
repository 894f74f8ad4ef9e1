/**
 * A replay as the page tracks it: idle, running (with the server's last progress event), finished
 * with a result, failed, or cancelled. A new run clears the old error but keeps the last result on
 * screen until its own arrives; a cancel keeps it too. Plain reducer, tested without a browser.
 */

import type { ApiError } from '@/lib/api/problem';
import type { ReplayProgress } from '@/lib/what-if/replay';

export interface ReplayState<R> {
  running: boolean;
  progress: ReplayProgress | null;
  result: R | null;
  error: ApiError | null;
  cancelled: boolean;
  /** Which run the state belongs to: events of an older run are ignored. */
  run: number;
}

export type ReplayAction<R> =
  | { type: 'start'; run: number }
  | { type: 'progress'; run: number; progress: ReplayProgress }
  | { type: 'result'; run: number; result: R }
  | { type: 'error'; run: number; error: ApiError }
  | { type: 'cancel' };

export const initialReplay = <R>(): ReplayState<R> => ({ running: false, progress: null, result: null, error: null, cancelled: false, run: 0 });

export function replayReducer<R>(s: ReplayState<R>, a: ReplayAction<R>): ReplayState<R> {
  if (a.type === 'start') return { ...s, running: true, progress: null, error: null, cancelled: false, run: a.run };
  if (a.type === 'cancel') return s.running ? { ...s, running: false, progress: null, cancelled: true } : s;
  if (a.run !== s.run || !s.running) return s;
  switch (a.type) {
    case 'progress':
      return { ...s, progress: a.progress };
    case 'result':
      return { ...s, running: false, progress: null, result: a.result };
    case 'error':
      return { ...s, running: false, progress: null, error: a.error };
  }
}

/** Share of each phase in the bar: compiling is quick, the paths check short, the replay the rest. */
const PHASES: Record<ReplayProgress['phase'], { start: number; span: number }> = {
  compile: { start: 0, span: 0.1 },
  replay: { start: 0.1, span: 0.85 },
  paths: { start: 0.95, span: 0.05 },
};

/** How far along the replay is, 0..1, from its last progress event. */
export function replayFraction(p: ReplayProgress | null): number {
  if (!p) return 0;
  const phase = PHASES[p.phase] ?? PHASES.replay;
  const share = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  return phase.start + phase.span * share;
}

/** What the bar says: `Replaying 1,200 of 5,000 connections`. */
export function replayPhaseText(p: ReplayProgress | null): string {
  if (!p) return 'Reading the window’s traffic…';
  const n = (x: number) => x.toLocaleString('en-US');
  if (p.phase === 'compile') return 'Compiling the policies with and without the change…';
  if (p.phase === 'replay') return `Replaying ${n(p.done)} of ${n(p.total)} connections…`;
  return 'Checking paths no flow took…';
}
