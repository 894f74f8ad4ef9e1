/**
 * The connection an observed flow belongs to, as the policy engine names its sides: reserved identities
 * first (the node is `host`, never a pod), replies turned back into the connection they answer. Free of
 * the engine so the browser can build `/api/explain` parameters from a flow.
 */

import type { FlowEndpoint, FlowRecord } from '../flows/flow-record';
import { hasReservedLabel, RESERVED_IDENTITY } from '../flows/flow-record';
import type { Connection } from './engine';
import type { L7Request } from './l7-rules';
import { formatPeerRef, type PeerRef } from './peer-ref';
import type { Protocol } from './ports';

export interface ExplainError {
  code:
    | 'bad-edge'
    | 'unsupported-peer'
    | 'unknown-pod'
    | 'invalid-peer'
    | 'unsupported-protocol'
    // A Service peer (service-connection.ts): unknown, without the port, an ExternalName alias, named as the
    // source, or without any backend for the port; `service-peer` where a caller evaluated one as a single peer.
    | 'unknown-service'
    | 'no-service-port'
    | 'external-name'
    | 'service-source'
    | 'no-backends'
    | 'service-peer';
  message: string;
}

/** A connection to explain, plus address fallbacks for pods the cluster source no longer knows. */
export interface ConnectionQuery extends Connection {
  fromIp?: string;
  toIp?: string;
  /** Cilium's verdict for the flow, to compare. */
  observedVerdict?: string;
}

/** Maps a flow's L4 protocol to the engine's; undefined when there is nothing to evaluate (no L4). */
export function engineProtocol(p: string): Protocol | undefined {
  if (p === 'TCP' || p === 'UDP' || p === 'SCTP') return p;
  if (p === 'ICMPv4' || p === 'ICMPv6' || p === 'ICMP') return 'ICMP';
  return undefined;
}

/** The peer reference of one side of a flow: reserved identities first, so the node is `host`, never a pod. */
export function flowPeer(ep: FlowEndpoint, node: string): PeerRef {
  const ip = ep.ip || undefined;
  if (hasReservedLabel(ep.labels, 'host') || hasReservedLabel(ep.labels, 'health') || (!ep.namespace && ep.identity === RESERVED_IDENTITY.host)) {
    // Hubble names nodes `cluster/node`; the cluster source knows them as `node`.
    const nodeName = node.slice(node.lastIndexOf('/') + 1);
    return { entity: 'host', ...(ip ? { ip } : {}), ...(nodeName ? { node: nodeName } : {}) };
  }
  if (hasReservedLabel(ep.labels, 'remote-node') || (!ep.namespace && ep.identity === RESERVED_IDENTITY.remoteNode)) return { entity: 'remote-node', ...(ip ? { ip } : {}) };
  if (hasReservedLabel(ep.labels, 'kube-apiserver') || (!ep.namespace && ep.identity === RESERVED_IDENTITY.kubeApiserver)) return { entity: 'kube-apiserver', ...(ip ? { ip } : {}) };
  if (ep.namespace && ep.pod) return { pod: `${ep.namespace}/${ep.pod}` };
  if (ip) return { ip };
  return { entity: 'world' };
}

/** Requests the engine can check L7 rules against, from a flow's L7 record. */
function flowL7(flow: FlowRecord): L7Request | undefined {
  const l7 = flow.l7;
  if (!l7) return undefined;
  if (l7.http) {
    let path = l7.http.url;
    try {
      path = new URL(l7.http.url, 'http://x').pathname;
    } catch {
      /* keep the raw url */
    }
    return { http: { method: l7.http.method, path } };
  }
  if (l7.dns) return { dns: { query: l7.dns.query } };
  return undefined;
}

/**
 * The connection a flow belongs to. A reply is explained as the connection it answers (its sides and the
 * server port swapped), since replies of allowed connections pass without evaluation.
 */
export function flowConnection(flow: FlowRecord): { ok: true; query: ConnectionQuery; reply: boolean } | { ok: false; error: ExplainError } {
  const protocol = engineProtocol(flow.protocol);
  if (!protocol) return { ok: false, error: { code: 'unsupported-protocol', message: `flow has no L4 protocol the policies match on (${flow.protocol || 'none'})` } };
  const reply = flow.isReply === true;
  const src = reply ? flow.destination : flow.source;
  const dst = reply ? flow.source : flow.destination;
  const port = protocol === 'ICMP' ? 0 : dst.port;
  const l7 = flowL7(flow);
  return {
    ok: true,
    reply,
    query: {
      from: flowPeer(src, flow.node),
      to: flowPeer(dst, flow.node),
      port,
      protocol,
      ...(l7 ? { l7 } : {}),
      ...(src.ip ? { fromIp: src.ip } : {}),
      ...(dst.ip ? { toIp: dst.ip } : {}),
      observedVerdict: flow.verdict,
    },
  };
}

/** URL parameters of `/api/explain` for a flow (the browser calls this; the server parses them back). */
export function flowExplainParams(flow: FlowRecord): URLSearchParams | undefined {
  const c = flowConnection(flow);
  if (!c.ok) return undefined;
  const q = c.query;
  const p = new URLSearchParams({ from: formatPeerRef(q.from), to: formatPeerRef(q.to), port: String(q.port), protocol: q.protocol });
  if ('entity' in q.from && q.from.node) p.set('fromNode', q.from.node);
  if ('entity' in q.to && q.to.node) p.set('toNode', q.to.node);
  if (q.fromIp && !('ip' in q.from)) p.set('fromIp', q.fromIp);
  if (q.toIp && !('ip' in q.to)) p.set('toIp', q.toIp);
  if (q.l7?.http) {
    p.set('method', q.l7.http.method);
    p.set('path', q.l7.http.path);
  } else if (q.l7?.dns) p.set('dnsQuery', q.l7.dns.query);
  if (q.observedVerdict) p.set('verdict', q.observedVerdict);
  if (c.reply) p.set('reply', '1');
  return p;
}
