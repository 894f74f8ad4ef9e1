import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChdbEngine } from './chdb-engine';
import type { HistoryEngine } from './engine';

const MERGE_NICE = 10;

/** The nice value of each of this process's threads named `name` (/proc/self/task/<tid>/stat, field 19). */
function niceOfThreads(name: string): number[] {
  const out: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== name) continue;
      // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

describe('the embedded engine (chdb) runs with the server settings it is given', () => {
  let dir: string;
  let engine: HistoryEngine;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-chdb-engine-'));
    engine = await openChdbEngine(dir);
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps at most 16 idle threads, and merges at nice 10 so they yield to the event loop', async () => {
    const rows = await engine.query("SELECT name, value FROM system.server_settings WHERE name IN ('max_thread_pool_free_size', 'os_threads_nice_value_merge_mutate') ORDER BY name", {});
    expect(rows).toEqual([
      { name: 'max_thread_pool_free_size', value: '16' },
      { name: 'os_threads_nice_value_merge_mutate', value: String(MERGE_NICE) },
    ]);
    // ClickHouse lowers a merge thread's priority while it runs a merge, and restores it after: the
    // threads are watched while the engine merges parts in the background (OPTIMIZE would merge on
    // the query's own thread), parts large enough for a merge to take a while.
    await engine.exec('CREATE TABLE t (x UInt64, s String) ENGINE = MergeTree ORDER BY x');
    const seen = new Set<number>();
    const watch = setInterval(() => niceOfThreads('MergeMutate').forEach((n) => seen.add(n)), 2);
    try {
      for (let i = 0; i < 8; i++) await engine.exec(`INSERT INTO t SELECT number, toString(rand()) FROM numbers(${i * 500_000}, 500_000)`);
      await expect.poll(() => seen.has(MERGE_NICE), { timeout: 30_000, interval: 50 }).toBe(true);
    } finally {
      clearInterval(watch);
    }
    // Between merges the threads are back at 0; at no time at another value.
    expect([...seen].filter((n) => n !== 0)).toEqual([MERGE_NICE]);
    const parts = async () => Number((await engine.query("SELECT count() AS parts FROM system.parts WHERE table = 't' AND active", {}))[0].parts);
    await expect.poll(parts, { timeout: 30_000 }).toBeLessThan(8);
  }, 60_000);
});
