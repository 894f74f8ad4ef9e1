import { describe, expect, it } from 'vitest';
import { flow, pod, world } from '../testing/flow-fixtures';
import { layersParamsOfFlow } from './layers-flow-params';
import { parseLayersQuery } from './layers-request';

describe('layersParamsOfFlow', () => {
  it('spells a flow out so that the server parses back the same connection', () => {
    const f = flow(pod('legacy', 'legacy-app-7d9f8b6c5d-x2x4z', { port: 40123 }), world('api.github.com.'), { node: 'aks-prod/aks-nodepool1-0', direction: 'EGRESS' });
    f.destination.port = 443;
    const r = parseLayersQuery(layersParamsOfFlow(f));
    expect(r).toEqual({
      ok: true,
      query: {
        kind: 'flow',
        flow: {
          source: { ip: f.source.ip, port: 40123, namespace: 'legacy', pod: 'legacy-app-7d9f8b6c5d-x2x4z' },
          destination: { ip: '140.82.121.6', port: 443 },
          protocol: 'TCP',
          isReply: false,
          node: 'aks-prod/aks-nodepool1-0',
          direction: 'EGRESS',
          // The trailing dot of Hubble's names is dropped.
          fqdn: 'api.github.com',
        },
      },
    });
  });

  it('names the server from the source for a reply, and leaves isReply out when unknown', () => {
    const reply = flow(world('db.example.com'), pod('payments', 'payments-0'), { isReply: true });
    expect(layersParamsOfFlow(reply).get('fqdn')).toBe('db.example.com');
    const unknown = flow(pod('a', 'a-0'), pod('b', 'b-0'), { isReply: null });
    expect(layersParamsOfFlow(unknown).has('isReply')).toBe(false);
    expect(layersParamsOfFlow(unknown).has('fqdn')).toBe(false);
  });
});
