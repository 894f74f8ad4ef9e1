/**
 * The flow store over any ClickHouse engine (embedded or server): batching with a bounded queue,
 * ingestion that pauses when the disk is full, status, retention and roll-up, and the reads of
 * queries.ts. The engine only runs SQL; everything that decides lives here, once for both.
 */

import type { FlowRecord } from '../flows/flow-record';
import type { TrafficConnection } from '../what-if/observed-traffic';
import { errorText, isDiskFull, type EngineError, type HistoryEngine } from './engine';
import { initialStoreStatus, type CompletionField, type EdgeAggregate, type FlowPage, type FlowSearch, type FlowStore, type Histogram, type SqlCondition, type StoreStatus, type TimeRange } from './flow-store';
import { decodeCursor, edgeOf, edgesQuery, MAX_TRAFFIC_ROWS, trafficQuery, trafficRowOf, histogramOf, histogramQuery, searchPage, searchQuery, SPAN_SQL, STATUS_SQL, valuesQuery } from './queries';
import { maintain, type MaintenanceReport, type RetentionPolicy } from './retention';
import { FlowBlockWriter } from './flow-block';
import { runInSlices } from '../util/time-slices';
import { FLOW_COLUMN_NAMES, FLOWS_TABLE, type StoredRow } from './schema';

export interface BatchingSettings {
  /** A batch is written when it reaches this many flows... */
  maxBatchFlows: number;
  /** ...or this long after its first flow arrived. */
  flushMs: number;
  /** Flows accepted but not yet handed to the engine, at most; an append that would pass it is dropped and counted. */
  maxPendingFlows: number;
}

export interface StoreTimers {
  /** How often part counts and the stored span are refreshed for status(). */
  statusEveryMs: number;
  /** How often retention (age, size) and roll-up run. */
  maintenanceEveryMs: number;
  /** While ingestion is paused (disk full), a write is tried again this often. */
  pausedRetryMs: number;
}

/**
 * Flows are encoded as they arrive (~300 bytes each in a block), so a pending flow costs little.
 * Blocks of 50,000 measured best here (bench:store: 100,000 was slower; smaller ones make more
 * parts for the engine to merge). Past about three blocks the writes are behind anyway and the
 * rest is dropped and counted.
 *
 * flushMs: each block becomes a part that the engine merges into larger ones again and again, so
 * the merges' work follows the number of blocks. At 5,000 workloads a block a second kept the
 * embedded engine's merge threads at 22-37% of a core; a block every 5 s, at ~10%
 * (docs/HISTORY.md). A search sees flows up to that much later, which incident search can afford.
 */
export const DEFAULT_BATCHING: BatchingSettings = { maxBatchFlows: 50_000, flushMs: 5000, maxPendingFlows: 150_000 };
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

/** Appended flows not yet encoded: one append, how far it is encoded, and when it arrived. */
interface Incoming {
  flows: readonly FlowRecord[];
  next: number;
  at: number;
}

/** A block built and waiting for the engine. */
interface SealedBlock {
  /** Built in slices (seal). */
  data: Promise<Buffer>;
  flows: number;
  at: number;
}

/** The newest slice a search reads first, and the longest slice before it reads the rest at once. */
const SEARCH_FIRST_SLICE_MS = 3600_000;
const SEARCH_LAST_SLICE_MS = 8 * 24 * 3600_000;

/**
 * Flows are encoded between two yields to the event loop for at most this long (ms), checked every
 * ENCODE_CHUNK flows. A count alone (it was 2,000 flows: a few ms on an idle core) took 50-170 ms on
 * a server sharing its cores at 20k flows/s, and the live stream's tick waited behind it.
 */
const ENCODE_SLICE_MS = 8;
const ENCODE_CHUNK = 128;

/**
 * Appended flows go through three stages: encoded into the open block a slice at a time (on this
 * thread, between other work), sealed when the block is full or `flushMs` old, and written by the
 * engine (another thread, or a server) while the next block fills. Every stage counts towards
 * `maxPendingFlows`, which bounds memory; past it whole appends are dropped and counted.
 */
