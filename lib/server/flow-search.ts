/**
 * What /api/flows, /api/flows/histogram and /api/flows/values answer: a search of the flow
 * history when the request asks for one (a query, a window or a cursor) and the store is up, else
 * the ring of latest flows in memory with the same query. Either way the query means the same
 * (lib/search compiles one tree to a predicate and to parameterized SQL).
 */

import type { FlowsHistogramResponse, FlowsResponse, FlowValuesResponse } from '../api/contract';
import type { FlowsRequest, HistogramRequest, ValuesRequest } from '../api/flows-request';
import { HISTOGRAM_DEFAULT_SPAN_MS } from '../api/flows-request';
import { explainFlowQuery } from '../flows/filter-explanation';
import type { FlowRecord } from '../flows/flow-record';
import { podValues, type FlowQuery } from '../hubble/flow-query';
import { edgeEnds, parseEdgeId } from '../graph/graph-ids';
import { problemResponse } from '../api/problem';
import { EngineError } from '../history/engine';
import type { FlowStore, Histogram, SqlCondition, VerdictBuckets } from '../history/flow-store';
import { HistoryQueryError } from '../history/queries';
import { parseSearch } from '../search/parse';
import { searchToSql } from '../search/sql';
import type { SearchNode } from '../search/ast';
import { quoteValue } from '../search/complete';
import { flowVisible, scopeSql, type NamespaceScope } from './access/access-scope';

/** The ring of latest flows, as the hub keeps it. */
export interface LiveFlows {
  latestFlows(match: (f: FlowRecord, edgeId: string) => boolean, limit: number): FlowRecord[];
  /** Hands the flows ingested since the hub's last tick to its listeners (the history among them) now. */
  handOverFlows?(): void;
}

/** More history reads at once than the gate allows: the client should retry shortly. */
export class HistoryBusyError extends Error {
  constructor() {
    super('the flow history is answering other searches: try again in a moment');
  }
}

/**
 * Bounds the history reads in flight across all clients: each holds an engine session and its
 * result in memory, and a burst of completions or scrolls must not queue without limit.
 */
export class ReadGate {
  private inFlight = 0;
  constructor(readonly max: number) {}

  /** Takes a place if one is free: the function that gives it back, or undefined when all are taken. */
  tryAcquire(): (() => void) | undefined {
    if (this.inFlight >= this.max) return undefined;
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
    };
  }

  async run<T>(read: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.max) throw new HistoryBusyError();
    this.inFlight++;
    try {
      return await read();
    } finally {
      this.inFlight--;
    }
  }
}

/** The problem response for what a search can fail with (bad input, a busy or failing store); undefined for anything else. */
export function searchProblem(err: unknown): Response | undefined {
  if (err instanceof SearchInputError) return problemResponse(400, 'Bad request', `invalid parameter "${err.param}": ${err.message}`, [{ param: err.param, message: err.message }], { code: 'invalid-parameters' });
  if (err instanceof HistoryQueryError && err.code === 'bad-cursor') return problemResponse(400, 'Bad request', `invalid parameter "cursor": ${err.message}`, [{ param: 'cursor', message: err.message }], { code: 'invalid-parameters' });
  if (err instanceof HistoryBusyError) return problemResponse(503, 'History busy', err.message, undefined, { code: 'history-busy', headers: { 'Retry-After': '1' } });
  if (err instanceof HistoryQueryError || err instanceof EngineError) return problemResponse(503, 'History unavailable', `the flow history could not answer: ${err.message}`, undefined, { code: 'history-unavailable' });
  return undefined;
}

export class SearchInputError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** A flag parameter, the search field it becomes, and its values. */
type Flag = [param: string, field: string, values: string[] | undefined];

/** Flags that constrain the flow itself: AND across flags, OR within one. */
function flowFlags(q: FlowQuery): Flag[] {
  return [
    ['verdict', 'verdict', q.verdict],
    ['protocol', 'proto', q.protocol],
    ['dropReason', 'reason', q.dropReason],
    ['httpStatus', 'http-status', q.httpStatus],
    ['httpMethod', 'http-method', q.httpMethod],
    ['node', 'node', q.node],
    ['uuid', 'uuid', q.uuid],
  ];
}

/** The endpoint flags of one side, grouped as flow-query.ts groups them (`--namespace` + `--pod` is `ns/pod`). */
function endpointFlags(q: FlowQuery, side: 'from' | 'to' | 'either'): Flag[] {
  const name = (base: string) => (side === 'either' ? base : `${side}${base[0].toUpperCase()}${base.slice(1)}`);
  const values = (base: string) => q[name(base) as keyof FlowQuery] as string[] | undefined;
  return [
    [values('pod')?.length ? name('pod') : name('namespace'), 'pod', podValues(values('namespace'), values('pod'))],
    [name('ip'), 'ip', values('ip')],
    [name('label'), 'label', values('label')],
    [name('fqdn'), 'fqdn', values('fqdn')],
    [name('port'), 'port', values('port')],
  ];
}

