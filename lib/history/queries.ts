/**
 * The SQL of every history read, shared by the embedded engine (chdb) and a ClickHouse server: one
 * statement text and one parameter object per question, and the mapping of the rows that come back.
 * Every value (the user's search, time bounds, cursors, prefixes) is a bound `{name:Type}` parameter;
 * the only text spliced into SQL is our own (column lists, the search's compiled `where`, which
 * lib/search builds from placeholders alone).
 */

import { EDGE_MINUTES_TABLE, FLOWS_TABLE, parseStoredTime, rowToFlow, type StoredRow } from './schema';
import type { CompletionField, EdgeAggregate, FlowPage, FlowSearch, Histogram, SqlCondition, TimeRange, VerdictBuckets } from './flow-store';
import type { Verdict } from '../flows/flow-record';
import { urlPath, type TrafficConnection } from '../what-if/observed-traffic';

/** A statement ready to run: SQL text with placeholders, and their values. */
export interface BoundQuery {
  sql: string;
  params: SqlCondition['params'];
}

/** A history question that cannot be asked as given (a bad cursor, a reserved parameter name). */
export class HistoryQueryError extends Error {
  constructor(
    readonly code: 'bad-cursor' | 'bad-request' | 'cancelled' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'HistoryQueryError';
  }
}

/** Caps at this edge, whatever the caller asks. */
export const MAX_PAGE = 5_000;
export const MAX_BUCKETS = 2_000;
export const MAX_EDGES = 50_000;
export const MAX_VALUES = 1_000;
export const MAX_PREFIX = 256;
/** Completion reads only recent data so it answers fast on a big store. */
export const VALUES_WINDOW_MS = 24 * 3600_000;
/** A histogram without a start covers this much before its end. */
export const DEFAULT_HISTOGRAM_SPAN_MS = 3600_000;

/** Verdicts kept in full whatever the size cap or roll-up: the flows an incident is about. */
export const KEPT_VERDICTS: readonly Verdict[] = ['DROPPED', 'AUDIT', 'ERROR'];
/** Verdicts whose flows may be rolled up into per-edge counts (the packet went through). */
export const ROLLUP_VERDICTS: readonly Verdict[] = ['FORWARDED', 'REDIRECTED', 'TRACED', 'TRANSLATED'];

/** Our own parameter names; lib/search names its own `p0`, `p1`... */
const OWN_PREFIX = 'h_';

/** Epoch ms -> the Int64 microseconds our time parameters take (exact below 2^53 µs, i.e. until year 2255). */
export const micros = (ms: number): number => Math.round(ms * 1000);

const TIME = (name: string): string => `fromUnixTimestamp64Micro({${name}:Int64}, 'UTC')`;

function mergeParams(condition: SqlCondition | undefined, own: SqlCondition['params']): SqlCondition['params'] {
  const params: SqlCondition['params'] = { ...own };
  for (const [name, value] of Object.entries(condition?.params ?? {})) {
    if (name.startsWith(OWN_PREFIX)) throw new HistoryQueryError('bad-request', `search parameter ${name} uses the store's reserved prefix`);
    params[name] = value;
  }
  return params;
}

/** `time` within the range, as SQL over bound parameters (`until` exclusive). */
function rangeWhere(range: TimeRange, params: SqlCondition['params'], column = 'time'): string[] {
  const out: string[] = [];
  if (range.since !== undefined && Number.isFinite(range.since)) {
    params.h_since = micros(range.since);
    out.push(`${column} >= ${TIME('h_since')}`);
  }
  if (range.until !== undefined && Number.isFinite(range.until)) {
    params.h_until = micros(range.until);
    out.push(`${column} < ${TIME('h_until')}`);
  }
  return out;
}

const conditionWhere = (c: SqlCondition | undefined): string[] => (c && c.where.trim() && c.where.trim() !== '1' ? [`(${c.where})`] : []);

// ---- search ------------------------------------------------------------------------------------

interface Cursor {
  /** Time of the last flow of the previous page, µs. */
  t: number;
  u: string;
}

