/**
 * CPU time of this process by thread group, read from /proc (Linux): which side of the store an
 * ingest figure is spent on. Elsewhere the reading is empty and the bench says so.
 */

import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

export type ThreadCpu = Map<string, number>;

/**
 * Seconds of CPU so far in three groups: this event loop's thread; Node's own other threads (the
 * store's worker thread, V8's garbage-collection helpers, libuv), which Node names `node`; and the
 * embedded engine's threads, which chdb names after their pools.
 */
export function threadCpu(): ThreadCpu {
  const groups: ThreadCpu = new Map();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return groups;
  }
  for (const tid of tasks) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // The name is in parentheses and may hold spaces; the fields after it are space separated.
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const group = tid === String(process.pid) ? 'main thread' : name === 'node' ? 'node threads' : 'engine threads';
    groups.set(group, (groups.get(group) ?? 0) + seconds);
  }
  return groups;
}

/** µs per item spent by each group between two readings, e.g. `main thread 6.1 µs, ...`. */
export function cpuPerItem(before: ThreadCpu, after: ThreadCpu, items: number): string {
  if (after.size === 0) return 'per-thread CPU not available here (no /proc)';
  return [...after]
    .map(([group, seconds]) => `${group} ${(((seconds - (before.get(group) ?? 0)) * 1e6) / items).toFixed(1)} µs`)
    .join(', ');
}
