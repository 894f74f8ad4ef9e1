/**
 * A followed GetFlows stream that survives relay restarts: reconnects with capped exponential
 * backoff and resumes from the last flow seen (`since`), skipping the flows it already delivered,
 * so downstream sees neither duplicates nor a silent gap. Flows the relay reports as lost
 * (`lost_events`) are counted and surfaced. A relay that never answers, or a stream that goes
 * silent while the relay still sees traffic, is a fault too (see stream-watchdog.ts): the call is
 * cancelled and resumed like after an error, and the stats say what happened.
 */

import type { FlowRecord } from '../flows/flow-record';
import { BoundedRing } from '../flows/flow-ring';
import type { FlowFilter } from './flow-filter';
import type { FlowStream, LostEventsNotice, NodeStatusNotice, RelayClient } from './relay-client';
import { StreamWatchdog, type StreamFault } from './stream-watchdog';

export type RelayState = 'connecting' | 'streaming' | 'retrying' | 'stopped';

/** Why the last call ended: `error` is a gRPC error or a stream the relay closed. */
export type RelayFault = StreamFault | 'error';

export interface SubscriptionStats {
  state: RelayState;
  received: number;
  duplicatesSkipped: number;
  lostEvents: number;
  reconnects: number;
  lastError: string | null;
  lastFlowAt: number | null;
  nextRetryAt: number | null;
  /** Where the last resume started, for the UI's "resumed from" note. */
  resumedFrom: number | null;
  /** What ended the last call, until a new one is answered; `lastError` has the details. */
  fault: RelayFault | null;
  /** Streaming, but nothing arrived for the idle time and the relay confirms nothing new happened. */
  idle: boolean;
}

export interface SubscriptionOptions {
  allow?: FlowFilter[];
  deny?: FlowFilter[];
  /** Flows to replay before following on the first connect (like `hubble observe --last N -f`). */
  initialLast?: number;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  /** How far back to re-request on resume; flows in this window are deduplicated by uuid. */
  resumeOverlapMs?: number;
  /** A call with no headers and no message this long, to a relay whose ServerStatus does not answer either, is given up. */
  connectTimeoutMs?: number;
  /** No message this long: ServerStatus tells an idle cluster from a dead stream. 0 turns the check off. */
  idleMs?: number;
  /** Deadline of those ServerStatus probes. */
  probeTimeoutMs?: number;
  onFlow(flow: FlowRecord): void;
  onLost?(notice: LostEventsNotice): void;
  onNodeStatus?(notice: NodeStatusNotice): void;
  onState?(stats: SubscriptionStats): void;
}

/** Recent uuids with their times, kept in the shared fixed ring so resume can skip what was already delivered. */
class DeliveredUuids {
  private readonly ring: BoundedRing<string, number>;

  constructor(capacity: number) {
    this.ring = new BoundedRing(capacity);
  }

  push(uuid: string, time: number): void {
    this.ring.push(uuid, time);
  }

  oldestTime(): number | null {
    let oldest: number | null = null;
    this.ring.since(0, (_uuid, time) => ((oldest = time), true), 1);
    return oldest;
  }

  uuidsSince(time: number): Set<string> {
    return new Set(this.ring.since(0, (_uuid, t) => t >= time, Infinity).items);
  }
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_MS = 15_000;
const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

export class FlowSubscription {
  private stream: FlowStream | null = null;
  private watchdog: StreamWatchdog | null = null;
  /** Every response of the current call (flows, lost events, node status): the watchdog's pulse. */
  private messages = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private lastTime: number | null = null;
  private readonly recent = new DeliveredUuids(8192);
  private skip: Set<string> | null = null;
  private stopped = false;
  private paused = false;
  private readonly stats: SubscriptionStats = {
    state: 'connecting',
    received: 0,
    duplicatesSkipped: 0,
    lostEvents: 0,
    reconnects: 0,
    lastError: null,
    lastFlowAt: null,
    nextRetryAt: null,
    resumedFrom: null,
    fault: null,
    idle: false,
  };

  constructor(
    private readonly client: RelayClient,
    private readonly opts: SubscriptionOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.endCall();
    this.setState('stopped');
  }

  /** Backpressure from the consumer: stop reading from the socket until resume(). */
  pause(): void {
    this.paused = true;
    this.stream?.pause();
    this.watchdog?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
    this.watchdog?.resume();
  }

  snapshot(): SubscriptionStats {
    return { ...this.stats };
  }

  private setState(state: RelayState): void {
    this.stats.state = state;
    this.opts.onState?.(this.snapshot());
  }

  /** Cancels the current call, if any, and its watchdog. */
  private endCall(): void {
    this.watchdog?.stop();
    this.watchdog = null;
    this.stream?.cancel();
    this.stream = null;
  }

