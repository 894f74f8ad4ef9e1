/**
 * Decodes GetFlowsResponse bytes straight into FlowRecords. protobufjs' generic decoder builds an
 * object for every nested message and a string for every label of both endpoints on every flow;
 * at 100k flows/s that garbage, not the parsing, dominates. Endpoints and policy lists repeat for
 * every flow of the same pods, so their decoded form is interned by their bytes: a repeated
 * endpoint costs one map lookup and shares its (frozen) label arrays. Everything else is read
 * field by field; fields Flowsight does not use are skipped, as any protobuf reader would.
 */

import protobuf from 'protobufjs';
import type { FlowRecord, L4Protocol, PolicyRef, Workload } from '../flows/flow-record';
import { normalizeL7 } from './normalize';
import * as wire from './wire-enums';
import { observerTypes } from './proto';

const { Reader } = protobuf;
// Module-local copies: transpiled imports are read through getters, which shows at 100k flows/s.
const VERDICT_BY_NUMBER = wire.VERDICT_BY_NUMBER;
const DIRECTION_BY_NUMBER = wire.DIRECTION_BY_NUMBER;
const FLOW_TYPE_BY_NUMBER = wire.FLOW_TYPE_BY_NUMBER;
const TCP_FLAG_NAMES = wire.TCP_FLAG_NAMES;
const dropReasonName = wire.dropReasonName;
type ReaderT = protobuf.Reader;

const L4_BY_FIELD: L4Protocol[] = ['', 'TCP', 'UDP', 'ICMPv4', 'ICMPv6', 'SCTP'];
const EMPTY: never[] = Object.freeze([]) as unknown as never[];

interface EndpointIdentity {
  identity: number;
  namespace: string;
  labels: string[];
  pod: string;
  workloads: Workload[];
  cluster: string;
}

const NO_ENDPOINT: EndpointIdentity = Object.freeze({ identity: 0, namespace: '', labels: EMPTY, pod: '', workloads: EMPTY, cluster: '' });

/**
 * Interned values by the bytes they were decoded from. Keyed by an FNV-1a hash of the bytes with
 * a byte-for-byte check on hit, so a repeated endpoint costs no allocation at all; cleared when
 * full (the working set refills it).
 */
class Interner<T> {
  private readonly buckets = new Map<number, { bytes: Buffer; value: T }[]>();
  private size = 0;
  /** `hash` may read only some of the bytes: a hit is always checked against all of them. */
  constructor(
    private readonly max: number,
    private readonly hash: (buf: Uint8Array, start: number, end: number) => number = hashBytes,
  ) {}

  /** The value of the bytes r.buf[r.pos..end), decoded by `read(r, end)` when new; r.pos ends at `end`. */
  get(r: ReaderT, end: number, read: (r: ReaderT, end: number) => T): T {
    const buf = r.buf;
    const start = r.pos;
    const h = this.hash(buf, start, end);
    const bucket = this.buckets.get(h);
    if (bucket) {
      for (let i = 0; i < bucket.length; i++) {
        const e = bucket[i];
        if (sameBytes(e.bytes, buf, start, end)) {
          r.pos = end;
          return e.value;
        }
      }
    }
    if (this.size >= this.max) {
      this.buckets.clear();
      this.size = 0;
    }
    const value = read(r, end);
    r.pos = end;
    // A copy of its own (a view would keep the whole message alive), as a Buffer for sameBytes.
    const entry = { bytes: Buffer.from(buf.subarray(start, end)), value };
    if (bucket && this.buckets.has(h)) bucket.push(entry);
    else this.buckets.set(h, [entry]);
    this.size++;
    return value;
  }
}

/**
 * FNV-1a over 32-bit little-endian words (then the last 0-3 bytes one by one): one multiply per
 * four bytes, not per byte, because the chain of multiplies is what bounds a per-byte loop.
 */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  let i = start;
  for (const last = end - 3; i < last; i += 4) h = Math.imul(h ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h;
}

/** One varint of buf at `at` (protobuf tags and lengths), -1 past `end` or longer than five bytes. */
function varintAt(buf: Uint8Array, at: number, end: number): number {
  let v = 0;
  for (let shift = 0; shift < 35 && at < end; shift += 7) {
    const b = buf[at++];
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
  }
  return -1;
}

