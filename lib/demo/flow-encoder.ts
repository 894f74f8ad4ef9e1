/**
 * Fast wire encoder for the demo relay. Encoding whole flows through protobufjs' reflection
 * tops out near 50k flows/s on one core, below what the ingest benchmark must be fed with; the
 * endpoints and policy lists of a flow repeat for every flow of the same pods, so their encoded
 * bytes are cached and spliced in (protobuf fields may appear in any order and embedded messages
 * are length-delimited bytes), and the rest is written in place into large slabs (SlabWriter).
 * Rare parts (L7 records) go through protobufjs.
 */

import protobuf from 'protobufjs';
import type { FlowEndpoint, FlowRecord, PolicyRef } from '../flows/flow-record';
import { flowToWire, verdictNumber, directionNumber } from '../hubble/normalize';
import { DROP_REASON_NUMBERS, FLOW_TYPE_BY_NUMBER, numberOf, TCP_FLAG_NAMES } from '../hubble/wire-enums';
import { observerTypes } from '../hubble/proto';

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

const NO_POLICIES: Uint8Array[] = [];

function encodePolicies(list: PolicyRef[]): Uint8Array[] {
  // Most flows carry fresh empty lists: a WeakMap entry per flow for them cost more than the rest of the
  // encoding (ephemeron entries the garbage collector has to clear; issue 13, 20,000 flows/s).
  if (list.length === 0) return NO_POLICIES;
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

/** Messages are written into slabs of this size and handed out as views of them (no copy, no per-message allocation). */
const SLAB_BYTES = 256 * 1024;

/**
 * A protobuf writer that writes each message in place into a large slab and hands it out as a view.
 * protobufjs' Writer allocates an operation object per field and a buffer per message; at 20,000
 * flows/s (issue 13) that garbage was most of the demo relay's cost. Nested messages reserve one length
 * byte and move their body when it is longer (rare: only the flow itself is over 127 bytes). Positions
 * are kept relative to the message's start, which moves when a message outgrows its slab. Writes the
 * bytes protobufjs writes (flow-encoder.test.ts), except for strings with unpaired surrogates, which
 * become U+FFFD as Buffer writes them.
 */
class SlabWriter {
  private buf = Buffer.allocUnsafe(SLAB_BYTES);
  /** Where the message being written starts in `buf`. */
  private start = 0;
  pos = 0;

  /** Starts a message (dropping whatever a failed one left). */
  begin(): void {
    this.pos = this.start;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // A new slab; the message so far moves with it (earlier messages stay views of the old one).
    const written = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(SLAB_BYTES, 2 * (written + n)));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = written;
  }

  /** A non-negative integer below 2^53 as a varint. */
  varint(value: number): void {
    this.room(10);
    const b = this.buf;
    let p = this.pos;
    let v = value;
    while (v > 127) {
      b[p++] = (v & 127) | 128;
      v = v > 0xffffffff ? Math.floor(v / 128) : v >>> 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** int32 / int64 as protobuf writes them: negative values as ten-byte two's complement. */
  int64(value: number): void {
    if (value >= 0) return this.varint(value);
    let v = BigInt.asUintN(64, BigInt(value));
    this.room(10);
    while (v > BigInt(127)) {
      this.buf[this.pos++] = Number(v & BigInt(127)) | 128;
      v >>= BigInt(7);
    }
    this.buf[this.pos++] = Number(v);
  }

  string(s: string): void {
    const at = this.pos - this.start;
    const n = s.length;
    this.varint(n);
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    // ASCII (addresses, names, uuids): one byte a character and the length known up front.
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) {
        this.pos = this.start + at;
        const length = Buffer.byteLength(s, 'utf8');
        this.varint(length);
        this.room(length);
        this.pos += this.buf.write(s, this.pos, 'utf8');
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  bytes(data: Uint8Array): void {
    this.varint(data.length);
    this.room(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Starts an embedded message; returns where its length goes (for ldelim), relative to the message. */
  fork(): number {
    this.room(1);
    return this.pos++ - this.start;
  }

  ldelim(fork: number): void {
    const at = this.start + fork;
    const length = this.pos - at - 1;
    if (length < 128) {
      this.buf[at] = length;
      return;
    }
    let size = 1;
    for (let v = length; v > 127; v >>>= 7) size++;
    this.room(size - 1);
    const from = this.start + fork;
    this.buf.copyWithin(from + size, from + 1, this.pos);
    this.pos += size - 1;
    let p = from;
    let v = length;
    while (v > 127) {
      this.buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  /** The message written since begin(): a view of the slab that later messages never write over. */
  take(): Uint8Array {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }
}

const scratch = new SlabWriter();

const T = {
  flow: tag(1, LEN),
  time: tag(1, LEN),
  seconds: tag(1, VARINT),
  nanos: tag(2, VARINT),
  verdict: tag(2, VARINT),
  dropReason: tag(3, VARINT),
  ip: tag(5, LEN),
  l4: tag(6, LEN),
  source: tag(8, LEN),
  destination: tag(9, LEN),
  type: tag(10, VARINT),
  nodeName: tag(11, LEN),
  sourceNames: tag(13, LEN),
  destinationNames: tag(14, LEN),
  l7: tag(15, LEN),
  reply: tag(16, VARINT),
  eventType: tag(19, LEN),
  direction: tag(22, VARINT),
  dropReasonDesc: tag(25, VARINT),
  isReply: tag(26, LEN),
  uuid: tag(34, LEN),
  summary: tag(100000, LEN),
  egressAllowedBy: tag(21001, LEN),
  ingressAllowedBy: tag(21002, LEN),
  egressDeniedBy: tag(21004, LEN),
  ingressDeniedBy: tag(21005, LEN),
  responseNodeName: tag(1000, LEN),
} as const;

function ports(w: SlabWriter, field: number, r: FlowRecord, withFlags: boolean): void {
  w.varint(tag(field, LEN));
  const at = w.fork();
  if (r.source.port) {
    w.varint(tag(1, VARINT));
    w.varint(r.source.port >>> 0);
  }
  if (r.destination.port) {
    w.varint(tag(2, VARINT));
    w.varint(r.destination.port >>> 0);
  }
  if (withFlags && r.tcpFlags.length) {
    w.varint(tag(3, LEN));
    const flags = w.fork();
    for (let i = 0; i < TCP_FLAG_NAMES.length; i++) {
      if (!r.tcpFlags.includes(TCP_FLAG_NAMES[i])) continue;
      w.varint(tag(i + 1, VARINT));
      w.varint(1);
    }
    w.ldelim(flags);
  }
  w.ldelim(at);
}

function policies(w: SlabWriter, field: number, list: PolicyRef[]): void {
  for (const b of encodePolicies(list)) {
    w.varint(field);
    w.bytes(b);
  }
}

/** Encodes one GetFlowsResponse carrying `r`; decodes to exactly what normalizeFlow expects. */
export function encodeFlowResponse(r: FlowRecord): Uint8Array {
  const w = scratch;
  w.begin();
  w.varint(T.flow);
  const flow = w.fork();
  const seconds = Math.floor(r.time / 1000);
  const nanos = Math.round((r.time - seconds * 1000) * 1e6);
  w.varint(T.time);
  const time = w.fork();
  w.varint(T.seconds);
  w.int64(seconds);
  if (nanos) {
    w.varint(T.nanos);
    w.int64(nanos);
  }
  w.ldelim(time);
  const verdict = verdictNumber(r.verdict);
  if (verdict) {
    w.varint(T.verdict);
    w.varint(verdict);
  }
  const drop = r.dropReason ? (DROP_REASON_NUMBERS[r.dropReason] ?? 0) : 0;
  if (drop) {
    w.varint(T.dropReason);
    w.varint(drop);
  }
  w.varint(T.ip);
  const ip = w.fork();
  if (r.source.ip) {
    w.varint(tag(1, LEN));
    w.string(r.source.ip);
  }
  if (r.destination.ip) {
    w.varint(tag(2, LEN));
    w.string(r.destination.ip);
  }
  w.varint(tag(3, VARINT));
  w.varint(r.source.ip.includes(':') ? 2 : 1);
  w.ldelim(ip);
  if (r.protocol) {
    w.varint(T.l4);
    const l4 = w.fork();
    if (r.protocol === 'TCP') ports(w, 1, r, true);
    else if (r.protocol === 'UDP') ports(w, 2, r, false);
    else if (r.protocol === 'SCTP') ports(w, 5, r, false);
    else {
      const icmp = r.icmp ?? { type: 0, code: 0 };
      w.varint(tag(r.protocol === 'ICMPv4' ? 3 : 4, LEN));
      const at = w.fork();
      w.varint(tag(1, VARINT));
      w.varint(icmp.type >>> 0);
      w.varint(tag(2, VARINT));
      w.varint(icmp.code >>> 0);
      w.ldelim(at);
    }
    w.ldelim(l4);
  }
  w.varint(T.source);
  w.bytes(encodeEndpoint(r.source));
  w.varint(T.destination);
  w.bytes(encodeEndpoint(r.destination));
  w.varint(T.type);
  w.varint(numberOf(FLOW_TYPE_BY_NUMBER, r.type));
  if (r.node) {
    w.varint(T.nodeName);
    w.string(r.node);
  }
  for (const n of r.source.names) {
    w.varint(T.sourceNames);
    w.string(n);
  }
  for (const n of r.destination.names) {
    w.varint(T.destinationNames);
    w.string(n);
  }
  if (r.l7) {
    // Rare (L7 records): through protobufjs, spliced in as bytes.
    const l7 = flowToWire(r).l7 as Record<string, unknown>;
    w.varint(T.l7);
    w.bytes(observerTypes().root.lookupType('flow.Layer7').encode(l7).finish());
  }
  if (r.isReply) {
    w.varint(T.reply);
    w.varint(1);
  }
  if (r.eventType) {
    w.varint(T.eventType);
    const at = w.fork();
    w.varint(tag(1, VARINT));
    w.int64(r.eventType);
    w.ldelim(at);
  }
  const dir = directionNumber(r.direction);
  if (dir) {
    w.varint(T.direction);
    w.varint(dir);
  }
  if (drop) {
    w.varint(T.dropReasonDesc);
    w.varint(drop);
  }
  if (r.isReply !== null) {
    w.varint(T.isReply);
    const at = w.fork();
    if (r.isReply) {
      w.varint(tag(1, VARINT));
      w.varint(1);
    }
    w.ldelim(at);
  }
  if (r.uuid) {
    w.varint(T.uuid);
    w.string(r.uuid);
  }
  if (r.summary) {
    w.varint(T.summary);
    w.string(r.summary);
  }
  policies(w, T.egressAllowedBy, r.egressAllowedBy);
  policies(w, T.ingressAllowedBy, r.ingressAllowedBy);
  policies(w, T.egressDeniedBy, r.egressDeniedBy);
  policies(w, T.ingressDeniedBy, r.ingressDeniedBy);
  w.ldelim(flow);
  if (r.node) {
    w.varint(T.responseNodeName);
    w.string(r.node);
  }
  return w.take();
}
