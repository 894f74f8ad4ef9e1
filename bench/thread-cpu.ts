/**
 * CPU time of this process by thread group, read from /proc (Linux): which side of the store an
 * ingest figure is spent on. Elsewhere the reading is empty and the bench says so.
 *
 * And for another process (bench:ui's server): how much of a time window one of its threads ran and
 * how much it waited for a CPU while ready to run (/proc/<pid>/task/<tid>/schedstat), and how busy
 * the machine's CPUs were (/proc/stat). On a small machine that also runs the relay and the browser,
 * the server's event loop can be ready and still not run: latency figures are read against that.
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

export interface ThreadSchedule {
  /** Nanoseconds spent on a CPU, and waiting on a run queue, since the thread started. */
  runNs: number;
  waitNs: number;
}

/** Another process's thread's schedule counters (its main thread: tid = pid); null where /proc has no schedstat or the thread is gone. */
export function readThreadSchedule(pid: number, tid = pid): ThreadSchedule | null {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? { runNs: run, waitNs: wait } : null;
  } catch {
    return null;
  }
}

/** Shares of a window of `wallMs` a thread ran and waited for a CPU, from two readings. */
export function scheduleShares(before: ThreadSchedule | null, after: ThreadSchedule | null, wallMs: number): { runShare: number; waitShare: number } | null {
  if (!before || !after || wallMs <= 0) return null;
  const share = (ns: number) => Math.round((ns / 1e6 / wallMs) * 1000) / 1000;
  return { runShare: share(after.runNs - before.runNs), waitShare: share(after.waitNs - before.waitNs) };
}

/** The machine's CPU time counters: busy and total, in clock ticks (null without /proc/stat). */
export function readMachineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    // cpu user nice system idle iowait irq softirq steal ...
    const t = line.trim().split(/\s+/).slice(1).map(Number);
    const total = t.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - t[3] - t[4], total };
  } catch {
    return null;
  }
}

/** Share of the machine's CPU time that was busy between two readings. */
export function machineBusyShare(before: { busy: number; total: number } | null, after: { busy: number; total: number } | null): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return Math.round(((after.busy - before.busy) / (after.total - before.total)) * 1000) / 1000;
}
