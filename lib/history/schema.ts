/**
 * The flow history's tables, in ClickHouse SQL that runs unchanged on the embedded engine (chdb) and
 * on a ClickHouse server or cluster, and the mapping between a FlowRecord and a row.
 *
 * `flows` keeps every flow: one row per flow, wide and typed so ClickHouse's column compression
 * (LowCardinality dictionaries, Delta/ZSTD codecs) keeps a flow under ~100 bytes on disk. Graph node
 * ids are computed at ingest with the map's own rule (node-identity.ts), so the map of a past window
 * and the live map name the same nodes. `edge_minutes` is the per-edge-per-minute roll-up a
 * materialized view keeps from every insert: the map of any past window reads it, and allowed flows
 * can be deleted from `flows` after a while without losing their counts.
 *
 * Every value a user types reaches these tables only as a bound query parameter.
 */

import type { FlowEndpoint, FlowRecord, L7Record, PolicyRef, Verdict } from '../flows/flow-record';
import { nodeOfEndpoint, workloadOfEndpoint } from '../graph/node-identity';

export const FLOWS_TABLE = 'flows';
export const EDGE_MINUTES_TABLE = 'edge_minutes';
export const EDGE_MINUTES_VIEW = 'edge_minutes_mv';

export interface RetentionSettings {
  /** Rows older than this are deleted by the tables' TTL. */
  days: number;
}

type Side = 'src' | 'dst';
const SIDES: readonly Side[] = ['src', 'dst'];

/** Columns of one endpoint, prefixed `src_` / `dst_`. */
function endpointColumns(s: Side): [string, string][] {
  return [
    [`${s}_ip`, 'String CODEC(ZSTD(1))'],
    [`${s}_port`, 'UInt16'],
    [`${s}_identity`, 'UInt32'],
    [`${s}_ns`, 'LowCardinality(String)'],
    [`${s}_pod`, 'LowCardinality(String)'],
    /** The workload the map shows (Cilium's, else derived from the pod name), and its kind. */
    [`${s}_workload`, 'LowCardinality(String)'],
    [`${s}_workload_kind`, 'LowCardinality(String)'],
    /** Whether Cilium reported the workload (else it was derived): keeps a stored flow faithful. */
    [`${s}_workload_reported`, 'UInt8'],
    [`${s}_labels`, 'Array(LowCardinality(String))'],
    [`${s}_names`, 'Array(LowCardinality(String))'],
    [`${s}_service`, 'LowCardinality(String)'],
    [`${s}_cluster`, 'LowCardinality(String)'],
    /** The map's node for this endpoint (graph-ids.ts format) and what kind of node it is. */
    [`${s}_node`, 'LowCardinality(String)'],
    [`${s}_node_kind`, 'LowCardinality(String)'],
    [`${s}_app`, 'LowCardinality(String)'],
  ];
}

/** Every column of `flows`, in insert order: [name, ClickHouse type]. */
export const FLOW_COLUMNS: readonly [string, string][] = [
  ['time', "DateTime64(6, 'UTC') CODEC(Delta, ZSTD(1))"],
  ['uuid', 'String CODEC(ZSTD(1))'],
  ['verdict', 'LowCardinality(String)'],
  ['drop_reason', 'LowCardinality(String)'],
  ['direction', 'LowCardinality(String)'],
  /** -1 when the relay could not tell, else 0 / 1. */
  ['is_reply', 'Int8'],
  ['protocol', 'LowCardinality(String)'],
  ['tcp_flags', 'Array(LowCardinality(String))'],
  /** -1 when the flow is not ICMP. */
  ['icmp_type', 'Int16'],
  ['icmp_code', 'Int16'],
  ['node', 'LowCardinality(String)'],
  ['type', 'LowCardinality(String)'],
  ['event_type', 'UInt8'],
  ...SIDES.flatMap(endpointColumns),
  /**
   * L7 data ('' and 0 without it): the fields searches filter on and the roll-up counts have their
   * own columns; the whole record is also kept as JSON in `l7_detail`. Most flows carry no L7 data,
   * and every column costs the engine on each insert and merge even when empty: one column for the
   * rest instead of thirteen made an insert ~35% cheaper (docs/HISTORY.md).
   */
  ['l7_type', 'LowCardinality(String)'],
  ['dns_query', 'LowCardinality(String)'],
  ['http_method', 'LowCardinality(String)'],
  ['http_url', 'String CODEC(ZSTD(1))'],
  ['http_code', 'UInt16'],
  ['kafka_api_key', 'LowCardinality(String)'],
  ['l7_detail', 'String CODEC(ZSTD(1))'],
  /** Policy references as `kind/namespace/name`. */
  ['egress_allowed_by', 'Array(LowCardinality(String))'],
  ['ingress_allowed_by', 'Array(LowCardinality(String))'],
  ['egress_denied_by', 'Array(LowCardinality(String))'],
  ['ingress_denied_by', 'Array(LowCardinality(String))'],
  ['summary', 'LowCardinality(String)'],
];

