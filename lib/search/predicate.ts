/**
 * A search as a predicate over FlowRecords, for the live stream: compiled once (globs to linear-time
 * matchers, CIDRs parsed), then evaluated per flow without allocating. Semantics are hubble observe's:
 * an undirected field (`ns:`, `pod:`, `ip:`, `label:`, `fqdn:`, `port:`, `workload:`, `identity:`)
 * matches when either side does (hubble's left OR right filter), `from-*` / `to-*` test one side.
 * sql.ts compiles the same tree for the store; search-equivalence.test.ts proves they agree.
 */

import type { FlowEndpoint, FlowRecord } from '../flows/flow-record';
import { normalizeDnsName } from '../match/dns-name';
import { inRange, parseIp } from '../net/ip';
import type { SearchField, SearchNode } from './ast';
import { sidesOf, type Side } from './fields';
import { dnsOf, httpOf, kafkaOf, policyTexts, PROTOCOL_NAMES, storedWorkload, urlPath } from './flow-view';
import { toWildcard, type Glob } from './glob';
import { parseTermValue, type LabelTest, type ScopedGlob, type TermValue } from './term-value';

export type FlowPredicate = (f: FlowRecord) => boolean;
type EndpointTest = (ep: FlowEndpoint, f: FlowRecord) => boolean;
type TextTest = (s: string) => boolean;

/** A term whose value does not fit its field (an AST not made by parseSearch). */
export class SearchCompileError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'SearchCompileError';
  }
}

/** The predicate of a search; null (the empty search) matches every flow. */
export function searchPredicate(ast: SearchNode | null): FlowPredicate {
  return ast ? compile(ast) : () => true;
}

