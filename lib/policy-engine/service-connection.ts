/**
 * Connections whose destination is a Service, by DNS name or ClusterIP. kube-proxy (iptables / IPVS DNAT) and
 * Cilium's eBPF load balancer translate such a connection to one backend, on the backend's target port,
 * before any policy is enforced, so NetworkPolicy and Cilium policies only ever judge the backend pod
 * (kubernetes.io/docs/reference/networking/virtual-ips/; docs.cilium.io "Kubernetes Without kube-proxy":
 * socket-level load balancing picks the backend at connect()). Which backend a connection lands on is the
 * load balancer's choice, so every backend is evaluated and the verdicts are combined:
 *
 * - allowed only when every backend passes: a connection that fails whenever the load balancer picks a
 *   denied backend is not "allowed";
 * - the verdict is the worst one of the backends (DROPPED, else AUDIT, else FORWARDED), with `outcome`
 *   telling "denied to some backends, allowed to others" (`partly-allowed`) from "denied to all";
 * - no backend for the port (no ready endpoint, or no pod declares the named target port): the connection
 *   goes nowhere, DROPPED with outcome `no-backends`.
 */

import { isServiceLookupError, type ServiceLookupErrorCode, type SkippedBackend } from '../k8s/service-index';
import type { Service, ServiceType } from '../k8s/types';
import { objectKey } from '../k8s/types';
import { describeEndpoint } from './endpoint';
import { isEngineError, type Connection, type ConnectionVerdict, type EngineError, type FlowVerdict, type PolicyEngine } from './engine';
import type { PeerRef } from './peer-ref';
import type { Protocol } from './ports';

export interface BackendVerdict {
  /** The backend as evaluated: a pod, or an EndpointSlice address that is no known pod. */
  backend: PeerRef;
  /** `ns/pod`, `remote-node (10.224.0.5)`, `world (10.30.0.4)`: what the engine resolved it to. */
  name: string;
  /** The target port the translated connection reaches it on. */
  port: number;
  verdict: ConnectionVerdict;
}

export type ServiceOutcome = 'all-allowed' | 'partly-allowed' | 'none-allowed' | 'no-backends';

export interface ServiceConnectionVerdict {
  service: {
    namespace: string;
    name: string;
    type: ServiceType;
    headless: boolean;
    /** The virtual IP the connection was addressed to, when it named one. */
    clusterIP?: string;
    /** The port the client connected to. */
    port: number;
    protocol: Protocol;
    portName?: string;
    /** The Service port's targetPort (a number, or a container port name looked up per pod). */
    targetPort?: number | string;
  };
  /** True only when every backend passes (FORWARDED or AUDIT). */
  allowed: boolean;
  /** The worst backend verdict: DROPPED if any backend drops it (or there is none), else AUDIT if any, else FORWARDED. */
  verdict: FlowVerdict;
  outcome: ServiceOutcome;
  backends: BackendVerdict[];
  /** The backend whose verdict the Service's stands for (index in `backends`): the first dropped, else audited, else the first. */
  representative?: number;
  /** Pods or addresses that would be backends but receive nothing on this port, and why. */
  skipped: SkippedBackend[];
  /** One sentence: how many backends allow it, and which deny it. */
  summary: string;
}

export type ServiceEvaluationErrorCode = EngineError['code'] | ServiceLookupErrorCode | 'service-source';

export interface ServiceEvaluationError {
  code: ServiceEvaluationErrorCode;
  message: string;
  where: { peer: 'from' | 'to'; ref: PeerRef };
}

export type ConnectionEvaluation =
  | { kind: 'endpoints'; verdict: ConnectionVerdict }
  | { kind: 'service'; verdict: ServiceConnectionVerdict }
  | { kind: 'error'; error: ServiceEvaluationError };

/** The Service a peer names (by DNS name or ClusterIP); undefined when it names none; an error for an unknown name. */
export function serviceOfPeer(engine: PolicyEngine, ref: PeerRef): { service: Service; clusterIP?: string } | { error: string } | undefined {
  if ('service' in ref) {
    const service = engine.services().get(ref.service);
    return service ? { service } : { error: `no Service ${ref.service} in the cluster` };
  }
  if ('ip' in ref && !('entity' in ref)) {
    const service = engine.services().byClusterIp(ref.ip);
    return service ? { service, clusterIP: ref.ip } : undefined;
  }
  return undefined;
}