export class SqlFlowStore implements ManagedFlowStore {
  private readonly batching: BatchingSettings;
  private readonly timers: StoreTimers;
  private readonly now: () => number;
  private readonly incoming: Incoming[] = [];
  /**
   * The block being filled. Writers are reused, emptied when they open their next block, so their
   * columns' memory is kept: while one builds a sealed block (in slices) another fills, and usually
   * those two are all there are.
   */
  private writer = new FlowBlockWriter();
  private readonly spareWriters: FlowBlockWriter[] = [];
  /** When the open block's first flow arrived; null while no block is open. */
  private openedAt: number | null = null;
  private readonly sealed: SealedBlock[] = [];
  /** Appended and not yet handed to the engine. */
  private pendingFlows = 0;
  private encodeScheduled = false;
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
    this.incoming.push({ flows, next: 0, at: this.now() });
    this.pendingFlows += flows.length;
    this.scheduleEncode();
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

  private scheduleEncode(): void {
    if (this.encodeScheduled) return;
    this.encodeScheduled = true;
    setImmediate(() => {
      this.encodeScheduled = false;
      this.encode(performance.now() + ENCODE_SLICE_MS);
      if (this.incoming.length > 0) this.scheduleEncode();
    });
  }

  /** Encodes appended flows into the open block until `deadline` (performance.now()), sealing each block that fills. */
  private encode(deadline: number): void {
    while (this.incoming.length > 0) {
      const head = this.incoming[0];
      const writer = this.writer;
      if (this.openedAt === null) {
        writer.reset();
        this.openedAt = head.at;
        this.startFlushTimer();
      }
      const n = Math.min(ENCODE_CHUNK, this.batching.maxBatchFlows - writer.rows, head.flows.length - head.next);
      for (let i = head.next; i < head.next + n; i++) writer.add(head.flows[i]);
      head.next += n;
      if (head.next === head.flows.length) this.incoming.shift();
      if (writer.rows >= this.batching.maxBatchFlows) this.seal();
      if (performance.now() >= deadline) return;
    }
  }