export const FLOW_COLUMN_NAMES: readonly string[] = FLOW_COLUMNS.map(([n]) => n);

/** One row of `flows` in a JSON format (JSONCompactEachRow: values in FLOW_COLUMNS order). */
export type FlowRow = unknown[];

/** The DDL of both tables and the roll-up view, for one database (`engine` clause replaceable for a cluster). */
export function schemaStatements(retention: RetentionSettings, engine = { flows: 'MergeTree', edges: 'AggregatingMergeTree' }): string[] {
  const days = Math.max(1, Math.floor(retention.days));
  return [
    `CREATE TABLE IF NOT EXISTS ${FLOWS_TABLE} (
  ${FLOW_COLUMNS.map(([n, t]) => `${n} ${t}`).join(',\n  ')}
) ENGINE = ${engine.flows}
PARTITION BY toStartOfHour(time)
ORDER BY (toStartOfTenMinutes(time), src_ns, dst_ns, time)
TTL toDateTime(time) + INTERVAL ${days} DAY DELETE`,
    `CREATE TABLE IF NOT EXISTS ${EDGE_MINUTES_TABLE} (
  minute DateTime('UTC'),
  src_node LowCardinality(String),
  dst_node LowCardinality(String),
  port UInt16,
  protocol LowCardinality(String),
  verdict LowCardinality(String),
  drop_reason LowCardinality(String),
  src_ns SimpleAggregateFunction(any, LowCardinality(String)),
  dst_ns SimpleAggregateFunction(any, LowCardinality(String)),
  src_kind SimpleAggregateFunction(any, LowCardinality(String)),
  dst_kind SimpleAggregateFunction(any, LowCardinality(String)),
  src_label SimpleAggregateFunction(any, String),
  dst_label SimpleAggregateFunction(any, String),
  src_workload_kind SimpleAggregateFunction(any, LowCardinality(String)),
  dst_workload_kind SimpleAggregateFunction(any, LowCardinality(String)),
  src_app SimpleAggregateFunction(any, LowCardinality(String)),
  dst_app SimpleAggregateFunction(any, LowCardinality(String)),
  src_pods SimpleAggregateFunction(groupUniqArrayArray(20), Array(String)),
  dst_pods SimpleAggregateFunction(groupUniqArrayArray(20), Array(String)),
  flows SimpleAggregateFunction(sum, UInt64),
  replies SimpleAggregateFunction(sum, UInt64),
  l7_http SimpleAggregateFunction(sum, UInt64),
  l7_dns SimpleAggregateFunction(sum, UInt64),
  l7_kafka SimpleAggregateFunction(sum, UInt64),
  allowed_by SimpleAggregateFunction(groupUniqArrayArray(10), Array(String)),
  denied_by SimpleAggregateFunction(groupUniqArrayArray(10), Array(String)),
  first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
  last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = ${engine.edges}
PARTITION BY toStartOfDay(minute)
ORDER BY (minute, src_node, dst_node, port, protocol, verdict, drop_reason)
TTL minute + INTERVAL ${days} DAY DELETE`,
    // Replies fold onto the connection they answer, exactly as flow-graph.ts folds them. The inner
    // select names the folded sides apart from the stored columns: ClickHouse aliases are visible to
    // the whole select, so \`... AS src_node\` would change what a later \`src_node\` reads.
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${EDGE_MINUTES_VIEW} TO ${EDGE_MINUTES_TABLE} AS
SELECT
  toStartOfMinute(time) AS minute,
  e_src_node AS src_node,
  e_dst_node AS dst_node,
  e_port AS port,
  protocol,
  verdict,
  drop_reason,
  any(e_src_ns) AS src_ns,
  any(e_dst_ns) AS dst_ns,
  any(e_src_kind) AS src_kind,
  any(e_dst_kind) AS dst_kind,
  any(e_src_label) AS src_label,
  any(e_dst_label) AS dst_label,
  any(e_src_wkind) AS src_workload_kind,
  any(e_dst_wkind) AS dst_workload_kind,
  any(e_src_app) AS src_app,
  any(e_dst_app) AS dst_app,
  groupUniqArrayArray(20)([e_src_pod]) AS src_pods,
  groupUniqArrayArray(20)([e_dst_pod]) AS dst_pods,
  count() AS flows,
  countIf(is_reply = 1) AS replies,
  countIf(http_method != '' OR http_code != 0) AS l7_http,
  countIf(dns_query != '') AS l7_dns,
  countIf(kafka_api_key != '') AS l7_kafka,
  groupUniqArrayArray(10)(arrayConcat(egress_allowed_by, ingress_allowed_by)) AS allowed_by,
  groupUniqArrayArray(10)(arrayConcat(egress_denied_by, ingress_denied_by)) AS denied_by,
  min(toDateTime64(time, 3, 'UTC')) AS first_seen,
  max(toDateTime64(time, 3, 'UTC')) AS last_seen
FROM (
  SELECT
    time, protocol, verdict, drop_reason, is_reply, http_method, http_code, dns_query, kafka_api_key,
    egress_allowed_by, ingress_allowed_by, egress_denied_by, ingress_denied_by,
    if(is_reply = 1, dst_node, src_node) AS e_src_node,
    if(is_reply = 1, src_node, dst_node) AS e_dst_node,
    if(is_reply = 1, src_port, dst_port) AS e_port,
    if(is_reply = 1, dst_ns, src_ns) AS e_src_ns,
    if(is_reply = 1, src_ns, dst_ns) AS e_dst_ns,
    if(is_reply = 1, dst_node_kind, src_node_kind) AS e_src_kind,
    if(is_reply = 1, src_node_kind, dst_node_kind) AS e_dst_kind,
    if(is_reply = 1, dst_workload, src_workload) AS e_src_label,
    if(is_reply = 1, src_workload, dst_workload) AS e_dst_label,
    if(is_reply = 1, dst_workload_kind, src_workload_kind) AS e_src_wkind,
    if(is_reply = 1, src_workload_kind, dst_workload_kind) AS e_dst_wkind,
    if(is_reply = 1, dst_app, src_app) AS e_src_app,
    if(is_reply = 1, src_app, dst_app) AS e_dst_app,
    if(is_reply = 1, dst_pod, src_pod) AS e_src_pod,
    if(is_reply = 1, src_pod, dst_pod) AS e_dst_pod
  FROM ${FLOWS_TABLE}
)
GROUP BY minute, src_node, dst_node, port, protocol, verdict, drop_reason`,
    // A store created before l7_detail existed gains it (a metadata change; old rows read '' and
    // keep their L7 data in the columns it replaced, which stay and are read for them).
    `ALTER TABLE ${FLOWS_TABLE} ADD COLUMN IF NOT EXISTS l7_detail String CODEC(ZSTD(1))`,
  ];
}

/**
 * Texts of policy references already seen. The relay client's decoder interns references (one
 * object per policy), and records are never changed once made, so one text serves every flow.
 */
const policyTextCache = new WeakMap<PolicyRef, string>();

export function policyText(p: PolicyRef): string {
  let text = policyTextCache.get(p);
  if (text === undefined) {
    text = `${p.kind}/${p.namespace}/${p.name}`;
    policyTextCache.set(p, text);
  }
  return text;
}

function policyOf(text: string): PolicyRef {
  const [kind = '', namespace = '', ...rest] = text.split('/');
  return { kind, namespace, name: rest.join('/') };
}

/** The workload stored for an endpoint (`src_workload`): the map's workload for pods, Cilium's otherwise. */
export function storedWorkloadOf(ep: FlowEndpoint): { name: string; kind: string } {
  return ep.namespace ? workloadOfEndpoint(ep) : ep.workloads.length ? ep.workloads[0] : { name: '', kind: '' };
}

/**
 * The values of one endpoint's columns after its address and port (`src_identity` ... `src_app`), in
 * FLOW_COLUMNS order: everything that depends on the endpoint alone, not on the flow.
 */
export function endpointValues(ep: FlowEndpoint): unknown[] {
  const node = nodeOfEndpoint(ep);
  const reported = ep.workloads.length > 0;
  const workload = storedWorkloadOf(ep);
  return [
    ep.identity,
    ep.namespace,
    ep.pod,
    workload.name,
    workload.kind,
    reported ? 1 : 0,
    ep.labels,
    ep.names,
    ep.service,
    ep.cluster,
    node.id,
    node.kind,
    node.app,
  ];
}

/** Microseconds since the epoch as the decimal text DateTime64(6) parses (no float rounding surprises). */
export function timeText(ms: number): string {
  const us = Math.round(ms * 1000);
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** The L7 columns (`l7_type` ... `l7_detail`), in FLOW_COLUMNS order; defaults without L7 data. */
export function l7Values(l7: L7Record | undefined): readonly unknown[] {
  return l7 ? l7ValuesOf(l7) : NO_L7;
}

function l7ValuesOf(l7: L7Record | undefined): unknown[] {
  return [
    l7 ? l7.type : '',
    l7?.dns?.query ?? '',
    l7?.http?.method ?? '',
    l7?.http?.url ?? '',
    l7?.http?.code ?? 0,
    l7?.kafka?.apiKey ?? '',
    l7 ? JSON.stringify(l7) : '',
  ];
}

/** The L7 columns of most flows: one shared constant. */
const NO_L7: readonly unknown[] = l7ValuesOf(undefined);

/** Microseconds since the epoch, as DateTime64(6) holds them. */
export const timeMicros = (ms: number): number => Math.round(ms * 1000);

/**
 * A flow row in parts, in FLOW_COLUMNS order: what belongs to the flow alone, and what repeats from
 * flow to flow (each endpoint's columns, the L7 columns of flows without L7 data). The block encoder
 * (flow-block.ts) passes repeating parts as shared arrays so they are encoded once per batch.
 */
export const FLOW_ROW_PARTS: readonly { columns: number; repeats: boolean }[] = [
  { columns: 13, repeats: false }, // time ... event_type
  { columns: 2, repeats: false }, // src_ip, src_port
  { columns: 13, repeats: true }, // src_identity ... src_app: endpointValues
  { columns: 2, repeats: false }, // dst_ip, dst_port
  { columns: 13, repeats: true }, // dst_identity ... dst_app
  { columns: 7, repeats: true }, // l7_type ... l7_detail: l7Values
  { columns: 5, repeats: false }, // the four policy lists, summary
];

/** The parts of one flow row; the flow's own parts are refilled in place when the array is reused. */
export type FlowRowParts = unknown[][];

/**
 * A FlowRecord's columns as FLOW_ROW_PARTS, `time` in epoch microseconds. `endpoint` gives an
 * endpoint's columns after its address and port (the block encoder passes a cached
 * endpointValues). `into` is reused for the next flow: the flow's own parts are overwritten, the
 * repeating ones replaced, so an encoder allocates nothing per flow for them.
 */
export function flowParts(f: FlowRecord, endpoint: (ep: FlowEndpoint) => readonly unknown[] = endpointValues, into: FlowRowParts = [[], [], [], [], [], [], []]): FlowRowParts {
  const head = into[0];
  head[0] = timeMicros(f.time);
  head[1] = f.uuid;
  head[2] = f.verdict;
  head[3] = f.dropReason;
  head[4] = f.direction;
  head[5] = f.isReply === null ? -1 : f.isReply ? 1 : 0;
  head[6] = f.protocol;
  head[7] = f.tcpFlags;
  head[8] = f.icmp ? f.icmp.type : -1;
  head[9] = f.icmp ? f.icmp.code : -1;
  head[10] = f.node;
  head[11] = f.type;
  head[12] = f.eventType;
  into[1][0] = f.source.ip;
  into[1][1] = f.source.port;
  into[2] = endpoint(f.source) as unknown[];
  into[3][0] = f.destination.ip;
  into[3][1] = f.destination.port;
  into[4] = endpoint(f.destination) as unknown[];
  into[5] = l7Values(f.l7) as unknown[];
  const tail = into[6];
  tail[0] = policyTexts(f.egressAllowedBy);
  tail[1] = policyTexts(f.ingressAllowedBy);
  tail[2] = policyTexts(f.egressDeniedBy);
  tail[3] = policyTexts(f.ingressDeniedBy);
  tail[4] = f.summary;
  return into;
}

/** A FlowRecord's column values in FLOW_COLUMNS order, `time` in epoch microseconds. */
export function flowValues(f: FlowRecord): unknown[] {
  return flowParts(f).flat(1);
}

const NO_POLICIES: readonly string[] = [];
const policyTexts = (list: readonly PolicyRef[]): readonly string[] => (list.length === 0 ? NO_POLICIES : list.map(policyText));

/** A FlowRecord as a `flows` row for the JSON formats (JSONCompactEachRow): flowValues with the time as text. */
export function flowToRow(f: FlowRecord): FlowRow {
  const row = flowValues(f);
  row[0] = timeText(f.time);
  return row;
}

/** A row read back (JSONEachRow, or an object keyed by column name) -> FlowRecord. */
export type StoredRow = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/** DateTime64(6) as ClickHouse prints it in JSON (`2026-11-28 10:00:00.123456`, UTC) -> epoch ms. */
export function parseStoredTime(v: unknown): number {
  if (typeof v === 'number') return v;
  const s = str(v);
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/.exec(s);
  if (!m) return Date.parse(s);
  const frac = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
  return Date.parse(`${m[1]}T${m[2]}Z`) + Number(frac) / 1000;
}

function endpointOf(r: StoredRow, s: Side): FlowEndpoint {
  const workload = str(r[`${s}_workload`]);
  return {
    ip: str(r[`${s}_ip`]),
    port: num(r[`${s}_port`]),
    identity: num(r[`${s}_identity`]),
    namespace: str(r[`${s}_ns`]),
    pod: str(r[`${s}_pod`]),
    labels: strs(r[`${s}_labels`]),
    workloads: num(r[`${s}_workload_reported`]) === 1 && workload ? [{ name: workload, kind: str(r[`${s}_workload_kind`]) }] : [],
    names: strs(r[`${s}_names`]),
    service: str(r[`${s}_service`]),
    cluster: str(r[`${s}_cluster`]),
  };
}

/**
 * The L7 record of a stored row: from `l7_detail`, or for rows stored before that column existed,
 * from the thirteen columns it replaced (a store keeps them when it was created with them).
 */
function l7Of(r: StoredRow): L7Record | undefined {
  const type = str(r.l7_type);
  if (!type) return undefined;
  const detail = str(r.l7_detail);
  if (detail) {
    const kept = l7FromJson(detail);
    if (kept) return kept;
  }
  return l7FromColumns(r, type);
}

/** `l7_detail` parsed, or undefined when it is not an L7 record (never thrown: one odd row must not fail a search). */
function l7FromJson(text: string): L7Record | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && typeof (v as L7Record).type === 'string' ? (v as L7Record) : undefined;
  } catch {
    return undefined;
  }
}

function l7FromColumns(r: StoredRow, type: string): L7Record {
  const l7: L7Record = { type: type as L7Record['type'], latencyNs: num(r.l7_latency_ns) };
  if (str(r.dns_query)) {
    l7.dns = {
      query: str(r.dns_query),
      ips: strs(r.dns_ips),
      ttl: num(r.dns_ttl),
      cnames: strs(r.dns_cnames),
      rcode: num(r.dns_rcode),
      qtypes: strs(r.dns_qtypes),
      rrtypes: strs(r.dns_rrtypes),
    };
  } else if (str(r.http_method) || num(r.http_code)) {
    const headers = Array.isArray(r.http_headers) ? (r.http_headers as unknown[]) : [];
    l7.http = {
      method: str(r.http_method),
      url: str(r.http_url),
      code: num(r.http_code),
      protocol: str(r.http_protocol),
      headers: headers.map((h) => (Array.isArray(h) ? { key: str(h[0]), value: str(h[1]) } : { key: '', value: '' })),
    };
  } else if (str(r.kafka_api_key)) {
    l7.kafka = {
      apiKey: str(r.kafka_api_key),
      apiVersion: num(r.kafka_api_version),
      topic: str(r.kafka_topic),
      errorCode: num(r.kafka_error_code),
      correlationId: num(r.kafka_correlation_id),
    };
  }
  return l7;
}

/** A stored row -> the FlowRecord it was made from (graph node ids are recomputed by whoever needs them). */
export function rowToFlow(r: StoredRow): FlowRecord {
  const isReply = num(r.is_reply);
  const icmpType = num(r.icmp_type);
  const flow: FlowRecord = {
    uuid: str(r.uuid),
    time: parseStoredTime(r.time),
    verdict: str(r.verdict) as Verdict,
    dropReason: str(r.drop_reason),
    direction: str(r.direction) as FlowRecord['direction'],
    isReply: isReply < 0 ? null : isReply === 1,
    protocol: str(r.protocol) as FlowRecord['protocol'],
    tcpFlags: strs(r.tcp_flags),
    source: endpointOf(r, 'src'),
    destination: endpointOf(r, 'dst'),
    node: str(r.node),
    type: str(r.type) as FlowRecord['type'],
    eventType: num(r.event_type),
    egressAllowedBy: strs(r.egress_allowed_by).map(policyOf),
    ingressAllowedBy: strs(r.ingress_allowed_by).map(policyOf),
    egressDeniedBy: strs(r.egress_denied_by).map(policyOf),
    ingressDeniedBy: strs(r.ingress_denied_by).map(policyOf),
    summary: str(r.summary),
  };
  if (icmpType >= 0) flow.icmp = { type: icmpType, code: num(r.icmp_code) };
  const l7 = l7Of(r);
  if (l7) flow.l7 = l7;
  return flow;
}
