/**
 * The last N items (flows, each with a tag such as its graph edge id), addressed by sequence number so
 * several readers can follow it at their own pace: item k lives at k % capacity until N newer ones
 * overwrite it. Fixed memory, no allocation per push (items and tags sit in two parallel arrays).
 */

export interface RingRead<T> {
  items: T[];
  /** Sequence number to continue from. */
  next: number;
  /** Items the reader missed because it fell further behind than the ring holds. */
  skipped: number;
}

export class BoundedRing<T, Tag = undefined> {
  private readonly items: (T | undefined)[];
  private readonly tags: (Tag | undefined)[];
  private seq = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.items = new Array(capacity);
    this.tags = new Array(capacity);
  }

  /** Sequence number of the next item pushed (= how many were ever pushed). */
  get next(): number {
    return this.seq;
  }

  /** How many items the ring holds now. */
  get size(): number {
    return Math.min(this.seq, this.capacity);
  }

  push(item: T, tag?: Tag): void {
    const i = this.seq % this.capacity;
    this.items[i] = item;
    this.tags[i] = tag;
    this.seq++;
  }

  /**
   * Items with sequence >= `from`, oldest first, up to `limit` matches; `next` is where to continue.
   * A reader that fell further behind than the ring holds skips ahead, and `skipped` says how far.
   */
  since(from: number, match: (item: T, tag: Tag) => boolean, limit: number): RingRead<T> {
    const start = Math.max(from, this.seq - this.capacity);
    const out: T[] = [];
    let k = start;
    for (; k < this.seq && out.length < limit; k++) {
      const i = k % this.capacity;
      const item = this.items[i] as T;
      if (match(item, this.tags[i] as Tag)) out.push(item);
    }
    return { items: out, next: k, skipped: Math.max(0, start - from) };
  }

  /** Newest first, up to `limit` matches. */
  latest(match: (item: T, tag: Tag) => boolean, limit: number): T[] {
    const out: T[] = [];
    const stop = Math.max(0, this.seq - this.capacity);
    for (let k = this.seq - 1; k >= stop && out.length < limit; k--) {
      const i = k % this.capacity;
      const item = this.items[i] as T;
      if (match(item, this.tags[i] as Tag)) out.push(item);
    }
    return out;
  }
}
