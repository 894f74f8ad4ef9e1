/**
 * A search as a WHERE condition over the `flows` table (lib/history/schema.ts), with predicate.ts's
 * semantics. Only parameterized: every value, the user's and our own constants alike, is bound as a
 * `{pN:Type}` placeholder, so the SQL text is made of the fixed fragments below and placeholder
 * names, and never contains a quote. Globs become LIKE patterns or anchored RE2 regexes (ClickHouse's
 * `match`, linear time) built in glob.ts with the user's characters escaped, then bound.
 */

import ipaddr from 'ipaddr.js';
import type { SqlCondition } from '../history/flow-store';
import type { SearchField, SearchNode } from './ast';
import { sidesOf, type Side } from './fields';
import { exactText, matchesEmpty, toLikePattern, toRe2, type Glob } from './glob';
import { termValueOf } from './predicate';
import type { LabelTest, ScopedGlob, TermValue } from './term-value';
import { PROTOCOL_NAMES } from './flow-view';

type ParamType = 'String' | 'UInt16' | 'UInt32' | 'Array(String)';
type ParamValue = string | number | string[];

/** Binds values to placeholders `{pN:Type}`, one per distinct value and type. */
class Binder {
  readonly params: SqlCondition['params'] = {};
  private readonly names = new Map<string, string>();

  bind(type: ParamType, value: ParamValue): string {
    const key = `${type}\u0000${JSON.stringify(value)}`;
    let name = this.names.get(key);
    if (!name) {
      name = `p${this.names.size}`;
      this.names.set(key, name);
      this.params[name] = value;
    }
    return `{${name}:${type}}`;
  }

  str(value: string): string {
    return this.bind('String', value);
  }
}

/** The condition of a search; null (the empty search) is every row. */
export function searchToSql(ast: SearchNode | null): SqlCondition {
  if (!ast) return { where: '1', params: {} };
  const b = new Binder();
  return { where: compile(ast, b), params: b.params };
}

function compile(node: SearchNode, b: Binder): string {
  switch (node.kind) {
    case 'and':
      return `(${node.children.map((c) => compile(c, b)).join(' AND ')})`;
    case 'or':
      return `(${node.children.map((c) => compile(c, b)).join(' OR ')})`;
    case 'not':
      return `NOT ${compile(node.child, b)}`;
    case 'term':
      return `(${compileTerm(node.field, termValueOf(node.field, node.value, node.column), b)})`;
  }
}

const col = (side: Side, name: string) => `${side === 'source' ? 'src' : 'dst'}_${name}`;

/** A glob over a String expression; a wildcard-only glob also asks for a non-empty value (as globTest does). */
function globSql(expr: string, g: Glob, b: Binder): string {
  const exact = exactText(g);
  if (exact !== null) return `${expr} = ${b.str(exact)}`;
  const guard = matchesEmpty(g) ? `notEmpty(${expr}) AND ` : '';
  const like = toLikePattern(g);
  return like !== null ? `${guard}${expr} LIKE ${b.str(like)}` : `${guard}match(${expr}, ${b.str(toRe2(g))})`;
}

/** normalizeDnsName in SQL: trimmed, lower case, without one trailing dot. */
const dnsNameSql = (expr: string, b: Binder) => `replaceRegexpOne(lowerUTF8(trimBoth(${expr}, ${b.str(' \t\n\r\f\v')})), ${b.str('\\.$')}, ${b.str('')})`;

/** flow-view.ts's record choice: a stored row reads back as DNS, else HTTP, else Kafka. */
const DNS = 'notEmpty(l7_type) AND notEmpty(dns_query)';
const HTTP = 'notEmpty(l7_type) AND empty(dns_query) AND (notEmpty(http_method) OR http_code != 0)';
const KAFKA = 'notEmpty(l7_type) AND empty(dns_query) AND empty(http_method) AND http_code = 0 AND notEmpty(kafka_api_key)';

/** flow-view.ts's urlPath: drop `scheme://authority`, cut at `?` or `#`, `/` when nothing is left. */
function urlPathSql(b: Binder): string {
  const path = `extract(replaceRegexpOne(http_url, ${b.str('^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*')}, ${b.str('')}), ${b.str('^[^?#]*')})`;
  return `if(empty(${path}), ${b.str('/')}, ${path})`;
}

function scopedSql(side: Side, s: ScopedGlob, nameColumn: string, b: Binder): string {
  const parts: string[] = [];
  if (s.namespace) parts.push(globSql(col(side, 'ns'), s.namespace, b));
  if (s.name) parts.push(globSql(col(side, nameColumn), s.name, b));
  return parts.join(' AND ');
}

/** predicate.ts's labelTest over the label array: `source:key=value` whole, or the part after the source. */
function labelSql(side: Side, t: LabelTest, b: Binder): string {
  const labels = col(side, 'labels');
  const whole = t.value === null ? t.key : `${t.key}=${t.value}`;
  if (t.source !== null && t.value !== null) return `has(${labels}, ${b.str(`${t.source}:${whole}`)})`;
  const read = t.source === null ? `substring(l, position(l, ${b.str(':')}) + 1)` : 'l';
  const exact = b.str(t.source === null ? whole : `${t.source}:${whole}`);
  if (t.value !== null) return `arrayExists(l -> ${read} = ${exact}, ${labels})`;
  const prefix = b.str(t.source === null ? `${t.key}=` : `${t.source}:${t.key}=`);
  return `arrayExists(l -> ${read} = ${exact} OR startsWith(${read}, ${prefix}), ${labels})`;
}

