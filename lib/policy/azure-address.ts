/**
 * Address and port matching as Azure writes them: CIDRs, single IPs, `a-b` IP ranges (firewall),
 * port lists and `lo-hi` ranges, and `*` / `Any` for everything. CIDR math is ipaddr.js's.
 */

import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Parsed addresses by their text. Service tags hold thousands of prefixes and every evaluated flow
 * walks them, so parsing once dominates the cost of evaluating a flow; the parsed objects are only
 * read. Bounded: the cache starts over when full (the working set is the rules plus recent peers).
 */
const MAX_PARSED = 50_000;
const parsedIps = new Map<string, Addr | undefined>();
const parsedCidrs = new Map<string, [Addr, number] | undefined>();

function memo<T>(cache: Map<string, T>, key: string, parse: (k: string) => T): T {
  if (cache.has(key)) return cache.get(key) as T;
  if (cache.size >= MAX_PARSED) cache.clear();
  const v = parse(key);
  cache.set(key, v);
  return v;
}

/** Parses an IP; IPv4-mapped IPv6 becomes IPv4 so `::ffff:10.0.0.4` matches `10.0.0.0/8`. */
export function parseIp(ip: string): Addr | undefined {
  return memo(parsedIps, ip, parseIpUncached);
}

function parseIpUncached(ip: string): Addr | undefined {
  if (!ipaddr.isValid(ip)) return undefined;
  const a = ipaddr.parse(ip);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

export function isIp(value: string): boolean {
  return parseIp(value) !== undefined;
}

export function isWildcard(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v === '*' || v === 'any';
}

/** True when `value` is a CIDR, an IP or an IP range (anything that is not a tag or wildcard). */
export function isAddressLiteral(value: string): boolean {
  return parseCidr(value) !== undefined || isIp(value) || parseRange(value) !== undefined;
}

function parseCidr(value: string): [Addr, number] | undefined {
  if (!value.includes('/')) return undefined;
  return memo(parsedCidrs, value, parseCidrUncached);
}

function parseCidrUncached(value: string): [Addr, number] | undefined {
  try {
    const [addr, bits] = ipaddr.parseCIDR(value.trim());
    const a = addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
    return [a, a === addr ? bits : bits - 96];
  } catch {
    return undefined;
  }
}

function parseRange(value: string): [Addr, Addr] | undefined {
  const parts = value.split('-');
  if (parts.length !== 2) return undefined;
  const lo = parseIp(parts[0].trim());
  const hi = parseIp(parts[1].trim());
  return lo && hi && lo.kind() === hi.kind() ? [lo, hi] : undefined;
}

function compareBytes(a: Addr, b: Addr): number {
  const x = a.toByteArray();
  const y = b.toByteArray();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/**
 * Whether `ip` is covered by one address literal (CIDR, IP, range or `*`).
 * Returns undefined when `prefix` is not a literal (a service tag, an IP group): the caller decides.
 */
export function addressMatches(prefix: string, ip: string): boolean | undefined {
  if (isWildcard(prefix) || prefix === '0.0.0.0/0') return true;
  const addr = parseIp(ip);
  const cidr = parseCidr(prefix);
  if (cidr) return !!addr && addr.kind() === cidr[0].kind() && addr.match(cidr);
  const single = parseIp(prefix.trim());
  if (single) return !!addr && addr.kind() === single.kind() && compareBytes(addr, single) === 0;
  const range = parseRange(prefix);
  if (range) return !!addr && addr.kind() === range[0].kind() && compareBytes(addr, range[0]) >= 0 && compareBytes(addr, range[1]) <= 0;
  return undefined;
}

/** Whether `ip` is inside any of the CIDRs / IPs in `prefixes` (tags ignored). */
export function inAnyPrefix(prefixes: readonly string[], ip: string): boolean {
  return prefixes.some((p) => addressMatches(p, ip) === true);
}

/** Prefix length of a CIDR (32 for a bare IPv4), for longest-prefix-match route selection. */
export function prefixLength(prefix: string): number {
  const cidr = parseCidr(prefix);
  if (cidr) return cidr[1];
  const ip = parseIp(prefix);
  return ip ? (ip.kind() === 'ipv4' ? 32 : 128) : -1;
}

/** Whether `port` is inside one Azure port expression: `*`, `443`, `8000-8999`. */
export function portMatches(expr: string | number, port: number): boolean {
  const e = String(expr).trim();
  if (isWildcard(e)) return true;
  const dash = e.indexOf('-');
  if (dash > 0) {
    const lo = Number(e.slice(0, dash));
    const hi = Number(e.slice(dash + 1));
    return Number.isFinite(lo) && Number.isFinite(hi) && port >= lo && port <= hi;
  }
  return Number(e) === port;
}

export function anyPortMatches(exprs: readonly (string | number)[], port: number): boolean {
  return exprs.some((e) => portMatches(e, port));
}

/** True when the port list covers every port (`*`, `0-65535`, `1-65535`). */
export function coversAllPorts(exprs: readonly (string | number)[]): boolean {
  return exprs.some((e) => {
    const s = String(e).trim();
    return isWildcard(s) || s === '0-65535' || s === '1-65535';
  });
}

/** True when the address list covers the whole internet (`*`, `Any`, `0.0.0.0/0`, `Internet`). */
export function coversEverything(prefixes: readonly string[]): boolean {
  return prefixes.some((p) => isWildcard(p) || p === '0.0.0.0/0' || p.toLowerCase() === 'internet');
}

/** The first address Azure assigns in a subnet (network address + 4; .0-.3 are reserved by Azure). */
export function firstAssignableAddress(cidr: string): string | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed || parsed[0].kind() !== 'ipv4') return undefined;
  const bytes = ipaddr.IPv4.networkAddressFromCIDR(cidr.trim()).toByteArray();
  bytes[3] += 4; // subnets are at least /29, so the network address ends in a multiple of 8
  return ipaddr.fromByteArray(bytes).toString();
}