/** The position after a flow, opaque to callers. */
export function encodeCursor(timeUs: number, uuid: string): string {
  return Buffer.from(JSON.stringify([timeUs, uuid])).toString('base64url');
}

/** The position a cursor names; a cursor we did not make is a bad request, not a crash. */
export function decodeCursor(text: string): Cursor {
  if (text.length > 512) throw new HistoryQueryError('bad-cursor', 'the cursor is too long');
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && v[1].length <= 200) return { t: v[0], u: v[1] };
  } catch {
    // reported below
  }
  throw new HistoryQueryError('bad-cursor', 'the cursor is not one this store gave out');
}

/** Newest first, one more row than asked (to know whether another page follows), after the cursor. */
export function searchQuery(q: FlowSearch): BoundQuery & { limit: number } {
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(q.limit) || 1));
  const own: SqlCondition['params'] = { h_limit: limit + 1 };
  const where = [...rangeWhere(q.range, own), ...conditionWhere(q.condition)];
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    own.h_ct = c.t;
    own.h_cu = c.u;
    where.push(`(time, uuid) < (${TIME('h_ct')}, {h_cu:String})`);
  }
  const sql = `SELECT *, toUnixTimestamp64Micro(time) AS h_time_us FROM ${FLOWS_TABLE}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, uuid DESC LIMIT {h_limit:UInt32}`;
  return { sql, params: mergeParams(q.condition, own), limit };
}

/** The rows of a search -> a page and the cursor of the next one. */
export function searchPage(rows: StoredRow[], limit: number): FlowPage {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    flows: page.map(rowToFlow),
    nextCursor: more && last ? encodeCursor(Number(last.h_time_us), String(last.uuid)) : null,
  };
}

// ---- histogram ---------------------------------------------------------------------------------

/** Bucket widths a person reads easily; the smallest giving at most the asked number of buckets wins. */
const NICE_BUCKETS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  1000, 2000, 5000, 10_000, 15_000, 30_000,
  60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000,
  86_400_000,
];

/** The bucket width giving about `buckets` buckets over `spanMs` (never more than MAX_BUCKETS). */
export function bucketWidth(spanMs: number, buckets: number): number {
  const want = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(buckets) || 1));
  const raw = Math.max(1, spanMs / want);
  const nice = NICE_BUCKETS_MS.find((b) => b >= raw);
  if (nice !== undefined) return nice;
  return Math.ceil(raw / 86_400_000) * 86_400_000;
}

export interface HistogramPlan extends BoundQuery {
  since: number;
  until: number;
  bucketMs: number;
}

/** Counts per verdict class per bucket; buckets start on multiples of their width (stable when zooming). */
export function histogramQuery(q: { condition?: SqlCondition; range: TimeRange; buckets: number }, nowMs: number): HistogramPlan {
  const until = q.range.until ?? nowMs;
  const rawSince = q.range.since ?? until - DEFAULT_HISTOGRAM_SPAN_MS;
  const bucketMs = bucketWidth(Math.max(1, until - rawSince), q.buckets);
  const since = Math.floor(rawSince / bucketMs) * bucketMs;
  const own: SqlCondition['params'] = { h_bucket: bucketMs };
  const where = [...rangeWhere({ since: rawSince, until }, own), ...conditionWhere(q.condition)];
  const sql = `SELECT intDiv(toUnixTimestamp64Milli(time), {h_bucket:UInt64}) * {h_bucket:UInt64} AS start,
  countIf(verdict = 'FORWARDED') AS forwarded,
  countIf(verdict = 'DROPPED') AS dropped,
  countIf(verdict = 'AUDIT') AS audit,
  countIf(verdict = 'ERROR') AS error,
  countIf(verdict NOT IN ('FORWARDED', 'DROPPED', 'AUDIT', 'ERROR')) AS other
FROM ${FLOWS_TABLE} WHERE ${where.join(' AND ')}
GROUP BY start ORDER BY start`;
  return { sql, params: mergeParams(q.condition, own), since, until, bucketMs };
}

