/**
 * How an AUDIT verdict reads everywhere: "would be denied when enforced", and, when known, the policy that
 * would deny it. Cilium's own denied-by lists come first (Hubble fills them for deny rules, rarely for a
 * default deny in audit mode); else the policy engine's verdict or explanation names it: the deny (or L7)
 * rules of the enforcing direction, or the policies that put that side into default deny.
 * Plain data in, words out: the browser and the server share it.
 */

import type { FlowRecord } from './flow-record';

export const AUDIT_PHRASE = 'would be denied when enforced';
/** Short enough for a badge or a table cell. */
export const AUDIT_SHORT = 'audit: would be denied';

export type AuditDirection = 'egress' | 'ingress';

/** A policy as both flows (namespace '' when cluster-wide) and the engine (namespace absent) name it. */
export interface AuditPolicy {
  kind: string;
  namespace?: string;
  name: string;
}

/** How the policies would deny it: Cilium reported them, a deny rule, L7 rules the request fails, or default deny. */
export type AuditCause = 'reported' | 'deny-rule' | 'l7-rules' | 'default-deny';

export interface AuditDenial {
  /** Where it would be dropped: the source's egress or the destination's ingress; absent when unknown. */
  direction?: AuditDirection;
  cause?: AuditCause;
  /** The policies that would deny it, each once; empty when no source names them. */
  policies: AuditPolicy[];
}

/**
 * One direction of an engine verdict (`DirectionVerdict`: rules in `by`) or of an explanation
 * (`ExplainedDirection`: rules in `rules`); `isolatedBy` names the policies behind a default deny.
 */
export interface AuditSide {
  reason: string;
  by?: readonly AuditPolicy[];
  rules?: readonly AuditPolicy[];
  isolatedBy?: readonly AuditPolicy[];
}

/** An engine `ConnectionVerdict` or an `Explanation`, as far as the audit wording needs it. */
export interface AuditVerdictLike {
  verdict: string;
  enforcedAt?: AuditDirection;
  egress: AuditSide;
  ingress: AuditSide;
}

function unique(refs: readonly AuditPolicy[]): AuditPolicy[] {
  const seen = new Set<string>();
  const out: AuditPolicy[] = [];
  for (const r of refs) {
    const key = `${r.kind}/${r.namespace ?? ''}/${r.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name });
  }
  return out;
}

/** The policies Cilium reported as denying the flow (egress first); undefined when it named none. */
export function auditDenialOfFlow(flow: Pick<FlowRecord, 'egressDeniedBy' | 'ingressDeniedBy'>): AuditDenial | undefined {
  if (flow.egressDeniedBy.length) return { direction: 'egress', cause: 'reported', policies: unique(flow.egressDeniedBy) };
  if (flow.ingressDeniedBy.length) return { direction: 'ingress', cause: 'reported', policies: unique(flow.ingressDeniedBy) };
  return undefined;
}

/**
 * What the engine says would deny it, at the direction where it is enforced. Also for DROPPED (the policy
 * was enforced since): the same policies deny it. Undefined when the engine lets it through.
 */
export function auditDenialOfVerdict(v: AuditVerdictLike): AuditDenial | undefined {
  if ((v.verdict !== 'AUDIT' && v.verdict !== 'DROPPED') || !v.enforcedAt) return undefined;
  const side = v.enforcedAt === 'egress' ? v.egress : v.ingress;
  const rules = side.rules ?? side.by ?? [];
  switch (side.reason) {
    case 'denied':
      return { direction: v.enforcedAt, cause: 'deny-rule', policies: unique(rules) };
    case 'l7-denied':
      return { direction: v.enforcedAt, cause: 'l7-rules', policies: unique(rules) };
    case 'default-deny':
      return { direction: v.enforcedAt, cause: 'default-deny', policies: unique(side.isolatedBy ?? []) };
    default:
      return { direction: v.enforcedAt, policies: [] };
  }
}

/** The flow's reported denied-by policies, else the engine's (when its answer is at hand), else nothing known. */
export function auditDenial(flow: Pick<FlowRecord, 'egressDeniedBy' | 'ingressDeniedBy'> | undefined, verdict?: AuditVerdictLike): AuditDenial {
  return (flow && auditDenialOfFlow(flow)) ?? (verdict && auditDenialOfVerdict(verdict)) ?? { policies: [] };
}

/** `CiliumNetworkPolicy monitoring/monitoring-egress-lockdown` (a cluster-wide policy has no namespace). */
export function auditPolicyName(p: AuditPolicy): string {
  return `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
}

const CAUSE: Record<AuditCause, string> = {
  reported: 'reported by Cilium',
  'deny-rule': 'deny rule',
  'l7-rules': 'its L7 rules',
  'default-deny': 'default deny',
};

/** How and where, for the parenthesis: `default deny at egress`, `deny rule at ingress`, `at egress`, or ''. */
export function auditDenialHow(d: AuditDenial | undefined): string {
  if (!d) return '';
  const cause = d.policies.length && d.cause ? CAUSE[d.cause] : '';
  return [cause, d.direction ? `at ${d.direction}` : ''].filter(Boolean).join(' ');
}

/**
 * One line: `would be denied when enforced by CiliumNetworkPolicy monitoring/x (default deny at egress)`;
 * without a known policy just `would be denied when enforced` (at egress, when the direction is known).
 */
export function describeAuditDenial(d: AuditDenial | undefined): string {
  const how = auditDenialHow(d);
  const by = d?.policies.length ? ` by ${d.policies.map(auditPolicyName).join(', ')}` : '';
  return `${AUDIT_PHRASE}${by}${how ? ` (${how})` : ''}`;
}
