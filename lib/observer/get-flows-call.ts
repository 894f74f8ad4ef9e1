/**
 * Answers one GetFlows call from the history, then (with `follow`) from the live feed, with Hubble's
 * semantics: `number` = the newest N matching, sent oldest first; `first` = the oldest N from
 * `since`; since/until bound the history; follow without number or since starts at "now".
 *
 * The seam between history and live has neither gap nor duplicate: the live feed is subscribed (and
 * buffered) before the history is read, the store is flushed so everything handed over before that
 * moment is readable, and flows seen on both sides are sent once (by uuid: a history flow still in
 * the live buffer is taken out of it, and the uuids of the newest history flows are checked against
 * live flows for a while after the switch).
 */

import type { FlowRecord } from '../flows/flow-record';
import type { FlowStore } from '../history/flow-store';
import { verdictPrefilter, type GetFlowsPlan } from './get-flows-request';
import { findLastN, readOldestFirst, ScanBudget, type ReadOptions } from './history-reader';
import type { ResponseWriter } from './response-writer';

/** The hub's flows as they are ingested (the runtime adapts the hub's onFlows to this). */
export interface LiveFeed {
  subscribe(listener: (flows: readonly FlowRecord[]) => void): () => void;
}

export interface CallLimits {
  /** Rows per store call. */
  pageSize: number;
  /** Stored flows one call may read before it is stopped (RESOURCE_EXHAUSTED). */
  maxScannedFlows: number;
  /** `number` up to this is answered in one pass, keeping the flows; above, in two passes keeping none. */
  lastBuffer: number;
  /** Live flows held while the history is sent; beyond, they are counted lost and reported. */
  liveBuffer: number;
  /** Uuids of the newest history flows checked against live flows after the switch. */
  seamUuids: number;
  /** How long after the switch live flows are checked against them, ms. */
  seamGuardMs: number;
}

export const DEFAULT_CALL_LIMITS: CallLimits = {
  pageSize: 1000,
  maxScannedFlows: 5_000_000,
  lastBuffer: 4096,
  liveBuffer: 65_536,
  seamUuids: 16_384,
  seamGuardMs: 30_000,
};

const OLDEST_MARGIN_MS = 10 * 60_000;

/** The history is needed but not readable (opening, failed, or history off). */
export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

export interface CallContext {
  store: FlowStore | null;
  /** Why `store` is null when history is on but could not be opened (else null = history off). */
  storeProblem?: string | null;
  /**
   * Makes every flow handed over before now readable from the store (the runtime hands over its
   * collected flows, then flushes). Default: the store's flush when it has flows queued.
   */
  settle?: (store: FlowStore) => Promise<void>;
  live: LiveFeed;
  limits: CallLimits;
  now(): number;
  /** false: read every flow and filter here only (stores that evaluate no SQL conditions). */
  prefilter?: boolean;
}

/** True when the call reads the history (anything but plain `follow`, which starts at now like Hubble). */
export function needsHistory(plan: GetFlowsPlan): boolean {
  return !(plan.follow && plan.number === 0 && plan.since === null);
}

/** Remembers the last `capacity` uuids sent from the history. */
class RecentUuids {
  private readonly ring: string[] = [];
  private next = 0;
  readonly set = new Set<string>();

  constructor(private readonly capacity: number) {}

  add(uuid: string): void {
    if (this.capacity <= 0) return;
    if (this.ring.length < this.capacity) this.ring.push(uuid);
    else {
      this.set.delete(this.ring[this.next]);
      this.ring[this.next] = uuid;
      this.next = (this.next + 1) % this.capacity;
    }
    this.set.add(uuid);
  }
}

function storeOrThrow(store: FlowStore | null, problem: string | null | undefined): FlowStore {
  if (!store && problem) throw new StoreUnavailableError(`the flow history is not available: ${problem}`);
  if (!store) throw new StoreUnavailableError('flow history is off on this Flowsight (FLOWSIGHT_HISTORY=off): only follow without since or number is served');
  const s = store.status();
  if (!s.ready) throw new StoreUnavailableError(`the flow history is not ready${s.error ? `: ${s.error}` : ' (still opening)'}`);
  return store;
}

/**
 * Sends the history part of a call through `emit`, oldest first. `until` is inclusive (Hubble's);
 * the store's range end is exclusive, so it is moved one microsecond on.
 */