/** Rows of a histogram query -> every bucket of the range, zero-filled. */
export function histogramOf(plan: HistogramPlan, rows: StoredRow[]): Histogram {
  const byStart = new Map<number, StoredRow>();
  for (const r of rows) byStart.set(Number(r.start), r);
  const buckets: VerdictBuckets[] = [];
  for (let start = plan.since; start < plan.until && buckets.length < MAX_BUCKETS + 1; start += plan.bucketMs) {
    const r = byStart.get(start);
    buckets.push({
      start,
      forwarded: Number(r?.forwarded ?? 0),
      dropped: Number(r?.dropped ?? 0),
      audit: Number(r?.audit ?? 0),
      error: Number(r?.error ?? 0),
      other: Number(r?.other ?? 0),
    });
  }
  return { bucketMs: plan.bucketMs, since: plan.since, until: plan.until, buckets };
}

// ---- edges -------------------------------------------------------------------------------------

/**
 * The map of a window from the per-edge-per-minute roll-up: whole minutes (a minute counts when it
 * starts inside the range, the start rounded down to its minute), one row per edge, verdict and reason.
 */
export function edgesQuery(range: TimeRange): BoundQuery {
  const own: SqlCondition['params'] = { h_max_edges: MAX_EDGES };
  const where: string[] = [];
  if (range.since !== undefined) {
    own.h_since = micros(range.since);
    where.push(`minute >= toStartOfMinute(${TIME('h_since')})`);
  }
  if (range.until !== undefined) {
    own.h_until = micros(range.until);
    where.push(`minute < ${TIME('h_until')}`);
  }
  const sql = `SELECT src_node, dst_node, port, protocol, verdict, drop_reason,
  any(src_ns) AS src_ns, any(dst_ns) AS dst_ns, any(src_kind) AS src_kind, any(dst_kind) AS dst_kind,
  any(src_label) AS src_label, any(dst_label) AS dst_label,
  any(src_workload_kind) AS src_workload_kind, any(dst_workload_kind) AS dst_workload_kind,
  any(src_app) AS src_app, any(dst_app) AS dst_app,
  groupUniqArrayArray(20)(src_pods) AS src_pods, groupUniqArrayArray(20)(dst_pods) AS dst_pods,
  sum(flows) AS flows, sum(replies) AS replies, sum(l7_http) AS l7_http, sum(l7_dns) AS l7_dns, sum(l7_kafka) AS l7_kafka,
  groupUniqArrayArray(10)(allowed_by) AS allowed_by, groupUniqArrayArray(10)(denied_by) AS denied_by,
  toUnixTimestamp64Milli(min(first_seen)) AS first_seen, toUnixTimestamp64Milli(max(last_seen)) AS last_seen
FROM ${EDGE_MINUTES_TABLE}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
GROUP BY src_node, dst_node, port, protocol, verdict, drop_reason
ORDER BY flows DESC
LIMIT {h_max_edges:UInt32}`;
  return { sql, params: own };
}

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** One row of the edges query -> EdgeAggregate. */
export function edgeOf(r: StoredRow): EdgeAggregate {
  return {
    source: String(r.src_node),
    target: String(r.dst_node),
    port: Number(r.port),
    protocol: String(r.protocol),
    verdict: String(r.verdict) as Verdict,
    dropReason: String(r.drop_reason),
    sourceNamespace: String(r.src_ns),
    targetNamespace: String(r.dst_ns),
    sourceKind: String(r.src_kind),
    targetKind: String(r.dst_kind),
    sourceLabel: String(r.src_label),
    targetLabel: String(r.dst_label),
    sourceWorkloadKind: String(r.src_workload_kind),
    targetWorkloadKind: String(r.dst_workload_kind),
    sourceApp: String(r.src_app),
    targetApp: String(r.dst_app),
    sourcePods: strs(r.src_pods).sort(),
    targetPods: strs(r.dst_pods).sort(),
    flows: Number(r.flows),
    replies: Number(r.replies),
    l7: { http: Number(r.l7_http), dns: Number(r.l7_dns), kafka: Number(r.l7_kafka) },
    allowedBy: strs(r.allowed_by).sort(),
    deniedBy: strs(r.denied_by).sort(),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
  };
}

// ---- completion values -------------------------------------------------------------------------

