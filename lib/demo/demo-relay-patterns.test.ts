import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowFilter } from '../hubble/flow-filter';
import { RelayClient } from '../hubble/relay-client';
import { PATHOLOGICAL } from '../match/testing/time-ratio';
import { timeRatioAsync } from '../match/testing/time-ratio-async';
import { DemoRelay } from './demo-relay';

// Issue 8 (hardening), item 1: the demo relay runs the filters any gRPC client sends (as Hubble Relay
// does, with Go's RE2); a hostile DNS-query, HTTP-path or FQDN pattern must not freeze it.
let relay: DemoRelay;
let client: RelayClient;

beforeAll(async () => {
  relay = new DemoRelay({ rate: 300, historySeconds: 30, seed: 5 });
  client = new RelayClient({ address: `127.0.0.1:${await relay.start()}`, requestTimeoutMs: 5000 });
});
afterAll(async () => {
  client.close();
  await relay.stop();
});

function getFlows(allow: FlowFilter[]): Promise<{ count: number; error?: Error & { code?: number } }> {
  return new Promise((resolve) => {
    let count = 0;
    client.getFlows({ number: 5000, allow }, { onFlow: () => count++, onEnd: (error) => resolve({ count, error }) });
  });
}

describe('demo relay on pathological client patterns', () => {
  it.each([
    ['dns_query', PATHOLOGICAL.shortTextRegex, 'stripe'],
    ['http_path', PATHOLOGICAL.shortTextRegex, '/api/'],
    ['destination_fqdn', PATHOLOGICAL.alternating, '*.github.com'],
    ['destination_fqdn', PATHOLOGICAL.stars, '*.github.com'],
  ] as const)('%s %s answers in about the time of a plain pattern', async (field, hostile, plain) => {
    const ratio = await timeRatioAsync(() => getFlows([{ [field]: [hostile] }]), () => getFlows([{ [field]: [plain] }]));
    expect(ratio).toBeLessThan(10);
    // The relay still answers other calls.
    expect((await client.serverStatus()).numFlows).toBeGreaterThan(0);
  });

  it('refuses an overlong pattern with INVALID_ARGUMENT naming the field', async () => {
    const r = await getFlows([{ dns_query: ['a'.repeat(5000)] }]);
    expect(r.error?.code).toBe(3);
    expect(r.error?.message).toMatch(/dns_query/);
  });
});