function compile(node: SearchNode): FlowPredicate {
  switch (node.kind) {
    case 'and': {
      const parts = node.children.map(compile);
      return (f) => {
        for (const p of parts) if (!p(f)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = node.children.map(compile);
      return (f) => {
        for (const p of parts) if (p(f)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compile(node.child);
      return (f) => !inner(f);
    }
    case 'term':
      return compileTerm(node.field, node.value, node.column);
  }
}

/** Parses a term's value the way the parser checked it (an AST may also be built by hand). */
export function termValueOf(field: SearchField, value: string, column: number): TermValue {
  const checked = parseTermValue(field, value);
  if (!checked.ok) throw new SearchCompileError(`${field}: ${checked.message}`, column);
  return checked.value;
}

/** A glob test that never matches an empty value (`pod:*` means "has a pod"). */
function globTest(g: Glob): TextTest {
  const w = toWildcard(g);
  return (s) => s !== '' && w.matches(s);
}

function compileTerm(field: SearchField, raw: string, column: number): FlowPredicate {
  const value = termValueOf(field, raw, column);
  const { base, sides } = sidesOf(field);
  if (sides.length) {
    const test = endpointTest(base, value);
    if (sides.length === 1) {
      const side: Side = sides[0];
      return (f) => test(f[side], f);
    }
    return (f) => test(f.source, f) || test(f.destination, f);
  }
  return flowTest(field, value);
}

function scopedTest(s: ScopedGlob, nameOf: (ep: FlowEndpoint) => string): EndpointTest {
  const ns = s.namespace ? globTest(s.namespace) : null;
  const name = s.name ? globTest(s.name) : null;
  return (ep) => (!ns || ns(ep.namespace)) && (!name || name(nameOf(ep)));
}

/** The part of a Cilium label after its source (`k8s:app=api` -> `app=api`), the whole label without one. */
const afterSource = (label: string) => label.slice(label.indexOf(':') + 1);

function labelTest(t: LabelTest): EndpointTest {
  const whole = t.value === null ? t.key : `${t.key}=${t.value}`;
  const keyPrefix = `${t.key}=`;
  const read = t.source === null ? afterSource : (l: string) => l;
  const exact = t.source === null ? whole : `${t.source}:${whole}`;
  const prefix = t.source === null ? keyPrefix : `${t.source}:${keyPrefix}`;
  const one = t.value === null ? (l: string) => { const r = read(l); return r === exact || r.startsWith(prefix); } : (l: string) => read(l) === exact;
  return (ep) => {
    for (const l of ep.labels) if (one(l)) return true;
    return false;
  };
}

function endpointTest(base: string, v: TermValue): EndpointTest {
  if (v.type === 'label') return labelTest(v.label);
  if (v.type === 'scoped') return scopedTest(v.scoped, base === 'pod' ? (ep) => ep.pod : storedWorkload);
  if (v.type === 'range') {
    const { lo, hi } = v;
    // As hubble's port filter: only flows that have ports (not ICMP, protocol known).
    return (ep, f) => ep.port >= lo && ep.port <= hi && f.protocol !== '' && !f.protocol.startsWith('ICMP');
  }
  if (v.type === 'cidr') {
    const range = v.range;
    return (ep) => {
      const addr = ep.ip ? parseIp(ep.ip) : undefined;
      return !!addr && inRange(addr, range);
    };
  }
  if (v.type === 'number') return (ep) => ep.identity === v.value;
  if (v.type === 'glob' && base === 'ns') {
    const g = globTest(v.glob);
    return (ep) => g(ep.namespace);
  }
  if (v.type === 'glob' && base === 'fqdn') {
    const g = globTest(v.glob);
    return (ep) => {
      for (const n of ep.names) if (g(normalizeDnsName(n))) return true;
      return false;
    };
  }
  throw new Error(`no endpoint test for ${base}:${v.type}`);
}

function protoTest(p: string): FlowPredicate {
  if (p === 'http') return (f) => !!httpOf(f);
  if (p === 'dns') return (f) => !!dnsOf(f);
  if (p === 'kafka') return (f) => !!kafkaOf(f);
  if (p === 'icmp') return (f) => f.protocol === 'ICMPv4' || f.protocol === 'ICMPv6';
  const name = PROTOCOL_NAMES[p];
  return (f) => f.protocol === name;
}

/** A bare word: names containing it, in any case, on either side, and the DNS name asked. */
function textTest(g: Glob): FlowPredicate {
  const t = globTest(g);
  const side = (ep: FlowEndpoint) => {
    if (t(ep.namespace.toLowerCase()) || t(ep.pod.toLowerCase()) || t(storedWorkload(ep).toLowerCase()) || t(ep.ip.toLowerCase())) return true;
    for (const n of ep.names) if (t(normalizeDnsName(n))) return true;
    return false;
  };
  return (f) => side(f.source) || side(f.destination) || t(normalizeDnsName(f.l7?.dns?.query ?? ''));
}

function flowTest(field: SearchField, v: TermValue): FlowPredicate {
  switch (field) {
    case 'verdict': {
      const want = (v as { value: string }).value.toUpperCase();
      return (f) => f.verdict === want;
    }
    case 'proto':
      return protoTest((v as { value: string }).value);
    case 'reply': {
      const want = (v as { value: boolean }).value;
      // hubble's reply filter: a flow the relay could not place counts as not a reply.
      return (f) => (f.isReply === true) === want;
    }
    case 'http-status': {
      const { lo, hi } = v as { lo: number; hi: number };
      return (f) => {
        const http = httpOf(f);
        return !!http && http.code >= lo && http.code <= hi;
      };
    }
    case 'http-method': {
      const want = (v as { value: string }).value;
      return (f) => httpOf(f)?.method.toUpperCase() === want;
    }
    case 'text':
      return textTest((v as { glob: Glob }).glob);
    default:
      break;
  }
  const g = globTest((v as { glob: Glob }).glob);
  switch (field) {
    case 'reason':
      return (f) => g(f.dropReason.toUpperCase());
    case 'node':
      return (f) => g(f.node);
    case 'uuid':
      return (f) => g(f.uuid);
    case 'dns':
      return (f) => {
        const dns = dnsOf(f);
        return !!dns && g(normalizeDnsName(dns.query));
      };
    case 'http-path':
      return (f) => {
        const http = httpOf(f);
        return !!http && g(urlPath(http.url));
      };
    case 'policy':
      return (f) => policyTexts(f).some(g);
    default:
      throw new Error(`no flow test for ${field}`);
  }
}