/** Where each completion field's values live in a row (our SQL, never user text). */
const VALUE_EXPRESSIONS: Record<CompletionField, string> = {
  namespace: 'arrayJoin([src_ns, dst_ns])',
  workload: 'arrayJoin([src_workload, dst_workload])',
  pod: 'arrayJoin([src_pod, dst_pod])',
  fqdn: "arrayJoin(arrayMap(n -> trimRight(n, '.'), arrayConcat(src_names, dst_names, [toString(dns_query)])))",
  // `k8s:app=api` is completed as `app=api`, what `label:` takes; other sources keep their prefix.
  label: "arrayJoin(arrayMap(l -> if(startsWith(l, 'k8s:'), substring(l, 5), l), arrayConcat(src_labels, dst_labels)))",
  node: 'node',
  reason: 'drop_reason',
  policy: 'arrayJoin(arrayConcat(egress_allowed_by, ingress_allowed_by, egress_denied_by, ingress_denied_by))',
};

/** Stored values of a field starting with `prefix` (case-insensitive) over recent flows, most frequent first. */
export function valuesQuery(field: CompletionField, prefix: string, limit: number, nowMs: number, condition?: SqlCondition | null): BoundQuery {
  const expr = VALUE_EXPRESSIONS[field];
  if (!expr) throw new HistoryQueryError('bad-request', `no completion for field ${String(field)}`);
  if (prefix.length > MAX_PREFIX) throw new HistoryQueryError('bad-request', `the prefix is longer than ${MAX_PREFIX} characters`);
  const params: SqlCondition['params'] = {
    h_since: micros(nowMs - VALUES_WINDOW_MS),
    h_prefix: prefix.toLowerCase(),
    h_limit: Math.max(1, Math.min(MAX_VALUES, Math.floor(limit) || 1)),
    ...condition?.params,
  };
  const where = condition ? ` AND (${condition.where})` : '';
  const sql = `SELECT v, count() AS n FROM (SELECT toString(${expr}) AS v FROM ${FLOWS_TABLE} WHERE time >= ${TIME('h_since')}${where})
WHERE v != '' AND startsWith(lowerUTF8(v), {h_prefix:String})
GROUP BY v ORDER BY n DESC, v LIMIT {h_limit:UInt32}`;
  return { sql, params };
}

// ---- status and retention ----------------------------------------------------------------------

/** Rows, bytes and time span of the stored flows (from part metadata: cheap on any size). */
export const STATUS_SQL = `SELECT
  sumIf(rows, table = '${FLOWS_TABLE}') AS rows,
  sum(bytes_on_disk) AS bytes,
  sumIf(bytes_on_disk, table = '${FLOWS_TABLE}') AS flow_bytes
FROM system.parts WHERE active AND database = currentDatabase() AND table IN ('${FLOWS_TABLE}', '${EDGE_MINUTES_TABLE}')`;

export const SPAN_SQL = `SELECT toUnixTimestamp64Milli(min(time)) AS oldest, toUnixTimestamp64Milli(max(time)) AS newest, count() AS n FROM ${FLOWS_TABLE}`;

/** The stored time of a JSON row (`time` as ClickHouse prints DateTime64). */
export const storedTime = (r: StoredRow): number => parseStoredTime(r.time);

// ---- observed traffic (what-if replays) --------------------------------------------------------

/** Most distinct connections one replay reads from the store. */
export const MAX_TRAFFIC_ROWS = 200_000;

/**
 * The traffic of a window folded into distinct connections for a what-if replay (lib/what-if): one row
 * per source identity, destination, port, protocol and L7 request, requests only (replies pass with
 * the connection they answer). Pods are grouped by namespace, workload and security identity (Cilium
 * derives the identity from the labels policies select on, so one identity has one verdict); peers
 * outside the cluster by address. Grouping on the identity number rather than the label array makes the
 * fold about a third cheaper (docs/HISTORY.md). Most frequent first, so a cap drops the rarest.
 */
