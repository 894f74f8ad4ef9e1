/**
 * Sign-in done by a proxy in front of Flowsight (oauth2-proxy, an ingress with external auth): the
 * proxy authenticates the user and passes who they are in request headers. Those headers are only
 * believed from a configured source (FLOWSIGHT_TRUSTED_PROXIES, CIDRs) — judged by the TCP peer,
 * which scripts/serve.mjs stamps on each request, never by anything the client sends. Anyone else
 * sending the same headers is simply not signed in by them.
 */

import { inRange, parseCidr, parseIp, type IpRange } from '../../net/ip';
import { isReservedName } from './namespace-access';

export interface TrustedProxyConfig {
  /** Peers whose identity headers are believed. */
  sources: IpRange[];
  /** The header holding the user name (oauth2-proxy: X-Forwarded-User, or X-Auth-Request-User). */
  userHeader: string;
  /** The header holding the user's groups, comma-separated (oauth2-proxy: X-Forwarded-Groups); null: none. */
  groupsHeader: string | null;
}

export const DEFAULT_USER_HEADER = 'X-Forwarded-User';
export const DEFAULT_GROUPS_HEADER = 'X-Forwarded-Groups';

const MAX_IDENTITY_LENGTH = 256;
const MAX_GROUPS = 200;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;

/** The trusted sources in FLOWSIGHT_TRUSTED_PROXIES, or the entry that is not a CIDR or address. */
export function parseTrustedSources(raw: string): { sources: IpRange[] } | { bad: string } {
  const sources: IpRange[] = [];
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const ip = entry.includes('/') ? undefined : parseIp(entry);
    const range = ip ? ([ip, ip.kind() === 'ipv4' ? 32 : 128] as IpRange) : parseCidr(entry);
    if (!range) return { bad: entry };
    sources.push(range);
  }
  return sources.length ? { sources } : { bad: raw };
}

export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

/** True when the request's TCP peer is one of the trusted proxies. */
export function isTrustedPeer(config: TrustedProxyConfig, peer: string | null): boolean {
  const ip = peer === null ? undefined : parseIp(peer);
  return ip !== undefined && config.sources.some((range) => inRange(ip, range));
}

/**
 * Who the proxy says the user is, or null when it says nothing usable. Call only for a request
 * from a trusted peer. Control characters and oversized values are refused, not trimmed: a proxy
 * that sends them is misconfigured, and a half-read identity is a wrong one.
 */
export function proxyIdentity(config: TrustedProxyConfig, headers: Headers): { user: string; groups: string[] } | null {
  const user = headers.get(config.userHeader)?.trim();
  if (!user || user.length > MAX_IDENTITY_LENGTH || hasControl(user) || isReservedName(user)) return null;
  const rawGroups = config.groupsHeader ? (headers.get(config.groupsHeader) ?? '') : '';
  const groups = [...new Set(rawGroups.split(',').map((g) => g.trim()).filter((g) => g && g.length <= MAX_IDENTITY_LENGTH && !hasControl(g) && !isReservedName(g)))].slice(0, MAX_GROUPS);
  return { user, groups };
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