/** Bytes a varint at `at` takes (at most ten; fewer when the buffer ends first). */
function varintSize(buf: Uint8Array, at: number, end: number): number {
  let n = 1;
  while (at < end && buf[at] >= 0x80 && n < 10) {
    at++;
    n++;
  }
  return n;
}

/**
 * The hash of an encoded flow.Endpoint from what tells endpoints apart, without reading all of its
 * ~400 bytes (mostly labels, the same for every replica of a workload): its length, identity (2),
 * namespace (3) and pod name (5). Endpoints that differ elsewhere only share a bucket, where the
 * full compare separates them. Anything unexpected falls back to hashing every byte.
 */
export function hashEndpointBytes(buf: Uint8Array, start: number, end: number): number {
  let h = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
  let at = start;
  while (at < end) {
    const tag = varintAt(buf, at, end);
    if (tag < 0) return hashBytes(buf, start, end);
    at += varintSize(buf, at, end);
    const field = tag >>> 3;
    switch (tag & 7) {
      case 0: {
        if (field === 2) h = Math.imul(h ^ varintAt(buf, at, end), 0x01000193);
        at += varintSize(buf, at, end);
        break;
      }
      case 2: {
        const len = varintAt(buf, at, end);
        if (len < 0) return hashBytes(buf, start, end);
        at += varintSize(buf, at, end);
        if (field === 3 || field === 5) h = Math.imul(hashBytes(buf, at, Math.min(at + len, end)) ^ h, 0x01000193);
        at += len;
        break;
      }
      case 1:
        at += 8;
        break;
      case 5:
        at += 4;
        break;
      default:
        return hashBytes(buf, start, end);
    }
  }
  return h;
}

/** Whether buf[start..end) holds the bytes of `a`: a native compare (memcmp), ~15x a JS loop over an endpoint's ~400 bytes. */
function sameBytes(a: Buffer, buf: Uint8Array, start: number, end: number): boolean {
  return a.length === end - start && a.compare(buf, start, end) === 0;
}

const endpoints = new Interner<EndpointIdentity>(50_000, hashEndpointBytes);
const policyRefs = new Interner<PolicyRef>(10_000);
/**
 * Hubble node names (a few per node of the cluster): one string per name, so the maps downstream
 * (the history's dictionaries, the posture) find a hash already computed instead of hashing a
 * fresh string per flow.
 */
const nodeNames = new Interner<string>(10_000);

function readText(r: ReaderT, end: number): string {
  return protobuf.util.utf8.read(r.buf, r.pos, end);
}

function readEndpoint(r: ReaderT, end: number): EndpointIdentity {
  let identity = 0;
  let namespace = '';
  let pod = '';
  let cluster = '';
  const labels: string[] = [];
  const workloads: Workload[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 2:
        identity = r.uint32();
        break;
      case 3:
        namespace = r.string();
        break;
      case 4:
        labels.push(r.string());
        break;
      case 5:
        pod = r.string();
        break;
      case 6: {
        const wEnd = r.uint32() + r.pos;
        let name = '';
        let kind = '';
        while (r.pos < wEnd) {
          const t = r.uint32();
          if (t >>> 3 === 1) name = r.string();
          else if (t >>> 3 === 2) kind = r.string();
          else r.skipType(t & 7);
        }
        workloads.push(Object.freeze({ name, kind }));
        break;
      }
      case 7:
        cluster = r.string();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return Object.freeze({ identity, namespace, labels: Object.freeze(labels) as string[], pod, workloads: Object.freeze(workloads) as Workload[], cluster });
}

function readPolicy(r: ReaderT, end: number): PolicyRef {
  let name = '';
  let namespace = '';
  let kind = '';
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === 1) name = r.string();
    else if (f === 2) namespace = r.string();
    else if (f === 5) kind = r.string();
    else r.skipType(tag & 7);
  }
  return Object.freeze({ kind, namespace, name });
}

function interned<T>(r: ReaderT, interner: Interner<T>, read: (r: ReaderT, end: number) => T): T {
  const len = r.uint32();
  return interner.get(r, r.pos + len, read);
}

function endOf(r: ReaderT): number {
  return r.uint32() + r.pos;
}

function serviceName(r: ReaderT): string {
  const end = endOf(r);
  let name = '';
  while (r.pos < end) {
    const t = r.uint32();
    if (t >>> 3 === 1) name = r.string();
    else r.skipType(t & 7);
  }
  return name;
}

function pushPolicy(list: PolicyRef[] | null, p: PolicyRef): PolicyRef[] {
  if (!list) return [p];
  list.push(p);
  return list;
}

