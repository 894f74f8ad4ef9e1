import { describe, expect, it } from 'vitest';
import { parseLayersQuery } from './layers-request';

const q = (s: string) => parseLayersQuery(new URLSearchParams(s));

describe('parseLayersQuery', () => {
  it('reads a spelled-out flow', () => {
    const r = q('srcIp=10.244.1.22&dstIp=140.82.121.6&srcPort=40000&dstPort=443&protocol=TCP&fqdn=api.github.com.&isReply=false&srcNamespace=legacy&srcPod=legacy-app-7d9f8b6c5d-x2x4z&node=aks-prod-weu/aks-nodepool1-31415926-vmss000001&direction=EGRESS');
    expect(r).toEqual({
      ok: true,
      query: {
        kind: 'flow',
        flow: {
          source: { ip: '10.244.1.22', port: 40000, namespace: 'legacy', pod: 'legacy-app-7d9f8b6c5d-x2x4z' },
          destination: { ip: '140.82.121.6', port: 443 },
          protocol: 'TCP',
          isReply: false,
          node: 'aks-prod-weu/aks-nodepool1-31415926-vmss000001',
          direction: 'EGRESS',
          fqdn: 'api.github.com.',
        },
      },
    });
  });

  it('reads a uuid or an edge id', () => {
    expect(q('uuid=6f1c2a3b-4d5e')).toEqual({ ok: true, query: { kind: 'uuid', uuid: '6f1c2a3b-4d5e' } });
    expect(q('edge=legacy/legacy-app|world:api.github.com|443|TCP')).toEqual({ ok: true, query: { kind: 'edge', edge: 'legacy/legacy-app|world:api.github.com|443|TCP' } });
  });

  it.each([
    ['srcIp=10.0.0.1&dstIp=not-an-ip&dstPort=443&protocol=TCP', 'dstIp'],
    ['srcIp=10.0.0.1&dstIp=10.0.0.2&dstPort=70000&protocol=TCP', 'dstPort'],
    ['srcIp=10.0.0.1&dstIp=10.0.0.2&dstPort=443&protocol=GRE', 'protocol'],
    ['srcIp=10.0.0.1&dstIp=10.0.0.2&dstPort=443&protocol=TCP&srcPod=Bad_Name', 'srcPod'],
    ['srcIp=10.0.0.1&dstIp=10.0.0.2&dstPort=443&protocol=TCP&fqdn=a%20b', 'fqdn'],
    ['srcIp=10.0.0.1&dstIp=10.0.0.2&dstPort=443&protocol=TCP&extra=1', 'extra'],
    ['uuid=abc&edge=x|y|1|TCP', 'edge'],
    ['uuid=abc&uuid=def', 'uuid'],
    ['srcIp=10.0.0.1&dstIp=10.0.0.2&dstPort=443&protocol=TCP&node=a/b/c', 'node'],
    ['uuid=%3Cscript%3E', 'uuid'],
    [`edge=${'x'.repeat(700)}`, 'edge'],
  ])('rejects %s naming %s', (query, param) => {
    const r = q(query);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.param).join(',')).toContain(param);
  });
});
