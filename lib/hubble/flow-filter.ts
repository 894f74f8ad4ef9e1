/**
 * Hubble FlowFilter semantics on FlowRecords: within one filter every set field must match (AND),
 * the values of one field are alternatives (OR); a request's allow list is OR-ed, then anything
 * matching a deny list is removed. The demo relay filters with this exactly like Hubble Relay, and
 * the hub uses it to pick the flows each browser asked for.
 */

import ipaddr from 'ipaddr.js';
import { normalizeDnsName } from '../match/dns-name';
import { inRange, parseCidr, parseIp } from '../net/ip';
import type { FlowRecord, TrafficDirection, Verdict } from '../flows/flow-record';
import { VERDICTS } from '../flows/flow-record';
import { compileSafeRegex, RegexError, type SafeRegex } from '../match/re2';
import { anyCharBut, compileGlob, DNS_NAME_CHARS, type Wildcard } from '../match/wildcard';
import { DIRECTION_BY_NUMBER, DROP_REASON_NUMBERS, dropReasonName, VERDICT_BY_NUMBER } from './wire-enums';

/** The FlowFilter fields Flowsight supports, named as on the wire (enums by name). */
export interface FlowFilter {
  uuid?: string[];
  source_ip?: string[];
  destination_ip?: string[];
  source_pod?: string[];
  destination_pod?: string[];
  source_fqdn?: string[];
  destination_fqdn?: string[];
  source_label?: string[];
  destination_label?: string[];
  source_service?: string[];
  destination_service?: string[];
  source_workload?: { name?: string; kind?: string }[];
  destination_workload?: { name?: string; kind?: string }[];
  source_identity?: number[];
  destination_identity?: number[];
  traffic_direction?: TrafficDirection[];
  verdict?: Verdict[];
  drop_reason_desc?: string[];
  event_type?: { type: number; match_sub_type?: boolean; sub_type?: number }[];
  http_status_code?: string[];
  protocol?: string[];
  source_port?: string[];
  destination_port?: string[];
  reply?: boolean[];
  dns_query?: string[];
  http_method?: string[];
  http_path?: string[];
  node_name?: string[];
}

export type FlowPredicate = (r: FlowRecord) => boolean;

export class FilterError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'FilterError';
  }
}

const ALWAYS: FlowPredicate = () => true;

/**
 * Filters arrive from browsers and from any gRPC client of the demo relay: bound what one request
 * can make the server compile and run per flow.
 */
const MAX_VALUES_PER_FIELD = 256;
const MAX_VALUE_LENGTH = 1024;

function anyOf<T>(field: string, values: T[] | undefined, build: (v: T) => FlowPredicate): FlowPredicate | null {
  if (!values || values.length === 0) return null;
  if (values.length > MAX_VALUES_PER_FIELD) throw new FilterError(field, `at most ${MAX_VALUES_PER_FIELD} values`);
  for (const v of values) {
    if (typeof v === 'string' && v.length > MAX_VALUE_LENGTH) throw new FilterError(field, `a value is longer than ${MAX_VALUE_LENGTH} characters`);
  }
  const preds = values.map(build);
  if (preds.length === 1) return preds[0];
  return (r) => {
    for (const p of preds) if (p(r)) return true;
    return false;
  };
}

function ipMatcher(field: string, value: string, pick: (r: FlowRecord) => string): FlowPredicate {
  if (value.includes('/')) {
    const range = parseCidr(value);
    if (!range) throw new FilterError(field, `"${value}" is not a CIDR`);
    return (r) => {
      const ip = pick(r);
      // Parsed once per address (memoized): a filter runs on every flow of the stream.
      const addr = ip ? parseIp(ip) : undefined;
      return !!addr && inRange(addr, range);
    };
  }
  if (!ipaddr.isValid(value)) throw new FilterError(field, `"${value}" is not an IP address or CIDR`);
  const want = ipaddr.parse(value).toString();
  return (r) => pick(r) === want;
}

/**
 * Pod and service filters share one syntax: `ns/` = anything in the namespace, `ns/prefix` = a name
 * prefix in it, `prefix` = a name prefix in any namespace.
 */
