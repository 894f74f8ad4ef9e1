/** Events per second over a sliding window of whole seconds (ServerStatus' flows_rate). */
export class RateMeter {
  private readonly counts: number[];
  private readonly stamps: number[];

  constructor(private readonly windowSeconds: number) {
    this.counts = new Array(windowSeconds).fill(0);
    this.stamps = new Array(windowSeconds).fill(-1);
  }

  add(n: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.windowSeconds;
    if (this.stamps[i] !== second) {
      this.stamps[i] = second;
      this.counts[i] = 0;
    }
    this.counts[i] += n;
  }

  /** The mean rate over the window's complete seconds (the current one is still filling). */
  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let total = 0;
    for (let k = 0; k < this.windowSeconds; k++) {
      const s = this.stamps[k];
      if (s < current && s >= current - this.windowSeconds) total += this.counts[k];
    }
    return total / this.windowSeconds;
  }
}
