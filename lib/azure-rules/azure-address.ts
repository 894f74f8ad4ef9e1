/**
 * Address and port matching as Azure writes them: CIDRs, single IPs, `a-b` IP ranges (firewall),
 * port lists and `lo-hi` ranges, and `*` / `Any` for everything. CIDR math is ipaddr.js's.
 */

import ipaddr from 'ipaddr.js';
import { inRange, isIp, parseCidr, parseIp, type IpAddress as Addr } from '../net/ip';

export function isWildcard(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v === '*' || v === 'any';
}

/** True when `value` is a CIDR, an IP or an IP range (anything that is not a tag or wildcard). */
export function isAddressLiteral(value: string): boolean {
  return parseCidr(value) !== undefined || isIp(value) || parseRange(value) !== undefined;
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
  if (cidr) return !!addr && inRange(addr, cidr);
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
