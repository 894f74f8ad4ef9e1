/**
 * The normalized Azure network model every Azure source produces and every Azure evaluator reads.
 * ARM JSON comes in two shapes (REST's `properties` wrapper and the flattened shape of the SDK and
 * `az`); both become these types, so nothing downstream knows where a snapshot came from.
 */

export type NsgDirection = 'Inbound' | 'Outbound';
export type NsgAccess = 'Allow' | 'Deny';

/** One NSG security rule, custom or default, with singular and plural ARM fields merged. */
export interface SecurityRule {
  name: string;
  id?: string;
  priority: number;
  direction: NsgDirection;
  access: NsgAccess;
  /** `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*`, as ARM spells it. */
  protocol: string;
  /** CIDRs, IPs, service tags or `*`: the union of `sourceAddressPrefix` and `sourceAddressPrefixes`. */
  sourcePrefixes: string[];
  sourcePorts: string[];
  destinationPrefixes: string[];
  destinationPorts: string[];
  sourceAsgIds: string[];
  destinationAsgIds: string[];
  description?: string;
  /** True for the rules Azure creates in every NSG (`defaultSecurityRules`). */
  isDefault: boolean;
}

export interface NetworkSecurityGroup {
  id: string;
  name: string;
  location?: string;
  securityRules: SecurityRule[];
  defaultSecurityRules: SecurityRule[];
  /** Associations as the NSG reports them (the subnet and NIC report them too; either side suffices). */
  subnetIds: string[];
  networkInterfaceIds: string[];
}

export interface Subnet {
  id: string;
  name: string;
  vnetId: string;
  addressPrefixes: string[];
  networkSecurityGroupId?: string;
  routeTableId?: string;
  natGatewayId?: string;
  /** NIC ip-configuration ids in the subnet; VMSS NICs reveal their scale set through these. */
  ipConfigurationIds: string[];
}

export interface VirtualNetworkPeering {
  name: string;
  remoteVnetId?: string;
  /** Address space of the peered VNet: part of the VirtualNetwork service tag. */
  remoteAddressPrefixes: string[];
  state?: string;
}

export interface VirtualNetwork {
  id: string;
  name: string;
  location?: string;
  addressPrefixes: string[];
  subnets: Subnet[];
  peerings: VirtualNetworkPeering[];
}

export interface NicIpConfiguration {
  name: string;
  privateIp?: string;
  subnetId?: string;
  asgIds: string[];
}

export interface NetworkInterface {
  id: string;
  name: string;
  networkSecurityGroupId?: string;
  ipConfigurations: NicIpConfiguration[];
  /** Set for NICs of a virtual machine scale set instance (AKS node pools). */
  virtualMachineScaleSet?: string;
}

export interface Route {
  name: string;
  addressPrefix: string;
  /** `VirtualAppliance`, `Internet`, `VnetLocal`, `VirtualNetworkGateway` or `None`. */
  nextHopType: string;
  nextHopIpAddress?: string;
}

export interface RouteTable {
  id: string;
  name: string;
  routes: Route[];
  subnetIds: string[];
}

export interface NatGateway {
  id: string;
  name: string;
  subnetIds: string[];
  publicIpAddressIds: string[];
}

export type FirewallRuleKind = 'nat' | 'network' | 'application';
export type FirewallAction = 'Allow' | 'Deny' | 'Dnat';

export interface NetworkRule {
  kind: 'network';
  name: string;
  /** Upper-cased: TCP, UDP, ICMP, ANY (policies say `ipProtocols`, classic rules `protocols`). */
  protocols: string[];
  sourceAddresses: string[];
  sourceIpGroups: string[];
  destinationAddresses: string[];
  destinationIpGroups: string[];
  destinationFqdns: string[];
  destinationPorts: string[];
}

export interface ApplicationProtocol {
  /** `Http`, `Https` or `Mssql`. */
  type: string;
  port: number;
}

export interface ApplicationRule {
  kind: 'application';
  name: string;
  sourceAddresses: string[];
  sourceIpGroups: string[];
  protocols: ApplicationProtocol[];
  targetFqdns: string[];
  fqdnTags: string[];
  targetUrls: string[];
  webCategories: string[];
}

export interface NatRule {
  kind: 'nat';
  name: string;
  protocols: string[];
  sourceAddresses: string[];
  sourceIpGroups: string[];
  destinationAddresses: string[];
  destinationPorts: string[];
  translatedAddress?: string;
  translatedFqdn?: string;
  translatedPort?: string;
}

export type FirewallRule = NetworkRule | ApplicationRule | NatRule;

