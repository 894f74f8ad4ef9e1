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
import type { FlowQuery } from '../hubble/flow-query';
import { edgeEnds, parseEdgeId } from '../graph/graph-ids';
import type { FlowStore, Histogram, SqlCondition, VerdictBuckets } from '../history/flow-store';
import { parseSearch } from '../search/parse';
import { searchToSql } from '../search/sql';
import type { SearchNode } from '../search/ast';

/** The ring of latest flows, as the hub keeps it. */
export interface LiveFlows {
  latestFlows(match: (f: FlowRecord, edgeId: string) => boolean, limit: number): FlowRecord[];
}

export class SearchInputError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** `hubble observe` flag parameters -> the same filter as a search, so history answers them too. */
const FLAG_FIELDS: [keyof FlowQuery, string][] = [
  ['namespace', 'ns'],
  ['fromNamespace', 'from-ns'],
  ['toNamespace', 'to-ns'],
  ['pod', 'pod'],
  ['fromPod', 'from-pod'],
  ['toPod', 'to-pod'],
  ['ip', 'ip'],
  ['fromIp', 'from-ip'],
  ['toIp', 'to-ip'],
  ['label', 'label'],
  ['fromLabel', 'from-label'],
  ['toLabel', 'to-label'],
  ['fqdn', 'fqdn'],
  ['fromFqdn', 'from-fqdn'],
  ['toFqdn', 'to-fqdn'],
  ['port', 'port'],
  ['fromPort', 'from-port'],
  ['toPort', 'to-port'],
  ['verdict', 'verdict'],
  ['protocol', 'proto'],
  ['dropReason', 'reason'],
  ['httpStatus', 'http-status'],
  ['httpMethod', 'http-method'],
  ['node', 'node'],
  ['uuid', 'uuid'],
];

const quote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * One flag value as search text. Hubble's `5+` is the search language's `5xx`; a label selector's
 * commas mean AND (`app=a,tier=b`), and the search language takes one label per term.
 */
function flagTerm(key: keyof FlowQuery, field: string, value: string): string {
  if (key === 'httpStatus' && /^\d\+$/.test(value)) return `${field}:${quote(`${value[0]}xx`)}`;
  if (field.endsWith('label') && value.includes(',')) return `(${value.split(',').map((v) => `${field}:${quote(v.trim())}`).join(' ')})`;
  return `${field}:${quote(value)}`;
}

/**
 * The flag parameters of a request as one search tree (AND across flags, OR within one), or null.
 * Throws SearchInputError naming the flag whose value the search language cannot express.
 */
export function flagsAsSearch(query: FlowQuery): SearchNode | null {
  if (query.direction?.length) throw new SearchInputError('direction', 'is a live-only filter: history searches cannot use it');
  const parts: SearchNode[] = [];
  for (const [key, field] of FLAG_FIELDS) {
    const values = query[key] as string[] | undefined;
    if (!values?.length) continue;
    const text = values.map((v) => flagTerm(key, field, String(v))).join(' OR ');
    const parsed = parseSearch(text);
    if (!parsed.ok) throw new SearchInputError(key, parsed.error.message);
    if (parsed.ast) parts.push(parsed.ast);
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : { kind: 'and', children: parts };
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

/** `/api/flows`. A store that is not ready answers from the ring, and says so in `source`. */
export async function searchFlows(req: FlowsRequest, deps: { live: LiveFlows; store: FlowStore | null; signal?: AbortSignal }): Promise<FlowsResponse> {
  const started = performance.now();
  const explanation = explainFlowQuery(req.query);
  const range = { since: req.search.since, until: req.search.until };
  const took = () => Math.round(performance.now() - started);
  if (req.search.asked && deps.store?.status().ready) {
    const page = await deps.store.search(
      { condition: historyCondition(req), range: { since: range.since ?? undefined, until: range.until ?? undefined }, limit: req.limit, cursor: req.search.cursor ?? undefined },
      deps.signal,
    );
    return { flows: page.flows, explanation, source: 'history', nextCursor: page.nextCursor, range, tookMs: took() };
  }
  if (req.search.cursor) throw new SearchInputError('cursor', 'pages need the flow history, which is not available');
  return { flows: liveFlows(req, deps.live), explanation, source: 'live', nextCursor: null, range, tookMs: took() };
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
export async function flowHistogram(req: HistogramRequest, deps: { live: LiveFlows; store: FlowStore | null; now?: number; signal?: AbortSignal }): Promise<FlowsHistogramResponse> {
  const started = performance.now();
  const until = req.search.until ?? deps.now ?? Date.now();
  const since = req.search.since ?? until - HISTOGRAM_DEFAULT_SPAN_MS;
  const took = () => Math.round(performance.now() - started);
  if (deps.store?.status().ready) {
    const h = await deps.store.histogram({ condition: historyCondition(req), range: { since, until }, buckets: req.buckets }, deps.signal);
    return { ...h, source: 'history', tookMs: took() };
  }
  const flows = deps.live.latestFlows((f) => f.time >= since && f.time < until && req.predicate(f), Number.MAX_SAFE_INTEGER);
  return { ...liveHistogram(flows, since, until, req.buckets), source: 'live', tookMs: took() };
}

/** `/api/flows/values`: completion values from the store (none without it). */
export async function flowValues(req: ValuesRequest, deps: { store: FlowStore | null; signal?: AbortSignal }): Promise<FlowValuesResponse> {
  if (!deps.store?.status().ready) return { field: req.field, values: [] };
  return { field: req.field, values: await deps.store.values(req.field, req.prefix, req.limit, deps.signal) };
}