function namePrefixMatcher(value: string, side: 'source' | 'destination', field: 'pod' | 'service'): FlowPredicate {
  const slash = value.indexOf('/');
  const ns = slash >= 0 ? value.slice(0, slash) : '';
  const prefix = slash >= 0 ? value.slice(slash + 1) : value;
  return (r) => {
    const ep = r[side];
    if (slash >= 0 && ep.namespace !== ns) return false;
    const name = ep[field];
    // `ns/` alone also matches endpoints of the namespace that have no pod/service name.
    if (prefix === '') return slash >= 0 || name !== '';
    return name !== '' && name.startsWith(prefix);
  };
}


/** Hubble FQDN filters: `*` matches any run of DNS characters, dots included. */
export function fqdnPattern(field: string, value: string): Wildcard {
  const v = normalizeDnsName(value);
  if (v.length > 253) throw new FilterError(field, 'a DNS name pattern is at most 253 characters');
  if (!/^[-a-z0-9.*_]+$/.test(v)) throw new FilterError(field, `"${value}" is not a DNS name or wildcard pattern`);
  return compileGlob(v, { star: DNS_NAME_CHARS });
}

function fqdnMatcher(field: string, value: string, side: 'source' | 'destination'): FlowPredicate {
  const pattern = fqdnPattern(field, value);
  return (r) => {
    for (const n of r[side].names) if (pattern.matches(normalizeDnsName(n))) return true;
    return false;
  };
}

/**
 * Label filters use Kubernetes selector syntax over Cilium labels: `k=v`, `k==v`, `k!=v`, `k`, `!k`,
 * comma-separated (AND). Keys may carry a source prefix (`k8s:app`, `reserved:world`); without one
 * they match any source.
 */
export function labelSelectorMatcher(field: string, selector: string): (labels: readonly string[]) => boolean {
  const terms = selector.split(',').map((t) => t.trim()).filter(Boolean);
  if (terms.length === 0) throw new FilterError(field, 'empty label selector');
  const checks = terms.map((term) => {
    const m = /^(!)?([A-Za-z0-9_.\-/:]+?)(?:\s*(==|=|!=)\s*([A-Za-z0-9_.\-]*))?$/.exec(term);
    if (!m) throw new FilterError(field, `"${term}" is not a label selector term (use key=value, key!=value, key or !key)`);
    const [, not, key, op, value] = m;
    if (not && op) throw new FilterError(field, `"${term}": "!" only applies to a bare key`);
    const hasSource = /^[a-z0-9-]+:/.test(key) && !key.startsWith('http');
    const keyMatches = (labelKey: string, labelSource: string) =>
      hasSource ? `${labelSource}:${labelKey}` === key : labelKey === key;
    const find = (labels: readonly string[]): string | undefined => {
      for (const l of labels) {
        const colon = l.indexOf(':');
        const source = colon >= 0 ? l.slice(0, colon) : '';
        const rest = colon >= 0 ? l.slice(colon + 1) : l;
        const eq = rest.indexOf('=');
        const k = eq >= 0 ? rest.slice(0, eq) : rest;
        if (keyMatches(k, source)) return eq >= 0 ? rest.slice(eq + 1) : '';
      }
      return undefined;
    };
    if (!op) return not ? (ls: readonly string[]) => find(ls) === undefined : (ls: readonly string[]) => find(ls) !== undefined;
    if (op === '!=') return (ls: readonly string[]) => find(ls) !== value;
    return (ls: readonly string[]) => find(ls) === value;
  });
  return (labels) => checks.every((c) => c(labels));
}

function portMatcher(field: string, value: string, side: 'source' | 'destination'): FlowPredicate {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) throw new FilterError(field, `"${value}" is not a port number (0-65535)`);
  return (r) => r[side].port === n && r.protocol !== '' && !r.protocol.startsWith('ICMP');
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'icmp', 'icmpv4', 'icmpv6', 'http', 'dns', 'kafka']);

function protocolMatcher(field: string, value: string): FlowPredicate {
  const p = value.toLowerCase();
  if (!PROTOCOLS.has(p)) throw new FilterError(field, `"${value}" is not a protocol (${[...PROTOCOLS].join(', ')})`);
  switch (p) {
    case 'http':
      return (r) => !!r.l7?.http;
    case 'dns':
      return (r) => !!r.l7?.dns;
    case 'kafka':
      return (r) => !!r.l7?.kafka;
    case 'icmp':
      return (r) => r.protocol === 'ICMPv4' || r.protocol === 'ICMPv6';
    default:
      return (r) => r.protocol.toLowerCase() === p;
  }
}

