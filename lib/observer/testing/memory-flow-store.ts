/**
 * A FlowStore test double holding flows in memory, with the interface's paging contract: newest
 * first, `since` inclusive, `until` exclusive, keyset cursors. Of SQL conditions it evaluates the
 * one the observer API sends (its verdict prefilter); any other is an error. Counts the rows it
 * returns so tests can see how much a call read.
 */

import type { FlowRecord } from '../../flows/flow-record';
import type { FlowPage, FlowSearch, FlowStore, StoreStatus } from '../../history/flow-store';

/** Newest first: time descending, then uuid descending. */
function newerFirst(a: FlowRecord, b: FlowRecord): number {
  return b.time - a.time || (a.uuid < b.uuid ? 1 : a.uuid > b.uuid ? -1 : 0);
}

export class MemoryFlowStore implements FlowStore {
  private flows: FlowRecord[] = [];
  private pending: FlowRecord[] = [];
  ready = true;
  error: string | null = null;
  /** Rows handed out by search(), and search calls. */
  rowsRead = 0;
  searches = 0;
  /** Called before each search answers (tests slow it down or fail it). */
  beforeSearch: ((q: FlowSearch) => Promise<void> | void) | null = null;

  /** Appends as the real store does: queued until flush(). */
  append(flows: readonly FlowRecord[]): void {
    this.pending.push(...flows);
  }

  /** Test setup: flows stored at once. */
  fill(flows: readonly FlowRecord[]): void {
    this.flows.push(...flows);
    this.flows.sort(newerFirst);
  }

  async search(q: FlowSearch, signal?: AbortSignal): Promise<FlowPage> {
    let verdicts: Set<string> | null = null;
    if (q.condition) {
      if (q.condition.where !== 'verdict IN {o_verdicts:Array(String)}') throw new Error(`MemoryFlowStore cannot evaluate ${q.condition.where}`);
      verdicts = new Set(q.condition.params.o_verdicts as string[]);
    }
    this.searches++;
    await this.beforeSearch?.(q);
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    if (!this.ready) throw new Error(this.error ?? 'store not ready');
    const { since, until } = q.range;
    let after: { time: number; uuid: string } | null = null;
    if (q.cursor) {
      const [time, uuid] = JSON.parse(q.cursor) as [number, string];
      after = { time, uuid };
    }
    const out: FlowRecord[] = [];
    for (const f of this.flows) {
      if (since !== undefined && f.time < since) continue;
      if (until !== undefined && f.time >= until) continue;
      if (verdicts && !verdicts.has(f.verdict)) continue;
      if (after && (f.time > after.time || (f.time === after.time && f.uuid >= after.uuid))) continue;
      out.push(f);
      if (out.length > q.limit) break;
    }
    const more = out.length > q.limit;
    const page = out.slice(0, q.limit);
    this.rowsRead += page.length;
    const last = page[page.length - 1];
    return { flows: page, nextCursor: more && last ? JSON.stringify([last.time, last.uuid]) : null };
  }

  async histogram(): Promise<never> {
    throw new Error('not used by the observer API');
  }

  async edges(): Promise<never> {
    throw new Error('not used by the observer API');
  }

  async traffic(): Promise<never> {
    throw new Error('not used by the observer API');
  }

  async values(field: string, prefix: string, limit: number): Promise<string[]> {
    if (field !== 'namespace') return [];
    const names = new Set<string>();
    for (const f of this.flows) for (const ns of [f.source.namespace, f.destination.namespace]) if (ns && ns.startsWith(prefix)) names.add(ns);
    return [...names].slice(0, limit);
  }

  status(): StoreStatus {
    return {
      engine: 'chdb',
      location: 'memory',
      ready: this.ready,
      storedFlows: this.flows.length,
      bytesOnDisk: this.flows.length * 80,
      oldest: this.flows.length ? this.flows[this.flows.length - 1].time : null,
      newest: this.flows.length ? this.flows[0].time : null,
      pendingFlows: this.pending.length,
      writtenFlows: this.flows.length,
      droppedBatches: 0,
      droppedFlows: 0,
      writeLagMs: 0,
      paused: null,
      error: this.error,
      retention: { days: 7, maxBytes: 5 * 1024 ** 3, rollupAfterMinutes: null },
    };
  }

  async flush(): Promise<void> {
    this.fill(this.pending);
    this.pending = [];
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
