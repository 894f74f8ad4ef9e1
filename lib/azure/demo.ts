/**
 * The Azure side of the demo cluster (lib/demo/scenario.ts): its VNet and AKS subnet (nodes
 * 10.224.0.4-6; pods use the 10.244.0.0/16 overlay), the node pool's NSG, a route table that sends
 * 0.0.0.0/0 to Azure Firewall, and the firewall policy. Written as `az -o json` prints it and loaded
 * through the same assembler as a directory export, so the demo is not a special case downstream.
 *
 * Deliberate mistakes, each one a finding: SSH open from the Internet on the node subnet, a `*.com`
 * application rule "for convenience", and (through the 0.0.0.0/0 route) the VirtualNetwork-tag trap.
 *
 * A scaled demo (FLOWSIGHT_DEMO_SCALE, lib/demo/scaled-scenario.ts) has more nodes, in the same subnet
 * (10.224.0.4 onwards), and its pods in 10.244.0.0/14, still outside the VNet; the NICs listed here are the
 * three nodes of the hand-written demo, and every other node address is placed by the subnet's prefix.
 *
 * The AKS egress recipe's network rules name the service tag `AzureCloud.westeurope`, so the demo
 * ships the service tags it uses, as `az network list-service-tags --location westeurope -o json`
 * prints them (trimmed to those tags).
 */

import { DEMO_CLUSTER } from '../demo/scenario';
import { SnapshotAssembler } from './snapshot-assembler';
import type { AzureSnapshot, AzureSource } from './types';

export const DEMO_SUBSCRIPTION = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const DEMO_LOCATION = 'westeurope';
const RG = 'rg-aks-prod';
const NODE_RG = `MC_${RG}_${DEMO_CLUSTER}_${DEMO_LOCATION}`;
const net = (rg: string) => `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network`;

const VNET_ID = `${net(RG)}/virtualNetworks/aks-vnet`;
const AKS_SUBNET_ID = `${VNET_ID}/subnets/aks-subnet`;
const FW_SUBNET_ID = `${VNET_ID}/subnets/AzureFirewallSubnet`;
const NSG_ID = `${net(NODE_RG)}/networkSecurityGroups/aks-agentpool-31415926-nsg`;
const RT_ID = `${net(RG)}/routeTables/aks-egress-rt`;
const FW_ID = `${net(RG)}/azureFirewalls/aks-egress-fw`;
const FWP_ID = `${net(RG)}/firewallPolicies/aks-egress-fwp`;
const VMSS = 'aks-nodepool1-31415926-vmss';

export const DEMO_FIREWALL_PRIVATE_IP = '10.225.0.4';
export const DEMO_FIREWALL_PUBLIC_IP = '20.31.8.100';
export const DEMO_NODE_SUBNET_PREFIX = '10.224.0.0/16';
const API_SERVER_IP = '20.50.12.7';

const securityRule = (name: string, priority: number, direction: string, access: string, protocol: string, source: string, destPorts: string | string[], description: string) => ({
  name,
  id: `${NSG_ID}/securityRules/${name}`,
  type: 'Microsoft.Network/networkSecurityGroups/securityRules',
  priority,
  direction,
  access,
  protocol,
  sourceAddressPrefix: source,
  sourceAddressPrefixes: [],
  sourcePortRange: '*',
  sourcePortRanges: [],
  destinationAddressPrefix: '*',
  destinationAddressPrefixes: [],
  ...(Array.isArray(destPorts) ? { destinationPortRanges: destPorts } : { destinationPortRange: destPorts, destinationPortRanges: [] }),
  description,
  provisioningState: 'Succeeded',
});

const defaultRule = (name: string, priority: number, direction: string, access: string, source: string, destination: string) => ({
  name,
  id: `${NSG_ID}/defaultSecurityRules/${name}`,
  type: 'Microsoft.Network/networkSecurityGroups/defaultSecurityRules',
  priority,
  direction,
  access,
  protocol: '*',
  sourceAddressPrefix: source,
  sourcePortRange: '*',
  destinationAddressPrefix: destination,
  destinationPortRange: '*',
  provisioningState: 'Succeeded',
});