/**
 * One flag value as search text, checked on its own so a bad one is reported under its flag.
 * Hubble's `5+` is the search language's `5xx`; a label selector's commas mean AND.
 */
function flagTerm(param: string, field: string, value: string): string {
  const text =
    field === 'http-status' && /^\d\+$/.test(value)
      ? `${field}:${quoteValue(`${value[0]}xx`)}`
      : field.endsWith('label') && value.includes(',')
        ? `(${value.split(',').map((v) => `${field}:${quoteValue(v.trim())}`).join(' ')})`
        : `${field}:${quoteValue(value)}`;
  const parsed = parseSearch(text);
  if (!parsed.ok) throw new SearchInputError(param, parsed.error.message);
  return text;
}

/** `(a:1 OR a:2) (b:3)`: every flag that has values, AND-ed; '' when none. */
function allOf(flags: Flag[], prefix = ''): string {
  return flags
    .filter(([, , values]) => values?.length)
    .map(([param, field, values]) => `(${values!.map((v) => flagTerm(param, prefix + field, String(v))).join(' OR ')})`)
    .join(' ');
}

/**
 * The `hubble observe` flag parameters of a request as one search tree, with flow-query.ts's
 * meaning, so the history and the ring agree: `--from-*` / `--to-*` constrain one side, and the
 * undirected flags must all match the same side (source or destination). Null when no flag is
 * given. Throws SearchInputError naming a flag whose value the search language cannot express.
 */
export function flagsAsSearch(query: FlowQuery): SearchNode | null {
  if (query.direction?.length) throw new SearchInputError('direction', 'is a live-only filter: history searches cannot use it');
  const parts = [allOf(flowFlags(query)), allOf(endpointFlags(query, 'from'), 'from-'), allOf(endpointFlags(query, 'to'), 'to-')];
  const either = endpointFlags(query, 'either');
  if (either.some(([, , v]) => v?.length)) parts.push(`((${allOf(either, 'from-')}) OR (${allOf(either, 'to-')}))`);
  const text = parts.filter(Boolean).join(' ');
  if (!text) return null;
  const parsed = parseSearch(text);
  if (!parsed.ok) throw new SearchInputError('q', parsed.error.message);
  return parsed.ast;
}

/** Both conditions (placeholder names must not clash: the search compiler's are `p<N>`). */
function andSql(a: SqlCondition, b: SqlCondition | null): SqlCondition {
  if (!b) return a;
  return { where: `(${a.where}) AND (${b.where})`, params: { ...a.params, ...b.params } };
}

/**
 * The flows of one map edge (replies count towards the connection they answer, as on the map) or
 * of one node, as SQL over the stored node ids.
 */
export function graphElementSql(edge: string | null, node: string | null): SqlCondition | null {
  if (edge) {
    const e = parseEdgeId(edge);
    if (!e) throw new SearchInputError('edge', 'is not an edge id of the map');
    return {
      where:
        '((is_reply != 1 AND src_node = {g_src:String} AND dst_node = {g_dst:String} AND dst_port = {g_port:UInt16})' +
        ' OR (is_reply = 1 AND src_node = {g_dst:String} AND dst_node = {g_src:String} AND src_port = {g_port:UInt16}))' +
        ' AND protocol = {g_proto:String}',
      params: { g_src: e.source, g_dst: e.target, g_port: e.port, g_proto: e.protocol },
    };
  }
  if (node) return { where: '(src_node = {g_node:String} OR dst_node = {g_node:String})', params: { g_node: node } };
  return null;
}

function historyCondition(req: Pick<FlowsRequest, 'query' | 'search'> & { edge?: string | null; node?: string | null }): SqlCondition {
  const flags = flagsAsSearch(req.query);
  const tree: SearchNode | null = flags && req.search.ast ? { kind: 'and', children: [flags, req.search.ast] } : (flags ?? req.search.ast);
  return andSql(searchToSql(tree), graphElementSql(req.edge ?? null, req.node ?? null));
}

/** The request with its predicate narrowed to the flows the user may see. */
function scopedRequest<R extends { predicate: (f: FlowRecord) => boolean }>(req: R, scope: NamespaceScope | undefined): R {
  if (!scope || scope === 'all') return req;
  const predicate = req.predicate;
  return { ...req, predicate: (f: FlowRecord) => flowVisible(scope, f) && predicate(f) };
}

