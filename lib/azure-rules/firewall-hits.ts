/**
 * Firewall rule hit counts from observed traffic: every observed connection to the internet is run
 * through the egress path and firewall, and counted on the rule that decides it (or the default deny).
 * Azure Firewall logs would be the ground truth; this is what the flows say the rules would do.
 */

import type { AzureSnapshot } from '../azure/types';
import { firstAssignableAddress } from './azure-address';
import { clusterSubnets } from './azure-cluster-subnets';
import { evaluateAzureFlow } from './azure-flow-layers';
import { topologyOf } from './azure-topology';
import type { FirewallRuleRef } from './firewall-evaluator';

/** One observed connection (or an aggregate of many) from a workload to an internet name. */
export interface WorldObservation {
  /** `namespace/workload` of the client. */
  workload: string;
  fqdn?: string;
  destinationPort: number;
  protocol: string;
  /** How many flows this observation stands for. */
  flows: number;
  /** Node IP of the client pod (what the firewall sees after SNAT). */
  sourceNodeIp?: string;
  sourceIp?: string;
  destinationIp?: string;
}

export interface DeniedFqdn {
  fqdn: string;
  flows: number;
  /** Workloads that tried, capped. */
  workloads: string[];
}

export interface FirewallHits {
  /** Flow counts per deciding rule, keyed by `firewallRuleKey`. */
  byRule: Record<string, number>;
  /** Flow counts the default deny decided, per firewall name. */
  defaultDeny: Record<string, number>;
  /** Most-denied names first, at most `limit`. */
  topDenied: DeniedFqdn[];
  /** Observations evaluated, and those whose egress does not pass a firewall. */
  evaluated: number;
  notOnPath: number;
}

/** A stable key for one firewall rule: firewall, policy, group, collection, rule. */
export function firewallRuleKey(r: Pick<FirewallRuleRef, 'firewall' | 'policy' | 'ruleCollectionGroup' | 'ruleCollection' | 'rule'>): string {
  return [r.firewall.name, r.policy?.name ?? '', r.ruleCollectionGroup?.name ?? '', r.ruleCollection.name, r.rule].join('|');
}

/** A documentation address (RFC 5737) for observations whose internet address is not known. */
export const UNKNOWN_INTERNET_IP = '203.0.113.77';

const MAX_WORKLOADS = 5;

/** Counts observed internet traffic per deciding firewall rule, and the most-denied names. */
export function firewallHits(snapshot: AzureSnapshot, observations: readonly WorldObservation[], limit = 10): FirewallHits {
  const topology = topologyOf(snapshot);
  // Without a known node, the firewall still sees an address of the cluster subnet: use its first one.
  const fallbackSource = clusterSubnets(topology).flatMap((s) => s.addressPrefixes.map(firstAssignableAddress)).find((ip): ip is string => !!ip);
  const out: FirewallHits = { byRule: {}, defaultDeny: {}, topDenied: [], evaluated: 0, notOnPath: 0 };
  const denied = new Map<string, { flows: number; workloads: Set<string> }>();
  for (const o of observations) {
    const nodeIp = o.sourceNodeIp ?? (o.sourceIp && topology.subnetOf(o.sourceIp) ? o.sourceIp : fallbackSource);
    if (!nodeIp) continue;
    out.evaluated++;
    const layers = evaluateAzureFlow(snapshot, {
      sourceIp: nodeIp,
      destinationIp: o.destinationIp ?? UNKNOWN_INTERNET_IP,
      destinationPort: o.destinationPort,
      protocol: o.protocol,
      fqdn: o.fqdn,
    });
    const fw = layers.firewall;
    if (fw.verdict === 'not-on-path') {
      out.notOnPath++;
      continue;
    }
    if (fw.decidingRule) {
      const key = firewallRuleKey(fw.decidingRule);
      out.byRule[key] = (out.byRule[key] ?? 0) + o.flows;
    } else if (fw.verdict === 'denied' && fw.firewall) {
      out.defaultDeny[fw.firewall.name] = (out.defaultDeny[fw.firewall.name] ?? 0) + o.flows;
    }
    if (fw.verdict === 'denied') {
      const name = o.fqdn ?? o.destinationIp ?? '(unknown)';
      const d = denied.get(name) ?? { flows: 0, workloads: new Set<string>() };
      d.flows += o.flows;
      if (d.workloads.size < MAX_WORKLOADS) d.workloads.add(o.workload);
      denied.set(name, d);
    }
  }
  out.topDenied = [...denied.entries()]
    .map(([fqdn, d]) => ({ fqdn, flows: d.flows, workloads: [...d.workloads].sort() }))
    .sort((a, b) => b.flows - a.flows || a.fqdn.localeCompare(b.fqdn))
    .slice(0, limit);
  return out;
}
