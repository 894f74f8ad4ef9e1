/** Flows per second by verdict over the last two minutes: the header's live counters and sparkline. */

import type { Verdict } from '../flows/flow-record';

export interface SecondCounts {
  /** Start of the second, ms since the epoch. */
  t: number;
  forwarded: number;
  dropped: number;
  audit: number;
  error: number;
  other: number;
}

export interface CounterSummary {
  /** Flows in the last complete second, by verdict. */
  perSecond: SecondCounts;
  /** Share of dropped flows over the last 10 s (0..1). */
  dropRate: number;
  total: number;
  history: SecondCounts[];
}

const SECONDS = 120;

export class VerdictCounters {
  private readonly buckets: SecondCounts[] = [];
  private current: SecondCounts;
  total = 0;

  constructor(now = Date.now()) {
    this.current = empty(Math.floor(now / 1000) * 1000);
  }

  /** Counts one flow at wall-clock time `now` (arrival time: relay clocks may be skewed). */
  add(verdict: Verdict, now: number): void {
    if (now >= this.current.t + 1000) this.roll(now);
    const c = this.current;
    if (verdict === 'FORWARDED') c.forwarded++;
    else if (verdict === 'DROPPED') c.dropped++;
    else if (verdict === 'AUDIT') c.audit++;
    else if (verdict === 'ERROR') c.error++;
    else c.other++;
    this.total++;
  }

  private roll(now: number): void {
    const sec = Math.floor(now / 1000) * 1000;
    this.buckets.push(this.current);
    // Seconds without flows still count as zero in the chart.
    for (let t = this.current.t + 1000; t < sec && this.buckets.length < SECONDS * 2; t += 1000) this.buckets.push(empty(t));
    while (this.buckets.length > SECONDS) this.buckets.shift();
    this.current = empty(sec);
  }

  summary(now = Date.now()): CounterSummary {
    if (now >= this.current.t + 1000) this.roll(now);
    const last = this.buckets[this.buckets.length - 1] ?? empty(this.current.t - 1000);
    const recent = this.buckets.slice(-10);
    let all = 0;
    let dropped = 0;
    for (const b of recent) {
      all += b.forwarded + b.dropped + b.audit + b.error + b.other;
      dropped += b.dropped;
    }
    return { perSecond: { ...last }, dropRate: all ? dropped / all : 0, total: this.total, history: this.buckets.map((b) => ({ ...b })) };
  }
}

function empty(t: number): SecondCounts {
  return { t, forwarded: 0, dropped: 0, audit: 0, error: 0, other: 0 };
}