function inWindow(since: number | null, until: number | null): (f: FlowRecord) => boolean {
  return (f) => (since === null || f.time >= since) && (until === null || f.time < until);
}

/** Flows of the ring matching the request (the store is off or was not asked). */
function liveFlows(req: FlowsRequest, live: LiveFlows): FlowRecord[] {
  const { edge, node, predicate } = req;
  const window = inWindow(req.search.since, req.search.until);
  return live.latestFlows((f, edgeId) => {
    if (edge && edgeId !== edge) return false;
    if (node) {
      const ends = edgeEnds(edgeId);
      if (!ends || (ends.source !== node && ends.target !== node)) return false;
    }
    return window(f) && predicate(f);
  }, req.limit);
}

/** What a search reads: the ring, the store (null: off or not open), and the gate on store reads. */
export interface SearchDeps {
  live: LiveFlows;
  store: FlowStore | null;
  gate?: ReadGate;
  signal?: AbortSignal;
  /** The namespaces the user may read (access-scope.ts); default: all. */
  scope?: NamespaceScope;
  /** Writes the store's queued flows before a first page or a histogram reads it (none: reads what is written). */
  fresh?: FreshReads;
}

const through = <T>(gate: ReadGate | undefined, read: () => Promise<T>): Promise<T> => (gate ? gate.run(read) : read());

/** Searches start a new flush at most this often (a small block each time). */
const FRESH_READS_MIN_INTERVAL_MS = 500;
/** A search waits this long at most for its flush, then reads what is written (the engine may be busy merging). */
const FRESH_READS_MAX_WAIT_MS = 2000;
/**
 * How late a flow may reach the server after the time it is stamped with (Hubble stamps it where
 * it was observed; the relay and the hub's tick add their delay): a window that closed longer ago
 * than this before the last flush began is complete in the store.
 */
const FRESH_READS_LATE_FLOW_MS = 2000;

export interface FreshReadsOptions {
  minIntervalMs?: number;
  maxWaitMs?: number;
  lateFlowMs?: number;
  /** Wall-clock milliseconds: flows are stamped with it, and a window's end is compared to it. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Writes what the history has queued before a search reads it, so that a search finds every flow
 * the server had received when it was asked. The store writes a block every few seconds
 * (FLOWSIGHT_HISTORY_FLUSH_MS, 5 s by default, so that its merges keep off the live map's cores);
 * without this a search would miss the newest seconds: the ones an incident responder looks for
 * first, and what the map shows as it happens. Searches asked before a flush starts share it, and
 * flushes start at least `minIntervalMs` apart, so a busy search page adds at most two small blocks
 * a second and waits at most half a second longer. A window that closed before the last flush began
 * (a pasted link, a report's period) needs no flush and does not wait. A flush that fails, or that
 * takes longer than `maxWaitMs` (the engine busy merging), does not fail or hold the search: it
 * reads what is written.
 */
export class FreshReads {
  /** The flush that has not started yet, shared by the searches asked before it starts. */
  private next: Promise<void> | null = null;
  private running: Promise<void> | null = null;
  private lastStarted = Number.NEGATIVE_INFINITY;
  /** Flows stamped before this are in the store (the start of the last flush that completed, less the late allowance). */
  private writtenBefore = Number.NEGATIVE_INFINITY;
  private readonly minIntervalMs: number;
  private readonly maxWaitMs: number;
  private readonly lateFlowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: FreshReadsOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? FRESH_READS_MIN_INTERVAL_MS;
    this.maxWaitMs = options.maxWaitMs ?? FRESH_READS_MAX_WAIT_MS;
    this.lateFlowMs = options.lateFlowMs ?? FRESH_READS_LATE_FLOW_MS;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
  }

