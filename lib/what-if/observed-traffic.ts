/**
 * The traffic a what-if replays: observed flows folded into distinct connections (one per source
 * identity, destination, port, protocol and L7 request), with counts per verdict, first and last seen
 * and an example flow. The history folds them in SQL (lib/history/queries.ts `trafficQuery`); flows
 * held in memory or read from a file fold here. Replies are left out: they pass with the connection
 * they answer (stateful enforcement), so a change never breaks a reply on its own.
 */

import { hasReservedLabel, type FlowEndpoint, type FlowRecord, type Verdict } from '../flows/flow-record';
import { nodeOfEndpoint } from '../graph/node-identity';

/** One side of an observed connection, as the flows named it. */
export interface TrafficEndpoint {
  namespace: string;
  /** An example pod (the connection stands for every pod with the same labels). */
  pod: string;
  workload: string;
  workloadKind: string;
  /** Cilium label strings (`k8s:app=api`, `reserved:world`). */
  labels: string[];
  ip: string;
  identity: number;
  /** DNS names Cilium associated with the address (for toFQDNs). */
  names: string[];
  /** The map node this side is drawn as (graph-ids format), and its kind. */
  node: string;
  nodeKind: string;
}

export interface VerdictCounts {
  forwarded: number;
  dropped: number;
  audit: number;
  error: number;
  other: number;
}

export interface TrafficConnection {
  source: TrafficEndpoint;
  destination: TrafficEndpoint;
  port: number;
  /** Hubble's spelling: TCP, UDP, SCTP, ICMPv4, ICMPv6. */
  protocol: string;
  /** The L7 request, when Cilium's proxy reported one (L7 rules decide on it). */
  dnsQuery?: string;
  httpMethod?: string;
  /** The request path without query string. */
  httpPath?: string;
  flows: number;
  verdicts: VerdictCounts;
  firstSeen: number;
  lastSeen: number;
  /** An example flow (uuid) and the Hubble node that reported it. */
  exampleUuid: string;
  hubbleNode: string;
}

export interface ObservedTraffic {
  connections: TrafficConnection[];
  /** Flows folded in (requests only). */
  flows: number;
  /** The cap on distinct connections was reached: the rest were not replayed. */
  truncated: boolean;
  range: { since: number | null; until: number | null };
}

/** Most distinct connections one replay reads. */
export const MAX_TRAFFIC_CONNECTIONS = 200_000;

export function emptyCounts(): VerdictCounts {
  return { forwarded: 0, dropped: 0, audit: 0, error: 0, other: 0 };
}

export function countVerdict(c: VerdictCounts, verdict: Verdict | string, n = 1): void {
  if (verdict === 'FORWARDED') c.forwarded += n;
  else if (verdict === 'DROPPED') c.dropped += n;
  else if (verdict === 'AUDIT') c.audit += n;
  else if (verdict === 'ERROR') c.error += n;
  else c.other += n;
}

/** Whether the network let the observed flows of a connection through (at least one passed). */
export const observedPassing = (c: TrafficConnection): boolean => c.verdicts.forwarded + c.verdicts.audit + c.verdicts.other > 0;

function endpointOf(e: FlowEndpoint): TrafficEndpoint {
  const node = nodeOfEndpoint(e);
  return {
    namespace: e.namespace,
    pod: e.pod,
    workload: e.workloads[0]?.name ?? '',
    workloadKind: e.workloads[0]?.kind ?? '',
    labels: e.labels,
    ip: e.ip,
    identity: e.identity,
    names: e.names,
    node: node.id,
    nodeKind: node.kind,
  };
}

/** The path of an HTTP URL without query or fragment (`/api/orders?id=1` -> `/api/orders`). */
export function urlPath(url: string): string {
  if (!url) return '';
  try {
    return new URL(url, 'http://x').pathname;
  } catch {
    const cut = url.search(/[?#]/);
    return cut < 0 ? url : url.slice(0, cut);
  }
}

/**
 * The grouping key: pods with the same labels in the same namespace share a Cilium identity and so a
 * verdict; peers outside the cluster are kept per address (CIDR rules and DNS names apply per address).
 */
function sideKey(e: FlowEndpoint): string {
  if (e.namespace && e.pod) return `p|${e.namespace}|${e.workloads[0]?.name ?? ''}|${[...e.labels].sort().join(',')}`;
  return `a|${e.ip}|${e.identity}|${hasReservedLabel(e.labels, 'world') ? 'w' : ''}`;
}

/** Folds flows into connections (bounded by `max`), for flows in memory or from a file. */
export function foldFlows(flows: Iterable<FlowRecord>, range: ObservedTraffic['range'], max = MAX_TRAFFIC_CONNECTIONS): ObservedTraffic {
  const byKey = new Map<string, TrafficConnection>();
  let count = 0;
  let truncated = false;
  for (const f of flows) {
    if (f.isReply === true) continue;
    if (range.since !== null && f.time < range.since) continue;
    if (range.until !== null && f.time >= range.until) continue;
    count++;
    const dns = f.l7?.dns?.query ?? '';
    const method = f.l7?.http?.method ?? '';
    const path = urlPath(f.l7?.http?.url ?? '');
    const key = `${sideKey(f.source)}>${sideKey(f.destination)}>${f.destination.port}/${f.protocol}>${dns}>${method} ${path}`;
    let c = byKey.get(key);
    if (!c) {
      if (byKey.size >= max) {
        truncated = true;
        continue;
      }
      c = {
        source: endpointOf(f.source),
        destination: endpointOf(f.destination),
        port: f.destination.port,
        protocol: f.protocol,
        ...(dns ? { dnsQuery: dns } : {}),
        ...(method ? { httpMethod: method, httpPath: path } : {}),
        flows: 0,
        verdicts: emptyCounts(),
        firstSeen: f.time,
        lastSeen: f.time,
        exampleUuid: f.uuid,
        hubbleNode: f.node,
      };
      byKey.set(key, c);
    }
    c.flows++;
    countVerdict(c.verdicts, f.verdict);
    if (f.time < c.firstSeen) c.firstSeen = f.time;
    if (f.time > c.lastSeen) {
      c.lastSeen = f.time;
      // The newest flow is the example: it is the one still in the history longest.
      c.exampleUuid = f.uuid;
      c.hubbleNode = f.node;
    }
    // Names seen on any flow of the connection help toFQDNs.
    for (const n of f.destination.names) if (!c.destination.names.includes(n)) c.destination.names = [...c.destination.names, n];
  }
  return { connections: [...byKey.values()], flows: count, truncated, range };
}
