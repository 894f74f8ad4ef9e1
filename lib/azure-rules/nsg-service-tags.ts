/**
 * Matching an NSG address prefix (CIDR, IP, `*` or service tag) against an IP, in the context of the
 * VNet whose NSG is being evaluated (service-tags-overview.md, "Available service tags"). Tags that
 * depend on the VNet are computed: VirtualNetwork, Internet, AzureLoadBalancer (the host VIP
 * 168.63.129.16, source of health probes) and the platform tags AzurePlatformDNS / AzurePlatformIMDS.
 * The others (AzureCloud, Storage, ...) come from Azure's published ranges loaded with the snapshot;
 * a tag absent from them is `unresolved`, which the evaluators turn into "unknown", never a guess.
 */

import ipaddr from 'ipaddr.js';
import type { VirtualNetwork } from '../azure/types';
import { parseIp } from '../net/ip';
import { addressMatches, inAnyPrefix } from './azure-address';
import { AZURE_HOST_VIP, type AzureTopology } from './azure-topology';
import { serviceTagIndex } from './azure-service-tags';

/** Azure Instance Metadata Service, the other platform address NSGs do not filter. */
export const AZURE_IMDS = '169.254.169.254';

/**
 * Tags that name the platform services on the host addresses. Only rules naming them apply to traffic
 * to those addresses (network-security-groups-overview.md, "Azure platform considerations").
 */
export const PLATFORM_TAGS: Record<string, string> = { azureplatformdns: AZURE_HOST_VIP, azureplatformimds: AZURE_IMDS };

export type PrefixMatch = 'match' | 'no-match' | 'unresolved';

export interface TagContext {
  topology: AzureTopology;
  vnet: VirtualNetwork | undefined;
}

/**
 * Ranges that never come from the internet. Documentation ranges (203.0.113.0/24, ...) are "reserved"
 * in ipaddr.js but stand for internet hosts in examples and the demo, so they count as Internet.
 */
const NOT_INTERNET = new Set(['private', 'loopback', 'linkLocal', 'carrierGradeNat', 'multicast', 'unspecified', 'broadcast', 'uniqueLocal', 'ipv4Mapped']);

/** Whether `ip` is in the public internet as the Internet tag sees it: public unicast, outside the VNet. */
export function isInternetAddress(ip: string, ctx: TagContext): boolean {
  const addr = parseIp(ip);
  if (!addr) return false;
  const range = addr.kind() === 'ipv4' ? (addr as ipaddr.IPv4).range() : (addr as ipaddr.IPv6).range();
  if (NOT_INTERNET.has(range)) return false;
  // The host VIP is part of VirtualNetwork (service-tags-overview.md), so not of Internet.
  if (ip === AZURE_HOST_VIP) return false;
  // The VNet's own space (and peers) may be public ranges a company owns; those are not "Internet".
  const own = ctx.vnet ? [...ctx.vnet.addressPrefixes, ...ctx.vnet.peerings.flatMap((p) => p.remoteAddressPrefixes)] : [];
  return !inAnyPrefix(own, ip);
}

/** Whether an NSG prefix matches `ip`; `unresolved` when it names a tag whose ranges are not loaded. */
export function matchNsgPrefix(prefix: string, ip: string, ctx: TagContext): PrefixMatch {
  const literal = addressMatches(prefix, ip);
  if (literal !== undefined) return literal ? 'match' : 'no-match';
  switch (prefix.trim().toLowerCase()) {
    case 'virtualnetwork':
      return inAnyPrefix(ctx.topology.virtualNetworkTag(ctx.vnet), ip) ? 'match' : 'no-match';
    case 'internet':
      return isInternetAddress(ip, ctx) ? 'match' : 'no-match';
    case 'azureloadbalancer':
      return ip === AZURE_HOST_VIP ? 'match' : 'no-match';
    case 'azureplatformdns':
    case 'azureplatformimds':
      return ip === PLATFORM_TAGS[prefix.trim().toLowerCase()] ? 'match' : 'no-match';
    default: {
      const published = serviceTagIndex(ctx.topology.snapshot).contains(prefix, ip);
      return published === undefined ? 'unresolved' : published ? 'match' : 'no-match';
    }
  }
}
