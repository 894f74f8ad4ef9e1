/** One FlowRecord per demo traffic pattern and source pod, shaped like Hubble's, for findings tests. */

import { RESERVED_IDENTITY, emptyEndpoint, type FlowEndpoint, type FlowRecord } from '../../flows/flow-record';
import { podsOf, type DemoScenario, type PeerRef } from '../../demo/scenario';

const RESERVED: Record<string, number> = { host: RESERVED_IDENTITY.host, 'remote-node': RESERVED_IDENTITY.remoteNode, 'kube-apiserver': RESERVED_IDENTITY.kubeApiserver };

function endpoints(s: DemoScenario, peer: PeerRef, port: number): FlowEndpoint[] {
  if ('workload' in peer) {
    return podsOf(s, peer.workload).map((p) => ({
      ...emptyEndpoint(),
      ip: p.ip,
      port,
      identity: p.identity,
      namespace: p.namespace,
      pod: p.name,
      labels: Object.entries(p.labels).map(([k, v]) => `k8s:${k}=${v}`),
      workloads: [p.workload],
    }));
  }
  if ('world' in peer) return [{ ...emptyEndpoint(), ip: peer.ip, port, identity: RESERVED_IDENTITY.world, labels: ['reserved:world'], names: peer.world ? [peer.world] : [] }];
  return [{ ...emptyEndpoint(), ip: peer.ip ?? '', port, identity: RESERVED[peer.reserved], labels: [`reserved:${peer.reserved}`] }];
}

export function demoFlows(s: DemoScenario, repeat = 1): FlowRecord[] {
  const flows: FlowRecord[] = [];
  let n = 0;
  for (let r = 0; r < repeat; r++) {
    for (const t of s.traffic) {
      const dests = endpoints(s, t.to, t.port);
      for (const source of endpoints(s, t.from, 40000 + n)) {
        const destination = dests[n % dests.length];
        n++;
        flows.push({
          uuid: `demo-${t.id}-${n}`,
          time: 1_700_000_000_000 + n,
          verdict: t.verdict,
          dropReason: t.dropReason ?? '',
          direction: t.enforcedAt === 'egress' ? 'EGRESS' : 'INGRESS',
          isReply: false,
          protocol: t.protocol,
          tcpFlags: [],
          source,
          destination,
          node: '',
          type: t.dnsQuery ? 'L7' : 'L3_L4',
          eventType: 5,
          ...(t.dnsQuery ? { l7: { type: 'RESPONSE' as const, latencyNs: 0, dns: { query: t.dnsQuery, ips: [], ttl: 30, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: ['A'] } } } : {}),
          egressAllowedBy: t.egressAllowedBy ?? [],
          ingressAllowedBy: t.ingressAllowedBy ?? [],
          egressDeniedBy: [],
          ingressDeniedBy: [],
          summary: '',
        });
      }
    }
  }
  return flows;
}
