/**
 * A term's value checked and put in the form its field needs (a glob, a port range, a CIDR, ...).
 * The parser calls this to report a bad value where it was typed; the predicate and the SQL compiler
 * call it again on the AST, so both read one interpretation of every value.
 */

import ipaddr from 'ipaddr.js';
import { RESERVED_IDENTITY } from '../flows/flow-record';
import { normalizeDnsName } from '../match/dns-name';
import { parseCidr, parseIp, type IpRange } from '../net/ip';
import type { SearchField } from './ast';
import { sidesOf } from './fields';
import { concatGlobs, literalGlob, parseGlob, anyRun, type Glob } from './glob';

/** The longest value of one term (a DNS name is at most 253 characters; globs and paths get room). */
export const MAX_VALUE_LENGTH = 512;

/** `[namespace/]name`: either part absent means any. */
export interface ScopedGlob {
  namespace: Glob | null;
  name: Glob | null;
}

/** A Cilium label test: `source:key=value`, `key=value`, `source:key`, `key` (source any when absent). */
export interface LabelTest {
  source: string | null;
  key: string;
  value: string | null;
}

export type TermValue =
  | { type: 'glob'; glob: Glob }
  | { type: 'scoped'; scoped: ScopedGlob }
  | { type: 'label'; label: LabelTest }
  | { type: 'enum'; value: string }
  | { type: 'range'; lo: number; hi: number }
  | { type: 'cidr'; range: IpRange }
  | { type: 'number'; value: number }
  | { type: 'bool'; value: boolean };

export type TermValueResult = { ok: true; value: TermValue } | { ok: false; message: string; expected: string };

const fail = (message: string, expected: string): TermValueResult => ({ ok: false, message, expected });
const ok = (value: TermValue): TermValueResult => ({ ok: true, value });

export const VERDICT_VALUES = ['forwarded', 'dropped', 'audit', 'error', 'redirected', 'traced', 'translated'] as const;
/** hubble observe's --protocol values: L4 protocols and the L7 kinds. */
export const PROTO_VALUES = ['tcp', 'udp', 'sctp', 'icmp', 'icmpv4', 'icmpv6', 'http', 'dns', 'kafka'] as const;
export const HTTP_METHOD_VALUES = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE'] as const;

/** Reserved identity names as Cilium prints them (`reserved:remote-node`), by number. */
export const RESERVED_IDENTITY_NAMES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(RESERVED_IDENTITY).map(([k, v]) => [k.replace('IPv', 'Ipv').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), v]),
);

/** Fields whose value may list alternatives as `a|b` (closed vocabularies, where `|` cannot be part of a value). */
export const ALTERNATIVE_FIELDS: ReadonlySet<SearchField> = new Set(['verdict', 'proto', 'http-method']);

const NAME_GLOB = { star: 'any', question: 'any' } as const;
const SLASH_GLOB = { star: 'notSlash', question: 'notSlash' } as const;

function scoped(value: string, prefixMatch: boolean): ScopedGlob {
  const slash = value.indexOf('/');
  const nsText = slash >= 0 ? value.slice(0, slash) : '';
  const nameText = slash >= 0 ? value.slice(slash + 1) : value;
  let name: Glob | null = nameText ? parseGlob(nameText, NAME_GLOB) : null;
  // hubble observe --pod is a prefix: `pod:frontend` finds frontend-7d9f-x2x4z.
  if (name && prefixMatch) name = concatGlobs(name, anyRun('any'));
  return { namespace: nsText ? parseGlob(nsText, NAME_GLOB) : null, name };
}

function portRange(value: string): TermValueResult {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo > 65535 || hi > 65535) return fail(`"${value}" is not a port (0-65535) or a range like 8000-8100`, 'a port number or a range');
  if (lo > hi) return fail(`the port range "${value}" ends before it starts`, 'a range low-high');
  return ok({ type: 'range', lo, hi });
}

