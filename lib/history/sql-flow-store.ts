/**
 * The flow store over any ClickHouse engine (embedded or server): batching with a bounded queue,
 * ingestion that pauses when the disk is full, status, retention and roll-up, and the reads of
 * queries.ts. The engine only runs SQL; everything that decides lives here, once for both.
 */

import type { FlowRecord } from '../flows/flow-record';
import { errorText, isDiskFull, type EngineError, type HistoryEngine } from './engine';
import { initialStoreStatus, type CompletionField, type EdgeAggregate, type FlowPage, type FlowSearch, type FlowStore, type Histogram, type SqlCondition, type StoreStatus, type TimeRange } from './flow-store';
import { edgeOf, edgesQuery, histogramOf, histogramQuery, searchPage, searchQuery, SPAN_SQL, STATUS_SQL, valuesQuery } from './queries';
import { maintain, type MaintenanceReport } from './retention';
import { flowBlockSliced } from './flow-block';
import { FLOW_COLUMN_NAMES, FLOWS_TABLE } from './schema';

export interface BatchingSettings {
  /** A batch is written when it reaches this many flows... */
  maxBatchFlows: number;
  /** ...or this long after its first flow arrived. */
  flushMs: number;
  /** Flows accepted but not yet written, at most; a batch that would pass it is dropped and counted. */
  maxPendingFlows: number;
}

export interface RetentionPolicy {
  days: number;
  maxBytes: number;
  /** Allowed flows older than this keep only their per-edge-per-minute counts (null: kept in full). */
  rollupAfterMinutes: number | null;
}

export interface StoreTimers {
  /** How often part counts and the stored span are refreshed for status(). */
  statusEveryMs: number;
  /** How often retention (age, size) and roll-up run. */
  maintenanceEveryMs: number;
  /** While ingestion is paused (disk full), a write is tried again this often. */
  pausedRetryMs: number;
}

// Held flows cost memory and collection time on the thread that serves the live view: past about
// three batches, writes are behind anyway and the rest is dropped and counted.
export const DEFAULT_BATCHING: BatchingSettings = { maxBatchFlows: 20_000, flushMs: 1000, maxPendingFlows: 60_000 };
export const DEFAULT_TIMERS: StoreTimers = { statusEveryMs: 10_000, maintenanceEveryMs: 60_000, pausedRetryMs: 30_000 };

/** A FlowStore with its housekeeping reachable (tests, the CLI): `maintain` runs retention now. */
export interface ManagedFlowStore extends FlowStore {
  maintain(): Promise<MaintenanceReport>;
  /** Re-reads the stored counts for status() now. */
  refreshStatus(): Promise<StoreStatus>;
}

interface Logger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface SqlFlowStoreOptions {
  retention: RetentionPolicy;
  batching?: Partial<BatchingSettings>;
  timers?: Partial<StoreTimers>;
  logger?: Logger;
  now?: () => number;
}

/** Queued flows: whole appends, with when the first of them arrived. */
interface Queued {
  flows: readonly FlowRecord[];
  at: number;
}

/** A batch taken off the queue: how many flows, when the first arrived, and its block as it is encoded. */
interface Encoding {
  flows: number;
  at: number;
  block: Promise<Buffer>;
}

export class SqlFlowStore implements ManagedFlowStore {
  private readonly batching: BatchingSettings;
  private readonly timers: StoreTimers;
  private readonly now: () => number;
  private readonly queue: Queued[] = [];
  private pendingFlows = 0;
  private writing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly intervals: NodeJS.Timeout[] = [];
  private closed = false;
  private pausedUntil = 0;
  private maintaining: Promise<MaintenanceReport> | null = null;
  private readonly stats: StoreStatus;

  constructor(
    private readonly engine: HistoryEngine,
    private readonly options: SqlFlowStoreOptions,
  ) {
    this.batching = { ...DEFAULT_BATCHING, ...options.batching };
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.now = options.now ?? Date.now;
    const r = options.retention;
    this.stats = initialStoreStatus(engine.kind, engine.location, { days: r.days, maxBytes: r.maxBytes, rollupAfterMinutes: r.rollupAfterMinutes }, true);
  }

