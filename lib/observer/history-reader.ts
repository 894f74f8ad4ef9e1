/**
 * Reads the flow history the way Hubble's observer answers: oldest first. The store pages newest
 * first (FlowStore.search), so oldest-first reading walks forward through time windows sized to hold
 * at most one page each (a window that overflows is retried smaller, an empty or thin one grows), and
 * reverses each page. Memory per call is one page; work per call is capped (ScanBudget), and every
 * store call gets the call's AbortSignal, so a client that hangs up stops the reading.
 */

import type { FlowRecord } from '../flows/flow-record';
import type { FlowStore, SqlCondition } from '../history/flow-store';

export interface ReadOptions {
  /** Rows per store call, at most. */
  pageSize: number;
  /**
   * Rows of the first newest-first call; each next call doubles up to `pageSize`. A store's cost
   * grows with the rows it returns, so `--last 20` should not fetch thousands.
   */
  firstPageSize?: number;
  /**
   * A condition the store applies before the caller's own filter: it must keep every flow the
   * filter keeps (a superset), so it only saves reading; the filter still decides.
   */
  condition?: SqlCondition;
  /** The first window tried, ms; later windows adapt to the density of stored flows. */
  initialWindowMs?: number;
}

/** Too many stored flows read for one call: the client should narrow the time range or filter more. */
export class ScanLimitError extends Error {
  constructor(readonly limit: number) {
    super(`read ${limit} stored flows without finishing this request: narrow since/until or add filters`);
    this.name = 'ScanLimitError';
  }
}

/** Counts the stored flows one call reads, and stops it past the limit. */
export class ScanBudget {
  scanned = 0;

  constructor(readonly limit: number) {}

  take(n: number): void {
    this.scanned += n;
    if (this.scanned > this.limit) throw new ScanLimitError(this.limit);
  }
}

/** Windows never get narrower than this (then the window is read whole with cursors). */
const MIN_WINDOW_MS = 1;
/** Nor wider: a week, the default retention, so a sparse store is crossed in a few steps. */
const MAX_WINDOW_MS = 7 * 24 * 3600_000;
/** A window at the minimum width holding more than this many flows is refused rather than buffered. */
const MAX_FLOWS_IN_MIN_WINDOW = 200_000;

function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
}

/** The window after one that held `count` flows over `spanMs` (aiming at half a page). */
function nextWindow(spanMs: number, count: number, pageSize: number): number {
  if (count === 0) return Math.min(MAX_WINDOW_MS, spanMs * 8);
  const aim = (spanMs * (pageSize / 2)) / count;
  return Math.max(MIN_WINDOW_MS, Math.min(MAX_WINDOW_MS, spanMs * 8, aim));
}

/**
 * Every stored flow with since <= time < until, in pages, oldest first (each page oldest first).
 * Flows sharing one timestamp come in the store's order, reversed.
 */
export async function* readOldestFirst(
  store: FlowStore,
  range: { since: number; until: number },
  budget: ScanBudget,
  opts: ReadOptions,
  signal?: AbortSignal,
): AsyncGenerator<FlowRecord[]> {
  let t = range.since;
  let w = opts.initialWindowMs ?? 60_000;
  while (t < range.until) {
    abortIfNeeded(signal);
    const end = Math.min(range.until, t + w);
    const page = await store.search({ condition: opts.condition, range: { since: t, until: end }, limit: opts.pageSize }, signal);
    budget.take(page.flows.length);
    if (page.nextCursor !== null) {
      if (end - t > MIN_WINDOW_MS) {
        // The page holds the newest flows of the window: (oldest in page, end] is `pageSize` flows.
        const oldest = page.flows[page.flows.length - 1]?.time ?? t;
        w = Math.max(MIN_WINDOW_MS, Math.min((end - t) / 2, (end - oldest) / 2));
        continue;
      }
      yield await readWholeWindow(store, { since: t, until: end }, page, budget, opts, signal);
      t = end;
      continue;
    }
    if (page.flows.length) yield page.flows.slice().reverse();
    w = nextWindow(end - t, page.flows.length, opts.pageSize);
    t = end;
  }
}

