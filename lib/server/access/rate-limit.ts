/**
 * Limits failed sign-ins (wrong token, by form or by bearer header) with token buckets: one per
 * client and one for everyone, so rotating client addresses still cannot guess faster than the
 * global rate. A failure takes a token; with none left the client waits for the refill.
 */

export interface BucketRate {
  /** Failures allowed in a burst. */
  burst: number;
  /** Seconds for one failure to be forgiven. */
  refillSeconds: number;
}

export interface FailureLimits {
  perClient: BucketRate;
  global: BucketRate;
  /** Clients remembered at once; the least recently failing are forgotten first. */
  maxClients: number;
}

/** 5 failures a minute per client, 30 a minute in total. */
export const DEFAULT_FAILURE_LIMITS: FailureLimits = {
  perClient: { burst: 5, refillSeconds: 12 },
  global: { burst: 30, refillSeconds: 2 },
  maxClients: 10_000,
};

interface Bucket {
  tokens: number;
  at: number;
}

function refill(b: Bucket, rate: BucketRate, nowMs: number): void {
  b.tokens = Math.min(rate.burst, b.tokens + (nowMs - b.at) / (rate.refillSeconds * 1000));
  b.at = nowMs;
}

function waitSeconds(b: Bucket, rate: BucketRate): number {
  return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) * rate.refillSeconds);
}

export class FailureLimiter {
  private readonly clients = new Map<string, Bucket>();
  private readonly global: Bucket;

  constructor(readonly limits: FailureLimits = DEFAULT_FAILURE_LIMITS, nowMs = Date.now()) {
    this.global = { tokens: limits.global.burst, at: nowMs };
  }

  /** Seconds before this client may try again; 0 when it may try now. */
  retryAfter(client: string, nowMs: number): number {
    refill(this.global, this.limits.global, nowMs);
    const b = this.clients.get(client);
    if (b) refill(b, this.limits.perClient, nowMs);
    return Math.max(waitSeconds(this.global, this.limits.global), b ? waitSeconds(b, this.limits.perClient) : 0);
  }

  /** Records a failure; returns the seconds the client must now wait (0 if it may still try). */
  fail(client: string, nowMs: number): number {
    let b = this.clients.get(client);
    if (b) {
      refill(b, this.limits.perClient, nowMs);
      this.clients.delete(client); // re-inserted below: Map order is least recently failing first
    } else {
      b = { tokens: this.limits.perClient.burst, at: nowMs };
      if (this.clients.size >= this.limits.maxClients) this.clients.delete(this.clients.keys().next().value!);
    }
    b.tokens = Math.max(0, b.tokens - 1);
    this.clients.set(client, b);
    refill(this.global, this.limits.global, nowMs);
    this.global.tokens = Math.max(0, this.global.tokens - 1);
    return this.retryAfter(client, nowMs);
  }
}
