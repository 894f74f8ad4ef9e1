/**
 * What NetworkPolicy and Cilium policies compile into: per direction, whether the policy isolates the
 * pods it selects, and its allow and deny rules as matchers. The engine only speaks this shape.
 */

import type { PolicyKind } from '../k8s/types';
import type { Endpoint, PodEndpoint } from './endpoint';
import type { FqdnSelector, NameLookup } from './fqdn';
import type { L7Rules } from './l7-rules';
import type { PortSpec } from './ports';

export type Direction = 'ingress' | 'egress';
export type RuleSection = 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';

export interface PolicyRef {
  kind: PolicyKind;
  namespace?: string;
  name: string;
}

/** One rule of one policy: what the UI links to ("allowed by production/allow-db-from-api, ingress rule 0"). */
export interface RuleRef extends PolicyRef {
  section: RuleSection;
  /** Index of the rule in its section's list. */
  rule: number;
  /** Index in `specs` for Cilium policies written with a list of specs. */
  spec?: number;
}

/**
 * Matches the peer on the other side (source at ingress, destination at egress). `names` are the DNS
 * names known for the peer's address (for toFQDNs): the engine passes only those the subject pod's DNS
 * proxy would have learned.
 */
export type PeerMatcher = (peer: Endpoint, names: NameLookup) => boolean;

export interface CompiledRule {
  readonly ref: RuleRef;
  readonly action: 'allow' | 'deny';
  readonly peer: PeerMatcher;
  /** Undefined: every port and protocol. */
  readonly ports?: readonly PortSpec[];
  /** L7 rules of the port; null: L4 only (every request). */
  readonly l7: L7Rules | null;
  /** The rule's toFQDNs selectors, when it has any (they match only names the DNS proxy learned). */
  readonly fqdns?: readonly FqdnSelector[];
}

export interface CompiledSection {
  /** Selected pods enter default deny in this direction. */
  readonly isolates: boolean;
  readonly allow: readonly CompiledRule[];
  readonly deny: readonly CompiledRule[];
}

export interface CompiledPolicy {
  readonly ref: PolicyRef;
  /** Namespace whose pods it may select; undefined for cluster-wide policies. */
  readonly namespace?: string;
  selects(pod: PodEndpoint): boolean;
  readonly ingress?: CompiledSection;
  readonly egress?: CompiledSection;
  /** Pods it selects run in policy audit mode (Flowsight annotation, see cilium-policy.ts). */
  readonly audit: boolean;
  /**
   * A Cilium host policy (CCNP with `nodeSelector`): it selects nodes, never pods, and is not evaluated
   * (it is enforced only where Cilium's host firewall is enabled). Its pod-facing parts are empty.
   */
  readonly hostPolicy?: boolean;
}

export function policyRefKey(ref: PolicyRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}