function httpStatusMatcher(field: string, value: string): FlowPredicate {
  const m = /^([1-5])(\d\d|\+)$/.exec(value);
  if (!m) throw new FilterError(field, `"${value}" is not an HTTP status (e.g. 404, 5+)`);
  if (m[2] === '+') {
    const lo = Number(m[1]) * 100;
    return (r) => !!r.l7?.http && r.l7.http.code >= lo && r.l7.http.code < lo + 100;
  }
  const code = Number(value);
  return (r) => r.l7?.http?.code === code;
}

/** Hubble compiles these with Go's regexp (RE2): same semantics, and linear time on any input. */
function regexOf(field: string, value: string): SafeRegex {
  try {
    return compileSafeRegex(value);
  } catch (e) {
    if (e instanceof RegexError) throw new FilterError(field, `"${value.slice(0, 80)}" is not a valid regular expression (${e.message})`);
    throw e;
  }
}

const NOT_SLASH = anyCharBut('/');

/** Node names as `hubble observe --node-name`: `*` and `?` never cross the `cluster/node` slash. */
function globOf(field: string, value: string): Wildcard {
  if (!/^[-a-zA-Z0-9_.*/?]+$/.test(value)) throw new FilterError(field, `"${value}" is not a node name or glob`);
  return compileGlob(value, { star: NOT_SLASH, question: NOT_SLASH });
}

function compileOne(f: FlowFilter): FlowPredicate {
  const preds: FlowPredicate[] = [];
  const add = (p: FlowPredicate | null) => {
    if (p) preds.push(p);
  };
  add(anyOf('uuid', f.uuid, (v) => (r) => r.uuid === v));
  add(anyOf('source_ip', f.source_ip, (v) => ipMatcher('source_ip', v, (r) => r.source.ip)));
  add(anyOf('destination_ip', f.destination_ip, (v) => ipMatcher('destination_ip', v, (r) => r.destination.ip)));
  add(anyOf('source_pod', f.source_pod, (v) => namePrefixMatcher(v, 'source', 'pod')));
  add(anyOf('destination_pod', f.destination_pod, (v) => namePrefixMatcher(v, 'destination', 'pod')));
  add(anyOf('source_service', f.source_service, (v) => namePrefixMatcher(v, 'source', 'service')));
  add(anyOf('destination_service', f.destination_service, (v) => namePrefixMatcher(v, 'destination', 'service')));
  add(anyOf('source_fqdn', f.source_fqdn, (v) => fqdnMatcher('source_fqdn', v, 'source')));
  add(anyOf('destination_fqdn', f.destination_fqdn, (v) => fqdnMatcher('destination_fqdn', v, 'destination')));
  add(anyOf('source_label', f.source_label, (v) => { const m = labelSelectorMatcher('source_label', v); return (r) => m(r.source.labels); }));
  add(anyOf('destination_label', f.destination_label, (v) => { const m = labelSelectorMatcher('destination_label', v); return (r) => m(r.destination.labels); }));
  add(anyOf('source_workload', f.source_workload, (w) => (r) => r.source.workloads.some((x) => (!w.name || x.name === w.name) && (!w.kind || x.kind === w.kind))));
  add(anyOf('destination_workload', f.destination_workload, (w) => (r) => r.destination.workloads.some((x) => (!w.name || x.name === w.name) && (!w.kind || x.kind === w.kind))));
  add(anyOf('source_identity', f.source_identity, (v) => (r) => r.source.identity === v));
  add(anyOf('destination_identity', f.destination_identity, (v) => (r) => r.destination.identity === v));
  add(anyOf('traffic_direction', f.traffic_direction, (v) => (r) => r.direction === v));
  add(anyOf('verdict', f.verdict, (v) => {
    if (!VERDICTS.includes(v)) throw new FilterError('verdict', `"${v}" is not a verdict (${VERDICTS.join(', ')})`);
    return (r) => r.verdict === v;
  }));
  add(anyOf('drop_reason_desc', f.drop_reason_desc, (v) => {
    if (!(v in DROP_REASON_NUMBERS)) throw new FilterError('drop_reason_desc', `"${v}" is not a drop reason (e.g. POLICY_DENIED)`);
    return (r) => r.dropReason === v;
  }));
  add(anyOf('event_type', f.event_type, (e) => (r) => r.eventType === e.type));
  add(anyOf('http_status_code', f.http_status_code, (v) => httpStatusMatcher('http_status_code', v)));
  add(anyOf('protocol', f.protocol, (v) => protocolMatcher('protocol', v)));
  add(anyOf('source_port', f.source_port, (v) => portMatcher('source_port', v, 'source')));
  add(anyOf('destination_port', f.destination_port, (v) => portMatcher('destination_port', v, 'destination')));
  add(anyOf('reply', f.reply, (v) => (r) => (r.isReply === true) === v));
  add(anyOf('dns_query', f.dns_query, (v) => { const re = regexOf('dns_query', v); return (r) => !!r.l7?.dns && re.find(r.l7.dns.query); }));
  add(anyOf('http_method', f.http_method, (v) => (r) => r.l7?.http?.method.toUpperCase() === v.toUpperCase()));
  add(anyOf('http_path', f.http_path, (v) => {
    const re = regexOf('http_path', v);
    return (r) => {
      if (!r.l7?.http) return false;
      const url = r.l7.http.url;
      let p = url;
      try {
        p = new URL(url, 'http://x').pathname;
      } catch {
        /* keep raw */
      }
      return re.find(p);
    };
  }));
  add(anyOf('node_name', f.node_name, (v) => { const re = globOf('node_name', v); return (r) => re.matches(r.node); }));
  if (preds.length === 0) return ALWAYS;
  if (preds.length === 1) return preds[0];
  return (r) => {
    for (const p of preds) if (!p(r)) return false;
    return true;
  };
}

