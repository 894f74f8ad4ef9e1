/**
 * Watches one followed GetFlows call for the faults gRPC does not report by itself, or only after
 * keepalive gives up: a relay that accepts the connection and never answers (connect deadline),
 * and a stream that goes silent. Silence alone is ambiguous, since an idle cluster sends nothing
 * either, so the relay's ServerStatus decides. No answer means the relay is not answering. A
 * seen-flows counter that grew while nothing arrived means this stream is dead. A flat counter
 * means the cluster is idle.
 */

export type StreamFault = 'connect-timeout' | 'not-answering' | 'stalled';

export interface StreamWatchdogOptions {
  /** No headers and no message within this long: ask ServerStatus whether the relay answers at all. */
  connectTimeoutMs: number;
  /** No message for this long: ask ServerStatus whether the cluster is idle or the stream dead. 0 = off. */
  idleMs: number;
  /** Deadline of each ServerStatus probe. */
  probeTimeoutMs: number;
  /** False when the call filters on the server: the relay's counter then grows with flows this stream should not get. */
  growthMeansData: boolean;
  probe(timeoutMs: number): Promise<{ seenFlows: number }>;
  /** Messages received on the call so far; read on each check, so the hot path only counts. */
  messages(): number;
  /** The relay answered ServerStatus although the call sent no headers yet: treat it as connected. */
  onAnswered(): void;
  onIdle(idle: boolean): void;
  onFault(fault: StreamFault, message: string): void;
}

/** A probe error that means nobody answered, as opposed to a relay that answered with an error. */
function notAnswering(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  return code === undefined || code === 4 /* DEADLINE_EXCEEDED */ || code === 14; /* UNAVAILABLE */
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))}s`;
}

export class StreamWatchdog {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly startedAt = Date.now();
  private answered = false;
  private stopped = false;
  private paused = false;
  private probing = false;
  private idle = false;
  private lastCount = -1;
  private lastActivityAt = Date.now();
  private nextCheckAt = 0;
  /** The relay's seen-flows counter near the start of the current silence. */
  private baseline: number | null = null;
  private baselineTried = false;
  /** Growth seen once; a second look (after in-flight flows had time to arrive) confirms it. */
  private suspect = false;

  constructor(private readonly opts: StreamWatchdogOptions) {
    const shortest = Math.min(opts.connectTimeoutMs, opts.idleMs > 0 ? opts.idleMs : Infinity);
    this.timer = setInterval(() => this.check(), Math.max(20, Math.min(2500, shortest / 4)));
    this.timer.unref?.();
  }

  /** Response headers or a first message arrived. */
  answer(): void {
    if (this.answered) return;
    this.answered = true;
    this.activity(Date.now());
  }

  /** The consumer stopped reading on purpose: silence then says nothing about the relay. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.activity(Date.now());
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private activity(now: number): void {
    this.lastCount = this.opts.messages();
    this.lastActivityAt = now;
    this.nextCheckAt = now + this.opts.idleMs;
    this.baseline = null;
    this.baselineTried = false;
    this.suspect = false;
    this.setIdle(false);
  }

  private setIdle(idle: boolean): void {
    if (this.idle === idle) return;
    this.idle = idle;
    this.opts.onIdle(idle);
  }

  private check(): void {
    if (this.stopped || this.probing) return;
    const now = Date.now();
    if (!this.answered) {
      if (now - this.startedAt >= this.opts.connectTimeoutMs) this.probeConnect();
      return;
    }
    if (this.paused || this.opts.messages() !== this.lastCount) {
      this.activity(now);
      return;
    }
    if (this.opts.idleMs <= 0) return;
    if (!this.baselineTried) {
      this.baselineTried = true;
      this.run((status) => {
        if (status && this.baseline === null) this.baseline = status.seenFlows;
      });
    } else if (now >= this.nextCheckAt) {
      this.run((status, err) => this.judge(status, err));
    }
  }

  /** One probe; the result is dropped if the call ended or data arrived meanwhile. */
  private run(then: (status: { seenFlows: number } | null, err?: unknown) => void): void {
    const count = this.opts.messages();
    this.probing = true;
    this.opts.probe(this.opts.probeTimeoutMs).then(
      (status) => this.settle(count, () => then(status)),
      (err) => this.settle(count, () => then(null, err)),
    );
  }

  private settle(count: number, then: () => void): void {
    this.probing = false;
    if (this.stopped) return;
    if (this.answered && (this.paused || this.opts.messages() !== count)) return; // the next check sees the activity
    then();
  }

  private probeConnect(): void {
    this.run((status, err) => {
      if (this.answered) return;
      if (!status && notAnswering(err)) {
        this.opts.onFault('connect-timeout', `relay not answering (connect timeout after ${seconds(Date.now() - this.startedAt)})`);
        return;
      }
      // The relay is up; a relay that holds back headers until the first flow just has none yet.
      this.answer();
      if (status) {
        this.baseline = status.seenFlows;
        this.baselineTried = true;
      }
      this.opts.onAnswered();
    });
  }

  private judge(status: { seenFlows: number } | null, err: unknown): void {
    const now = Date.now();
    const silent = seconds(now - this.lastActivityAt);
    if (!status) {
      if (notAnswering(err)) {
        this.opts.onFault('not-answering', `relay not answering: no data for ${silent} and ServerStatus got no answer`);
        return;
      }
      // It answered with an error: alive, but its counters cannot tell idle from dead.
      this.setIdle(true);
      this.nextCheckAt = now + this.opts.idleMs;
      return;
    }
    if (this.opts.growthMeansData && this.baseline !== null && status.seenFlows > this.baseline) {
      if (this.suspect) {
        const grew = status.seenFlows - this.baseline;
        this.opts.onFault('stalled', `relay stream stalled: the relay saw ${grew} new flows but none arrived for ${silent}`);
        return;
      }
      // Relays batch flows for about a second before sending: give those a moment to arrive.
      this.suspect = true;
      this.nextCheckAt = now + Math.min(2000, this.opts.idleMs / 2);
      return;
    }
    this.baseline = status.seenFlows;
    this.suspect = false;
    this.setIdle(true);
    this.nextCheckAt = now + this.opts.idleMs;
  }
}
