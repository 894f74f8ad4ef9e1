/**
 * How long the live map lags the cluster: for each connection a delta changed, the time from its
 * newest flow (stamped by the relay) to the frame that drew the change. The benchmark
 * (`npm run bench:ui`) reads it through `window.__flowsightMap`; bounded, the newest samples win.
 */

const MAX_SAMPLES = 50_000;

export class LatencyProbe {
  private readonly samples = new Float64Array(MAX_SAMPLES);
  private next = 0;
  private count = 0;

  /** Records `now - stamp` for each stamp (ms since the epoch). */
  record(stamps: Iterable<number>, now = Date.now()): void {
    for (const t of stamps) {
      this.samples[this.next] = now - t;
      this.next = (this.next + 1) % MAX_SAMPLES;
      if (this.count < MAX_SAMPLES) this.count++;
    }
  }

  /** The samples since the last call, oldest first; the probe starts empty again. */
  take(): number[] {
    const out: number[] = [];
    const start = (this.next - this.count + MAX_SAMPLES) % MAX_SAMPLES;
    for (let i = 0; i < this.count; i++) out.push(this.samples[(start + i) % MAX_SAMPLES]);
    this.count = 0;
    return out;
  }
}