/** Compiles allow/deny filter lists (throws FilterError naming the field on bad input). */
export function compileFilters(allow: FlowFilter[] = [], deny: FlowFilter[] = []): FlowPredicate {
  const a = allow.map(compileOne);
  const d = deny.map(compileOne);
  if (a.length === 0 && d.length === 0) return ALWAYS;
  return (r) => {
    if (a.length > 0) {
      let ok = false;
      for (const p of a) if (p(r)) { ok = true; break; }
      if (!ok) return false;
    }
    for (const p of d) if (p(r)) return false;
    return true;
  };
}


/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs dynamic message */
/** A decoded wire FlowFilter (enums as numbers, empty lists present) -> FlowFilter. */
export function filterFromWire(w: any): FlowFilter {
  const out: FlowFilter = {};
  const keys: (keyof FlowFilter)[] = [
    'uuid', 'source_ip', 'destination_ip', 'source_pod', 'destination_pod', 'source_fqdn', 'destination_fqdn',
    'source_label', 'destination_label', 'source_service', 'destination_service', 'source_identity', 'destination_identity',
    'http_status_code', 'protocol', 'source_port', 'destination_port', 'reply', 'dns_query', 'http_method', 'http_path', 'node_name',
  ];
  for (const k of keys) if (w[k]?.length) (out as any)[k] = [...w[k]];
  if (w.source_workload?.length) out.source_workload = w.source_workload.map((x: any) => ({ name: x.name, kind: x.kind }));
  if (w.destination_workload?.length) out.destination_workload = w.destination_workload.map((x: any) => ({ name: x.name, kind: x.kind }));
  if (w.verdict?.length) out.verdict = w.verdict.map((n: number) => VERDICT_BY_NUMBER[n] ?? 'UNKNOWN');
  if (w.traffic_direction?.length) out.traffic_direction = w.traffic_direction.map((n: number) => DIRECTION_BY_NUMBER[n] ?? 'UNKNOWN');
  if (w.drop_reason_desc?.length) out.drop_reason_desc = w.drop_reason_desc.map(dropReasonName);
  if (w.event_type?.length) out.event_type = w.event_type.map((e: any) => ({ type: e.type, match_sub_type: e.match_sub_type, sub_type: e.sub_type }));
  return out;
}

/** FlowFilter -> object for protobufjs `fromObject` (which accepts enum names). */
export function filterToWire(f: FlowFilter): Record<string, unknown> {
  const out: Record<string, unknown> = { ...f };
  if (f.drop_reason_desc) out.drop_reason_desc = f.drop_reason_desc.map((n) => DROP_REASON_NUMBERS[n] ?? 0);
  return out;
}
