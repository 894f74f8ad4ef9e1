/** The last N flows with their graph edge: the source of live samples and side-panel listings. */

import type { FlowRecord } from '../flows/flow-record';

export class RecentFlows {
  private readonly flows: (FlowRecord | undefined)[];
  private readonly edges: string[];
  /** Sequence number of the next flow pushed; flow k lives at k % capacity. */
  next = 0;

  constructor(readonly capacity: number) {
    this.flows = new Array(capacity);
    this.edges = new Array(capacity);
  }

  push(flow: FlowRecord, edgeId: string): void {
    const i = this.next % this.capacity;
    this.flows[i] = flow;
    this.edges[i] = edgeId;
    this.next++;
  }

  /**
   * Flows with sequence >= `from`, oldest first, up to `limit` matches; `next` is where to continue.
   * A reader that falls further behind than the ring holds skips ahead (and `skipped` says how far).
   */
  since(from: number, match: (f: FlowRecord, edgeId: string) => boolean, limit: number): { flows: FlowRecord[]; next: number; skipped: number } {
    const start = Math.max(from, this.next - this.capacity);
    const out: FlowRecord[] = [];
    let k = start;
    for (; k < this.next && out.length < limit; k++) {
      const i = k % this.capacity;
      const f = this.flows[i]!;
      if (match(f, this.edges[i])) out.push(f);
    }
    return { flows: out, next: k, skipped: start - from };
  }

  /** Newest first, up to `limit` matches. */
  latest(match: (f: FlowRecord, edgeId: string) => boolean, limit: number): FlowRecord[] {
    const out: FlowRecord[] = [];
    const stop = Math.max(0, this.next - this.capacity);
    for (let k = this.next - 1; k >= stop && out.length < limit; k--) {
      const i = k % this.capacity;
      if (match(this.flows[i]!, this.edges[i])) out.push(this.flows[i]!);
    }
    return out;
  }
}