  /** The open block is written `flushMs` after its first flow arrived, full or not. */
  private startFlushTimer(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.seal();
    }, this.batching.flushMs);
    this.flushTimer.unref();
  }

  /**
   * Queues the open block for the engine and opens the next one in another writer. The block is built
   * in slices: at 20,000 flows/s a second's block takes 60-140 ms, and in one task that is as long a
   * wait for every request and flow on this thread.
   */
  private seal(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const at = this.openedAt;
    this.openedAt = null;
    const writer = this.writer;
    if (at === null || writer.rows === 0) return;
    this.writer = this.spareWriters.pop() ?? new FlowBlockWriter();
    const data = runInSlices(writer.buildSteps()).then(
      ({ value }) => (this.spareWriters.push(writer), value),
      (err: unknown) => (this.spareWriters.push(writer), Promise.reject(err)),
    );
    // A block dropped before its write (disk full) is not awaited: its failure is not an unhandled one.
    data.catch(() => undefined);
    this.sealed.push({ data, flows: writer.rows, at });
    this.writing ??= this.writeLoop();
  }

  /** Writes sealed blocks one after another; the next block fills meanwhile. */
  private async writeLoop(): Promise<void> {
    try {
      let block: SealedBlock | undefined;
      while ((block = this.sealed.shift())) {
        this.pendingFlows -= block.flows;
        await this.settle(block, block.data.then((data) => this.engine.insert(FLOWS_TABLE, FLOW_COLUMN_NAMES, data)));
      }
    } finally {
      this.writing = null;
    }
  }

  /** Everything not yet handed to the engine, dropped and counted (ingestion is paused). */
  private dropPending(): void {
    for (const b of this.sealed.splice(0)) this.drop(b.flows);
    if (this.openedAt !== null) this.drop(this.writer.rows);
    this.openedAt = null;
    for (const q of this.incoming.splice(0)) this.drop(q.flows.length - q.next);
    this.pendingFlows = 0;
  }

  /** Waits for one block's write and books it: written, or dropped with the reason (and ingestion paused on a full disk). */
  private async settle(block: SealedBlock, written: Promise<void>): Promise<void> {
    try {
      await written;
      this.stats.writtenFlows += block.flows;
      this.stats.writeLagMs = Math.max(0, this.now() - block.at);
      if (this.stats.paused) {
        this.options.logger?.info({ component: 'history' }, 'history ingestion resumed');
        this.stats.paused = null;
      }
    } catch (err) {
      this.drop(block.flows);
      this.stats.error = errorText(err);
      if (isDiskFull(err)) {
        if (!this.stats.paused) this.options.logger?.warn({ component: 'history', error: this.stats.error }, 'history disk full: ingestion paused');
        this.stats.paused = `disk full: ${this.stats.error}`;
        this.pausedUntil = this.now() + this.timers.pausedRetryMs;
        // Nothing pending is kept for later: the live view goes on, the history has a counted gap.
        this.dropPending();
      } else if ((err as EngineError).code === 'worker-stopped') {
        // The engine is gone (its thread died): nothing more will be written until a restart.
        this.options.logger?.warn({ component: 'history', error: this.stats.error }, 'the history engine stopped: ingestion paused');
        this.stats.ready = false;
        this.stats.paused = `the history engine stopped: ${this.stats.error}`;
        this.pausedUntil = Infinity;
        this.dropPending();
      } else {
        this.options.logger?.warn({ component: 'history', error: this.stats.error, flows: block.flows }, 'history write failed: batch dropped');
      }
    }
  }

  /** Encodes and writes everything appended so far. */
  async flush(): Promise<void> {
    this.encode(Infinity);
    this.seal();
    while (this.writing) await this.writing;
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

  /**
   * Newest first, in time slices: the newest hour before the anchor, then windows twice as long
   * further back, until the page is full or the range is covered. A search that matches often is
   * answered from its newest slice instead of sorting every match of a long range; one that matches
   * rarely costs a few more small queries.
   */
  async search(q: FlowSearch, signal?: AbortSignal): Promise<FlowPage> {
    const cursorTime = q.cursor ? decodeCursor(q.cursor).t / 1000 : undefined;
    const anchor = Math.min(q.range.until ?? Infinity, cursorTime ?? Infinity, (this.stats.newest ?? this.now()) + 1, this.now() + 1);
    const since = q.range.since ?? -Infinity;
    let rows: StoredRow[] = [];
    let limit = 1;
    let upper = q.range.until; // the first slice is open upwards: flows newer than the anchor are in it too
    for (let width = SEARCH_FIRST_SLICE_MS, lower = anchor - width; ; width *= 2, lower -= width) {
      const last = lower <= since || width > SEARCH_LAST_SLICE_MS;
      const plan = searchQuery({ ...q, range: { since: last ? q.range.since : lower, until: upper } });
      limit = plan.limit;
      rows = rows.concat(await this.engine.query(plan.sql, plan.params, signal));
      if (last || rows.length > limit) break;
      upper = lower;
    }
    return searchPage(rows.slice(0, limit + 1), limit);
  }

  async histogram(q: { condition?: SqlCondition; range: TimeRange; buckets: number }, signal?: AbortSignal): Promise<Histogram> {
    const plan = histogramQuery(q, this.now());
    return histogramOf(plan, await this.engine.query(plan.sql, plan.params, signal));
  }

  async edges(q: { range: TimeRange }, signal?: AbortSignal): Promise<EdgeAggregate[]> {
    const plan = edgesQuery(q.range);
    return (await this.engine.query(plan.sql, plan.params, signal)).map(edgeOf);
  }

  async traffic(q: { range: TimeRange; condition?: SqlCondition | null; max?: number }, signal?: AbortSignal): Promise<{ connections: TrafficConnection[]; truncated: boolean }> {
    const max = Math.min(MAX_TRAFFIC_ROWS, q.max ?? MAX_TRAFFIC_ROWS);
    const plan = trafficQuery(q.range, q.condition, max);
    const rows = await this.engine.query(plan.sql, plan.params, signal);
    return { connections: rows.slice(0, max).map(trafficRowOf), truncated: rows.length > max };
  }

  async values(field: CompletionField, prefix: string, limit: number, signal?: AbortSignal, condition?: SqlCondition | null): Promise<string[]> {
    const plan = valuesQuery(field, prefix, limit, this.now(), condition);
    return (await this.engine.query(plan.sql, plan.params, signal)).map((r) => String(r.v));
  }
}
