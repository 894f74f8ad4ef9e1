/** How a flow reads to a person: peer names, the L7 line, the policy that decided. */

import { displayDnsName } from '../match/dns-name';
import { auditDenial, describeAuditDenial } from './audit-verdict';
import type { FlowEndpoint, FlowRecord, PolicyRef } from './flow-record';

/** `namespace/pod`, the DNS name of a world peer, or the reserved identity with its IP. */
export function peerName(ep: FlowEndpoint): string {
  if (ep.namespace && ep.pod) return `${ep.namespace}/${ep.pod}`;
  const reserved = ep.labels.find((l) => l.startsWith('reserved:'));
  if (reserved === 'reserved:world' || ep.identity === 2) return (ep.names[0] ? displayDnsName(ep.names[0]) : '') || ep.ip || 'world';
  if (reserved) return `${reserved.slice(9)}${ep.ip ? ` (${ep.ip})` : ''}`;
  return ep.ip || 'unknown';
}

export function l7Summary(f: FlowRecord): string {
  const l7 = f.l7;
  if (!l7) return '';
  if (l7.dns) {
    const d = l7.dns;
    return l7.type === 'RESPONSE' ? `DNS ${d.query} → ${d.ips.join(', ') || `rcode ${d.rcode}`}` : `DNS ${d.qtypes.join(',') || 'A'} ${d.query}`;
  }
  if (l7.http) {
    const h = l7.http;
    let path = h.url;
    try {
      path = new URL(h.url).pathname;
    } catch {
      /* keep the raw url */
    }
    return l7.type === 'RESPONSE' ? `HTTP ${h.code} ${h.method} ${path} (${Math.round(l7.latencyNs / 1e6)} ms)` : `HTTP ${h.method} ${path}`;
  }
  if (l7.kafka) return `Kafka ${l7.kafka.apiKey} ${l7.kafka.topic}`;
  return '';
}

export function policyName(p: PolicyRef): string {
  return `${p.kind}/${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
}

/** One line on what Cilium said decided this flow. */
export function decidedBy(f: FlowRecord): string {
  // First: an AUDIT flow may carry the other side's allowing policy, but what matters is what would deny it.
  if (f.verdict === 'AUDIT') return describeAuditDenial(auditDenial(f));
  const denied = [...f.egressDeniedBy, ...f.ingressDeniedBy];
  if (denied.length) return `denied by ${denied.map(policyName).join(', ')}`;
  if (f.verdict === 'DROPPED' && f.dropReason === 'POLICY_DENIED') return 'dropped: no policy allows it (default deny)';
  if (f.verdict === 'DROPPED') return `dropped: ${f.dropReason || 'unknown reason'}`;
  const allowed = [...f.egressAllowedBy, ...f.ingressAllowedBy];
  if (allowed.length) return `allowed by ${[...new Set(allowed.map(policyName))].join(', ')}`;
  return '';
}

export function portLabel(f: FlowRecord): string {
  if (f.protocol === 'ICMPv4' || f.protocol === 'ICMPv6') return f.protocol;
  return `${f.destination.port}/${f.protocol || '?'}`;
}

export function timeLabel(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(11, 23)}`;
}
