/**
 * The connections observed in flows, one entry per (source, destination, port, protocol), with a pod or
 * address to evaluate them from. Findings use them twice: to run internet flows through the Azure
 * layers (open-egress), and to make sure a generated fix does not stop traffic that runs today.
 * Memory is bounded like FlowSummary: a fixed number of keys and sample uuids; what is dropped is counted.
 */

import { EdgeIdCache, unknownNodeId, workloadNodeId, worldNodeId } from '../graph/graph-ids';
import { normalizeDnsName } from '../match/dns-name';
import { RESERVED_IDENTITY, hasReservedLabel, isPassingVerdict, type FlowEndpoint, type FlowRecord } from '../flows/flow-record';
import { isWorld } from './flow-summary';
import type { PeerRef } from '../policy-engine/peer-ref';

export type ObservedPeer =
  | { kind: 'pod'; namespace: string; workload: string; pod: string; ip?: string }
  | { kind: 'world'; ip: string; name?: string }
  | { kind: 'reserved'; entity: 'host' | 'remote-node' | 'kube-apiserver'; ip?: string }
  /** An address Hubble gave no identity we know (e.g. an unmanaged endpoint): evaluated by address. */
  | { kind: 'address'; ip: string };

export interface ObservedConnection {
  source: ObservedPeer;
  destination: ObservedPeer;
  port: number;
  /** Hubble's spelling: TCP, UDP, SCTP, ICMPv4, ICMPv6. */
  protocol: string;
  /** Flows that went through the cluster's policies (FORWARDED, AUDIT, ...) and flows dropped. */
  passed: number;
  dropped: number;
  sampleUuids: string[];
  /** The Hubble node (`cluster/node` or `node`) that reported a flow from the source side, when one did. */
  sourceNode?: string;
  firstSeen: number;
  lastSeen: number;
}

export interface ObservedConnectionsSnapshot {
  connections: ObservedConnection[];
  /** Connections not recorded because the key cap was reached. */
  dropped: number;
}

export interface ObservedConnectionsLimits {
  maxKeys: number;
  samplesPerKey: number;
}

const DEFAULT_LIMITS: ObservedConnectionsLimits = { maxKeys: 20_000, samplesPerKey: 5 };

const RESERVED_ENTITY: Record<number, 'host' | 'remote-node' | 'kube-apiserver'> = {
  [RESERVED_IDENTITY.host]: 'host',
  [RESERVED_IDENTITY.remoteNode]: 'remote-node',
  [RESERVED_IDENTITY.kubeApiserver]: 'kube-apiserver',
};

function peerOf(e: FlowEndpoint): ObservedPeer | undefined {
  if (e.namespace && e.pod) return { kind: 'pod', namespace: e.namespace, workload: e.workloads[0]?.name ?? e.pod, pod: e.pod, ...(e.ip ? { ip: e.ip } : {}) };
  const entity = RESERVED_ENTITY[e.identity] ?? (['host', 'remote-node', 'kube-apiserver'] as const).find((n) => hasReservedLabel(e.labels, n));
  if (entity) return { kind: 'reserved', entity, ...(e.ip ? { ip: e.ip } : {}) };
  if (!e.ip) return undefined;
  if (isWorld(e)) return { kind: 'world', ip: e.ip, ...(e.names[0] ? { name: normalizeDnsName(e.names[0]) } : {}) };
  return { kind: 'address', ip: e.ip };
}

/**
 * The key part of a peer, in the graph's id format: pods by workload key (a bare pod by its own name, as
 * the cluster snapshot names it), reserved peers by entity, addresses as unknown nodes, internet peers
 * by name. Finer than the graph for internet peers without a name: one key per address (the graph has a
 * single `world` node for them).
 */
export function peerKey(p: ObservedPeer): string {
  switch (p.kind) {
    case 'pod':
      return workloadNodeId(p.namespace, p.workload);
    case 'world':
      return p.name ? worldNodeId(p.name) : `${worldNodeId()}@${p.ip}`;
    case 'reserved':
      return p.entity;
    case 'address':
      return unknownNodeId(p.ip);
  }
}

/** The key of a pod endpoint's peer with the values it was built from, per endpoint labels array. */
const podKeys = new WeakMap<readonly string[], { namespace: string; workload: string; key: string }>();

