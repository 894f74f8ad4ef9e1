/**
 * Which datapath enforces the policies. Verdicts depend on it: Cilium (the datapath behind "Azure CNI
 * powered by Cilium", which the seed recommends) and the upstream Kubernetes conformance tests disagree on
 * what an address block selects, and only Cilium enforces CiliumNetworkPolicy at all. The choice is
 * explicit (`--datapath`, FLOWSIGHT_DATAPATH) or detected from the cluster, and always reported with why.
 */

import type { ClusterSnapshot } from '../k8s/types';
import { isAnyAddress, type CidrBlock } from './cidr';
import type { PeerMatcher } from './compiled-policy';
import { isOutsideCluster, type Endpoint } from './endpoint';

export const DATAPATHS = ['cilium', 'kubernetes'] as const;
export type Datapath = (typeof DATAPATHS)[number];
export const DATAPATH_SETTINGS = ['auto', ...DATAPATHS] as const;
export type DatapathSetting = (typeof DATAPATH_SETTINGS)[number];

export interface DatapathChoice {
  datapath: Datapath;
  /** `configured`: set explicitly; `detected`: inferred from the cluster and the flow source. */
  source: 'configured' | 'detected';
  /** Why, in words a person can check: "set by --datapath", "the cluster has 3 Cilium policies". */
  reason: string;
}

export interface DatapathHints {
  /** The explicit setting; `auto` (or absent) detects. */
  setting?: DatapathSetting;
  /** Where the setting came from, for the reason: `--datapath`, `FLOWSIGHT_DATAPATH`. */
  settingName?: string;
  /** Flows come from a Hubble Relay (or the demo relay); Hubble is Cilium's observability layer. */
  hubbleRelay?: boolean;
}

/** Parses a setting as typed on the command line or in the environment; undefined when invalid. */
export function parseDatapathSetting(text: string): DatapathSetting | undefined {
  const t = text.trim().toLowerCase();
  return (DATAPATH_SETTINGS as readonly string[]).includes(t) ? (t as DatapathSetting) : undefined;
}

/** The Cilium agent DaemonSet's pod label (Cilium Helm chart; AKS runs it in kube-system). */
const CILIUM_AGENT_LABEL = ['k8s-app', 'cilium'] as const;

/**
 * The datapath to model: the explicit setting wins; otherwise Cilium when the cluster has Cilium policies
 * (CNP / CCNP) or Cilium agent pods, or when flows come from a Hubble Relay; Kubernetes semantics otherwise.
 */
export function chooseDatapath(snapshot: ClusterSnapshot, hints: DatapathHints = {}): DatapathChoice {
  const setting = hints.setting ?? 'auto';
  if (setting !== 'auto') return { datapath: setting, source: 'configured', reason: `set by ${hints.settingName ?? 'configuration'}` };
  const ciliumPolicies = snapshot.policies.filter((p) => p.kind !== 'NetworkPolicy').length;
  if (ciliumPolicies > 0) {
    return { datapath: 'cilium', source: 'detected', reason: `the cluster has ${ciliumPolicies} Cilium ${ciliumPolicies === 1 ? 'policy' : 'policies'} (CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy)` };
  }
  if (snapshot.pods.some((p) => p.labels[CILIUM_AGENT_LABEL[0]] === CILIUM_AGENT_LABEL[1])) {
    return { datapath: 'cilium', source: 'detected', reason: 'Cilium agent pods (k8s-app=cilium) run in the cluster' };
  }
  if (hints.hubbleRelay) return { datapath: 'cilium', source: 'detected', reason: 'flows come from Hubble Relay, which runs on Cilium' };
  return { datapath: 'kubernetes', source: 'detected', reason: 'no Cilium policies, agent pods or Hubble Relay: upstream Kubernetes NetworkPolicy semantics' };
}

/** One line for people: `cilium (detected: the cluster has 2 Cilium policies ...)`. */
export function describeDatapath(choice: DatapathChoice): string {
  return `${choice.datapath} (${choice.source}: ${choice.reason})`;
}

/** How address blocks (NetworkPolicy ipBlock, Cilium toCIDR / toCIDRSet) select peers on a datapath. */
export interface AddressSemantics {
  readonly datapath: Datapath;
  /** Cilium's `policy-cidr-match-mode: nodes`: CIDR selectors also select node addresses. Off by default. */
  readonly cidrMatchesNodes: boolean;
}

export const DEFAULT_ADDRESS_SEMANTICS: AddressSemantics = Object.freeze({ datapath: 'cilium', cidrMatchesNodes: false });

/**
 * Whether an address block selects a peer.
 * - kubernetes: by address, whatever the peer is; the upstream conformance test "should allow egress access
 *   to server in CIDR block" (kubernetes test/e2e/network/netpol/network_policy.go) expects a pod IP inside
 *   the block to match.
 * - cilium: only addresses outside the cluster (docs.cilium.io, Policy Language, "CIDR based": CIDR rules do
 *   not apply to traffic where both sides are managed by Cilium or use a node's IP); node addresses only with
 *   `policy-cidr-match-mode: nodes` ("Selecting nodes with CIDR / ipBlock"); pod addresses never, which is why
 *   Cilium skips the conformance test above (cilium/cilium#9209).
 */
export function addressBlockMatcher(blocks: readonly CidrBlock[], semantics: AddressSemantics): PeerMatcher {
  const byAddress = (e: Endpoint): boolean => {
    if (!e.addr) return isOutsideCluster(e) && blocks.some(isAnyAddress);
    for (let i = 0; i < blocks.length; i++) if (blocks[i].contains(e.addr)) return true;
    return false;
  };
  if (semantics.datapath === 'kubernetes') return byAddress;
  const nodes = semantics.cidrMatchesNodes;
  return (e) => {
    if (isOutsideCluster(e)) return byAddress(e);
    if (e.kind === 'pod') return false;
    return nodes && byAddress(e);
  };
}