/** Addresses as IPv6 (IPv4 mapped), so one BETWEEN covers both families; unparsable addresses never match. */
function cidrSql(side: Side, v: Extract<TermValue, { type: 'cidr' }>, b: Binder): string {
  const [base, bits] = v.range;
  const addr = `toIPv6OrNull(${col(side, 'ip')})`;
  const between = (lo: string, hi: string) => `ifNull(${addr} BETWEEN toIPv6(${b.str(lo)}) AND toIPv6(${b.str(hi)}), 0)`;
  const cidr = `${base.toString()}/${bits}`;
  if (base.kind() === 'ipv4') {
    const lo = networkOf(cidr, 'ipv4');
    const hi = broadcastOf(cidr, 'ipv4');
    return between(`::ffff:${lo}`, `::ffff:${hi}`);
  }
  // An IPv4-mapped address is an IPv4 address to the live side (lib/net/ip.ts), never in an IPv6 network.
  return `${between(networkOf(cidr, 'ipv6'), broadcastOf(cidr, 'ipv6'))} AND NOT ${between('::ffff:0.0.0.0', '::ffff:255.255.255.255')}`;
}

function endpointSql(side: Side, base: string, v: TermValue, b: Binder): string {
  switch (v.type) {
    case 'label':
      return labelSql(side, v.label, b);
    case 'scoped':
      return scopedSql(side, v.scoped, base === 'pod' ? 'pod' : 'workload', b);
    case 'range':
      return `${col(side, 'port')} BETWEEN ${b.bind('UInt16', v.lo)} AND ${b.bind('UInt16', v.hi)} AND notEmpty(protocol) AND NOT startsWith(protocol, ${b.str('ICMP')})`;
    case 'cidr':
      return cidrSql(side, v, b);
    case 'number':
      return `${col(side, 'identity')} = ${b.bind('UInt32', v.value)}`;
    case 'glob':
      if (base === 'ns') return globSql(col(side, 'ns'), v.glob, b);
      if (base === 'fqdn') return `arrayExists(n -> ${globSql(dnsNameSql('n', b), v.glob, b)}, ${col(side, 'names')})`;
      break;
    default:
      break;
  }
  throw new Error(`no endpoint condition for ${base}:${v.type}`);
}

function protoSql(p: string, b: Binder): string {
  if (p === 'http') return HTTP;
  if (p === 'dns') return DNS;
  if (p === 'kafka') return KAFKA;
  if (p === 'icmp') return `has(${b.bind('Array(String)', ['ICMPv4', 'ICMPv6'])}, protocol)`;
  return `protocol = ${b.str(PROTOCOL_NAMES[p])}`;
}

/** predicate.ts's textTest: names containing the word, in any case, on either side, and the DNS name asked. */
function textSql(g: Glob, b: Binder): string {
  const side = (s: Side) => [
    ...['ns', 'pod', 'workload', 'ip'].map((c) => globSql(`lowerUTF8(${col(s, c)})`, g, b)),
    `arrayExists(n -> ${globSql(dnsNameSql('n', b), g, b)}, ${col(s, 'names')})`,
  ];
  return [...side('source'), ...side('destination'), globSql(dnsNameSql('dns_query', b), g, b)].map((c) => `(${c})`).join(' OR ');
}

function compileTerm(field: SearchField, v: TermValue, b: Binder): string {
  const { base, sides } = sidesOf(field);
  if (sides.length) return sides.map((s) => `(${endpointSql(s, base, v, b)})`).join(' OR ');
  switch (field) {
    case 'verdict':
      return `verdict = ${b.str((v as { value: string }).value.toUpperCase())}`;
    case 'proto':
      return protoSql((v as { value: string }).value, b);
    case 'reply':
      return (v as { value: boolean }).value ? 'is_reply = 1' : 'is_reply != 1';
    case 'http-status': {
      const { lo, hi } = v as { lo: number; hi: number };
      return `${HTTP} AND http_code BETWEEN ${b.bind('UInt16', lo)} AND ${b.bind('UInt16', hi)}`;
    }
    case 'http-method':
      return `${HTTP} AND upper(http_method) = ${b.str((v as { value: string }).value)}`;
    default:
      break;
  }
  const g = (v as { glob: Glob }).glob;
  switch (field) {
    case 'reason':
      return globSql('upper(drop_reason)', g, b);
    case 'node':
      return globSql('node', g, b);
    case 'uuid':
      return globSql('uuid', g, b);
    case 'dns':
      return `${DNS} AND ${globSql(dnsNameSql('dns_query', b), g, b)}`;
    case 'http-path':
      return `${HTTP} AND ${globSql(urlPathSql(b), g, b)}`;
    case 'policy':
      return `arrayExists(p -> ${globSql('p', g, b)}, arrayConcat(egress_allowed_by, ingress_allowed_by, egress_denied_by, ingress_denied_by))`;
    case 'text':
      return textSql(g, b);
    default:
      throw new Error(`no condition for ${field}`);
  }
}


function networkOf(cidr: string, kind: 'ipv4' | 'ipv6'): string {
  return (kind === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr)).toString();
}

function broadcastOf(cidr: string, kind: 'ipv4' | 'ipv6'): string {
  return (kind === 'ipv4' ? ipaddr.IPv4.broadcastAddressFromCIDR(cidr) : ipaddr.IPv6.broadcastAddressFromCIDR(cidr)).toString();
}
