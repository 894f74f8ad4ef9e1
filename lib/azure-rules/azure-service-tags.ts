/**
 * Azure's published service tag ranges (service-tags-overview.md, "Discover service tags by using
 * downloadable JSON files" and the Service Tag Discovery API), indexed for membership tests. A tag
 * that is not in the loaded lists cannot be expanded: callers must then answer "unknown", never
 * "no match" (a rule naming it may well match).
 *
 * Tags are compiled on first use only: `AzureCloud` alone has thousands of prefixes, and a snapshot
 * may carry the whole list while its rules name three tags.
 */

import ipaddr from 'ipaddr.js';
import type { AzureSnapshot, ServiceTag } from '../azure/types';
import { parseIp } from '../net/ip';

interface CompiledTag {
  /** Sorted, merged IPv4 intervals [start, end] as unsigned 32-bit numbers. */
  v4: [number, number][];
  v6: [ipaddr.IPv6, number][];
}

export interface ServiceTagIndex {
  /** Number of tags loaded (0: no list was loaded at all). */
  readonly size: number;
  /** Whether `ip` is in the tag's published ranges; undefined when the tag is not loaded. */
  contains(tag: string, ip: string): boolean | undefined;
  /** Whether the tag's ranges are loaded. */
  has(tag: string): boolean;
  /** Where the ranges came from, for messages: `service-tags.json (Public, change 12345)`. */
  describeSources(): string;
}

const toUint = (a: ipaddr.IPv4) => a.toByteArray().reduce((n, b) => n * 256 + b, 0);

function compile(tags: ServiceTag[]): CompiledTag {
  const v4: [number, number][] = [];
  const v6: [ipaddr.IPv6, number][] = [];
  for (const tag of tags) {
    for (const prefix of tag.addressPrefixes) {
      try {
        const [addr, bits] = prefix.includes('/') ? ipaddr.parseCIDR(prefix) : ([ipaddr.parse(prefix), -1] as const);
        if (addr.kind() === 'ipv4') {
          const length = bits < 0 ? 32 : bits;
          const start = toUint(addr as ipaddr.IPv4);
          const size = 2 ** (32 - length);
          const base = start - (start % size);
          v4.push([base, base + size - 1]);
        } else {
          v6.push([addr as ipaddr.IPv6, bits < 0 ? 128 : bits]);
        }
      } catch {
        // Unparseable prefixes were reported when the list was read.
      }
    }
  }
  v4.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of v4) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return { v4: merged, v6 };
}

function inIntervals(intervals: [number, number][], n: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (n < intervals[mid][0]) hi = mid - 1;
    else if (n > intervals[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

class Index implements ServiceTagIndex {
  private readonly byName = new Map<string, ServiceTag[]>();
  private readonly compiled = new Map<string, CompiledTag>();

  constructor(private readonly snapshot: AzureSnapshot) {
    // Several lists (two exports, or an export and the API) merge; names compare case-insensitively.
    for (const list of snapshot.serviceTags ?? []) {
      for (const tag of list.tags) {
        const key = tag.name.toLowerCase();
        this.byName.set(key, [...(this.byName.get(key) ?? []), tag]);
      }
    }
  }

  get size(): number {
    return this.byName.size;
  }

  has(tag: string): boolean {
    return this.byName.has(tag.trim().toLowerCase());
  }

  contains(tag: string, ip: string): boolean | undefined {
    const key = tag.trim().toLowerCase();
    const tags = this.byName.get(key);
    if (!tags) return undefined;
    let c = this.compiled.get(key);
    if (!c) {
      c = compile(tags);
      this.compiled.set(key, c);
    }
    const addr = parseIp(ip);
    if (!addr) return false;
    if (addr.kind() === 'ipv4') return inIntervals(c.v4, toUint(addr as ipaddr.IPv4));
    return c.v6.some(([net, bits]) => (addr as ipaddr.IPv6).match(net, bits));
  }

  describeSources(): string {
    const lists = this.snapshot.serviceTags ?? [];
    if (lists.length === 0) return 'no service tag list is loaded';
    return lists.map((l) => `${l.origin}${l.cloud || l.changeNumber ? ` (${[l.cloud, l.changeNumber && `change ${l.changeNumber}`].filter(Boolean).join(', ')})` : ''}`).join(', ');
  }
}

const cache = new WeakMap<AzureSnapshot, ServiceTagIndex>();

/** The service tag index of a snapshot, built on first use (snapshots are not mutated after loading). */
export function serviceTagIndex(snapshot: AzureSnapshot): ServiceTagIndex {
  let index = cache.get(snapshot);
  if (!index) {
    index = new Index(snapshot);
    cache.set(snapshot, index);
  }
  return index;
}

/** What to tell a person about a tag that is not loaded: which tag, what was loaded, how to load it. */
export function unexpandedTagMessage(tag: string, index: ServiceTagIndex): string {
  const loaded = index.size > 0 ? `it is not among the ${index.size} tags loaded from ${index.describeSources()}` : 'no service tag list is loaded';
  return `service tag ${tag} cannot be expanded: ${loaded} (add \`az network list-service-tags --location <region> -o json\` output to the Azure export, or read ARM with Reader on the subscription)`;
}
