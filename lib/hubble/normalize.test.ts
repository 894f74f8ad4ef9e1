import { describe, expect, it } from 'vitest';
import { encodeFlowResponse } from '../demo/flow-encoder';
import { FlowGenerator } from '../demo/flow-generator';
import { demoScenario } from '../demo/scenario';
import { flowToWire, normalizeFlow } from './normalize';
import { observerTypes } from './proto';

/* eslint-disable @typescript-eslint/no-explicit-any */
const decode = (bytes: Uint8Array) => (observerTypes().GetFlowsResponse.decode(bytes) as any).flow;

describe('normalizeFlow', () => {
  it('maps wire enums, ports, endpoints and policy fields to a FlowRecord', () => {
    const t = observerTypes();
    const msg = t.GetFlowsResponse.fromObject({
      flow: {
        time: { seconds: 1_700_000_000, nanos: 250_000_000 },
        uuid: 'u-1',
        verdict: 'DROPPED',
        drop_reason_desc: 'POLICY_DENIED',
        IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
        l4: { TCP: { source_port: 40000, destination_port: 5432, flags: { SYN: true } } },
        source: { identity: 1234, namespace: 'legacy', pod_name: 'legacy-app-1', labels: ['k8s:app=legacy-app'], workloads: [{ name: 'legacy-app', kind: 'Deployment' }] },
        destination: { identity: 5678, namespace: 'production', pod_name: 'postgres-0', labels: ['k8s:app=postgres'] },
        traffic_direction: 'INGRESS',
        node_name: 'aks/node-1',
        event_type: { type: 1 },
        ingress_denied_by: [{ name: 'deny-legacy', namespace: 'production', kind: 'CiliumNetworkPolicy' }],
        Summary: 'TCP Flags: SYN',
      },
    });
    const r = normalizeFlow((t.GetFlowsResponse.decode(t.GetFlowsResponse.encode(msg).finish()) as any).flow);
    expect(r).toMatchObject({
      uuid: 'u-1',
      time: 1_700_000_000_250,
      verdict: 'DROPPED',
      dropReason: 'POLICY_DENIED',
      direction: 'INGRESS',
      protocol: 'TCP',
      tcpFlags: ['SYN'],
      node: 'aks/node-1',
      eventType: 1,
      summary: 'TCP Flags: SYN',
    });
    expect(r.source).toMatchObject({ ip: '10.0.0.1', port: 40000, identity: 1234, namespace: 'legacy', pod: 'legacy-app-1', workloads: [{ name: 'legacy-app', kind: 'Deployment' }] });
    expect(r.destination).toMatchObject({ ip: '10.0.0.2', port: 5432, pod: 'postgres-0' });
    expect(r.ingressDeniedBy).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'production', name: 'deny-legacy' }]);
    expect(r.isReply).toBeNull(); // is_reply absent: unknown, not "false"
  });

  it('names drop reasons missing from our enum subset instead of losing them', () => {
    const t = observerTypes();
    const wire = t.Flow.decode(t.Flow.encode(t.Flow.fromObject({ verdict: 2, drop_reason_desc: 199 })).finish());
    expect(normalizeFlow(wire).dropReason).toBe('DROP_REASON_199');
  });

  it('keeps ICMP type/code and L7 DNS and HTTP records', () => {
    const t = observerTypes();
    const icmp = normalizeFlow(t.Flow.decode(t.Flow.encode(t.Flow.fromObject({ l4: { ICMPv4: { type: 8, code: 0 } } })).finish()));
    expect(icmp.protocol).toBe('ICMPv4');
    expect(icmp.icmp).toEqual({ type: 8, code: 0 });
    const dns = normalizeFlow(t.Flow.decode(t.Flow.encode(t.Flow.fromObject({ Type: 'L7', l7: { type: 'RESPONSE', dns: { query: 'api.stripe.com.', ips: ['1.2.3.4'], rcode: 0 } } })).finish()));
    expect(dns.type).toBe('L7');
    expect(dns.l7).toMatchObject({ type: 'RESPONSE', dns: { query: 'api.stripe.com.', ips: ['1.2.3.4'] } });
  });

  it('round-trips every demo flow through the fast encoder and the reflection encoder identically', () => {
    const flows = new FlowGenerator(demoScenario(), 11).generate(3000, 1_795_000_000_000, 3);
    const t = observerTypes();
    for (const f of flows) {
      const fast = normalizeFlow(decode(encodeFlowResponse(f)));
      const slow = normalizeFlow((t.GetFlowsResponse.decode(t.GetFlowsResponse.encode(t.GetFlowsResponse.fromObject({ flow: flowToWire(f) })).finish()) as any).flow);
      expect(JSON.parse(JSON.stringify(fast))).toEqual(JSON.parse(JSON.stringify(f)));
      expect(slow).toEqual(fast);
    }
  });
});
