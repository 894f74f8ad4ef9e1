/**
 * Keeps the server answering when the relay sends more flows than this process can fold in.
 *
 * Every flow is decoded and folded in on the event loop that also serves the pages, the live stream
 * and the API. Past what one core can fold in (about 20k flows/s here), taking every flow would leave
 * no turn for anything else: pages and static files then wait seconds, and the relay's buffer fills
 * so that what does arrive is seconds old. So the loop's busy share is watched, and while it stays
 * above the limit, only a share of the relay's flows is folded in: the rest are skipped before they
 * are even decoded, spread evenly over the stream, and counted as shed. The server skips them on the
 * relay stream's own thread (flow-stream.worker.mjs), which at capacity also skips what would queue
 * behind a busy loop: the relay is read as fast as it sends, so the flows that are shown stay fresh.
 * The header says the server is at capacity and which share it folds in; /api/status and /metrics
 * count the rest.
 *
 * Control: the busy share is smoothed over about a second; above the limit the kept share shrinks by
 * a fraction, below it by a margin it grows back by a step (never under MIN_KEEP, so the picture and
 * the stall watchdog always have flows).
 */

import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { FlowAdmission } from '../hubble/relay-client';

export interface GovernorOptions {
  /** Busy share of the event loop (0..1) above which flows are shed; 1 never sheds. */
  maxBusy?: number;
  /** How often the loop's busy share is looked at (ms). */
  periodMs?: number;
  /** The busy share since the previous call (tests). */
  measure?: () => number;
}

export interface GovernorStatus {
  /** Flows were shed in the last WINDOW_PERIODS periods. */
  atCapacity: boolean;
  /** Share of the relay's flows folded in now (1: all). */
  keptShare: number;
  /** Flows skipped since start. */
  shedFlows: number;
}

const DEFAULT_MAX_BUSY = 0.85;
const DEFAULT_PERIOD_MS = 100;
/** Smoothing of the busy share: about a second of periods, so one long task does not shed flows. */
const SMOOTHING = 0.3;
/** Over the limit the kept share is multiplied by this each period... */
const DECREASE = 0.9;
/** ...and under the limit by HEADROOM it grows back by this much. */
const INCREASE = 0.02;
const HEADROOM = 0.05;
const MIN_KEEP = 0.05;
/** The window "at capacity" is judged over: 10 s at the default period. */
const WINDOW_PERIODS = 100;

/** The event loop's busy share since the previous call. */
function eventLoopBusy(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return share;
  };
}

export class IngestGovernor implements FlowAdmission {
  private readonly maxBusy: number;
  private readonly periodMs: number;
  private readonly measure: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private smoothed = 0;
  private keep = 1;
  /** Accumulated share: a flow is kept each time it reaches 1, so kept flows are spread evenly. */
  private credit = 0;
  private shed = 0;
  private periodsSinceShed = WINDOW_PERIODS;

  constructor(options: GovernorOptions = {}) {
    this.maxBusy = options.maxBusy ?? DEFAULT_MAX_BUSY;
    this.periodMs = options.periodMs ?? DEFAULT_PERIOD_MS;
    this.measure = options.measure ?? eventLoopBusy();
  }

  start(): void {
    if (this.timer || this.maxBusy >= 1) return;
    this.timer = setInterval(() => this.step(), this.periodMs);
    this.timer.unref?.();
  }

  /** Stops watching and keeps every flow again. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.keep = 1;
  }

  /** The share of the relay's flows folded in now (1: all). */
  get keptShare(): number {
    return this.keep;
  }

  /** Counts flows skipped elsewhere at this governor's share (the relay stream's thread). */
  noteShed(count: number): void {
    this.shed += count;
  }

  /** Whether to fold in the next flow (false: skip it undecoded). Called once per flow message. */
  readonly admit = (): boolean => {
    if (this.keep >= 1) return true;
    this.credit += this.keep;
    if (this.credit >= 1) {
      this.credit -= 1;
      return true;
    }
    this.shed++;
    return false;
  };

  /** One look at the loop: shrink or grow the kept share. Public so tests can drive it without timers. */
  step(): void {
    const busy = this.measure();
    this.smoothed = this.smoothed * (1 - SMOOTHING) + busy * SMOOTHING;
    if (this.smoothed > this.maxBusy) this.keep = Math.max(MIN_KEEP, this.keep * DECREASE);
    else if (this.smoothed < this.maxBusy - HEADROOM) this.keep = Math.min(1, this.keep + INCREASE);
    this.periodsSinceShed = this.keep < 1 ? 0 : this.periodsSinceShed + 1;
  }

  status(): GovernorStatus {
    return { atCapacity: this.periodsSinceShed < WINDOW_PERIODS, keptShare: Math.round(this.keep * 1000) / 1000, shedFlows: this.shed };
  }
}
