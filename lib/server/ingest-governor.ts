/**
 * Keeps the server answering when the relay sends more flows than this process can fold in.
 *
 * Every flow is decoded and folded in on the event loop that also serves the pages, the live stream
 * and the API. Past what one core can fold in (about 20k flows/s here), reading from the relay as
 * fast as it sends would leave no turn for anything else: pages and static files then wait seconds.
 * So the loop's busy share is watched, and while it stays above the limit, reading from the relay
 * pauses for a moment. gRPC flow control then holds the relay back; its buffer overflows and it
 * reports the flows it lost (Hubble's LostEvent), which the header and the status already show.
 * That is what Hubble Relay does for a slow client anyway; here the dashboard stays usable while
 * it happens, and says that it is at capacity.
 */

import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** What the governor opens and closes: the relay subscription. */
export interface IngestValve {
  pause(): void;
  resume(): void;
}

export interface GovernorOptions {
  /** Busy share of the event loop (0..1) above which reading pauses; 1 never pauses. */
  maxBusy?: number;
  /** How often the loop's busy share is looked at (ms). */
  periodMs?: number;
  /** The busy share since the previous call (tests). */
  measure?: () => number;
}

export interface GovernorStatus {
  /** Reading paused at some point in the last WINDOW_PERIODS periods: the relay is losing flows to keep the server answering. */
  atCapacity: boolean;
  /** Share of the last WINDOW_PERIODS periods spent paused. */
  pausedShare: number;
  /** Time spent paused since start (ms). */
  pausedMs: number;
}

const DEFAULT_MAX_BUSY = 0.85;
const DEFAULT_PERIOD_MS = 100;
/** Smoothing of the busy share: about a second of periods, so one long task does not pause reading. */
const SMOOTHING = 0.3;
/** The window "at capacity" and the paused share are judged over: 10 s at the default period. */
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

export class IngestGovernor {
  private readonly maxBusy: number;
  private readonly periodMs: number;
  private readonly measure: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private smoothed = 0;
  private paused = false;
  /** Whether each of the last periods was paused (a ring), and how many were. */
  private readonly window = new Uint8Array(WINDOW_PERIODS);
  private windowAt = 0;
  private windowPaused = 0;
  private pausedMs = 0;

  constructor(
    private readonly valve: IngestValve,
    options: GovernorOptions = {},
  ) {
    this.maxBusy = options.maxBusy ?? DEFAULT_MAX_BUSY;
    this.periodMs = options.periodMs ?? DEFAULT_PERIOD_MS;
    this.measure = options.measure ?? eventLoopBusy();
  }

  start(): void {
    if (this.timer || this.maxBusy >= 1) return;
    this.timer = setInterval(() => this.step(), this.periodMs);
    this.timer.unref?.();
  }

  /** Stops watching and leaves reading on. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.paused) this.valve.resume();
    this.paused = false;
  }

  /** One look at the loop: pause or resume reading. Public so tests can drive it without timers. */
  step(): void {
    const busy = this.measure();
    this.smoothed = this.smoothed * (1 - SMOOTHING) + busy * SMOOTHING;
    if (this.paused) this.pausedMs += this.periodMs;
    this.windowPaused += (this.paused ? 1 : 0) - this.window[this.windowAt];
    this.window[this.windowAt] = this.paused ? 1 : 0;
    this.windowAt = (this.windowAt + 1) % WINDOW_PERIODS;
    const pause = this.smoothed > this.maxBusy;
    if (pause === this.paused) return;
    this.paused = pause;
    if (pause) this.valve.pause();
    else this.valve.resume();
  }

  status(): GovernorStatus {
    return { atCapacity: this.windowPaused > 0 || this.paused, pausedShare: this.windowPaused / WINDOW_PERIODS, pausedMs: this.pausedMs };
  }
}
