/**
 * The six rules Azure puts in every NSG. ARM returns them under `defaultSecurityRules`; when an input
 * lacks them (a rule list exported alone, a hand-written file) we supply them, because Azure always
 * evaluates them. Names as the ARM REST API spells them (DefaultSecurityRules_Get example); docs
 * headings differ in case (AllowVNetInBound), so lookups by name must ignore case.
 */

import type { NetworkSecurityGroup, SecurityRule } from '../azure/types';

const rule = (name: string, priority: number, direction: 'Inbound' | 'Outbound', access: 'Allow' | 'Deny', source: string, destination: string, description: string): SecurityRule => ({
  name,
  priority,
  direction,
  access,
  protocol: '*',
  sourcePrefixes: [source],
  sourcePorts: ['*'],
  destinationPrefixes: [destination],
  destinationPorts: ['*'],
  sourceAsgIds: [],
  destinationAsgIds: [],
  description,
  isDefault: true,
});

export const DEFAULT_SECURITY_RULES: readonly SecurityRule[] = [
  rule('AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork', 'Allow inbound traffic from all VMs in VNET'),
  rule('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', 'AzureLoadBalancer', '*', 'Allow inbound traffic from azure load balancer'),
  rule('DenyAllInBound', 65500, 'Inbound', 'Deny', '*', '*', 'Deny all inbound traffic'),
  rule('AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork', 'Allow outbound traffic from all VMs to all VMs in VNET'),
  rule('AllowInternetOutBound', 65001, 'Outbound', 'Allow', '*', 'Internet', 'Allow outbound traffic from all VMs to Internet'),
  rule('DenyAllOutBound', 65500, 'Outbound', 'Deny', '*', '*', 'Deny all outbound traffic'),
];

export function isDefaultRuleName(name: string): boolean {
  return DEFAULT_SECURITY_RULES.some((r) => r.name.toLowerCase() === name.toLowerCase());
}

/** The NSG's default rules, or Azure's fixed ones when the input did not carry them. */
export function defaultRulesOf(nsg: NetworkSecurityGroup): readonly SecurityRule[] {
  return nsg.defaultSecurityRules.length > 0 ? nsg.defaultSecurityRules : DEFAULT_SECURITY_RULES;
}
