/**
 * Which subnets hold the cluster's nodes. Findings about "the cluster subnet" need it, and exports
 * rarely say so: explicit ids win, then the subnets of known node IPs, then subnets with AKS node
 * pool scale-set NICs, then every subnet that is not reserved for Azure infrastructure.
 */

import type { Subnet } from '../azure/types';
import type { AzureTopology } from './azure-topology';

export interface ClusterSubnetHints {
  clusterSubnetIds?: string[];
  nodeIps?: string[];
}

/** Subnets Azure reserves for its own services: never a node subnet. */
const INFRASTRUCTURE_SUBNETS = new Set(['azurefirewallsubnet', 'azurefirewallmanagementsubnet', 'gatewaysubnet', 'azurebastionsubnet', 'routeserversubnet']);

export function clusterSubnets(topology: AzureTopology, hints: ClusterSubnetHints = {}): Subnet[] {
  if (hints.clusterSubnetIds?.length) return hints.clusterSubnetIds.map((id) => topology.subnet(id)).filter((s): s is Subnet => !!s);
  if (hints.nodeIps?.length) return unique(hints.nodeIps.map((ip) => topology.subnetOf(ip)).filter((s): s is Subnet => !!s));
  const aks = topology.subnets.filter(
    (s) =>
      s.ipConfigurationIds.some((id) => /\/virtualMachineScaleSets\/aks-/i.test(id)) ||
      topology.snapshot.networkInterfaces.some((n) => /^aks-/i.test(n.virtualMachineScaleSet ?? '') && n.ipConfigurations.some((c) => c.subnetId?.toLowerCase() === s.id.toLowerCase())),
  );
  if (aks.length > 0) return aks;
  return topology.subnets.filter((s) => !INFRASTRUCTURE_SUBNETS.has(s.name.toLowerCase()));
}

function unique(subnets: Subnet[]): Subnet[] {
  return [...new Map(subnets.map((s) => [s.id.toLowerCase(), s])).values()];
}