const NSG = {
  name: 'aks-agentpool-31415926-nsg',
  id: NSG_ID,
  type: 'Microsoft.Network/networkSecurityGroups',
  location: DEMO_LOCATION,
  resourceGroup: NODE_RG,
  securityRules: [
    securityRule('k8s-azure-lb_allow_IPv4_443', 500, 'Inbound', 'Allow', 'Tcp', 'Internet', ['80', '443'], 'ingress-nginx LoadBalancer service (created by cloud-provider-azure)'),
    securityRule('allow-ssh-from-anywhere', 1000, 'Inbound', 'Allow', 'Tcp', 'Internet', '22', 'temporary: node debugging'),
  ],
  defaultSecurityRules: [
    defaultRule('AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
    defaultRule('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', 'AzureLoadBalancer', '*'),
    defaultRule('DenyAllInBound', 65500, 'Inbound', 'Deny', '*', '*'),
    defaultRule('AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
    defaultRule('AllowInternetOutBound', 65001, 'Outbound', 'Allow', '*', 'Internet'),
    defaultRule('DenyAllOutBound', 65500, 'Outbound', 'Deny', '*', '*'),
  ],
  subnets: [{ id: AKS_SUBNET_ID, resourceGroup: RG }],
  provisioningState: 'Succeeded',
};

const NODE_IPS = ['10.224.0.4', '10.224.0.5', '10.224.0.6'];
const nicId = (i: number) => `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${NODE_RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${VMSS}/virtualMachines/${i}/networkInterfaces/${VMSS}`;

const VNET = {
  name: 'aks-vnet',
  id: VNET_ID,
  type: 'Microsoft.Network/virtualNetworks',
  location: DEMO_LOCATION,
  resourceGroup: RG,
  addressSpace: { addressPrefixes: ['10.224.0.0/12'] },
  subnets: [
    {
      name: 'aks-subnet',
      id: AKS_SUBNET_ID,
      type: 'Microsoft.Network/virtualNetworks/subnets',
      addressPrefix: DEMO_NODE_SUBNET_PREFIX,
      networkSecurityGroup: { id: NSG_ID, resourceGroup: NODE_RG },
      routeTable: { id: RT_ID, resourceGroup: RG },
      ipConfigurations: NODE_IPS.map((_, i) => ({ id: `${nicId(i)}/ipConfigurations/ipconfig1`, resourceGroup: NODE_RG })),
      privateEndpointNetworkPolicies: 'Disabled',
      provisioningState: 'Succeeded',
    },
    {
      name: 'AzureFirewallSubnet',
      id: FW_SUBNET_ID,
      type: 'Microsoft.Network/virtualNetworks/subnets',
      addressPrefix: '10.225.0.0/26',
      ipConfigurations: [{ id: `${FW_ID}/azureFirewallIpConfigurations/fw-ipconfig`, resourceGroup: RG }],
      provisioningState: 'Succeeded',
    },
  ],
  virtualNetworkPeerings: [],
  enableDdosProtection: false,
  provisioningState: 'Succeeded',
};

const NICS = NODE_IPS.map((ip, i) => ({
  name: VMSS,
  id: nicId(i),
  type: 'Microsoft.Network/networkInterfaces',
  location: DEMO_LOCATION,
  resourceGroup: NODE_RG,
  enableAcceleratedNetworking: true,
  enableIpForwarding: false,
  primary: true,
  ipConfigurations: [
    {
      name: 'ipconfig1',
      id: `${nicId(i)}/ipConfigurations/ipconfig1`,
      privateIpAddress: ip,
      privateIpAddressVersion: 'IPv4',
      privateIpAllocationMethod: 'Dynamic',
      primary: true,
      subnet: { id: AKS_SUBNET_ID, resourceGroup: RG },
    },
  ],
  virtualMachine: { id: `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${NODE_RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${VMSS}/virtualMachines/${i}` },
}));

const ROUTE_TABLE = {
  name: 'aks-egress-rt',
  id: RT_ID,
  type: 'Microsoft.Network/routeTables',
  location: DEMO_LOCATION,
  resourceGroup: RG,
  disableBgpRoutePropagation: true,
  routes: [
    { name: 'default-via-firewall', id: `${RT_ID}/routes/default-via-firewall`, addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: DEMO_FIREWALL_PRIVATE_IP },
  ],
  subnets: [{ id: AKS_SUBNET_ID, resourceGroup: RG }],
};

const FIREWALL = {
  name: 'aks-egress-fw',
  id: FW_ID,
  type: 'Microsoft.Network/azureFirewalls',
  location: DEMO_LOCATION,
  resourceGroup: RG,
  sku: { name: 'AZFW_VNet', tier: 'Standard' },
  firewallPolicy: { id: FWP_ID, resourceGroup: RG },
  hubIpAddresses: { privateIpAddress: DEMO_FIREWALL_PRIVATE_IP, publicIPs: { addresses: [{ address: DEMO_FIREWALL_PUBLIC_IP }], count: 1 } },
  ipConfigurations: [{ name: 'fw-ipconfig', privateIpAddress: DEMO_FIREWALL_PRIVATE_IP, subnet: { id: FW_SUBNET_ID, resourceGroup: RG } }],
  networkRuleCollections: [],
  applicationRuleCollections: [],
  natRuleCollections: [],
  threatIntelMode: 'Alert',
};

const FIREWALL_POLICY = {
  name: 'aks-egress-fwp',
  id: FWP_ID,
  type: 'Microsoft.Network/FirewallPolicies',
  location: DEMO_LOCATION,
  resourceGroup: RG,
  sku: { tier: 'Standard' },
  threatIntelMode: 'Alert',
  dnsSettings: { enableProxy: true, servers: [] },
  ruleCollectionGroups: [{ id: `${FWP_ID}/ruleCollectionGroups/aks-network`, resourceGroup: RG }, { id: `${FWP_ID}/ruleCollectionGroups/aks-application`, resourceGroup: RG }],
  firewalls: [{ id: FW_ID, resourceGroup: RG }],
};

const netRule = (name: string, protocols: string[], destination: { addresses?: string[]; fqdns?: string[] }, ports: string[]) => ({
  ruleType: 'NetworkRule',
  name,
  ipProtocols: protocols,
  sourceAddresses: [DEMO_NODE_SUBNET_PREFIX],
  sourceIpGroups: [],
  destinationAddresses: destination.addresses ?? [],
  destinationIpGroups: [],
  destinationFqdns: destination.fqdns ?? [],
  destinationPorts: ports,
});

const appRule = (name: string, o: { sources?: string[]; fqdns?: string[]; tags?: string[]; protocols?: { protocolType: string; port: number }[]; description?: string }) => ({
  ruleType: 'ApplicationRule',
  name,
  description: o.description,
  sourceAddresses: o.sources ?? [DEMO_NODE_SUBNET_PREFIX],
  sourceIpGroups: [],
  protocols: o.protocols ?? [{ protocolType: 'Https', port: 443 }],
  targetFqdns: o.fqdns ?? [],
  fqdnTags: o.tags ?? [],
  targetUrls: [],
  webCategories: [],
  terminateTLS: false,
  destinationAddresses: [],
});

// `az network firewall policy rule-collection-group list` output.
const RULE_COLLECTION_GROUPS = [
  {
    name: 'aks-network',
    id: `${FWP_ID}/ruleCollectionGroups/aks-network`,
    type: 'Microsoft.Network/FirewallPolicies/RuleCollectionGroups',
    resourceGroup: RG,
    priority: 200,
    ruleCollections: [
      {
        ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
        name: 'aks-required-net',
        priority: 100,
        action: { type: 'Allow' },
        // limit-egress-traffic.md: tunnel ports to the API server and NTP; plus the API server IP for pods.
        rules: [
          netRule('apiudp', ['UDP'], { addresses: [`AzureCloud.${DEMO_LOCATION}`] }, ['1194']),
          netRule('apitcp', ['TCP'], { addresses: [`AzureCloud.${DEMO_LOCATION}`] }, ['9000']),
          netRule('time', ['UDP'], { fqdns: ['ntp.ubuntu.com'] }, ['123']),
          netRule('apiserver', ['TCP'], { addresses: [`${API_SERVER_IP}/32`] }, ['443']),
        ],
      },
    ],
  },
  {
    name: 'aks-application',
    id: `${FWP_ID}/ruleCollectionGroups/aks-application`,
    type: 'Microsoft.Network/FirewallPolicies/RuleCollectionGroups',
    resourceGroup: RG,
    priority: 300,
    ruleCollections: [
      {
        ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
        name: 'aks-required',
        priority: 200,
        action: { type: 'Allow' },
        // The seed's `az network firewall application-rule create --collection-name aks-required`.
        rules: [
          appRule('aks-fqdn', { fqdns: ['mcr.microsoft.com', '*.data.mcr.microsoft.com', 'management.azure.com', 'login.microsoftonline.com'] }),
          appRule('aks-fqdn-tag', { tags: ['AzureKubernetesService'], protocols: [{ protocolType: 'Http', port: 80 }, { protocolType: 'Https', port: 443 }] }),
        ],
      },
      {
        ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
        name: 'production-egress',
        priority: 300,
        action: { type: 'Allow' },
        rules: [appRule('payments-stripe', { fqdns: ['api.stripe.com'], description: 'production and payments call Stripe' })],
      },
      {
        ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
        name: 'dev-convenience',
        priority: 400,
        action: { type: 'Allow' },
        rules: [appRule('allow-all-com', { fqdns: ['*.com'], description: 'added during an incident, never removed' })],
      },
    ],
  },
];

const tag = (name: string, region: string, addressPrefixes: string[]) => ({
  name,
  id: name,
  properties: { changeNumber: '7', region, regionId: region ? 18 : 0, platform: 'Azure', state: 'GA', systemService: '', addressPrefixes, networkFeatures: ['API', 'NSG', 'UDR', 'FW'] },
  serviceTagChangeNumber: '7',
});

/**
 * `az network list-service-tags --location westeurope -o json`, trimmed to the tags the demo uses.
 * The prefixes are NOT Microsoft's published ranges: they are Azure-looking prefixes chosen to hold
 * the demo's addresses (the API server 20.50.12.7 and the firewall's public IP 20.31.8.100), plus an
 * IPv6 prefix; AzureCloud (all regions) holds its regional tags, as in the real list.
 */
export const DEMO_SERVICE_TAGS = {
  name: 'Public',
  id: `/subscriptions/${DEMO_SUBSCRIPTION}/providers/Microsoft.Network/serviceTags/Public`,
  type: 'Microsoft.Network/serviceTags',
  changeNumber: '412',
  cloud: 'Public',
  values: [
    tag(`AzureCloud.${DEMO_LOCATION}`, DEMO_LOCATION, ['20.31.0.0/16', '20.50.0.0/16', '2603:1020:200::/46']),
    tag('AzureCloud.northeurope', 'northeurope', ['20.38.64.0/19', '2603:1020:5::/48']),
    tag('AzureCloud', '', ['20.31.0.0/16', '20.38.64.0/19', '20.50.0.0/16', '2603:1020:5::/48', '2603:1020:200::/46']),
  ],
};

/** Every demo Azure resource, as `az network ... list -o json` prints them. */
export function demoAzureResources(): unknown[] {
  return [VNET, NSG, ...NICS, ROUTE_TABLE, FIREWALL, FIREWALL_POLICY, ...RULE_COLLECTION_GROUPS, DEMO_SERVICE_TAGS];
}

let cached: AzureSnapshot | undefined;

/** The demo's Azure snapshot. Deterministic; built once. */
export function demoAzureSnapshot(): AzureSnapshot {
  if (!cached) {
    const assembler = new SnapshotAssembler('demo', `demo (${DEMO_CLUSTER}, subscription ${DEMO_SUBSCRIPTION})`);
    for (const r of demoAzureResources()) assembler.addRaw(structuredClone(r), { resourceType: 'demo' });
    cached = assembler.finish();
  }
  return cached;
}

/** The demo as an AzureSource. Returns a fresh copy each load so callers may not corrupt the cache. */
export function demoAzureSource(): AzureSource {
  return { kind: 'demo', load: async () => structuredClone(demoAzureSnapshot()) };
}
