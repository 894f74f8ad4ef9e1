/**
 * The firewall's part of the open-egress finding: for each workload's observed flows to the world,
 * would the egress firewall allow them, and by which rule. The policy engine owns open-egress; it
 * reads these exposures to say "no policy restricts it AND the firewall lets it out" (or not).
 */

import type { AzureSnapshot } from '../azure/types';
import type { Evidence, ObjectRef } from './finding';
import { evaluateAzureFlow } from './azure-flow-layers';
import type { FirewallRuleRef } from './firewall-evaluator';

/** One observed connection from a workload to an internet address (aggregate several flows freely). */
export interface WorldFlowObservation {
  /** `namespace/workload`. */
  workload: string;
  sourceIp: string;
  /** Node of the source pod: Azure sees this address after SNAT. */
  sourceNodeIp?: string;
  destinationIp: string;
  destinationPort: number;
  protocol: string;
  fqdn?: string;
  flowUuids?: string[];
  flowCount?: number;
}

export interface WorldDestinationVerdict {
  destination: string;
  destinationPort: number;
  verdict: 'allowed' | 'denied' | 'unknown' | 'not-on-path';
  rule?: FirewallRuleRef;
  reason: string;
  flowUuids: string[];
  flowCount: number;
}

export interface FirewallEgressExposure {
  workload: string;
  /** False when this workload's egress does not pass an Azure Firewall at all. */
  firewallOnPath: boolean;
  allowed: WorldDestinationVerdict[];
  denied: WorldDestinationVerdict[];
  undecided: WorldDestinationVerdict[];
}

/** Groups observations by workload and evaluates each against the egress path and firewall. */
export function firewallEgressExposure(snapshot: AzureSnapshot, observations: readonly WorldFlowObservation[]): FirewallEgressExposure[] {
  const byWorkload = new Map<string, FirewallEgressExposure>();
  for (const o of observations) {
    const layers = evaluateAzureFlow(snapshot, {
      sourceIp: o.sourceIp,
      sourceNodeIp: o.sourceNodeIp,
      destinationIp: o.destinationIp,
      destinationPort: o.destinationPort,
      protocol: o.protocol,
      fqdn: o.fqdn,
    });
    let e = byWorkload.get(o.workload);
    if (!e) {
      e = { workload: o.workload, firewallOnPath: false, allowed: [], denied: [], undecided: [] };
      byWorkload.set(o.workload, e);
    }
    const fw = layers.firewall;
    if (fw.verdict !== 'not-on-path') e.firewallOnPath = true;
    const v: WorldDestinationVerdict = {
      destination: o.fqdn ?? o.destinationIp,
      destinationPort: o.destinationPort,
      verdict: fw.verdict,
      rule: fw.decidingRule,
      reason: fw.reason,
      flowUuids: o.flowUuids ?? [],
      flowCount: o.flowCount ?? o.flowUuids?.length ?? 1,
    };
    // Without a firewall on the path, nothing at the Azure layer stops the flow.
    if (fw.verdict === 'allowed' || fw.verdict === 'not-on-path') e.allowed.push(v);
    else if (fw.verdict === 'denied') e.denied.push(v);
    else e.undecided.push(v);
  }
  return [...byWorkload.values()];
}

/** Evidence sentences for an open-egress finding about this workload. */
export function openEgressEvidence(exposure: FirewallEgressExposure): Evidence[] {
  const [ns, name] = exposure.workload.split('/');
  const objects: ObjectRef[] = [{ kind: 'Workload', namespace: ns, name }];
  if (!exposure.firewallOnPath) {
    return [{ text: `No Azure Firewall is on ${exposure.workload}'s egress path: observed internet flows (${exposure.allowed.map((a) => a.destination).join(', ')}) leave unfiltered.`, objects }];
  }
  const out: Evidence[] = exposure.allowed.map((a) => ({
    text: `The egress firewall allows ${exposure.workload} to reach ${a.destination}:${a.destinationPort}${a.rule ? ` by rule ${a.rule.rule} (${a.rule.ruleCollectionGroup ? `${a.rule.ruleCollectionGroup.name} / ` : ''}${a.rule.ruleCollection.name})` : ''}.`,
    objects,
    flowUuids: a.flowUuids.slice(0, 20),
    flowCount: a.flowCount,
  }));
  if (exposure.denied.length) {
    out.push({ text: `The firewall denies ${exposure.denied.map((d) => d.destination).join(', ')} for ${exposure.workload}.`, objects, flowCount: exposure.denied.reduce((n, d) => n + d.flowCount, 0) });
  }
  return out;
}