/** Decodes one flow.Flow message occupying r.pos..end. */
function readFlow(r: ReaderT, end: number): FlowRecord {
  let time = 0;
  let verdict = 0;
  let dropReason = 0;
  let srcIp = '';
  let dstIp = '';
  let protocol: L4Protocol = '';
  let sport = 0;
  let dport = 0;
  let tcpFlags: string[] = EMPTY;
  let icmp: FlowRecord['icmp'];
  let src = NO_ENDPOINT;
  let dst = NO_ENDPOINT;
  let type = 0;
  let node = '';
  let srcNames: string[] = EMPTY;
  let dstNames: string[] = EMPTY;
  let l7: FlowRecord['l7'];
  let reply = false;
  let isReply: boolean | null = null;
  let eventType = 0;
  let srcService = '';
  let dstService = '';
  let direction = 0;
  let uuid = '';
  let summary = '';
  let egressAllowedBy: PolicyRef[] | null = null;
  let ingressAllowedBy: PolicyRef[] | null = null;
  let egressDeniedBy: PolicyRef[] | null = null;
  let ingressDeniedBy: PolicyRef[] | null = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: {
        const tEnd = endOf(r);
        let seconds = 0;
        let nanos = 0;
        while (r.pos < tEnd) {
          const t = r.uint32();
          if (t >>> 3 === 1) seconds = r.int64() as unknown as number;
          else if (t >>> 3 === 2) nanos = r.int32();
          else r.skipType(t & 7);
        }
        time = seconds * 1000 + nanos / 1e6;
        break;
      }
      case 2:
        verdict = r.uint32();
        break;
      case 3:
        if (!dropReason) dropReason = r.uint32();
        else r.uint32();
        break;
      case 25:
        dropReason = r.uint32();
        break;
      case 5: {
        const ipEnd = endOf(r);
        while (r.pos < ipEnd) {
          const t = r.uint32();
          if (t >>> 3 === 1) srcIp = r.string();
          else if (t >>> 3 === 2) dstIp = r.string();
          else r.skipType(t & 7);
        }
        break;
      }
      case 6: {
        const l4End = endOf(r);
        while (r.pos < l4End) {
          const t = r.uint32();
          const which = t >>> 3;
          if (which < 1 || which > 5) {
            r.skipType(t & 7);
            continue;
          }
          protocol = L4_BY_FIELD[which];
          const pEnd = endOf(r);
          let a = 0;
          let b = 0;
          while (r.pos < pEnd) {
            const pt = r.uint32();
            const pf = pt >>> 3;
            if (pf === 1) a = r.uint32();
            else if (pf === 2) b = r.uint32();
            else if (pf === 3 && which === 1) {
              const fEnd = endOf(r);
              tcpFlags = [];
              while (r.pos < fEnd) {
                const ft = r.uint32();
                const on = r.bool();
                const bit = (ft >>> 3) - 1;
                if (on && bit >= 0 && bit < TCP_FLAG_NAMES.length) tcpFlags.push(TCP_FLAG_NAMES[bit]);
              }
            } else r.skipType(pt & 7);
          }
          if (which === 3 || which === 4) icmp = { type: a, code: b };
          else {
            sport = a;
            dport = b;
          }
        }
        break;
      }
      case 8:
        src = interned(r, endpoints, readEndpoint);
        break;
      case 9:
        dst = interned(r, endpoints, readEndpoint);
        break;
      case 10:
        type = r.uint32();
        break;
      case 11:
        node = interned(r, nodeNames, readText);
        break;
      case 13:
        if (srcNames === EMPTY) srcNames = [];
        srcNames.push(r.string());
        break;
      case 14:
        if (dstNames === EMPTY) dstNames = [];
        dstNames.push(r.string());
        break;
      case 15: {
        const len = r.uint32();
        const start = r.pos;
        r.pos = start + len;
        // L7 records are rare next to L3/L4 flows: the generic decoder is fine here.
        l7 = normalizeL7(observerTypes().root.lookupType('flow.Layer7').decode(r.buf.subarray(start, start + len)));
        break;
      }
      case 16:
        reply = r.bool();
        break;
      case 19: {
        const eEnd = endOf(r);
        while (r.pos < eEnd) {
          const t = r.uint32();
          if (t >>> 3 === 1) eventType = r.int32();
          else r.skipType(t & 7);
        }
        break;
      }
      case 20:
        srcService = serviceName(r);
        break;
      case 21:
        dstService = serviceName(r);
        break;
      case 22:
        direction = r.uint32();
        break;
      case 26: {
        const bEnd = endOf(r);
        isReply = false;
        while (r.pos < bEnd) {
          const t = r.uint32();
          if (t >>> 3 === 1) isReply = r.bool();
          else r.skipType(t & 7);
        }
        break;
      }
      case 34:
        uuid = r.string();
        break;
      case 100000:
        summary = r.string();
        break;
      case 21001:
        egressAllowedBy = pushPolicy(egressAllowedBy, interned(r, policyRefs, readPolicy));
        break;
      case 21002:
        ingressAllowedBy = pushPolicy(ingressAllowedBy, interned(r, policyRefs, readPolicy));
        break;
      case 21004:
        egressDeniedBy = pushPolicy(egressDeniedBy, interned(r, policyRefs, readPolicy));
        break;
      case 21005:
        ingressDeniedBy = pushPolicy(ingressDeniedBy, interned(r, policyRefs, readPolicy));
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  const v = VERDICT_BY_NUMBER[verdict] ?? 'UNKNOWN';
  // One literal of one shape for the common flow (a spread in a literal takes V8's slow path for
  // every flow); the rare ICMP or L7 flow gets its field added where the spread put it.
  const flow: FlowRecord = {
    uuid,
    time,
    verdict: v,
    dropReason: v === 'DROPPED' && dropReason ? dropReasonName(dropReason) : '',
    direction: DIRECTION_BY_NUMBER[direction] ?? 'UNKNOWN',
    isReply: isReply ?? (reply ? true : null),
    protocol,
    tcpFlags,
    source: { ip: srcIp, port: sport, identity: src.identity, namespace: src.namespace, pod: src.pod, labels: src.labels, workloads: src.workloads, names: srcNames, service: srcService, cluster: src.cluster },
    destination: { ip: dstIp, port: dport, identity: dst.identity, namespace: dst.namespace, pod: dst.pod, labels: dst.labels, workloads: dst.workloads, names: dstNames, service: dstService, cluster: dst.cluster },
    node,
    type: FLOW_TYPE_BY_NUMBER[type] ?? 'UNKNOWN',
    eventType,
    egressAllowedBy: egressAllowedBy ?? EMPTY,
    ingressAllowedBy: ingressAllowedBy ?? EMPTY,
    egressDeniedBy: egressDeniedBy ?? EMPTY,
    ingressDeniedBy: ingressDeniedBy ?? EMPTY,
    summary,
  };
  return icmp || l7 ? withOptionalFields(flow, icmp, l7) : flow;
}