async function sendHistory(plan: GetFlowsPlan, ctx: CallContext, store: FlowStore, emit: (f: FlowRecord) => Promise<void>, signal: AbortSignal): Promise<void> {
  const status = store.status();
  const until = plan.until !== null ? plan.until + 0.001 : Math.max(ctx.now(), status.newest ?? 0) + 1;
  // Nothing is stored before the oldest flow: starting there saves walking empty windows from 1970.
  // status() is refreshed periodically, so its oldest may be a little stale (or null for a store that
  // was empty when last counted): a margin, or the retention span, keeps late or new flows in.
  const oldest = status.oldest !== null ? Math.floor(status.oldest) - OLDEST_MARGIN_MS : until - status.retention.days * 86_400_000;
  const since = Math.max(plan.since ?? -Infinity, oldest);
  if (since >= until) return;
  const range = { since, until };
  const budget = new ScanBudget(ctx.limits.maxScannedFlows);
  const read: ReadOptions = { pageSize: ctx.limits.pageSize, condition: ctx.prefilter === false ? undefined : verdictPrefilter(plan.allow) };
  const match = plan.predicate;

  if (plan.number > 0 && !plan.first) {
    const last = await findLastN(store, range, match, plan.number, ctx.limits.lastBuffer, budget, read, signal);
    if (last.kind === 'flows') {
      for (const f of last.flows) await emit(f);
      return;
    }
    const { atBoundary } = last;
    const boundary = last.since;
    let left = plan.number;
    for await (const page of readOldestFirst(store, { since: boundary, until }, budget, read, signal)) {
      for (const f of page) {
        if (!match(f)) continue;
        if (atBoundary && f.time === boundary && !atBoundary.has(f.uuid)) continue;
        await emit(f);
        if (--left === 0) return;
      }
    }
    return;
  }

  let left = plan.number > 0 ? plan.number : Infinity;
  for await (const page of readOldestFirst(store, range, budget, read, signal)) {
    for (const f of page) {
      if (!match(f)) continue;
      await emit(f);
      if (--left === 0) return;
    }
  }
}

/**
 * Runs one call to its end: resolves when a non-follow call has sent everything, or when a follow
 * call is cancelled (`signal`) or passes its `until`. Throws StoreUnavailableError, ScanLimitError,
 * or the store's error; an abort ends it quietly.
 */
export async function answerGetFlows(plan: GetFlowsPlan, ctx: CallContext, writer: ResponseWriter, signal: AbortSignal): Promise<void> {
  const history = needsHistory(plan);
  const store = history ? storeOrThrow(ctx.store, ctx.storeProblem) : null;
  if (!plan.follow) {
    await sendHistory(plan, ctx, store!, (f) => writer.send(f), signal);
    return;
  }

  // Follow: subscribe first, so nothing handed over from now on is missed while the history is read.
  const buffer = new Map<string, FlowRecord>();
  let overflow = 0;
  let direct = false;
  const sentFromHistory = new RecentUuids(ctx.limits.seamUuids);
  let guardUntil = Infinity;
  const wanted = (f: FlowRecord) => plan.predicate(f) && (plan.until === null || f.time <= plan.until);
  const duplicate = (f: FlowRecord) => {
    if (ctx.now() > guardUntil) return false;
    return sentFromHistory.set.has(f.uuid);
  };
  const unsubscribe = ctx.live.subscribe((flows) => {
    if (signal.aborted) return;
    for (const f of flows) {
      if (!wanted(f)) continue;
      if (direct) {
        if (!duplicate(f)) writer.offer(f);
      } else if (buffer.size >= ctx.limits.liveBuffer) overflow++;
      else buffer.set(f.uuid, f);
    }
  });
  try {
    if (store) {
      // Flows the hub ingested before the subscription may still be on their way into the store.
      if (ctx.settle) await ctx.settle(store);
      else if (store.status().pendingFlows > 0) await store.flush();
      await sendHistory(plan, ctx, store, async (f) => {
        buffer.delete(f.uuid);
        sentFromHistory.add(f.uuid);
        await writer.send(f);
      }, signal);
    }
    writer.noteLost(overflow);
    // Flows keep arriving while the buffer drains (the sends wait for the client): a Map iterates
    // over entries added during the loop, so the switch to direct happens when it is truly empty.
    for (const [uuid, f] of buffer) {
      buffer.delete(uuid);
      if (signal.aborted) break;
      if (!duplicate(f)) await writer.send(f);
    }
    guardUntil = ctx.now() + ctx.limits.seamGuardMs;
    direct = true;
    await untilEnd(plan, ctx, signal);
  } finally {
    unsubscribe();
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** A follow call lasts until the client hangs up, or until its `until` has passed. */
function untilEnd(plan: GetFlowsPlan, ctx: CallContext, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const done = () => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    // A little after `until`, so the flows stamped just before it (delivered with the hub's tick) get
    // through. Past setTimeout's range (~24.8 days) the call simply lasts until the client hangs up.
    const delay = plan.until === null ? Infinity : Math.max(0, plan.until - ctx.now()) + 2000;
    if (delay <= MAX_TIMER_MS) {
      timer = setTimeout(done, delay);
      timer.unref?.();
    }
  });
}