/** Evaluates a connection; a Service destination is evaluated at each of its backends and combined. */
export function evaluateConnection(engine: PolicyEngine, conn: Connection): ConnectionEvaluation {
  const source = serviceOfPeer(engine, conn.from);
  if (source) {
    const message =
      'error' in source
        ? source.error
        : `${objectKey(source.service)} is a Service: Services do not open connections, their pods do; name one of its pods as the source`;
    return { kind: 'error', error: { code: 'error' in source ? 'unknown-service' : 'service-source', message, where: { peer: 'from', ref: conn.from } } };
  }
  const target = serviceOfPeer(engine, conn.to);
  if (!target) {
    const r = engine.evaluate(conn);
    return isEngineError(r) ? { kind: 'error', error: r.error } : { kind: 'endpoints', verdict: r };
  }
  if ('error' in target) return { kind: 'error', error: { code: 'unknown-service', message: target.error, where: { peer: 'to', ref: conn.to } } };
  if (conn.protocol === 'ICMP') {
    // Only TCP, UDP and SCTP ports are translated; a ping to a ClusterIP is not forwarded to any backend.
    return { kind: 'error', error: { code: 'no-service-port', message: `${objectKey(target.service)} is a Service: only its TCP, UDP and SCTP ports are forwarded to backends, not ICMP`, where: { peer: 'to', ref: conn.to } } };
  }
  const st = engine.services().target(target.service, conn.port, conn.protocol, target.clusterIP);
  if (isServiceLookupError(st)) return { kind: 'error', error: { code: st.code, message: st.message, where: { peer: 'to', ref: conn.to } } };

  const backends: BackendVerdict[] = [];
  for (const b of st.backends) {
    const r = engine.evaluate({ ...conn, to: b.target, port: b.port });
    if (isEngineError(r)) return { kind: 'error', error: { ...r.error, message: `backend of Service ${objectKey(st.service)}: ${r.error.message}`, where: { peer: 'to', ref: conn.to } } };
    backends.push({ backend: b.target, name: describeEndpoint(r.destination), port: b.port, verdict: r });
  }
  const sp = st.servicePort;
  const service: ServiceConnectionVerdict['service'] = {
    namespace: st.service.namespace,
    name: st.service.name,
    type: st.service.type,
    headless: st.service.headless,
    ...(st.clusterIP ? { clusterIP: st.clusterIP } : {}),
    port: conn.port,
    protocol: conn.protocol,
    ...(sp?.name ? { portName: sp.name } : {}),
    ...(sp ? { targetPort: sp.targetPort } : {}),
  };
  return { kind: 'service', verdict: combine(service, backends, st.skipped) };
}

function combine(service: ServiceConnectionVerdict['service'], backends: BackendVerdict[], skipped: SkippedBackend[]): ServiceConnectionVerdict {
  const name = `Service ${service.namespace}/${service.name}`;
  const port = `${service.port}/${service.protocol}`;
  if (backends.length === 0) {
    const why = skipped.length ? ` (${skipped.map((s) => `${s.backend} ${s.reason}`).join('; ')})` : '';
    return {
      service,
      allowed: false,
      verdict: 'DROPPED',
      outcome: 'no-backends',
      backends,
      skipped,
      summary: `${name} has no backend for ${port}${why}: the connection reaches nothing.`,
    };
  }
  const dropped = backends.filter((b) => b.verdict.verdict === 'DROPPED');
  const audited = backends.filter((b) => b.verdict.verdict === 'AUDIT');
  const verdict: FlowVerdict = dropped.length ? 'DROPPED' : audited.length ? 'AUDIT' : 'FORWARDED';
  const outcome: ServiceOutcome = dropped.length === 0 ? 'all-allowed' : dropped.length === backends.length ? 'none-allowed' : 'partly-allowed';
  const representative = Math.max(0, backends.indexOf(dropped[0] ?? audited[0] ?? backends[0]));
  const list = (bs: BackendVerdict[]) => bs.map((b) => `${b.name} on ${b.port}${b.verdict.enforcedAt ? (b.verdict.enforcedAt === 'egress' ? ' at the source\'s egress' : ' at its ingress') : ''}`).join(', ');
  const n = backends.length;
  const audit = audited.length
    ? ` ${audited.length === n ? (n === 1 ? 'It' : 'Every one') : `${audited.length} of them`} pass${audited.length === 1 || audited.length === n ? 'es' : ''} only because a policy runs in audit mode (AUDIT, would be denied once enforced: ${list(audited)}).`
    : '';
  let summary: string;
  if (outcome === 'all-allowed') summary = `Allowed to ${n === 1 ? 'the only backend' : `all ${n} backends`} of ${name} on ${port} (${backends.map((b) => `${b.name} on ${b.port}`).join(', ')}).${audit}`;
  else if (outcome === 'none-allowed') summary = `Denied to ${n === 1 ? 'the only backend' : `all ${n} backends`} of ${name} on ${port}: ${list(dropped)}.`;
  else {
    summary =
      `Allowed to ${n - dropped.length} of ${n} backends of ${name} on ${port}, denied to ${dropped.length} (${list(dropped)}): ` +
      `the connection fails whenever the load balancer picks a denied backend.${audit}`;
  }
  return { service, allowed: dropped.length === 0, verdict, outcome, backends, representative, skipped, summary };
}

/** `Service kube-system/kube-dns (10.0.0.10) 53/UDP -> targetPort 53`. */
export function describeServiceConnection(v: ServiceConnectionVerdict): string {
  const s = v.service;
  const target = s.targetPort !== undefined && s.targetPort !== s.port ? ` -> target port ${s.targetPort}` : '';
  return `Service ${s.namespace}/${s.name}${s.clusterIP ? ` (${s.clusterIP})` : s.headless ? ' (headless)' : ''} ${s.port}/${s.protocol}${target}`;
}
