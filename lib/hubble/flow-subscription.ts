/**
 * A followed GetFlows stream that survives relay restarts: reconnects with capped exponential
 * backoff and resumes from the last flow seen (`since`), skipping the flows it already delivered,
 * so downstream sees neither duplicates nor a silent gap. Flows the relay reports as lost
 * (`lost_events`) are counted and surfaced.
 */

import type { FlowRecord } from '../flows/flow-record';
import type { FlowFilter } from './flow-filter';
import type { FlowStream, LostEventsNotice, NodeStatusNotice, RelayClient } from './relay-client';

export type RelayState = 'connecting' | 'streaming' | 'retrying' | 'stopped';

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
}

export interface SubscriptionOptions {
  allow?: FlowFilter[];
  deny?: FlowFilter[];
  /** Flows to replay before following on the first connect (like `hubble observe --last N -f`). */
  initialLast?: number;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  /** How far back to re-request on resume; flows in this window are deduplicated by uuid. */
  resumeOverlapMs?: number;
  onFlow(flow: FlowRecord): void;
  onLost?(notice: LostEventsNotice): void;
  onNodeStatus?(notice: NodeStatusNotice): void;
  onState?(stats: SubscriptionStats): void;
}

/** Recent uuids, kept in a fixed ring so resume can skip what was already delivered. */
class RecentFlows {
  private readonly uuids: string[];
  private readonly times: Float64Array;
  private next = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.uuids = new Array(capacity);
    this.times = new Float64Array(capacity);
  }

  push(uuid: string, time: number): void {
    this.uuids[this.next] = uuid;
    this.times[this.next] = time;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  oldestTime(): number | null {
    if (this.size === 0) return null;
    const i = this.size < this.capacity ? 0 : this.next;
    return this.times[i];
  }

  uuidsSince(time: number): Set<string> {
    const out = new Set<string>();
    for (let k = 0; k < this.size; k++) if (this.times[k] >= time) out.add(this.uuids[k]);
    return out;
  }
}

export class FlowSubscription {
  private stream: FlowStream | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private lastTime: number | null = null;
  private readonly recent = new RecentFlows(8192);
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
    this.stream?.cancel();
    this.stream = null;
    this.setState('stopped');
  }

  /** Backpressure from the consumer: stop reading from the socket until resume(). */
  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  snapshot(): SubscriptionStats {
    return { ...this.stats };
  }

  private setState(state: RelayState): void {
    this.stats.state = state;
    this.opts.onState?.(this.snapshot());
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
    const connected = () => {
      this.attempt = 0;
      this.stats.lastError = null;
      if (this.stats.state !== 'streaming') this.setState('streaming');
    };
    const stream = this.client.getFlows(
      { follow: true, number, since, allow: this.opts.allow, deny: this.opts.deny },
      {
        onFlow: (flow) => {
          if (!gotData) {
            gotData = true;
            connected();
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
          this.stats.lostEvents += n.lost;
          this.opts.onLost?.(n);
        },
        onNodeStatus: (n) => this.opts.onNodeStatus?.(n),
        onConnected: connected,
        onEnd: (err) => {
          if (this.stream !== stream) return;
          this.stream = null;
          if (this.stopped) return;
          this.stats.lastError = err ? describeGrpcError(err) : 'relay closed the stream';
          this.scheduleReconnect();
        },
      },
    );
    this.stream = stream;
    if (this.paused) stream.pause();
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
