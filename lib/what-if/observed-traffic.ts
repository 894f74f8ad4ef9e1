/**
 * The traffic a what-if replays: observed flows folded into distinct connections (one per source
 * identity, destination, port, protocol and L7 request), with counts per verdict, first and last seen
 * and an example flow. The history folds them in SQL (lib/history/queries.ts `trafficQuery`); flows
 * held in memory or read from a file fold here. Replies are left out: they pass with the connection
 * they answer (stateful enforcement), so a change never breaks a reply on its own.
 */

import type { FlowEndpoint, FlowRecord, Verdict } from '../flows/flow-record';
import { nodeOfEndpoint, workloadOfEndpoint } from '../graph/node-identity';
import type { VerdictCounts } from '../graph/types';

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
  /** What the replay should say about its input (e.g. a part of the window only kept as roll-up counts). */
  notes?: string[];
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

/**
 * The workload as the history stores it (schema.ts storedWorkloadOf: reported, else derived from the pod
 * name), so both folds agree. The same rule, not an import: the history reads this module's types.
 */
function workloadOf(e: FlowEndpoint): { name: string; kind: string } {
  return e.namespace ? workloadOfEndpoint(e) : (e.workloads[0] ?? { name: '', kind: '' });
}

function endpointOf(e: FlowEndpoint): TrafficEndpoint {
  const node = nodeOfEndpoint(e);
  const workload = workloadOf(e);
  return {
    namespace: e.namespace,
    pod: e.pod,
    workload: workload.name,
    workloadKind: workload.kind,
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
 * The grouping key, the same as the store's (lib/history/queries.ts trafficQuery): pods by namespace,
 * workload and security identity (Cilium derives it from the labels policies select on, so one identity
 * has one verdict); peers outside the cluster per address (CIDR rules and DNS names apply per address).
 */
function sideKey(e: FlowEndpoint): string {
  return `${e.namespace}|${workloadOf(e).name}|${e.identity}|${e.pod ? '' : e.ip}`;
}

/** Folds flows into connections (bounded by `max`), for flows in memory or from a file. */
export function foldFlows(flows: Iterable<FlowRecord>, range: ObservedTraffic['range'], max = MAX_TRAFFIC_CONNECTIONS): ObservedTraffic {
  const byKey = new Map<string, TrafficConnection>();
  let count = 0;
  let truncated = false;
  for (const f of flows) {
    if (f.isReply === true) continue;
    // Times at the history's precision (microseconds), so a file's flows and the stored ones give the same first/last seen.
    const time = Math.round(f.time * 1000) / 1000;
    if (range.since !== null && time < range.since) continue;
    if (range.until !== null && time >= range.until) continue;
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
        firstSeen: time,
        lastSeen: time,
        exampleUuid: f.uuid,
        hubbleNode: f.node,
      };
      byKey.set(key, c);
    }
    // Only flows folded in count (as the history's fold counts them): those of a connection left out are not replayed.
    count++;
    c.flows++;
    countVerdict(c.verdicts, f.verdict);
    if (time < c.firstSeen) c.firstSeen = time;
    if (time > c.lastSeen) {
      c.lastSeen = time;
      // The newest flow is the example: it is the one still in the history longest.
      c.exampleUuid = f.uuid;
      c.hubbleNode = f.node;
    }
    // Names seen on any flow of the connection help toFQDNs.
    for (const n of f.destination.names) if (!c.destination.names.includes(n)) c.destination.names = [...c.destination.names, n];
  }
  return { connections: [...byKey.values()], flows: count, truncated, range };
}