/** The flow with `icmp` after `tcpFlags` and `l7` after `eventType`: the key order JSON output has always had. */
function withOptionalFields(flow: FlowRecord, icmp: FlowRecord['icmp'], l7: FlowRecord['l7']): FlowRecord {
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(flow)) {
    out[k] = value;
    if (k === 'tcpFlags' && icmp) out.icmp = icmp;
    else if (k === 'eventType' && l7) out.l7 = l7;
  }
  return out as unknown as FlowRecord;
}

export type DecodedResponse =
  | { kind: 'flow'; flow: FlowRecord }
  | { kind: 'lost'; source: number; lost: number }
  | { kind: 'node'; state: number; nodes: string[]; message: string }
  | { kind: 'other' };

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs dynamic messages for the rare parts */
/** Decodes one GetFlowsResponse message. */
export function decodeGetFlowsResponse(buf: Uint8Array): DecodedResponse {
  const r = Reader.create(buf);
  let out: DecodedResponse = { kind: 'other' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) {
      const end = endOf(r);
      out = { kind: 'flow', flow: readFlow(r, end) };
    } else if (field === 2 || field === 3) {
      const len = r.uint32();
      const sub = r.buf.subarray(r.pos, r.pos + len);
      r.pos += len;
      const t = observerTypes().root;
      if (field === 3) {
        const m = t.lookupType('flow.LostEvent').decode(sub) as any;
        out = { kind: 'lost', source: m.source, lost: Number(m.num_events_lost) };
      } else {
        const m = t.lookupType('relay.NodeStatusEvent').decode(sub) as any;
        out = { kind: 'node', state: m.state_change, nodes: m.node_names, message: m.message };
      }
    } else {
      r.skipType(tag & 7);
    }
  }
  return out;
}
