/**
 * The demo relay's wire encoder as it was before issue 13, built on protobufjs' Writer: the reference
 * the faster encoder (../flow-encoder.ts) must match byte for byte (flow-encoder.test.ts). Tests only.
 */

import protobuf from 'protobufjs';
import type { FlowEndpoint, FlowRecord, PolicyRef } from '../../flows/flow-record';
import { flowToWire, verdictNumber, directionNumber } from '../../hubble/normalize';
import { DROP_REASON_NUMBERS, FLOW_TYPE_BY_NUMBER, numberOf, TCP_FLAG_NAMES } from '../../hubble/wire-enums';
import { observerTypes } from '../../hubble/proto';

const { Writer } = protobuf;

const VARINT = 0;
const LEN = 2;
const tag = (field: number, wire: number) => ((field << 3) | wire) >>> 0;


/** Encoded Endpoint messages, keyed by the endpoint's label array (shared by every flow of a pod). */
const endpointCache = new WeakMap<readonly string[], { pod: string; identity: number; namespace: string; bytes: Uint8Array }>();
const policyCache = new WeakMap<readonly PolicyRef[], Uint8Array[]>();

function encodeEndpoint(e: FlowEndpoint): Uint8Array {
  const hit = endpointCache.get(e.labels);
  if (hit && hit.pod === e.pod && hit.identity === e.identity && hit.namespace === e.namespace) return hit.bytes;
  const w = Writer.create();
  if (e.identity) w.uint32(tag(2, VARINT)).uint32(e.identity);
  if (e.namespace) w.uint32(tag(3, LEN)).string(e.namespace);
  for (const l of e.labels) w.uint32(tag(4, LEN)).string(l);
  if (e.pod) w.uint32(tag(5, LEN)).string(e.pod);
  for (const wl of e.workloads) {
    w.uint32(tag(6, LEN)).fork();
    if (wl.name) w.uint32(tag(1, LEN)).string(wl.name);
    if (wl.kind) w.uint32(tag(2, LEN)).string(wl.kind);
    w.ldelim();
  }
  if (e.cluster) w.uint32(tag(7, LEN)).string(e.cluster);
  const bytes = w.finish();
  endpointCache.set(e.labels, { pod: e.pod, identity: e.identity, namespace: e.namespace, bytes });
  return bytes;
}

function encodePolicies(list: PolicyRef[]): Uint8Array[] {
  let hit = policyCache.get(list);
  if (hit) return hit;
  hit = list.map((p) => {
    const w = Writer.create();
    if (p.name) w.uint32(tag(1, LEN)).string(p.name);
    if (p.namespace) w.uint32(tag(2, LEN)).string(p.namespace);
    if (p.kind) w.uint32(tag(5, LEN)).string(p.kind);
    return w.finish();
  });
  policyCache.set(list, hit);
  return hit;
}

function ports(w: protobuf.Writer, field: number, r: FlowRecord, withFlags: boolean): void {
  w.uint32(tag(field, LEN)).fork();
  if (r.source.port) w.uint32(tag(1, VARINT)).uint32(r.source.port);
  if (r.destination.port) w.uint32(tag(2, VARINT)).uint32(r.destination.port);
  if (withFlags && r.tcpFlags.length) {
    w.uint32(tag(3, LEN)).fork();
    for (let i = 0; i < TCP_FLAG_NAMES.length; i++) if (r.tcpFlags.includes(TCP_FLAG_NAMES[i])) w.uint32(tag(i + 1, VARINT)).bool(true);
    w.ldelim();
  }
  w.ldelim();
}

