/**
 * When a default deny decides, the verdict names the policies that isolate the pod in that direction.
 *
 * Kubernetes (https://kubernetes.io/docs/concepts/services-networking/network-policies/, "The two sorts of
 * pod isolation"): a pod is isolated for ingress (egress) when any NetworkPolicy that selects it has
 * Ingress (Egress) in its policyTypes; policyTypes defaults to Ingress, plus Egress when the policy has
 * egress rules. Cilium (https://docs.cilium.io/en/stable/security/policy/intro/, "Policy Enforcement Modes",
 * and the `enableDefaultDeny` field of the Rule API): an endpoint selected by a rule with an ingress
 * (egress) section goes into default deny for that direction, unless the rule sets
 * `enableDefaultDeny.<direction>: false`; it is on when any selecting policy asks for it.
 */

import { describe, expect, it } from 'vitest';
import { PolicyEngine, isEngineError, type ConnectionVerdict } from './engine';
import { ccnp, cluster, cnp, np } from './testing/cluster-fixture';
import type { PolicyObject } from '../k8s/types';

const pods = [
  { ns: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.244.0.11' },
  { ns: 'shop', name: 'db', labels: { app: 'db' }, ip: '10.244.0.12' },
  { ns: 'other', name: 'client', labels: { app: 'client' }, ip: '10.244.1.5' },
];

function verdict(policies: PolicyObject[], from: string, to: string, datapath: 'cilium' | 'kubernetes' = 'cilium', port = 5432): ConnectionVerdict {
  const engine = new PolicyEngine(cluster({ pods, policies }), { datapath });
  expect(engine.errors.filter((e) => e.severity === 'error')).toEqual([]);
  const r = engine.evaluate({ from: { pod: from }, to: { pod: to }, port, protocol: 'TCP' });
  if (isEngineError(r)) throw new Error(r.error.message);
  return r;
}

const names = (refs: readonly { kind: string; namespace?: string; name: string }[] | undefined) => (refs ?? []).map((p) => `${p.kind}/${p.namespace ?? ''}/${p.name}`);

describe('default deny names the isolating policies', () => {
  it('an empty podSelector isolates every pod of its namespace, and the verdict names it', () => {
    const r = verdict([np('shop', 'deny-all-ingress', { podSelector: {}, policyTypes: ['Ingress'] })], 'other/client', 'shop/db', 'kubernetes');
    expect(r.verdict).toBe('DROPPED');
    expect(r.ingress.reason).toBe('default-deny');
    expect(r.ingress.by).toEqual([]);
    expect(names(r.ingress.isolatedBy)).toEqual(['NetworkPolicy/shop/deny-all-ingress']);
  });

  it('every policy that isolates is named, those that select the pod without isolating it for this direction are not', () => {
    const r = verdict(
      [
        np('shop', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
        np('shop', 'all-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
        np('shop', 'egress-only', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
        np('shop', 'other-pod', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] }),
      ],
      'other/client',
      'shop/db',
      'kubernetes',
    );
    expect(r.ingress.reason).toBe('default-deny');
    expect(names(r.ingress.isolatedBy)).toEqual(['NetworkPolicy/shop/db-ingress', 'NetworkPolicy/shop/all-ingress']);
  });

  it('a NetworkPolicy with policyTypes [Egress] does not isolate ingress; it isolates egress and is named there', () => {
    const policies = [np('shop', 'egress-lockdown', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })];
    const inbound = verdict(policies, 'other/client', 'shop/db', 'kubernetes');
    expect(inbound.ingress).toMatchObject({ allowed: true, isolated: false, reason: 'not-isolated' });
    expect(inbound.ingress.isolatedBy).toBeUndefined();
    const outbound = verdict(policies, 'shop/web', 'other/client', 'kubernetes');
    expect(outbound.egress.reason).toBe('default-deny');
    expect(names(outbound.egress.isolatedBy)).toEqual(['NetworkPolicy/shop/egress-lockdown']);
  });

  it('a NetworkPolicy with only egress rules and no policyTypes also isolates ingress (the API default adds Ingress)', () => {
    const r = verdict([np('shop', 'egress-rules', { podSelector: {}, egress: [{}] })], 'other/client', 'shop/db', 'kubernetes');
    expect(r.ingress.reason).toBe('default-deny');
    expect(names(r.ingress.isolatedBy)).toEqual(['NetworkPolicy/shop/egress-rules']);
    expect(r.egress.reason).toBe('not-isolated');
  });

  it('a CiliumNetworkPolicy with only an egress section leaves ingress open', () => {
    const policies = [cnp('shop', 'db-egress', { endpointSelector: { matchLabels: { app: 'db' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'web' } }] }] })];
    const inbound = verdict(policies, 'other/client', 'shop/db');
    expect(inbound.ingress).toMatchObject({ allowed: true, reason: 'not-isolated' });
    const outbound = verdict(policies, 'shop/db', 'other/client');
    expect(outbound.egress.reason).toBe('default-deny');
    expect(names(outbound.egress.isolatedBy)).toEqual(['CiliumNetworkPolicy/shop/db-egress']);
  });

  it('a CCNP isolates across namespaces and is named without a namespace', () => {
    const r = verdict([ccnp('lock-db', { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } }] }] })], 'other/client', 'shop/db');
    expect(r.ingress.reason).toBe('default-deny');
    expect(r.ingress.isolatedBy).toEqual([{ kind: 'CiliumClusterwideNetworkPolicy', name: 'lock-db' }]);
  });

  it('enableDefaultDeny: false does not isolate: its allow rules add, the pod stays default allow', () => {
    const policies = [cnp('shop', 'no-default-deny', { endpointSelector: { matchLabels: { app: 'db' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] })];
    const r = verdict(policies, 'other/client', 'shop/db');
    expect(r.ingress).toMatchObject({ allowed: true, isolated: false, reason: 'not-isolated' });
  });

  it('with enableDefaultDeny: false on one policy, another that isolates the pod is the one named', () => {
    const r = verdict(
      [
        cnp('shop', 'no-default-deny', { endpointSelector: { matchLabels: { app: 'db' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] }),
        cnp('shop', 'isolating', { endpointSelector: {}, ingress: [{}] }),
      ],
      'other/client',
      'shop/db',
    );
    expect(r.ingress.reason).toBe('default-deny');
    expect(names(r.ingress.isolatedBy)).toEqual(['CiliumNetworkPolicy/shop/isolating']);
  });

  it('a rule that allows decides instead: `by` names it and no isolating list is given', () => {
    const r = verdict([np('shop', 'db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })], 'shop/web', 'shop/db', 'kubernetes');
    expect(r.ingress.reason).toBe('allowed');
    expect(r.ingress.by.map((b) => b.name)).toEqual(['db-from-web']);
    expect(r.ingress.isolatedBy).toBeUndefined();
  });
});
