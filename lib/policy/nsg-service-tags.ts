/**
 * Matching an NSG address prefix (CIDR, IP, `*` or service tag) against an IP, in the context of the
 * VNet whose NSG is being evaluated. Tags Flowsight can resolve offline: VirtualNetwork, Internet,
 * AzureLoadBalancer. Others (AzureCloud, Storage, ...) need Azure's published tag ranges; they are
 * reported as unresolved instead of guessed.
 */

import ipaddr from 'ipaddr.js';
import type { VirtualNetwork } from '../azure/types';
import { addressMatches, inAnyPrefix, parseIp } from './azure-address';
import { AZURE_HOST_VIP, type AzureTopology } from './azure-topology';

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
  // The VNet's own space (and peers) may be public ranges a company owns; those are not "Internet".
  const own = ctx.vnet ? [...ctx.vnet.addressPrefixes, ...ctx.vnet.peerings.flatMap((p) => p.remoteAddressPrefixes)] : [];
  return !inAnyPrefix(own, ip);
}

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
    default:
      return 'unresolved';
  }
}
