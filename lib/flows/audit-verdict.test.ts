import { describe, expect, it } from 'vitest';
import { demoSnapshot } from '../k8s/demo-source';
import { PolicyEngine, isEngineError, type ConnectionVerdict } from '../policy-engine/engine';
import { AUDIT_PHRASE, auditDenial, auditDenialOfFlow, auditDenialOfVerdict, describeAuditDenial, type AuditSide } from './audit-verdict';

const LOCKDOWN = { kind: 'CiliumNetworkPolicy', namespace: 'monitoring', name: 'monitoring-egress-lockdown' };
const CCNP = { kind: 'CiliumClusterwideNetworkPolicy', namespace: '', name: 'block-metadata' };
const open: AuditSide = { reason: 'not-isolated', by: [] };
const noRefs = { egressDeniedBy: [], ingressDeniedBy: [] };

describe('audit wording', () => {
  it('names the default-deny policies of the egress side when enforced at egress', () => {
    const d = auditDenialOfVerdict({ verdict: 'AUDIT', enforcedAt: 'egress', egress: { reason: 'default-deny', by: [], isolatedBy: [LOCKDOWN] }, ingress: open });
    expect(d).toEqual({ direction: 'egress', cause: 'default-deny', policies: [LOCKDOWN] });
    expect(describeAuditDenial(d)).toBe('would be denied when enforced by CiliumNetworkPolicy monitoring/monitoring-egress-lockdown (default deny at egress)');
  });

  it('takes the ingress side when enforced at ingress, even if egress has policies of its own', () => {
    const ingressPolicy = { kind: 'NetworkPolicy', namespace: 'production', name: 'default-deny-all' };
    const d = auditDenialOfVerdict({
      verdict: 'AUDIT',
      enforcedAt: 'ingress',
      egress: { reason: 'allowed', rules: [LOCKDOWN] },
      ingress: { reason: 'default-deny', rules: [], isolatedBy: [ingressPolicy] },
    });
    expect(d).toEqual({ direction: 'ingress', cause: 'default-deny', policies: [ingressPolicy] });
  });

  it('a deny rule names its policy once (explanation rules or engine `by`), not the isolating policies', () => {
    const rule = (i: number) => ({ ...LOCKDOWN, section: 'egressDeny', rule: i, action: 'deny' });
    const d = auditDenialOfVerdict({ verdict: 'AUDIT', enforcedAt: 'egress', egress: { reason: 'denied', rules: [rule(0), rule(1)], isolatedBy: [CCNP] }, ingress: open });
    expect(d).toEqual({ direction: 'egress', cause: 'deny-rule', policies: [LOCKDOWN] });
    expect(describeAuditDenial(d)).toContain('(deny rule at egress)');
  });

  it("Cilium's denied-by refs win over the engine; a cluster-wide policy reads without a namespace", () => {
    const verdict = { verdict: 'AUDIT', enforcedAt: 'egress' as const, egress: { reason: 'default-deny', isolatedBy: [LOCKDOWN] }, ingress: open };
    const d = auditDenial({ egressDeniedBy: [], ingressDeniedBy: [CCNP, CCNP] }, verdict);
    expect(d).toEqual({ direction: 'ingress', cause: 'reported', policies: [{ kind: CCNP.kind, name: CCNP.name }] });
    expect(describeAuditDenial(d)).toBe('would be denied when enforced by CiliumClusterwideNetworkPolicy block-metadata (reported by Cilium at ingress)');
    expect(auditDenialOfFlow(noRefs)).toBeUndefined();
    expect(auditDenial(noRefs, verdict).policies).toEqual([LOCKDOWN]);
  });

  it('no policy known: the phrase alone (with the direction when the engine gave one)', () => {
    expect(describeAuditDenial(auditDenial(noRefs))).toBe(AUDIT_PHRASE);
    expect(describeAuditDenial(undefined)).toBe(AUDIT_PHRASE);
    // The engine lets it through (the policies changed since): nothing would deny it.
    expect(auditDenialOfVerdict({ verdict: 'FORWARDED', egress: open, ingress: open })).toBeUndefined();
    // Enforced somewhere, but the side names no policy.
    const d = auditDenialOfVerdict({ verdict: 'AUDIT', enforcedAt: 'ingress', egress: open, ingress: { reason: 'default-deny', by: [] } });
    expect(describeAuditDenial(d)).toBe('would be denied when enforced (at ingress)');
  });

  it('on the demo engine: prometheus -> metrics-server is denied by default at the egress lockdown', () => {
    const engine = new PolicyEngine(demoSnapshot().snapshot);
    const prom = engine.pods().find((p) => p.namespace === 'monitoring' && p.name.startsWith('prometheus'))!;
    const ms = engine.pods().find((p) => p.namespace === 'kube-system' && p.name.startsWith('metrics-server'))!;
    const v = engine.evaluate({ from: { pod: `monitoring/${prom.name}` }, to: { pod: `kube-system/${ms.name}` }, port: 4443, protocol: 'TCP' });
    if (isEngineError(v)) throw new Error(v.error.message);
    expect((v as ConnectionVerdict).verdict).toBe('AUDIT');
    expect(describeAuditDenial(auditDenial(noRefs, v))).toBe('would be denied when enforced by CiliumNetworkPolicy monitoring/monitoring-egress-lockdown (default deny at egress)');
  });
});