  private connect(): void {
    if (this.stopped) return;
    this.stats.nextRetryAt = null;
    this.setState(this.stats.state === 'retrying' ? 'retrying' : 'connecting');
    let since: Date | undefined;
    let number = 0;
    if (this.lastTime !== null) {
      // Re-request a little before the last flow (flows of several nodes interleave), but never
      // before what the ring still remembers, so every overlapping flow can be recognised.
      const overlap = this.opts.resumeOverlapMs ?? 1000;
      const oldest = this.recent.oldestTime() ?? this.lastTime;
      const from = Math.max(this.lastTime - overlap, oldest);
      since = new Date(Math.floor(from));
      this.skip = this.recent.uuidsSince(Math.floor(from));
      this.stats.resumedFrom = from;
    } else {
      number = this.opts.initialLast ?? 0;
    }
    let gotData = false;
    /** The call works: data arrived, or the relay confirmed the silence is an idle cluster. */
    const healthy = () => {
      if (this.stream !== stream) return;
      watchdog.answer();
      this.attempt = 0;
      this.stats.lastError = null;
      this.stats.fault = null;
      if (this.stats.state !== 'streaming') this.setState('streaming');
    };
    /** Headers arrived (or ServerStatus answered). After a stall that proves little: headers came last time too. */
    const answered = () => {
      if (this.stream !== stream) return;
      watchdog.answer();
      if (this.stats.fault === null || this.stats.fault === 'error') healthy();
    };
    const stream = this.client.getFlows(
      { follow: true, number, since, allow: this.opts.allow, deny: this.opts.deny },
      {
        onFlow: (flow) => {
          this.messages++;
          if (!gotData) {
            gotData = true;
            healthy();
          }
          if (this.skip) {
            if (this.skip.has(flow.uuid)) {
              this.stats.duplicatesSkipped++;
              return;
            }
            if (this.lastTime !== null && flow.time > this.lastTime) this.skip = null;
          }
          this.stats.received++;
          if (this.lastTime === null || flow.time > this.lastTime) this.lastTime = flow.time;
          this.stats.lastFlowAt = flow.time;
          this.recent.push(flow.uuid, flow.time);
          this.opts.onFlow(flow);
        },
        onLost: (n) => {
          this.messages++;
          this.stats.lostEvents += n.lost;
          this.opts.onLost?.(n);
        },
        onNodeStatus: (n) => {
          this.messages++;
          this.opts.onNodeStatus?.(n);
        },
        onConnected: answered,
        onEnd: (err) => {
          if (this.stream !== stream) return;
          this.endCall();
          if (this.stopped) return;
          this.stats.lastError = err ? describeGrpcError(err) : 'relay closed the stream';
          this.stats.fault = 'error';
          this.scheduleReconnect();
        },
      },
    );
    this.stream = stream;
    this.messages = 0;
    this.stats.idle = false;
    const filtered = (this.opts.allow?.length ?? 0) > 0 || (this.opts.deny?.length ?? 0) > 0;
    const watchdog = new StreamWatchdog({
      connectTimeoutMs: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      idleMs: this.opts.idleMs ?? DEFAULT_IDLE_MS,
      probeTimeoutMs: this.opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      growthMeansData: !filtered,
      probe: (timeoutMs) => this.client.serverStatus({ timeoutMs }),
      messages: () => this.messages,
      onAnswered: answered,
      onIdle: (idle) => {
        if (idle) healthy();
        this.stats.idle = idle;
        this.opts.onState?.(this.snapshot());
      },
      onFault: (fault, message) => {
        if (this.stream !== stream || this.stopped) return;
        // Cancelled here, so resumed from the last flow like after any other end of the call.
        this.endCall();
        this.stats.lastError = message;
        this.stats.fault = fault;
        this.scheduleReconnect();
      },
    });
    this.watchdog = watchdog;
    if (this.paused) {
      stream.pause();
      watchdog.pause();
    }
  }

  private scheduleReconnect(): void {
    const b = this.opts.backoff ?? {};
    const initial = b.initialMs ?? 250;
    const max = b.maxMs ?? 10_000;
    const factor = b.factor ?? 2;
    const base = Math.min(max, initial * factor ** this.attempt);
    // Jitter keeps many dashboards from reconnecting to a restarted relay in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    this.stats.reconnects++;
    this.stats.nextRetryAt = Date.now() + delay;
    this.stats.idle = false;
    this.setState('retrying');
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }
}

/** A gRPC error as a sentence without secrets (no metadata, no certificates). */
export function describeGrpcError(err: Error & { code?: number; details?: string }): string {
  const names: Record<number, string> = { 1: 'cancelled', 4: 'deadline exceeded', 7: 'permission denied', 12: 'unimplemented', 13: 'internal error', 14: 'unavailable', 16: 'unauthenticated' };
  const what = err.code !== undefined ? (names[err.code] ?? `code ${err.code}`) : 'error';
  return `relay ${what}: ${err.details || err.message}`;
}