/** Encodes one GetFlowsResponse carrying `r`; decodes to exactly what normalizeFlow expects. */
export function referenceEncodeFlowResponse(r: FlowRecord): Uint8Array {
  const t = observerTypes();
  const w = Writer.create();
  w.uint32(tag(1, LEN)).fork(); // GetFlowsResponse.flow
  const seconds = Math.floor(r.time / 1000);
  const nanos = Math.round((r.time - seconds * 1000) * 1e6);
  w.uint32(tag(1, LEN)).fork().uint32(tag(1, VARINT)).int64(seconds);
  if (nanos) w.uint32(tag(2, VARINT)).int32(nanos);
  w.ldelim();
  const verdict = verdictNumber(r.verdict);
  if (verdict) w.uint32(tag(2, VARINT)).uint32(verdict);
  const drop = r.dropReason ? (DROP_REASON_NUMBERS[r.dropReason] ?? 0) : 0;
  if (drop) w.uint32(tag(3, VARINT)).uint32(drop);
  w.uint32(tag(5, LEN)).fork();
  if (r.source.ip) w.uint32(tag(1, LEN)).string(r.source.ip);
  if (r.destination.ip) w.uint32(tag(2, LEN)).string(r.destination.ip);
  w.uint32(tag(3, VARINT)).uint32(r.source.ip.includes(':') ? 2 : 1);
  w.ldelim();
  if (r.protocol) {
    w.uint32(tag(6, LEN)).fork();
    if (r.protocol === 'TCP') ports(w, 1, r, true);
    else if (r.protocol === 'UDP') ports(w, 2, r, false);
    else if (r.protocol === 'SCTP') ports(w, 5, r, false);
    else {
      const icmp = r.icmp ?? { type: 0, code: 0 };
      w.uint32(tag(r.protocol === 'ICMPv4' ? 3 : 4, LEN)).fork().uint32(tag(1, VARINT)).uint32(icmp.type).uint32(tag(2, VARINT)).uint32(icmp.code).ldelim();
    }
    w.ldelim();
  }
  w.uint32(tag(8, LEN)).bytes(encodeEndpoint(r.source));
  w.uint32(tag(9, LEN)).bytes(encodeEndpoint(r.destination));
  w.uint32(tag(10, VARINT)).uint32(numberOf(FLOW_TYPE_BY_NUMBER, r.type));
  if (r.node) w.uint32(tag(11, LEN)).string(r.node);
  for (const n of r.source.names) w.uint32(tag(13, LEN)).string(n);
  for (const n of r.destination.names) w.uint32(tag(14, LEN)).string(n);
  if (r.l7) {
    const l7 = flowToWire(r).l7 as Record<string, unknown>;
    w.uint32(tag(15, LEN)).bytes(t.root.lookupType('flow.Layer7').encode(l7).finish());
  }
  if (r.isReply) w.uint32(tag(16, VARINT)).bool(true);
  if (r.eventType) w.uint32(tag(19, LEN)).fork().uint32(tag(1, VARINT)).int32(r.eventType).ldelim();
  const dir = directionNumber(r.direction);
  if (dir) w.uint32(tag(22, VARINT)).uint32(dir);
  if (drop) w.uint32(tag(25, VARINT)).uint32(drop);
  if (r.isReply !== null) {
    w.uint32(tag(26, LEN)).fork();
    if (r.isReply) w.uint32(tag(1, VARINT)).bool(true);
    w.ldelim();
  }
  if (r.uuid) w.uint32(tag(34, LEN)).string(r.uuid);
  if (r.summary) w.uint32(tag(100000, LEN)).string(r.summary);
  for (const b of encodePolicies(r.egressAllowedBy)) w.uint32(tag(21001, LEN)).bytes(b);
  for (const b of encodePolicies(r.ingressAllowedBy)) w.uint32(tag(21002, LEN)).bytes(b);
  for (const b of encodePolicies(r.egressDeniedBy)) w.uint32(tag(21004, LEN)).bytes(b);
  for (const b of encodePolicies(r.ingressDeniedBy)) w.uint32(tag(21005, LEN)).bytes(b);
  w.ldelim();
  if (r.node) w.uint32(tag(1000, LEN)).string(r.node);
  return w.finish();
}