  /** Starts the periodic status refresh and retention. */
  start(): this {
    const every = (ms: number, run: () => Promise<unknown>): void => {
      const t = setInterval(() => void run().catch(() => undefined), ms);
      t.unref();
      this.intervals.push(t);
    };
    every(this.timers.statusEveryMs, () => this.refreshStatus());
    every(this.timers.maintenanceEveryMs, () => this.maintain());
    void this.refreshStatus().catch(() => undefined);
    return this;
  }

  append(flows: readonly FlowRecord[]): void {
    if (flows.length === 0) return;
    if (this.closed || this.isPaused() || this.pendingFlows + flows.length > this.batching.maxPendingFlows) {
      this.drop(flows.length);
      return;
    }
    this.queue.push({ flows, at: this.now() });
    this.pendingFlows += flows.length;
    if (this.pendingFlows >= this.batching.maxBatchFlows) this.kick(0);
    else this.kick(this.batching.flushMs);
  }

  private isPaused(): boolean {
    if (!this.stats.paused) return false;
    // Past the retry time the next batch is let through: its write decides whether the pause ends.
    return this.now() < this.pausedUntil;
  }

  private drop(flows: number): void {
    this.stats.droppedBatches++;
    this.stats.droppedFlows += flows;
  }

  /** Schedules a write in `ms` unless one is already due sooner. */
  private kick(ms: number): void {
    if (this.writing) return; // the running write loop picks the queue up
    if (ms === 0) {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = null;
      this.writing = this.writeLoop();
      return;
    }
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      if (!this.writing) this.writing = this.writeLoop();
    }, ms);
    this.flushTimer.unref();
  }

  /**
   * Writes batches while full ones are waiting (or everything, when flushing). The engine writes on
   * another thread (or server), so the next batch is encoded while the current one is written.
   */
  private async writeLoop(all = false): Promise<void> {
    try {
      let next = this.takeEncoded();
      while (next) {
        const current = next;
        next = null;
        const written = current.block.then((block) => this.engine.insert(FLOWS_TABLE, FLOW_COLUMN_NAMES, block));
        if (this.moreToWrite(all)) next = this.takeEncoded();
        const ok = await this.settle(current, written);
        if (!ok && this.stats.paused && next) {
          // Ingestion paused with a batch already taken: it is dropped like the rest of the queue.
          this.drop(next.flows);
          next = null;
        }
        if (!next && this.moreToWrite(all)) next = this.takeEncoded();
      }
    } finally {
      this.writing = null;
      if (this.queue.length > 0 && !this.closed) this.kick(this.batching.flushMs);
    }
  }

  private moreToWrite(all: boolean): boolean {
    return this.queue.length > 0 && !this.isPaused() && (all || this.pendingFlows >= this.batching.maxBatchFlows);
  }

  private takeBatch(): { flows: FlowRecord[]; at: number } {
    const flows: FlowRecord[] = [];
    let at = Infinity;
    while (this.queue.length > 0 && flows.length < this.batching.maxBatchFlows) {
      const q = this.queue[0];
      const room = this.batching.maxBatchFlows - flows.length;
      at = Math.min(at, q.at);
      if (q.flows.length <= room) {
        flows.push(...q.flows);
        this.queue.shift();
      } else {
        flows.push(...q.flows.slice(0, room));
        this.queue[0] = { flows: q.flows.slice(room), at: q.at };
      }
    }
    this.pendingFlows -= flows.length;
    return { flows, at };
  }

  /** The next batch off the queue, its Native block being encoded (in slices, between other work). */
  private takeEncoded(): Encoding | null {
    const { flows, at } = this.takeBatch();
    if (flows.length === 0) return null;
    return { flows: flows.length, at, block: flowBlockSliced(flows) };
  }

  /** Waits for one batch's write and books it: written, or dropped with the reason (and ingestion paused on a full disk). */
  private async settle(batch: Encoding, written: Promise<void>): Promise<boolean> {
    try {
      await written;
      this.stats.writtenFlows += batch.flows;
      this.stats.writeLagMs = Math.max(0, this.now() - batch.at);
      if (this.stats.paused) {
        this.options.logger?.info({ component: 'history' }, 'history ingestion resumed');
        this.stats.paused = null;
      }
      return true;
    } catch (err) {
      this.drop(batch.flows);
      this.stats.error = errorText(err);
      if (isDiskFull(err)) {
        if (!this.stats.paused) this.options.logger?.warn({ component: 'history', error: this.stats.error }, 'history disk full: ingestion paused');
        this.stats.paused = `disk full: ${this.stats.error}`;
        this.pausedUntil = this.now() + this.timers.pausedRetryMs;
        // Nothing queued is kept for later: the live view goes on, the history has a counted gap.
        while (this.queue.length > 0) this.drop(this.takeBatch().flows.length);
      } else if ((err as EngineError).code === 'worker-stopped') {
        // The engine is gone (its thread died): nothing more will be written until a restart.
        this.options.logger?.warn({ component: 'history', error: this.stats.error }, 'the history engine stopped: ingestion paused');
        this.stats.ready = false;
        this.stats.paused = `the history engine stopped: ${this.stats.error}`;
        this.pausedUntil = Infinity;
      } else {
        this.options.logger?.warn({ component: 'history', error: this.stats.error, flows: batch.flows }, 'history write failed: batch dropped');
      }
      return false;
    }
  }

  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    while (this.writing) await this.writing;
    if (this.queue.length > 0) {
      this.writing = this.writeLoop(true);
      await this.writing;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    for (const t of this.intervals) clearInterval(t);
    await this.maintaining?.catch(() => undefined);
    this.stats.ready = false;
    await this.engine.close();
  }

  status(): StoreStatus {
    return { ...this.stats, pendingFlows: this.pendingFlows, retention: { ...this.stats.retention } };
  }

  async refreshStatus(): Promise<StoreStatus> {
    if (this.closed) return this.status();
    const [parts] = await this.engine.query(STATUS_SQL, {});
    const [span] = await this.engine.query(SPAN_SQL, {});
    this.stats.bytesOnDisk = Number(parts?.bytes ?? 0);
    this.stats.storedFlows = Number(span?.n ?? parts?.rows ?? 0);
    const n = this.stats.storedFlows;
    this.stats.oldest = n > 0 ? Number(span?.oldest) : null;
    this.stats.newest = n > 0 ? Number(span?.newest) : null;
    return this.status();
  }

  maintain(): Promise<MaintenanceReport> {
    if (this.closed) return Promise.resolve({ droppedPartitions: [], trimmedPartitions: [], rolledUpBefore: null });
    this.maintaining ??= maintain(this.engine, this.options.retention, this.now()).finally(() => (this.maintaining = null));
    return this.maintaining;
  }

  async search(q: FlowSearch, signal?: AbortSignal): Promise<FlowPage> {
    const plan = searchQuery(q);
    return searchPage(await this.engine.query(plan.sql, plan.params, signal), plan.limit);
  }

  async histogram(q: { condition?: SqlCondition; range: TimeRange; buckets: number }, signal?: AbortSignal): Promise<Histogram> {
    const plan = histogramQuery(q, this.now());
    return histogramOf(plan, await this.engine.query(plan.sql, plan.params, signal));
  }

  async edges(q: { range: TimeRange }, signal?: AbortSignal): Promise<EdgeAggregate[]> {
    const plan = edgesQuery(q.range);
    return (await this.engine.query(plan.sql, plan.params, signal)).map(edgeOf);
  }

  async values(field: CompletionField, prefix: string, limit: number, signal?: AbortSignal): Promise<string[]> {
    const plan = valuesQuery(field, prefix, limit, this.now());
    return (await this.engine.query(plan.sql, plan.params, signal)).map((r) => String(r.v));
  }
}
