/** Building FlowRecords in tests without repeating every field. */

import type { FlowEndpoint, FlowRecord } from '../flows/flow-record';
import { emptyEndpoint } from '../flows/flow-record';

let n = 0;

export function pod(namespace: string, name: string, extra: Partial<FlowEndpoint> = {}): FlowEndpoint {
  const app = name.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, '').replace(/-\d+$/, '');
  return { ...emptyEndpoint(), namespace, pod: name, ip: `10.244.0.${(n++ % 200) + 2}`, labels: [`k8s:app=${app}`, `k8s:io.kubernetes.pod.namespace=${namespace}`], identity: 10000 + app.length, ...extra };
}

export function world(name: string, ip = '140.82.121.6'): FlowEndpoint {
  return { ...emptyEndpoint(), ip, identity: 2, labels: ['reserved:world'], names: name ? [name] : [] };
}

export function reserved(kind: 'host' | 'remote-node' | 'kube-apiserver', ip = '10.224.0.4'): FlowEndpoint {
  const identity = { host: 1, 'remote-node': 6, 'kube-apiserver': 7 }[kind];
  return { ...emptyEndpoint(), ip, identity, labels: [`reserved:${kind}`] };
}

export function flow(source: FlowEndpoint, destination: FlowEndpoint, patch: Partial<FlowRecord> = {}): FlowRecord {
  n++;
  return {
    uuid: `uuid-${n}`,
    time: 1_795_000_000_000 + n,
    verdict: 'FORWARDED',
    dropReason: '',
    direction: 'EGRESS',
    isReply: false,
    protocol: 'TCP',
    tcpFlags: [],
    source: { ...source, port: source.port || 40000 + (n % 1000) },
    destination: { ...destination, port: destination.port || 8080 },
    node: 'aks/node-0',
    type: 'L3_L4',
    eventType: 4,
    egressAllowedBy: [],
    ingressAllowedBy: [],
    egressDeniedBy: [],
    ingressDeniedBy: [],
    summary: '',
    ...patch,
  };
}
