/**
 * Hand-made flows for search tests: the cases the demo traffic never produces (HTTP status families,
 * URLs with queries, DNS names in odd case with trailing dots, Kafka, IPv6 and IPv4-mapped
 * addresses, unknown reply state, label and name values with SQL and LIKE metacharacters).
 */

import { emptyEndpoint, type FlowEndpoint, type FlowRecord } from '../../flows/flow-record';

let seq = 0;

function endpoint(over: Partial<FlowEndpoint>): FlowEndpoint {
  return { ...emptyEndpoint(), ...over };
}

/** A flow with defaults filled in and a uuid of its own (`ffffffff-…-<n>`). */
type FlowOverrides = Partial<Omit<FlowRecord, 'source' | 'destination'>> & { source?: Partial<FlowEndpoint>; destination?: Partial<FlowEndpoint> };

export function flow(over: FlowOverrides): FlowRecord {
  seq++;
  return {
    uuid: `ffffffff-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    time: 1_795_000_000_000 + seq,
    verdict: 'FORWARDED',
    dropReason: '',
    direction: 'EGRESS',
    isReply: false,
    protocol: 'TCP',
    tcpFlags: [],
    node: 'aks-prod-weu/aks-nodepool1-0',
    type: 'L3_L4',
    eventType: 4,
    egressAllowedBy: [],
    ingressAllowedBy: [],
    egressDeniedBy: [],
    ingressDeniedBy: [],
    summary: '',
    ...over,
    source: endpoint(over.source ?? {}),
    destination: endpoint(over.destination ?? {}),
  };
}

const shopPod = (pod: string, over: Partial<FlowEndpoint> = {}): Partial<FlowEndpoint> => ({
  ip: '10.244.1.10',
  identity: 41000,
  namespace: 'shop',
  pod,
  labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'],
  ...over,
});

/** About forty flows, each exercising something a query below may get wrong. */
export function trickyFlows(): FlowRecord[] {
  const http = (method: string, url: string, code: number) => ({ type: 'L7' as const, l7: { type: 'RESPONSE' as const, latencyNs: 1000, http: { method, url, code, protocol: 'HTTP/1.1', headers: [] } } });
  const dns = (query: string) => ({ type: 'L7' as const, l7: { type: 'REQUEST' as const, latencyNs: 0, dns: { query, ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: [] } } });
  return [
    flow({ source: shopPod('web-5d8f7c9b6-abcde'), destination: shopPod('api-0', { ip: '10.244.2.20', labels: ['k8s:app=api'] , port: 8080 }), ...http('GET', 'http://api.shop:8080/api/v1/orders?id=7#top', 200) }),
    flow({ source: shopPod('web-5d8f7c9b6-abcde'), destination: shopPod('api-0', { port: 8080 }), ...http('post', '/api/v1/orders', 503) }),
    flow({ source: shopPod('web-5d8f7c9b6-fghij'), destination: shopPod('api-1', { port: 8080 }), ...http('DELETE', 'https://api.shop', 404) }),
    flow({ source: shopPod('web-5d8f7c9b6-fghij'), destination: shopPod('api-1', { port: 8080 }), ...http('GET', 'http://x/static/a%20b_c.css', 0) }),
    flow({ source: shopPod('web-1'), destination: { ip: '54.187.174.169', identity: 2, labels: ['reserved:world'], names: ['API.Stripe.com.'], port: 443 } }),
    flow({ source: shopPod('web-1'), destination: { ip: '140.82.121.6', identity: 16777217, labels: ['reserved:world', 'cidr:140.82.0.0/16'], names: ['api.github.com', 'github.com'], port: 443 } }),
    flow({ source: shopPod('web-1'), destination: { ip: '10.0.0.10', namespace: 'kube-system', pod: 'coredns-6d8c5f9b7d-x2x4z', labels: ['k8s:k8s-app=kube-dns'], port: 53 }, protocol: 'UDP', ...dns('Api.GitHub.com.') }),
    flow({ source: shopPod('web-1'), destination: { ip: '10.0.0.10', namespace: 'kube-system', pod: 'coredns-6d8c5f9b7d-x2x4z', port: 53 }, protocol: 'UDP', isReply: true, ...dns('shop-api.shop.svc.cluster.local.') }),
    flow({ source: shopPod('worker-0'), destination: { ip: '10.244.3.3', namespace: 'data', pod: 'kafka-0', port: 9092 }, type: 'L7', l7: { type: 'REQUEST', latencyNs: 0, kafka: { apiKey: 'produce', apiVersion: 7, topic: 'orders', errorCode: 0, correlationId: 1 } } }),
    flow({ source: shopPod('web-1', { ip: 'fd00::1' }), destination: { ip: 'fd00::2:1', namespace: 'shop', pod: 'api-2', port: 8080 } }),
    flow({ source: shopPod('web-1', { ip: '::ffff:10.244.9.9' }), destination: { ip: '2001:db8::5', identity: 2, labels: ['reserved:world'], port: 443 } }),
    flow({ source: { ip: '', identity: 1, labels: ['reserved:host'] }, destination: shopPod('api-0', { port: 8080 }), isReply: null }),
    flow({ source: { ip: '10.224.0.4', identity: 6, labels: ['reserved:remote-node'] }, destination: shopPod('api-0', { port: 9090 }), isReply: null, node: 'aks-prod-weu/aks-nodepool1-1' }),
    flow({ source: shopPod('web-1'), destination: shopPod('api-0', { port: 0 }), protocol: 'ICMPv4', icmp: { type: 8, code: 0 } }),
    flow({ source: shopPod('web-1', { ip: 'fd00::1' }), destination: { ip: 'fd00::9', port: 0 }, protocol: 'ICMPv6', icmp: { type: 128, code: 0 } }),
    flow({ source: shopPod('web-1'), destination: shopPod('db-0', { port: 5432 }), verdict: 'DROPPED', dropReason: 'POLICY_DENIED', eventType: 1, ingressDeniedBy: [{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'db-lockdown' }] }),
    flow({ source: shopPod('web-1'), destination: shopPod('db-0', { port: 5432 }), verdict: 'DROPPED', dropReason: 'CT_MISSING_TCP_ACK_FLAG', eventType: 1 }),
    flow({ source: shopPod('web-1'), destination: { ip: '8.8.8.8', identity: 2, labels: ['reserved:world'], port: 53 }, protocol: 'UDP', verdict: 'DROPPED', dropReason: 'POLICY_DENY', egressDeniedBy: [{ kind: 'CiliumClusterwideNetworkPolicy', namespace: '', name: 'deny_external_dns' }] }),
    flow({ source: shopPod('web-1'), destination: shopPod('api-0', { port: 8080 }), verdict: 'AUDIT', egressAllowedBy: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-web' }] }),
    flow({ source: shopPod('web-1'), destination: shopPod('api-0', { port: 8080 }), verdict: 'ERROR', protocol: 'SCTP' }),
    flow({ source: shopPod('web-1'), destination: shopPod('api-0', { port: 8080 }), verdict: 'REDIRECTED', node: 'other-cluster/node-a' }),
    // Values with SQL, LIKE and glob metacharacters: they must match only themselves.
    flow({ source: { ip: '10.9.9.1', namespace: 'we%ird_ns', pod: "o'brien-0", labels: ["k8s:app=a'b", 'k8s:team=x_y%z', 'plain=label'], workloads: [{ name: 'tricky\\set', kind: 'StatefulSet' }] }, destination: { ip: '10.9.9.2', namespace: 'weXirdYns', pod: 'obrien-1', labels: ['k8s:app=ab'], port: 1 } }),
    flow({ source: { ip: '10.9.9.3', namespace: 'we%ird_ns', pod: 'semi;colon--0' }, destination: { ip: '10.9.9.4', namespace: '{p0:String}', pod: 'x)y', port: 2 } }),
    // A namespaced endpoint without pod or workload (the map calls it by its app label), one with a workload but no namespace.
    flow({ source: { ip: '10.9.9.5', namespace: 'shop', labels: ['k8s:app=orphan'] }, destination: { ip: '10.9.9.6', workloads: [{ name: 'vm-agent', kind: 'VM' }], port: 22 } }),
    flow({ source: { ip: '10.9.9.7', namespace: 'shop', pod: 'cache-7', workloads: [{ name: 'cache', kind: 'StatefulSet' }], identity: 4294967295 }, destination: shopPod('api-0', { port: 65535 }), direction: 'INGRESS' }),
  ];
}
