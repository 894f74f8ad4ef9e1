/**
 * Wire message -> FlowRecord. The only place that knows protobuf field names; everything
 * downstream speaks FlowRecord. Written against protobufjs-decoded messages, where absent
 * scalars read as their proto3 defaults and absent messages as null/undefined.
 */

import type { FlowEndpoint, FlowRecord, L4Protocol, L7Record, PolicyRef, TrafficDirection, Verdict } from '../flows/flow-record';
import {
  DIRECTION_BY_NUMBER,
  DROP_REASON_NUMBERS,
  dropReasonName,
  FLOW_TYPE_BY_NUMBER,
  L7_TYPE_BY_NUMBER,
  numberOf,
  TCP_FLAG_NAMES,
  VERDICT_BY_NUMBER,
} from './wire-enums';


export function verdictNumber(v: Verdict): number {
  return numberOf(VERDICT_BY_NUMBER, v);
}

export function directionNumber(d: TrafficDirection): number {
  return numberOf(DIRECTION_BY_NUMBER, d);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- wire messages are protobufjs dynamic objects */
type Wire = any;

const EMPTY: readonly never[] = [];

function endpoint(ep: Wire, ip: string, port: number, names: string[], service: Wire): FlowEndpoint {
  return {
    ip,
    port,
    identity: ep ? ep.identity : 0,
    namespace: ep ? ep.namespace : '',
    pod: ep ? ep.pod_name : '',
    labels: ep && ep.labels.length ? ep.labels : (EMPTY as unknown as string[]),
    workloads: ep && ep.workloads.length ? ep.workloads.map((w: Wire) => ({ name: w.name, kind: w.kind })) : (EMPTY as unknown as []),
    names,
    service: service ? service.name : '',
    cluster: ep ? ep.cluster_name : '',
  };
}

function policies(list: Wire[]): PolicyRef[] {
  if (!list.length) return EMPTY as unknown as PolicyRef[];
  return list.map((p) => ({ kind: p.kind, namespace: p.namespace, name: p.name }));
}

/** Converts a decoded flow.Layer7 message. */
export function normalizeL7(w: Wire): L7Record | undefined {
  if (!w) return undefined;
  const rec: L7Record = { type: L7_TYPE_BY_NUMBER[w.type] ?? 'UNKNOWN', latencyNs: Number(w.latency_ns) || 0 };
  if (w.dns) {
    const d = w.dns;
    rec.dns = { query: d.query, ips: d.ips, ttl: d.ttl, cnames: d.cnames, rcode: d.rcode, qtypes: d.qtypes, rrtypes: d.rrtypes };
  } else if (w.http) {
    const h = w.http;
    rec.http = { method: h.method, url: h.url, code: h.code, protocol: h.protocol, headers: h.headers.map((x: Wire) => ({ key: x.key, value: x.value })) };
  } else if (w.kafka) {
    const k = w.kafka;
    rec.kafka = { apiKey: k.api_key, apiVersion: k.api_version, topic: k.topic, errorCode: k.error_code, correlationId: k.correlation_id };
  }
  return rec;
}

/** Converts a decoded flow.Flow into a FlowRecord. */
export function normalizeFlow(f: Wire): FlowRecord {
  const l4 = f.l4;
  let protocol: L4Protocol = '';
  let sport = 0;
  let dport = 0;
  let tcpFlags: string[] = EMPTY as unknown as string[];
  let icmp: FlowRecord['icmp'];
  if (l4) {
    protocol = (l4.protocol ?? '') as L4Protocol;
    const p = protocol ? l4[protocol] : null;
    if (p) {
      if (protocol === 'ICMPv4' || protocol === 'ICMPv6') {
        icmp = { type: p.type, code: p.code };
      } else {
        sport = p.source_port;
        dport = p.destination_port;
        if (protocol === 'TCP' && p.flags) {
          tcpFlags = [];
          for (const name of TCP_FLAG_NAMES) if (p.flags[name]) tcpFlags.push(name);
        }
      }
    }
  }
  const ip = f.IP;
  const t = f.time;
  const verdict = VERDICT_BY_NUMBER[f.verdict] ?? 'UNKNOWN';
  const drop = f.drop_reason_desc || f.drop_reason;
  return {
    uuid: f.uuid,
    time: t ? t.seconds * 1000 + t.nanos / 1e6 : 0,
    verdict,
    dropReason: verdict === 'DROPPED' && drop ? dropReasonName(drop) : '',
    direction: DIRECTION_BY_NUMBER[f.traffic_direction] ?? 'UNKNOWN',
    isReply: f.is_reply ? Boolean(f.is_reply.value) : f.reply ? true : null,
    protocol,
    tcpFlags,
    ...(icmp ? { icmp } : {}),
    source: endpoint(f.source, ip ? ip.source : '', sport, f.source_names.length ? f.source_names : EMPTY, f.source_service),
    destination: endpoint(f.destination, ip ? ip.destination : '', dport, f.destination_names.length ? f.destination_names : EMPTY, f.destination_service),
    node: f.node_name,
    type: FLOW_TYPE_BY_NUMBER[f.Type] ?? 'UNKNOWN',
    eventType: f.event_type ? f.event_type.type : 0,
    ...(f.l7 ? { l7: normalizeL7(f.l7) } : {}),
    egressAllowedBy: policies(f.egress_allowed_by),
    ingressAllowedBy: policies(f.ingress_allowed_by),
    egressDeniedBy: policies(f.egress_denied_by),
    ingressDeniedBy: policies(f.ingress_denied_by),
    summary: f.Summary,
  };
}

/** FlowRecord -> a plain object protobufjs can encode as flow.Flow (used by the demo relay). */
export function flowToWire(r: FlowRecord): Record<string, unknown> {
  const seconds = Math.floor(r.time / 1000);
  const nanos = Math.round((r.time - seconds * 1000) * 1e6);
  const ports = { source_port: r.source.port, destination_port: r.destination.port };
  const flags: Record<string, boolean> = {};
  for (const f of r.tcpFlags) flags[f] = true;
  const l4 =
    r.protocol === 'TCP' ? { TCP: { ...ports, flags } }
    : r.protocol === 'UDP' ? { UDP: ports }
    : r.protocol === 'SCTP' ? { SCTP: ports }
    : r.protocol === 'ICMPv4' ? { ICMPv4: r.icmp ?? { type: 8, code: 0 } }
    : r.protocol === 'ICMPv6' ? { ICMPv6: r.icmp ?? { type: 128, code: 0 } }
    : undefined;
  const ep = (e: FlowEndpoint) => ({
    identity: e.identity,
    namespace: e.namespace,
    labels: e.labels,
    pod_name: e.pod,
    workloads: e.workloads,
    cluster_name: e.cluster,
  });
  const wire: Record<string, unknown> = {
    time: { seconds, nanos },
    uuid: r.uuid,
    verdict: verdictNumber(r.verdict),
    IP: { source: r.source.ip, destination: r.destination.ip, ipVersion: r.source.ip.includes(':') ? 2 : 1 },
    l4,
    source: ep(r.source),
    destination: ep(r.destination),
    Type: numberOf(FLOW_TYPE_BY_NUMBER, r.type),
    node_name: r.node,
    source_names: r.source.names,
    destination_names: r.destination.names,
    event_type: { type: r.eventType, sub_type: 0 },
    traffic_direction: directionNumber(r.direction),
    Summary: r.summary,
    egress_allowed_by: r.egressAllowedBy,
    ingress_allowed_by: r.ingressAllowedBy,
    egress_denied_by: r.egressDeniedBy,
    ingress_denied_by: r.ingressDeniedBy,
  };
  if (r.isReply !== null) wire.is_reply = { value: r.isReply };
  if (r.isReply) wire.reply = true;
  if (r.dropReason) {
    const n = DROP_REASON_NUMBERS[r.dropReason] ?? 0;
    wire.drop_reason_desc = n;
    wire.drop_reason = n;
  }
  if (r.source.service) wire.source_service = { name: r.source.service, namespace: r.source.namespace };
  if (r.destination.service) wire.destination_service = { name: r.destination.service, namespace: r.destination.namespace };
  if (r.l7) {
    const l7w: Record<string, unknown> = { type: numberOf(L7_TYPE_BY_NUMBER, r.l7.type), latency_ns: r.l7.latencyNs };
    if (r.l7.dns) l7w.dns = { ...r.l7.dns };
    if (r.l7.http) l7w.http = { ...r.l7.http };
    if (r.l7.kafka) l7w.kafka = { api_key: r.l7.kafka.apiKey, api_version: r.l7.kafka.apiVersion, topic: r.l7.kafka.topic, error_code: r.l7.kafka.errorCode, correlation_id: r.l7.kafka.correlationId };
    wire.l7 = l7w;
  }
  return wire;
}
