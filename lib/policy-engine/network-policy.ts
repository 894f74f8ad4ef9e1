/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) compiled to matchers. Semantics follow the Kubernetes
 * docs and API reference: policyTypes inference, peers (podSelector / namespaceSelector / both = AND,
 * list items = OR, ipBlock with except), named ports resolved on the destination pod, endPort ranges.
 * What an ipBlock selects depends on the datapath enforcing the policy (see datapath.ts).
 */

import type { PolicyObject } from '../k8s/types';
import { compileCidr } from './cidr';
import type { CompiledPolicy, CompiledRule, CompiledSection, Direction, PeerMatcher, RuleRef } from './compiled-policy';
import { addressBlockMatcher, DEFAULT_ADDRESS_SEMANTICS, type AddressSemantics } from './datapath';
import type { Endpoint, PodEndpoint } from './endpoint';
import { compileSelector } from './label-selector';
import { PolicyErrorSink } from './policy-error';
import { compilePort, type PortSpec } from './ports';

const anyPeer: PeerMatcher = () => true;

/** Compiles a NetworkPolicy; undefined when a field is invalid (the API server would have rejected it). */
export function compileNetworkPolicy(policy: PolicyObject, errors: PolicyErrorSink = new PolicyErrorSink(policy), semantics: AddressSemantics = DEFAULT_ADDRESS_SEMANTICS): CompiledPolicy | undefined {
  const namespace = policy.namespace ?? 'default';
  const spec = (policy.manifest.spec ?? {}) as { podSelector?: unknown; policyTypes?: unknown; ingress?: unknown; egress?: unknown };
  const podSelector = compileSelector(spec.podSelector ?? {}, 'spec.podSelector', errors);
  if (!podSelector) return undefined;

  const ingressRules = Array.isArray(spec.ingress) ? spec.ingress : [];
  const egressRules = Array.isArray(spec.egress) ? spec.egress : [];
  let policyTypes: string[];
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) {
    policyTypes = spec.policyTypes.map(String);
    const bad = policyTypes.find((t) => t !== 'Ingress' && t !== 'Egress');
    if (bad) {
      errors.error('invalid-rule', 'spec.policyTypes', `policyTypes may only contain Ingress and Egress, not ${bad}`);
      return undefined;
    }
  } else {
    // API default: Ingress always; Egress only when the policy has egress rules. An egress-only policy
    // without policyTypes therefore also makes its pods deny all ingress - a classic surprise.
    policyTypes = ['Ingress', ...(egressRules.length > 0 ? ['Egress'] : [])];
  }

  const ref = { kind: policy.kind, namespace, name: policy.name };
  const section = (direction: Direction, rules: unknown[]): CompiledSection | undefined => {
    if (!policyTypes.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) return undefined;
    const allow: CompiledRule[] = [];
    for (let i = 0; i < rules.length; i++) {
      const rule = compileRule(rules[i], direction, { ...ref, section: direction, rule: i }, namespace, errors, semantics);
      if (rule) allow.push(rule);
    }
    return { isolates: true, allow, deny: [] };
  };
  const ingress = section('ingress', ingressRules);
  const egress = section('egress', egressRules);
  if (errors.failed) return undefined;
  return {
    ref,
    namespace,
    selects: (pod) => pod.namespace === namespace && podSelector.matches(pod.labels),
    ...(ingress ? { ingress } : {}),
    ...(egress ? { egress } : {}),
    audit: false,
  };
}

function compileRule(raw: unknown, direction: Direction, ref: RuleRef, namespace: string, errors: PolicyErrorSink, semantics: AddressSemantics): CompiledRule | undefined {
  const field = `spec.${direction}[${ref.rule}]`;
  if (typeof raw !== 'object' || raw === null) {
    errors.error('invalid-rule', field, 'a rule must be an object');
    return undefined;
  }
  const r = raw as { from?: unknown; to?: unknown; ports?: unknown };
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  const rawPeers = r[peersKey];
  let peer: PeerMatcher = anyPeer; // `from`/`to` absent or empty: every peer, inside or outside the cluster
  if (Array.isArray(rawPeers) && rawPeers.length > 0) {
    const matchers: PeerMatcher[] = [];
    for (let i = 0; i < rawPeers.length; i++) {
      const m = compilePeer(rawPeers[i], `${field}.${peersKey}[${i}]`, namespace, errors, semantics);
      if (m) matchers.push(m);
    }
    peer = matchers.length === 1 ? matchers[0] : (e, dns) => matchers.some((m) => m(e, dns));
  }
  let ports: PortSpec[] | undefined;
  if (Array.isArray(r.ports) && r.ports.length > 0) {
    ports = [];
    for (let i = 0; i < r.ports.length; i++) {
      const p = compilePort(r.ports[i], `${field}.ports[${i}]`, errors, 'kubernetes');
      if (p) ports.push(p);
    }
  }
  return { ref, action: 'allow', peer, ...(ports ? { ports } : {}), l7: null };
}

function compilePeer(raw: unknown, field: string, namespace: string, errors: PolicyErrorSink, semantics: AddressSemantics): PeerMatcher | undefined {
  if (typeof raw !== 'object' || raw === null) {
    errors.error('invalid-rule', field, 'a peer must be an object');
    return undefined;
  }
  const p = raw as { podSelector?: unknown; namespaceSelector?: unknown; ipBlock?: { cidr?: unknown; except?: unknown } };
  const hasPod = p.podSelector !== undefined && p.podSelector !== null;
  const hasNs = p.namespaceSelector !== undefined && p.namespaceSelector !== null;
  if (p.ipBlock !== undefined && p.ipBlock !== null) {
    if (hasPod || hasNs) {
      errors.error('invalid-rule', field, 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer');
      return undefined;
    }
    const block = compileCidr(p.ipBlock.cidr, p.ipBlock.except, `${field}.ipBlock`, errors);
    if (!block) return undefined;
    // The docs intend ipBlock for cluster-external IPs; whether it also selects pod and node IPs is the
    // datapath's choice (upstream conformance: yes; Cilium: no, nodes only in policy-cidr-match-mode nodes).
    return addressBlockMatcher([block], semantics);
  }
  if (!hasPod && !hasNs) {
    errors.error('invalid-rule', field, 'a peer needs podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  const podSel = hasPod ? compileSelector(p.podSelector, `${field}.podSelector`, errors) : undefined;
  const nsSel = hasNs ? compileSelector(p.namespaceSelector, `${field}.namespaceSelector`, errors) : undefined;
  if ((hasPod && !podSel) || (hasNs && !nsSel)) return undefined;
  // Selectors only ever match pods (never nodes or external IPs).
  if (podSel && nsSel) return (e: Endpoint) => e.kind === 'pod' && nsSel.matches(e.namespaceLabels) && podSel.matches(e.labels);
  if (nsSel) return (e: Endpoint) => e.kind === 'pod' && nsSel.matches(e.namespaceLabels);
  return (e: Endpoint) => e.kind === 'pod' && (e as PodEndpoint).namespace === namespace && podSel!.matches(e.labels);
}
