import { describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { FlowGenerator } from '../demo/flow-generator';
import { flow, pod, reserved, world } from '../testing/flow-fixtures';
import { encodeRow, encodeRows } from './row-encoder';
import { flowToRow } from './schema';

describe('row encoder', () => {
  it('writes exactly what JSON.stringify(flowToRow(f)) writes, for every demo flow shape', () => {
    const flows = new FlowGenerator(demoScenario(), 3).generate(5000, 1_795_000_000_000, 7);
    expect(new Set(flows.map((f) => (f.l7 ? Object.keys(f.l7).join() : 'none'))).size).toBeGreaterThan(1);
    for (const f of flows) expect(encodeRow(f)).toBe(JSON.stringify(flowToRow(f)));
  });

  it('does not reuse an endpoint encoding once the endpoint changed under the same labels', () => {
    const labels = ['k8s:app=api'];
    const a = pod('shop', 'api-7f9d8c6b4-aaaaa', { labels });
    const f1 = flow(a, world('api.stripe.com'));
    expect(encodeRow(f1)).toBe(JSON.stringify(flowToRow(f1)));
    // Same labels array, another pod, other names, other workloads: each must show.
    const variants = [
      flow({ ...a, pod: 'api-7f9d8c6b4-bbbbb' }, reserved('host')),
      flow({ ...a, names: ['x.example.com'] }, reserved('host')),
      flow({ ...a, workloads: [{ name: 'api', kind: 'Deployment' }] }, reserved('host')),
      flow({ ...a, identity: 4242 }, reserved('host'), { isReply: null, icmp: { type: 8, code: 0 }, summary: 'quote " and \\ and \n' }),
      flow({ ...a, namespace: 'other' }, world('', '1.1.1.1'), { egressDeniedBy: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'deny' }] }),
    ];
    for (const f of variants) expect(encodeRow(f)).toBe(JSON.stringify(flowToRow(f)));
  });

  it('peers outside the cluster sharing one frozen labels array keep their own address and node (unknown:<ip>)', () => {
    // The decoder shares one frozen labels array between endpoints whose bytes carry no labels.
    const shared = Object.freeze([] as string[]);
    const peer = (ip: string) => ({ ...pod('x', 'y'), namespace: '', pod: '', ip, identity: 0, labels: shared as unknown as string[], workloads: [] });
    const a = flow(pod('shop', 'web-1'), peer('10.1.1.1'));
    const b = flow(pod('shop', 'web-1'), peer('10.9.9.9'));
    for (const f of [a, b]) expect(encodeRow(f)).toBe(JSON.stringify(flowToRow(f)));
    expect(encodeRow(b)).toContain('unknown:10.9.9.9');
  });

  it('ends every row with a newline', () => {
    const f = flow(pod('a', 'b-0'), pod('c', 'd-0'));
    expect(encodeRows([f, f]).toString()).toBe(`${JSON.stringify(flowToRow(f))}\n${JSON.stringify(flowToRow(f))}\n`);
  });
});