/**
 * peerKey(peerOf(e)), without building the peer: the relay client's decoder shares one labels array
 * per distinct endpoint, so a pod's key is built once and reused while its namespace and workload
 * (all the key depends on) are the same. Undefined when the endpoint has no peer.
 */
function endpointKey(e: FlowEndpoint): string | undefined {
  if (!(e.namespace && e.pod)) {
    const p = peerOf(e);
    return p && peerKey(p);
  }
  const workload = e.workloads[0]?.name ?? e.pod;
  const hit = podKeys.get(e.labels);
  if (hit && hit.namespace === e.namespace && hit.workload === workload) return hit.key;
  const key = workloadNodeId(e.namespace, workload);
  podKeys.set(e.labels, { namespace: e.namespace, workload, key });
  return key;
}

/** How the policy engine is asked about a peer: a pod by name, an entity, or an address. */
export function peerRefOf(p: ObservedPeer): PeerRef {
  switch (p.kind) {
    case 'pod':
      return { pod: `${p.namespace}/${p.pod}` };
    case 'reserved':
      return { entity: p.entity, ...(p.ip ? { ip: p.ip } : {}) };
    default:
      return { ip: p.ip };
  }
}

/** `legacy/legacy-app -> api.github.com:443/TCP`: one connection in words. */
export function describeConnection(c: Pick<ObservedConnection, 'source' | 'destination' | 'port' | 'protocol'>): string {
  const name = (p: ObservedPeer) => (p.kind === 'world' ? (p.name ?? p.ip) : p.kind === 'address' ? p.ip : peerKey(p));
  return `${name(c.source)} -> ${name(c.destination)}:${c.port}/${c.protocol}`;
}

export class ObservedConnections {
  private readonly byKey = new Map<string, ObservedConnection>();
  private dropped = 0;
  private readonly limits: ObservedConnectionsLimits;
  /** Connection keys by their parts (the keys are the graph's edge ids of the two peers). */
  private readonly keys: EdgeIdCache;

  constructor(limits: Partial<ObservedConnectionsLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.keys = new EdgeIdCache(2 * this.limits.maxKeys + 1024);
  }

  /** Adds one flow; replies are skipped (they belong to the connection their request opened). */
  add(flow: FlowRecord): void {
    if (flow.isReply === true) return;
    // Keyed before any peer is built: the peers of a connection are those of its first flow.
    const sourceKey = endpointKey(flow.source);
    const destinationKey = sourceKey === undefined ? undefined : endpointKey(flow.destination);
    if (sourceKey === undefined || destinationKey === undefined) return;
    const port = flow.destination.port;
    const key = this.keys.idOf(sourceKey, destinationKey, port, flow.protocol);
    let c = this.byKey.get(key);
    if (!c) {
      if (this.byKey.size >= this.limits.maxKeys) {
        this.dropped++;
        return;
      }
      const source = peerOf(flow.source)!;
      const destination = peerOf(flow.destination)!;
      c = { source, destination, port, protocol: flow.protocol, passed: 0, dropped: 0, sampleUuids: [], firstSeen: flow.time, lastSeen: flow.time };
      this.byKey.set(key, c);
    }
    if (isPassingVerdict(flow.verdict)) c.passed++;
    else if (flow.verdict === 'DROPPED') c.dropped++;
    if (c.sampleUuids.length < this.limits.samplesPerKey) c.sampleUuids.push(flow.uuid);
    // EGRESS flows are reported by the node of the sending pod: the address Azure sees after SNAT.
    if (!c.sourceNode && flow.node && flow.direction === 'EGRESS') c.sourceNode = flow.node;
    if (flow.time < c.firstSeen) c.firstSeen = flow.time;
    if (flow.time > c.lastSeen) c.lastSeen = flow.time;
  }

  addAll(flows: Iterable<FlowRecord>): this {
    for (const f of flows) this.add(f);
    return this;
  }

  /** Number of distinct connections: it only grows, so it tells a cache whether anything new was seen. */
  get size(): number {
    return this.byKey.size;
  }

  snapshot(): ObservedConnectionsSnapshot {
    return { connections: [...this.byKey.values()].map((c) => ({ ...c, sampleUuids: [...c.sampleUuids] })), dropped: this.dropped };
  }
}
