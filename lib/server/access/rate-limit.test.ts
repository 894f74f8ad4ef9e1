import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit';

const T0 = 1_000_000;

describe('FailureLimiter', () => {
  it('allows 5 failures a minute per client, then makes the client wait', () => {
    const l = new FailureLimiter(undefined, T0);
    for (let i = 0; i < 4; i++) expect(l.fail('10.0.0.1', T0)).toBe(0);
    expect(l.fail('10.0.0.1', T0)).toBe(12);
    expect(l.retryAfter('10.0.0.1', T0)).toBe(12);
    expect(l.retryAfter('10.0.0.2', T0)).toBe(0); // other clients are not affected
    expect(l.retryAfter('10.0.0.1', T0 + 12_000)).toBe(0); // one attempt back after the refill
    expect(l.fail('10.0.0.1', T0 + 12_000)).toBe(12);
  });

  it('caps failures across all clients, so rotating addresses does not help', () => {
    const l = new FailureLimiter(undefined, T0);
    for (let i = 0; i < 30; i++) l.fail(`10.0.${i}.1`, T0);
    expect(l.retryAfter('192.0.2.1', T0)).toBe(2);
    expect(l.retryAfter('192.0.2.1', T0 + 2000)).toBe(0);
  });

  it('remembers a bounded number of clients', () => {
    const l = new FailureLimiter({ perClient: { burst: 1, refillSeconds: 60 }, global: { burst: 1e9, refillSeconds: 1 }, maxClients: 2 }, T0);
    l.fail('a', T0);
    l.fail('b', T0);
    l.fail('c', T0); // forgets 'a', the least recently failing
    expect(l.retryAfter('a', T0)).toBe(0);
    expect(l.retryAfter('c', T0)).toBe(60);
  });
});