/** A minimum-width window holding more than a page (a burst within a millisecond): read it whole. */
async function readWholeWindow(
  store: FlowStore,
  range: { since: number; until: number },
  first: { flows: FlowRecord[]; nextCursor: string | null },
  budget: ScanBudget,
  opts: ReadOptions,
  signal?: AbortSignal,
): Promise<FlowRecord[]> {
  const all = [...first.flows];
  let cursor = first.nextCursor;
  while (cursor !== null) {
    abortIfNeeded(signal);
    const page = await store.search({ condition: opts.condition, range, limit: opts.pageSize, cursor }, signal);
    budget.take(page.flows.length);
    all.push(...page.flows);
    if (all.length > MAX_FLOWS_IN_MIN_WINDOW) throw new ScanLimitError(MAX_FLOWS_IN_MIN_WINDOW);
    cursor = page.nextCursor;
  }
  return all.reverse();
}

/** Stored flows newest first, page by page, over one range (cursor pagination). */
export async function* readNewestFirst(
  store: FlowStore,
  range: { since: number; until: number },
  budget: ScanBudget,
  opts: ReadOptions,
  signal?: AbortSignal,
): AsyncGenerator<FlowRecord[]> {
  let cursor: string | undefined;
  let limit = Math.max(1, Math.min(opts.pageSize, opts.firstPageSize ?? opts.pageSize));
  for (;;) {
    abortIfNeeded(signal);
    const page = await store.search({ condition: opts.condition, range, limit, cursor }, signal);
    limit = Math.min(opts.pageSize, limit * 2);
    budget.take(page.flows.length);
    if (page.flows.length) yield page.flows;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

/**
 * Where the newest `n` matching flows of a range start, found reading newest first. When at most
 * `bufferLimit` are asked for they are kept and returned (one pass); otherwise only the boundary is
 * kept (the oldest of them, and which flows at its exact time belong to the n) and the caller reads
 * forward from there: memory stays at one page whatever `n` is.
 */
export type LastN =
  | { kind: 'flows'; flows: FlowRecord[] }
  | { kind: 'from'; since: number; atBoundary: Set<string> | null };

const MIN_FIRST_PAGE = 32;

/** Flows sharing the boundary's exact timestamp remembered at most (a burst in one microsecond). */
const MAX_BOUNDARY_TIES = 100_000;

export async function findLastN(
  store: FlowStore,
  range: { since: number; until: number },
  match: (f: FlowRecord) => boolean,
  n: number,
  bufferLimit: number,
  budget: ScanBudget,
  opts: ReadOptions,
  signal?: AbortSignal,
): Promise<LastN> {
  const buffer: FlowRecord[] | null = n <= bufferLimit ? [] : null;
  let count = 0;
  let tieTime = Number.NaN;
  let ties = new Set<string>();
  // A little more than n first: with no filter one call is enough, with one the pages grow.
  const first = { ...opts, firstPageSize: Math.max(MIN_FIRST_PAGE, n + 1) };
  for await (const page of readNewestFirst(store, range, budget, first, signal)) {
    for (const f of page) {
      if (!match(f)) continue;
      count++;
      if (buffer) buffer.push(f);
      if (f.time !== tieTime) {
        tieTime = f.time;
        ties = new Set();
      }
      if (ties.size >= MAX_BOUNDARY_TIES) throw new ScanLimitError(MAX_BOUNDARY_TIES);
      ties.add(f.uuid);
      if (count === n) return buffer ? { kind: 'flows', flows: buffer.reverse() } : { kind: 'from', since: tieTime, atBoundary: ties };
    }
  }
  // Fewer than n match: all of them.
  return buffer ? { kind: 'flows', flows: buffer.reverse() } : { kind: 'from', since: range.since, atBoundary: null };
}