function httpStatus(value: string): TermValueResult {
  const v = value.toLowerCase();
  let m = /^([1-5])(?:xx|\+)$/.exec(v);
  if (m) return ok({ type: 'range', lo: Number(m[1]) * 100, hi: Number(m[1]) * 100 + 99 });
  m = /^(\d{3})(?:-(\d{3}))?$/.exec(v);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 100 || hi > 599) return fail(`"${value}" is not an HTTP status (404, 5xx, or a range like 500-504)`, 'an HTTP status');
  if (lo > hi) return fail(`the status range "${value}" ends before it starts`, 'a range low-high');
  return ok({ type: 'range', lo, hi });
}

function ipOrCidr(value: string): TermValueResult {
  const range = value.includes('/') ? parseCidr(value) : undefined;
  if (range) return ok({ type: 'cidr', range });
  const addr = value.includes('/') ? undefined : parseIp(value);
  // Only the usual spellings: ipaddr.js also reads `1` or `0x0a000001` as addresses, nobody means that.
  if (addr && (addr.kind() === 'ipv6' || ipaddr.IPv4.isValidFourPartDecimal(value))) return ok({ type: 'cidr', range: [addr, addr.kind() === 'ipv4' ? 32 : 128] });
  return fail(`"${value}" is not an IP address or a CIDR like 10.0.0.0/8`, 'an IP address or a CIDR');
}

function label(value: string): TermValueResult {
  const eq = value.indexOf('=');
  const keyText = eq >= 0 ? value.slice(0, eq) : value;
  const colon = keyText.indexOf(':');
  const source = colon >= 0 ? keyText.slice(0, colon) : null;
  const key = colon >= 0 ? keyText.slice(colon + 1) : keyText;
  if (!key || source === '') return fail(`"${value}" is not a label (key=value, key, or with a source like k8s:app=api)`, 'a label key');
  return ok({ type: 'label', label: { source, key, value: eq >= 0 ? value.slice(eq + 1) : null } });
}

function identity(value: string): TermValueResult {
  const named = RESERVED_IDENTITY_NAMES[value.toLowerCase()];
  if (named !== undefined) return ok({ type: 'number', value: named });
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffffffff) {
    return fail(`"${value}" is not a security identity (a number, or ${Object.keys(RESERVED_IDENTITY_NAMES).join(', ')})`, 'an identity');
  }
  return ok({ type: 'number', value: Number(value) });
}

function oneOf(value: string, allowed: readonly string[], what: string): TermValueResult {
  const v = value.toLowerCase();
  if (!allowed.includes(v)) return fail(`"${value}" is not ${what} (${allowed.join(', ')})`, allowed.join(' | '));
  return ok({ type: 'enum', value: v });
}

/** DNS names and queries: compared lower-cased without the trailing dot, `*` over DNS characters (hubble's --fqdn). */
function dnsGlob(value: string): TermValueResult {
  const v = normalizeDnsName(value);
  if (!/^[-a-z0-9._*]+$/.test(v)) return fail(`"${value}" is not a DNS name or a pattern like *.example.com`, 'a DNS name');
  return ok({ type: 'glob', glob: parseGlob(v, { star: 'dnsName' }) });
}

