/**
 * IP addresses and CIDRs, parsed once. Azure service tags hold thousands of prefixes and policy
 * evaluation compares every flow's addresses against them, so parsing dominates the cost of a verdict
 * unless the parsed form is remembered; parsed objects are shared and must only be read. CIDR math is
 * ipaddr.js's.
 */

import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;
/** A network: its base address and prefix length. */
export type IpRange = [IpAddress, number];

/** Bounded: a cache starts over when full (its working set is the rules plus recent peers). */
const MAX_PARSED = 50_000;

const parsedIps = new Map<string, IpAddress | undefined>();
const parsedCidrs = new Map<string, IpRange | undefined>();

function memo<T>(cache: Map<string, T>, key: string, parse: (k: string) => T): T {
  if (cache.has(key)) return cache.get(key) as T;
  if (cache.size >= MAX_PARSED) cache.clear();
  const v = parse(key);
  cache.set(key, v);
  return v;
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.4`) as the IPv4 address it carries, so it matches IPv4 networks. */
function unmapped(a: IpAddress): IpAddress {
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/** Parses an address (IPv4-mapped IPv6 becomes IPv4); undefined if the text is not exactly an IP. */
export function parseIp(text: string): IpAddress | undefined {
  return memo(parsedIps, text, (t) => (ipaddr.isValid(t) ? unmapped(ipaddr.parse(t)) : undefined));
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

/**
 * Parses `address/bits` (surrounding spaces allowed). An IPv4-mapped IPv6 network of at least 96 bits
 * becomes the IPv4 network inside it, as addresses are unmapped by parseIp. Undefined if not a CIDR.
 */
export function parseCidr(text: string): IpRange | undefined {
  if (!text.includes('/')) return undefined;
  return memo(parsedCidrs, text, parseCidrUncached);
}

function parseCidrUncached(text: string): IpRange | undefined {
  let range: IpRange;
  try {
    range = ipaddr.parseCIDR(text.trim()) as IpRange;
  } catch {
    return undefined;
  }
  const [addr, bits] = range;
  const v4 = unmapped(addr);
  // A shorter prefix reaches outside ::ffff:0:0/96: it stays an IPv6 network.
  return v4 !== addr && bits >= 96 ? [v4, bits - 96] : range;
}

/** True when `ip` is inside `range` (never across address families). */
export function inRange(ip: IpAddress, [base, bits]: IpRange): boolean {
  return ip.kind() === base.kind() && ip.match(base as never, bits);
}