/** A rule collection: one kind of rule, one action, one priority (classic and policy alike). */
export interface FirewallRuleCollection {
  name: string;
  priority: number;
  kind: FirewallRuleKind;
  action: FirewallAction;
  rules: FirewallRule[];
}

export interface RuleCollectionGroup {
  id?: string;
  name: string;
  priority: number;
  /** Id of the policy the group belongs to (from its own id when listed on its own). */
  policyId?: string;
  ruleCollections: FirewallRuleCollection[];
}

export interface FirewallPolicy {
  id: string;
  name: string;
  location?: string;
  basePolicyId?: string;
  dnsProxyEnabled: boolean;
  /**
   * Ids of the rule collection groups the policy lists (`az network firewall policy show`). A listed
   * group that is not loaded (not exported, or rejected as invalid) makes the policy's verdicts unknown.
   */
  ruleCollectionGroupIds?: string[];
  threatIntelMode?: string;
  ruleCollectionGroups: RuleCollectionGroup[];
}

export interface AzureFirewall {
  id: string;
  name: string;
  location?: string;
  /** The private IP route tables point at (`hubIPAddresses.privateIPAddress` or the ip configuration). */
  privateIp?: string;
  publicIps: string[];
  subnetId?: string;
  firewallPolicyId?: string;
  /** Classic rules; ignored by Azure when a policy is attached. */
  natRuleCollections: FirewallRuleCollection[];
  networkRuleCollections: FirewallRuleCollection[];
  applicationRuleCollections: FirewallRuleCollection[];
}

/**
 * One service tag of Azure's published list (`az network list-service-tags`, the Service Tags API or
 * the weekly ServiceTags_*.json download): a name such as `AzureCloud.westeurope` and its prefixes.
 */
export interface ServiceTag {
  name: string;
  region?: string;
  systemService?: string;
  changeNumber?: string;
  addressPrefixes: string[];
}

/** One published service tag list: the cloud and version it describes, and where it was read. */
export interface ServiceTagList {
  /** `Public`, `AzureGovernment`, `AzureChinaCloud`. */
  cloud?: string;
  changeNumber?: string;
  /** File name, or `Service Tags API (<location>)` for ARM. */
  origin: string;
  tags: ServiceTag[];
}

export type SourceErrorCode =
  | 'malformed-json'
  | 'invalid-object'
  | 'unrecognized-shape'
  | 'unreadable'
  | 'forbidden'
  | 'not-found'
  | 'throttled'
  | 'no-credential'
  | 'request-failed'
  | 'dangling-reference';

/** A problem with one input, said where it happened; the rest of the snapshot still loads. */
export interface SourceError {
  code: SourceErrorCode;
  message: string;
  where: {
    file?: string;
    line?: number;
    column?: number;
    /** Resource id, name or ARM resource type. */
    resource?: string;
    /** Dotted path of the field inside the object, e.g. `securityRules.2.priority`. */
    field?: string;
  };
}

export type AzureSourceKind = 'arm' | 'files' | 'demo';

export interface AzureSnapshot {
  source: AzureSourceKind;
  /** Human description: subscription and resource groups, directory, or "demo". */
  origin: string;
  virtualNetworks: VirtualNetwork[];
  networkSecurityGroups: NetworkSecurityGroup[];
  networkInterfaces: NetworkInterface[];
  routeTables: RouteTable[];
  natGateways: NatGateway[];
  azureFirewalls: AzureFirewall[];
  firewallPolicies: FirewallPolicy[];
  /** Published service tag ranges; rules naming a tag that is not in them evaluate to unknown. */
  serviceTags: ServiceTagList[];
  errors: SourceError[];
}

/** Where the Azure network model comes from: ARM, a directory of `az -o json` files, or the demo. */
export interface AzureSource {
  readonly kind: AzureSourceKind;
  load(): Promise<AzureSnapshot>;
}

export function emptySnapshot(source: AzureSourceKind, origin: string): AzureSnapshot {
  return {
    source,
    origin,
    virtualNetworks: [],
    networkSecurityGroups: [],
    networkInterfaces: [],
    routeTables: [],
    natGateways: [],
    azureFirewalls: [],
    firewallPolicies: [],
    serviceTags: [],
    errors: [],
  };
}

/** True when the snapshot holds any network object to evaluate against. */
export function hasAzureNetwork(s: AzureSnapshot): boolean {
  return s.virtualNetworks.length + s.networkSecurityGroups.length + s.networkInterfaces.length + s.azureFirewalls.length > 0;
}