/** Checks one value of a field (alternatives `a|b` are split by the parser before this). */
export function parseTermValue(field: SearchField, value: string): TermValueResult {
  if (value === '') return fail('the value is empty', 'a value');
  if (value.length > MAX_VALUE_LENGTH) return fail(`the value is longer than ${MAX_VALUE_LENGTH} characters`, 'a shorter value');
  if (sidesOf(field).base === 'pod' || sidesOf(field).base === 'workload') {
    if (value === '/' || value.indexOf('/') !== value.lastIndexOf('/')) return fail(`"${value}" is not a name or namespace/name`, 'a name or namespace/name');
  }
  switch (field) {
    case 'ns':
    case 'from-ns':
    case 'to-ns':
      if (value.includes('/')) return fail(`a namespace has no "/" (use pod:${value} for namespace/pod)`, 'a namespace');
      return ok({ type: 'glob', glob: parseGlob(value, NAME_GLOB) });
    case 'pod':
    case 'from-pod':
    case 'to-pod':
      return ok({ type: 'scoped', scoped: scoped(value, true) });
    case 'workload':
    case 'from-workload':
    case 'to-workload':
      return ok({ type: 'scoped', scoped: scoped(value, false) });
    case 'label':
    case 'from-label':
    case 'to-label':
      return label(value);
    case 'verdict':
      return oneOf(value, VERDICT_VALUES, 'a verdict');
    case 'proto':
      return oneOf(value, PROTO_VALUES, 'a protocol');
    case 'http-method':
      if (!/^[A-Za-z]{1,20}$/.test(value)) return fail(`"${value}" is not an HTTP method (GET, POST, ...)`, 'an HTTP method');
      return ok({ type: 'enum', value: value.toUpperCase() });
    case 'reason': {
      // Drop reasons are enum names (POLICY_DENIED); any case, `-` for `_`, globs for families (CT_*).
      const v = value.toUpperCase().replaceAll('-', '_');
      if (!/^[A-Z0-9_*?]+$/.test(v)) return fail(`"${value}" is not a drop reason name like POLICY_DENIED`, 'a drop reason');
      return ok({ type: 'glob', glob: parseGlob(v, NAME_GLOB) });
    }
    case 'port':
    case 'from-port':
    case 'to-port':
      return portRange(value);
    case 'http-status':
      return httpStatus(value);
    case 'fqdn':
    case 'from-fqdn':
    case 'to-fqdn':
    case 'dns':
      return dnsGlob(value);
    case 'ip':
    case 'from-ip':
    case 'to-ip':
      return ipOrCidr(value);
    case 'http-path':
      return ok({ type: 'glob', glob: parseGlob(value, NAME_GLOB) });
    case 'policy':
      return policy(value);
    case 'node':
      return ok({ type: 'glob', glob: parseGlob(value, SLASH_GLOB) });
    case 'identity':
    case 'from-identity':
    case 'to-identity':
      return identity(value);
    case 'reply': {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') return fail(`"${value}" is not true or false`, 'true | false');
      return ok({ type: 'bool', value: v === 'true' });
    }
    case 'uuid':
      if (!/^[0-9A-Fa-f-]{1,64}$/.test(value)) return fail(`"${value}" is not a flow uuid`, 'a uuid');
      return ok({ type: 'glob', glob: literalGlob(value.toLowerCase()) });
    case 'text':
      // A bare word finds names containing it, in any case.
      return ok({ type: 'glob', glob: concatGlobs(anyRun('any'), parseGlob(value.toLowerCase(), NAME_GLOB), anyRun('any')) });
  }
}

/**
 * Policies are stored as `kind/namespace/name`; a value names the last one, two or three parts, each
 * a glob that stays within its part: `default-deny`, `shop/default-deny`, `CiliumNetworkPolicy/shop/*`.
 */
function policy(value: string): TermValueResult {
  const parts = value.split('/');
  // An empty part is the empty namespace of a cluster-wide policy (`CiliumClusterwideNetworkPolicy//name`).
  if (parts.length > 3 || parts[parts.length - 1] === '') return fail(`"${value}" is not a policy (name, namespace/name or kind/namespace/name)`, 'a policy name');
  const anyPart = anyRun('notSlash');
  const slash = literalGlob('/');
  const given = parts.map((p) => (p ? parseGlob(p, SLASH_GLOB) : literalGlob('')));
  const missing = Array.from({ length: 3 - parts.length }, () => anyPart);
  const all = [...missing, ...given];
  return ok({ type: 'glob', glob: concatGlobs(all[0], slash, all[1], slash, all[2]) });
}
