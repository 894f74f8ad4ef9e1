/**
 * A GetFlowsRequest from any Hubble client (the `hubble` CLI, Hubble UI, our own relay client) ->
 * the plan Flowsight answers it with, or the reason it cannot. protobufjs drops fields our .proto
 * subset does not know, so the raw bytes are scanned too: a filter we cannot evaluate (say
 * `--http-url`, field 31) must fail the call, not be silently ignored and return unfiltered flows.
 */

import protobuf from 'protobufjs';
import { compileFilters, FilterError, filterFromWire, type FlowFilter, type FlowPredicate } from '../hubble/flow-filter';
import type { SqlCondition } from '../history/flow-store';
import { observerTypes } from '../hubble/proto';

/** What one call asks for, in Flowsight's terms (epoch ms; `until` inclusive as in Hubble). */
export interface GetFlowsPlan {
  /** 0: no limit. */
  number: number;
  first: boolean;
  follow: boolean;
  since: number | null;
  until: number | null;
  allow: FlowFilter[];
  deny: FlowFilter[];
  predicate: FlowPredicate;
}

export type PlanResult = { ok: true; plan: GetFlowsPlan } | { ok: false; message: string };

/** The decoded request plus what the byte scan found; produced by the server's request deserializer. */
export interface ReceivedRequest {
  decoded: Record<string, unknown> | null;
  /** Fields set in the request that Flowsight cannot honour, as `name (number)`. */
  unsupported: string[];
  /** The bytes did not decode at all. */
  malformed: string | null;
}

const GET_FLOWS_SUPPORTED = new Set([1, 3, 5, 6, 7, 8, 9]);
/**
 * Shape only the payload, never which flows match: a full flow answers a field-masked request too
 * (the client reads the fields it asked for), so these are accepted and ignored.
 */
const GET_FLOWS_IGNORED = new Set([10 /* field_mask */, 999 /* experimental (older field_mask) */]);
const GET_FLOWS_NAMES: Record<number, string> = { 150000: 'extensions' };

/** FlowFilter fields flow-filter.ts evaluates with Hubble's semantics (see filterFromWire). */
const FILTER_SUPPORTED = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 24, 26, 27, 29, 30, 33]);
/** Names of Cilium's FlowFilter fields we do not evaluate, for the error message. */
const FILTER_NAMES: Record<number, string> = {
  23: 'tcp_flags', 25: 'ip_version', 28: 'trace_id', 31: 'http_url', 32: 'http_header', 34: 'source_ip_xlated', 35: 'interface',
  36: 'node_labels', 37: 'source_cluster_name', 38: 'destination_cluster_name', 39: 'ip_trace_id', 40: 'encrypted',
  999: 'experimental (CEL expression)', 150000: 'extensions',
};

/** A request may carry this many filters per list (`hubble observe` builds at most two). */
export const MAX_FILTERS_PER_LIST = 64;

function fieldLabel(names: Record<number, string>, n: number): string {
  return names[n] ? `${names[n]} (${n})` : `field ${n}`;
}

function scanFilter(bytes: Uint8Array, list: string, index: number, out: Set<string>): void {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (!FILTER_SUPPORTED.has(field)) out.add(`${list}[${index}].${fieldLabel(FILTER_NAMES, field)}`);
    r.skipType(tag & 7);
  }
}

/** Fields set in an encoded GetFlowsRequest that Flowsight cannot honour. */
export function unsupportedFields(bytes: Uint8Array): string[] {
  const out = new Set<string>();
  const r = protobuf.Reader.create(bytes);
  const seen = { whitelist: 0, blacklist: 0 };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if ((field === 5 || field === 6) && (tag & 7) === 2) {
      const list = field === 6 ? 'whitelist' : 'blacklist';
      scanFilter(r.bytes(), list, seen[list]++, out);
      continue;
    }
    if (!GET_FLOWS_SUPPORTED.has(field) && !GET_FLOWS_IGNORED.has(field)) out.add(fieldLabel(GET_FLOWS_NAMES, field));
    r.skipType(tag & 7);
  }
  return [...out];
}

/** The server's request deserializer for GetFlows: never throws (a bad request is answered, not dropped). */
export function receiveGetFlowsRequest(bytes: Buffer): ReceivedRequest {
  try {
    const decoded = observerTypes().GetFlowsRequest.decode(bytes) as unknown as Record<string, unknown>;
    return { decoded, unsupported: unsupportedFields(bytes), malformed: null };
  } catch (e) {
    return { decoded: null, unsupported: [], malformed: (e as Error).message };
  }
}

interface WireTimestamp {
  seconds?: number | string;
  nanos?: number;
}

function timestampMs(t: WireTimestamp | null | undefined): number | null {
  if (!t) return null;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs dynamic message */
/** Validates a received request and compiles its filters (Hubble's FlowFilter semantics). */
export function planGetFlows(received: ReceivedRequest): PlanResult {
  if (received.malformed !== null || !received.decoded) return { ok: false, message: `malformed GetFlowsRequest: ${received.malformed ?? 'no message'}` };
  if (received.unsupported.length) {
    return { ok: false, message: `Flowsight's observer API does not support ${received.unsupported.join(', ')}; remove these filters or options` };
  }
  const req = received.decoded as any;
  const whitelist: any[] = req.whitelist ?? [];
  const blacklist: any[] = req.blacklist ?? [];
  if (whitelist.length > MAX_FILTERS_PER_LIST || blacklist.length > MAX_FILTERS_PER_LIST) {
    return { ok: false, message: `at most ${MAX_FILTERS_PER_LIST} filters per whitelist and blacklist` };
  }
  for (const f of [...whitelist, ...blacklist]) {
    // flow-filter.ts compares the event type only: a sub-type filter would match too much.
    if ((f.event_type ?? []).some((e: any) => e.match_sub_type)) return { ok: false, message: 'event_type filters with match_sub_type are not supported (filter on the type only)' };
  }
  const since = timestampMs(req.since);
  const until = timestampMs(req.until);
  if (since !== null && until !== null && until < since) return { ok: false, message: `until (${iso(until)}) is before since (${iso(since)})` };
  const first = !!req.first;
  const follow = !!req.follow;
  if (first && follow) return { ok: false, message: 'first cannot be combined with follow' };
  const number = Number(req.number ?? 0);
  if (!Number.isSafeInteger(number) || number < 0) return { ok: false, message: 'number is out of range' };
  const allow = whitelist.map(filterFromWire);
  const deny = blacklist.map(filterFromWire);
  let predicate: FlowPredicate;
  try {
    predicate = compileFilters(allow, deny);
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, message: `invalid filter: ${e.message}` };
    throw e;
  }
  return { ok: true, plan: { number, first, follow, since, until, allow, deny, predicate } };
}

/**
 * The part of an allow list the store can apply itself: when every allow filter names verdicts,
 * a flow outside their union matches none of them (`hubble observe --verdict DROPPED`, the usual
 * incident question, then reads only drops). A bound parameter, never spliced text.
 */
export function verdictPrefilter(allow: readonly FlowFilter[]): SqlCondition | undefined {
  if (allow.length === 0 || allow.some((f) => !f.verdict?.length)) return undefined;
  const verdicts = [...new Set(allow.flatMap((f) => f.verdict ?? []))];
  return { where: 'verdict IN {o_verdicts:Array(String)}', params: { o_verdicts: verdicts } };
}
