/**
 * The browser's flow list is filled from two places that overlap: the flows fetched when a page
 * opens and the live stream (whose first batch repeats recent flows). Merging by uuid keeps each
 * flow once and the list in time order, so a list keyed by uuid never draws two rows in one place.
 */

import type { FlowRecord } from './flow-record';

/** `existing` + `incoming`, each uuid once, oldest first, at most the newest `cap`. */
export function mergeFlows(existing: readonly FlowRecord[], incoming: readonly FlowRecord[], cap: number): FlowRecord[] {
  const seen = new Set<string>();
  for (const f of existing) seen.add(f.uuid);
  const fresh: FlowRecord[] = [];
  for (const f of incoming) {
    if (seen.has(f.uuid)) continue;
    seen.add(f.uuid);
    fresh.push(f);
  }
  if (fresh.length === 0) return existing.length > cap ? existing.slice(-cap) : (existing as FlowRecord[]);
  let merged = existing.concat(fresh);
  // The common case (newer flows arriving in order) needs no sort.
  const lastExisting = existing.length ? existing[existing.length - 1].time : -Infinity;
  if (!isSortedFrom(fresh, lastExisting)) merged = merged.sort((a, b) => a.time - b.time);
  return merged.length > cap ? merged.slice(-cap) : merged;
}

function isSortedFrom(flows: readonly FlowRecord[], after: number): boolean {
  let prev = after;
  for (const f of flows) {
    if (f.time < prev) return false;
    prev = f.time;
  }
  return true;
}
