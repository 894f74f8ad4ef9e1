/**
 * The one normalized flow shape every layer speaks after lib/hubble decodes the wire message.
 * Nothing downstream of the relay client touches protobuf types.
 */

export const VERDICTS = ['FORWARDED', 'DROPPED', 'AUDIT', 'ERROR', 'REDIRECTED', 'TRACED', 'TRANSLATED', 'UNKNOWN'] as const;
export type Verdict = (typeof VERDICTS)[number];

export type TrafficDirection = 'INGRESS' | 'EGRESS' | 'UNKNOWN';
export type L4Protocol = 'TCP' | 'UDP' | 'ICMPv4' | 'ICMPv6' | 'SCTP' | '';
export type FlowType = 'L3_L4' | 'L7' | 'SOCK' | 'UNKNOWN';

export interface Workload {
  name: string;
  kind: string;
}

export interface FlowEndpoint {
  ip: string;
  port: number;
  /** Cilium security identity; 1 host, 2 world, 6 remote-node, 7 kube-apiserver, ... */
  identity: number;
  namespace: string;
  pod: string;
  /** Cilium label strings, e.g. `k8s:app=frontend`, `reserved:world`. */
  labels: string[];
  workloads: Workload[];
  /** DNS names Cilium's proxy associated with the IP (flow.source_names / destination_names). */
  names: string[];
  service: string;
  cluster: string;
}

export interface PolicyRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface DnsRecord {
  query: string;
  ips: string[];
  ttl: number;
  cnames: string[];
  rcode: number;
  qtypes: string[];
  rrtypes: string[];
}

export interface HttpRecord {
  method: string;
  url: string;
  code: number;
  protocol: string;
  headers: { key: string; value: string }[];
}

export interface KafkaRecord {
  apiKey: string;
  apiVersion: number;
  topic: string;
  errorCode: number;
  correlationId: number;
}

export interface L7Record {
  type: 'REQUEST' | 'RESPONSE' | 'SAMPLE' | 'UNKNOWN';
  latencyNs: number;
  dns?: DnsRecord;
  http?: HttpRecord;
  kafka?: KafkaRecord;
}

export interface FlowRecord {
  uuid: string;
  /** Milliseconds since the epoch (sub-millisecond precision kept as a fraction). */
  time: number;
  verdict: Verdict;
  /** DropReason enum name, e.g. POLICY_DENIED; empty unless dropped. */
  dropReason: string;
  direction: TrafficDirection;
  /** null when the relay could not tell (is_reply absent). */
  isReply: boolean | null;
  protocol: L4Protocol;
  tcpFlags: string[];
  icmp?: { type: number; code: number };
  source: FlowEndpoint;
  destination: FlowEndpoint;
  node: string;
  type: FlowType;
  /** Cilium monitor event type: 1 drop, 4 trace, 5 policy-verdict, 129 L7. */
  eventType: number;
  l7?: L7Record;
  egressAllowedBy: PolicyRef[];
  ingressAllowedBy: PolicyRef[];
  egressDeniedBy: PolicyRef[];
  ingressDeniedBy: PolicyRef[];
  summary: string;
}

/** Reserved identities Cilium assigns to non-pod peers. */
export const RESERVED_IDENTITY = {
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  remoteNode: 6,
  kubeApiserver: 7,
  ingress: 8,
  worldIPv4: 9,
  worldIPv6: 10,
} as const;

/** Verdicts under which the packet went through. */
export function isPassingVerdict(v: Verdict): boolean {
  return v === 'FORWARDED' || v === 'REDIRECTED' || v === 'TRACED' || v === 'TRANSLATED' || v === 'AUDIT';
}

export function hasReservedLabel(labels: readonly string[], name: string): boolean {
  const wanted = `reserved:${name}`;
  for (const l of labels) if (l === wanted) return true;
  return false;
}

export function emptyEndpoint(): FlowEndpoint {
  return { ip: '', port: 0, identity: 0, namespace: '', pod: '', labels: [], workloads: [], names: [], service: '', cluster: '' };
}