  /**
   * `live`: the hub, whose flows since its last tick are handed to the store first (in the ring, not
   * yet queued). `until`: where the searched window ends (none: now).
   */
  async before(store: Pick<FlowStore, 'status' | 'flush'>, live?: Pick<LiveFlows, 'handOverFlows'>, until?: number | null): Promise<void> {
    if (until != null && until <= this.writtenBefore) return;
    this.next ??= this.flushAfterOthers(store, live).catch(() => void (this.next = null));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.maxWaitMs)));
    try {
      await Promise.race([this.next, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async flushAfterOthers(store: Pick<FlowStore, 'status' | 'flush'>, live?: Pick<LiveFlows, 'handOverFlows'>): Promise<void> {
    // Never done within the call: `before` records this promise as `next` first, and this clears it.
    await Promise.resolve();
    // One in flight began before these searches were asked: it may miss what came since.
    if (this.running) await this.running;
    const wait = this.lastStarted + this.minIntervalMs - this.now();
    if (wait > 0) await this.sleep(wait);
    this.next = null; // searches asked from now on need a later flush
    const started = this.now();
    live?.handOverFlows?.();
    if (!(store.status().pendingFlows > 0)) {
      this.writtenBefore = Math.max(this.writtenBefore, started - this.lateFlowMs);
      return;
    }
    this.lastStarted = started;
    // The store reports its own write failures (its status, /metrics, the log).
    let written = true;
    const running = store.flush().catch(() => void (written = false));
    this.running = running;
    await running;
    if (this.running === running) this.running = null;
    if (written) this.writtenBefore = Math.max(this.writtenBefore, started - this.lateFlowMs);
  }
}

/** `/api/flows`. A store that is not ready answers from the ring, and says so in `source`. */
export async function searchFlows(req: FlowsRequest, deps: SearchDeps): Promise<FlowsResponse> {
  const started = performance.now();
  const explanation = explainFlowQuery(req.query);
  const range = { since: req.search.since, until: req.search.until };
  const took = () => Math.round(performance.now() - started);
  if (req.search.asked && deps.store?.status().ready) {
    const store = deps.store;
    const condition = andSql(historyCondition(req), scopeSql(deps.scope ?? 'all'));
    // A next page continues the first one's snapshot of the results: only a first page asks for the newest flows.
    if (!req.search.cursor) await deps.fresh?.before(store, deps.live, range.until);
    const page = await through(deps.gate, () =>
      store.search({ condition, range: { since: range.since ?? undefined, until: range.until ?? undefined }, limit: req.limit, cursor: req.search.cursor ?? undefined }, deps.signal),
    );
    return { flows: page.flows, explanation, source: 'history', nextCursor: page.nextCursor, range, tookMs: took() };
  }
  if (req.search.cursor) throw new SearchInputError('cursor', 'pages need the flow history, which is not available');
  return { flows: liveFlows(scopedRequest(req, deps.scope), deps.live), explanation, source: 'live', nextCursor: null, range, tookMs: took() };
}

/** Histogram buckets over [since, until) for flows held in memory (the store is off). */
export function liveHistogram(flows: readonly FlowRecord[], since: number, until: number, buckets: number): Histogram {
  const bucketMs = Math.max(1000, Math.ceil((until - since) / buckets / 1000) * 1000);
  const start = Math.floor(since / bucketMs) * bucketMs;
  const out: VerdictBuckets[] = [];
  for (let t = start; t < until; t += bucketMs) out.push({ start: t, forwarded: 0, dropped: 0, audit: 0, error: 0, other: 0 });
  for (const f of flows) {
    if (f.time < since || f.time >= until) continue;
    const b = out[Math.floor((f.time - start) / bucketMs)];
    if (!b) continue;
    if (f.verdict === 'FORWARDED') b.forwarded++;
    else if (f.verdict === 'DROPPED') b.dropped++;
    else if (f.verdict === 'AUDIT') b.audit++;
    else if (f.verdict === 'ERROR') b.error++;
    else b.other++;
  }
  return { bucketMs, since, until, buckets: out };
}

/** `/api/flows/histogram`: without `since`, the hour before `until` (or now). */
export async function flowHistogram(req: HistogramRequest, deps: SearchDeps & { now?: number }): Promise<FlowsHistogramResponse> {
  const started = performance.now();
  const until = req.search.until ?? deps.now ?? Date.now();
  const since = req.search.since ?? until - HISTOGRAM_DEFAULT_SPAN_MS;
  const took = () => Math.round(performance.now() - started);
  if (deps.store?.status().ready) {
    const store = deps.store;
    const condition = andSql(historyCondition(req), scopeSql(deps.scope ?? 'all'));
    await deps.fresh?.before(store, deps.live, req.search.until);
    const h = await through(deps.gate, () => store.histogram({ condition, range: { since, until }, buckets: req.buckets }, deps.signal));
    return { ...h, source: 'history', tookMs: took() };
  }
  const scoped = scopedRequest(req, deps.scope);
  const flows = deps.live.latestFlows((f) => f.time >= since && f.time < until && scoped.predicate(f), Number.MAX_SAFE_INTEGER);
  return { ...liveHistogram(flows, since, until, req.buckets), source: 'live', tookMs: took() };
}

/** `/api/flows/values`: completion values from the store (none without it). */
export async function flowValues(req: ValuesRequest, deps: Pick<SearchDeps, 'store' | 'gate' | 'signal' | 'scope'>): Promise<FlowValuesResponse> {
  const store = deps.store;
  if (!store?.status().ready) return { field: req.field, values: [] };
  const condition = scopeSql(deps.scope ?? 'all');
  return { field: req.field, values: await through(deps.gate, () => store.values(req.field, req.prefix, req.limit, deps.signal, condition)) };
}
