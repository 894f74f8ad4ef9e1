/**
 * AUDIT flows counted for the namespace whose policy would deny them once enforced: the source's when the
 * drop would happen at its egress, the destination's at its ingress (never on both ends), with the
 * policies that would deny them. Which side and which policy: Cilium's denied-by lists when a flow had
 * them, else the policy engine evaluating the path's connection, else the side where Cilium observed the
 * verdict (the flow's traffic direction). Input: the flow summary's audited paths (bounded).
 */

import { auditDenialOfVerdict, type AuditDenial, type AuditPolicy } from '../flows/audit-verdict';
import { parseNodeId } from '../graph/graph-ids';
import type { ConnectionVerdict, PolicyEngine } from '../policy-engine/engine';
import type { PeerRef } from '../policy-engine/peer-ref';
import { evaluateConnection } from '../policy-engine/service-connection';
import type { AuditedPath } from './flow-summary';

export interface NamespaceAudit {
  /** The namespace whose policy would deny the flows. */
  namespace: string;
  /** AUDIT flows (requests; replies belong to their connection). */
  flows: number;
  /** Distinct paths (source, destination, port) among them. */
  paths: number;
  /** The policies that would deny them, each once, most flows first (capped). */
  policies: AuditPolicy[];
  /** Flows of paths for which no policy could be named (the policies changed since, or a pod is gone). */
  unnamedFlows: number;
}

/** Where one audited path would be denied, and by what. */
export interface AuditAttribution {
  /** Undefined when neither end is in a namespace (nothing to count it for). */
  namespace?: string;
  denial: AuditDenial;
}

export const MAX_AUDIT_POLICIES = 10;

const namespaceOfNode = (id: string): string | undefined => {
  const n = parseNodeId(id);
  return n?.kind === 'workload' ? n.namespace : undefined;
};

/** The engine's verdict for a path: a Service stands for its representative backend (the first denied, else audited). */
function engineVerdict(engine: PolicyEngine, path: AuditedPath): ConnectionVerdict | undefined {
  const q = path.connection;
  if (!q) return undefined;
  // A pod the cluster source no longer knows is evaluated by its address, as the why panel does.
  const fallback = (ref: PeerRef, ip: string | undefined): PeerRef => ('pod' in ref && ip && !engine.resolve(ref) ? { ip } : ref);
  const r = evaluateConnection(engine, { from: fallback(q.from, q.fromIp), to: fallback(q.to, q.toIp), port: q.port, protocol: q.protocol, ...(q.l7 ? { l7: q.l7 } : {}) });
  if (r.kind === 'endpoints') return r.verdict;
  if (r.kind === 'service') return r.verdict.backends[r.verdict.representative ?? 0]?.verdict;
  return undefined;
}

/** Which namespace's policy would deny an audited path, and which policies. */
export function attributeAuditedPath(engine: PolicyEngine, path: AuditedPath): AuditAttribution {
  const sourceNs = namespaceOfNode(path.source);
  const destinationNs = namespaceOfNode(path.destination);
  const side = (direction: 'egress' | 'ingress' | undefined) => (direction === 'egress' ? sourceNs : direction === 'ingress' ? destinationNs : undefined);
  if (path.reported?.direction) return { namespace: side(path.reported.direction) ?? sourceNs ?? destinationNs, denial: path.reported };
  const v = engineVerdict(engine, path);
  const denial = v ? auditDenialOfVerdict(v) : undefined;
  if (v && denial?.direction) {
    const subject = denial.direction === 'egress' ? v.source : v.destination;
    return { namespace: (subject.kind === 'pod' ? subject.namespace : undefined) ?? side(denial.direction), denial };
  }
  // The engine cannot tell: Cilium reports a policy verdict where it was decided (EGRESS at the source).
  const observed = path.direction === 'EGRESS' ? 'egress' : path.direction === 'INGRESS' ? 'ingress' : undefined;
  return { namespace: side(observed) ?? sourceNs ?? destinationNs, denial: { ...(observed ? { direction: observed } : {}), policies: [] } };
}

/** AUDIT flows per namespace whose policy would deny them, most flows first. */
export function auditByNamespace(engine: PolicyEngine, audited: readonly AuditedPath[]): NamespaceAudit[] {
  const rows = new Map<string, { row: NamespaceAudit; policies: Map<string, { ref: AuditPolicy; flows: number }> }>();
  for (const path of audited) {
    const { namespace, denial } = attributeAuditedPath(engine, path);
    if (!namespace) continue;
    let entry = rows.get(namespace);
    if (!entry) rows.set(namespace, (entry = { row: { namespace, flows: 0, paths: 0, policies: [], unnamedFlows: 0 }, policies: new Map() }));
    entry.row.flows += path.count;
    entry.row.paths++;
    if (denial.policies.length === 0) entry.row.unnamedFlows += path.count;
    for (const ref of denial.policies) {
      const key = `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
      const p = entry.policies.get(key) ?? { ref, flows: 0 };
      p.flows += path.count;
      entry.policies.set(key, p);
    }
  }
  return [...rows.values()]
    .map(({ row, policies }) => ({
      ...row,
      policies: [...policies.values()]
        .sort((a, b) => b.flows - a.flows || a.ref.name.localeCompare(b.ref.name))
        .slice(0, MAX_AUDIT_POLICIES)
        .map((p) => p.ref),
    }))
    .sort((a, b) => b.flows - a.flows || a.namespace.localeCompare(b.namespace));
}