export function trafficQuery(range: TimeRange, condition?: SqlCondition | null, max = MAX_TRAFFIC_ROWS): BoundQuery {
  const own: SqlCondition['params'] = { h_max_rows: Math.max(1, Math.min(MAX_TRAFFIC_ROWS, Math.floor(max))) + 1 };
  const where: string[] = ['is_reply != 1'];
  if (range.since !== undefined) {
    own.h_since = micros(range.since);
    where.push(`time >= ${TIME('h_since')}`);
  }
  if (range.until !== undefined) {
    own.h_until = micros(range.until);
    where.push(`time < ${TIME('h_until')}`);
  }
  if (condition) where.push(`(${condition.where})`);
  // Aggregates get their own names (`any_src_pod`): an alias equal to a column would replace the column in GROUP BY.
  const side = (s: 'src' | 'dst') => `any(${s}_pod) AS any_${s}_pod, any(${s}_ip) AS any_${s}_ip, any(${s}_labels) AS any_${s}_labels,
  any(${s}_workload_kind) AS any_${s}_workload_kind, any(${s}_node) AS any_${s}_node, any(${s}_node_kind) AS any_${s}_node_kind,
  groupUniqArrayArray(20)(${s}_names) AS any_${s}_names`;
  const sql = `SELECT src_ns, src_workload, src_identity, dst_ns, dst_workload, dst_identity, dst_port, protocol, dns_query, http_method, http_path,
  ${side('src')},
  ${side('dst')},
  count() AS flows, countIf(verdict = 'FORWARDED') AS forwarded, countIf(verdict = 'DROPPED') AS dropped,
  countIf(verdict = 'AUDIT') AS audit, countIf(verdict = 'ERROR') AS error,
  toUnixTimestamp64Micro(min(time)) AS first_seen, toUnixTimestamp64Micro(max(time)) AS last_seen,
  argMax(uuid, time) AS example_uuid, argMax(node, time) AS hubble_node
FROM ${FLOWS_TABLE}
WHERE ${where.join(' AND ')}
GROUP BY src_ns, src_workload, src_identity, if(src_pod = '', src_ip, '') AS src_addr, dst_ns, dst_workload, dst_identity,
  if(dst_pod = '', dst_ip, '') AS dst_addr, dst_port, protocol, dns_query, http_method, cutQueryStringAndFragment(http_url) AS http_path
ORDER BY flows DESC
LIMIT {h_max_rows:UInt32}`;
  return { sql, params: mergeParams(condition ?? undefined, own) };
}

/** One row of the traffic query, in the what-if's shape (lib/what-if/observed-traffic.ts). */
export function trafficRowOf(r: StoredRow): TrafficConnection {
  const side = (s: 'src' | 'dst'): TrafficConnection['source'] => ({
    namespace: String(r[`${s}_ns`]),
    pod: String(r[`any_${s}_pod`]),
    workload: String(r[`${s}_workload`]),
    workloadKind: String(r[`any_${s}_workload_kind`]),
    labels: strs(r[`any_${s}_labels`]),
    ip: String(r[`any_${s}_ip`]),
    identity: Number(r[`${s}_identity`]),
    names: strs(r[`any_${s}_names`]).sort(),
    node: String(r[`any_${s}_node`]),
    nodeKind: String(r[`any_${s}_node_kind`]),
  });
  const flows = Number(r.flows);
  const forwarded = Number(r.forwarded);
  const dropped = Number(r.dropped);
  const audit = Number(r.audit);
  const error = Number(r.error);
  const dns = String(r.dns_query ?? '');
  const method = String(r.http_method ?? '');
  return {
    source: side('src'),
    destination: side('dst'),
    port: Number(r.dst_port),
    protocol: String(r.protocol),
    ...(dns ? { dnsQuery: dns } : {}),
    ...(method ? { httpMethod: method, httpPath: urlPath(String(r.http_path ?? '')) } : {}),
    flows,
    verdicts: { forwarded, dropped, audit, error, other: flows - forwarded - dropped - audit - error },
    // Microseconds as stored (not truncated to milliseconds): foldFlows over the same flows gives the same times.
    firstSeen: Number(r.first_seen) / 1000,
    lastSeen: Number(r.last_seen) / 1000,
    exampleUuid: String(r.example_uuid),
    hubbleNode: String(r.hubble_node),
  };
}
