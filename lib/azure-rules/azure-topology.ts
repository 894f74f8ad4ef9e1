/**
 * An index over an Azure snapshot: which subnet and NIC an IP belongs to, which NSG, route table,
 * NAT gateway and firewall apply, and what the VirtualNetwork service tag covers. Built once per
 * snapshot; evaluators take it instead of re-scanning lists for every flow.
 */

import type {
  AzureFirewall,
  AzureSnapshot,
  FirewallPolicy,
  NatGateway,
  NetworkInterface,
  NetworkSecurityGroup,
  NicIpConfiguration,
  RouteTable,
  Subnet,
  VirtualNetwork,
} from '../azure/types';
import { inAnyPrefix, prefixLength, addressMatches } from './azure-address';

const key = (id: string | undefined) => (id ?? '').toLowerCase();

/** Azure's host virtual IP: always part of the VirtualNetwork tag (service-tags-overview.md). */
export const AZURE_HOST_VIP = '168.63.129.16';

export interface NicAtIp {
  nic: NetworkInterface;
  ipConfiguration: NicIpConfiguration;
}

export class AzureTopology {
  readonly subnets: Subnet[];
  private readonly subnetsById = new Map<string, Subnet>();
  private readonly vnetsById = new Map<string, VirtualNetwork>();
  private readonly nsgsById = new Map<string, NetworkSecurityGroup>();
  private readonly nicsByIp = new Map<string, NicAtIp>();
  private readonly routeTablesById = new Map<string, RouteTable>();
  private readonly natGatewaysById = new Map<string, NatGateway>();
  private readonly policiesById = new Map<string, FirewallPolicy>();

  constructor(readonly snapshot: AzureSnapshot) {
    this.subnets = snapshot.virtualNetworks.flatMap((v) => v.subnets);
    for (const v of snapshot.virtualNetworks) this.vnetsById.set(key(v.id), v);
    for (const s of this.subnets) this.subnetsById.set(key(s.id), s);
    for (const n of snapshot.networkSecurityGroups) this.nsgsById.set(key(n.id), n);
    for (const nic of snapshot.networkInterfaces) {
      for (const c of nic.ipConfigurations) if (c.privateIp) this.nicsByIp.set(c.privateIp, { nic, ipConfiguration: c });
    }
    for (const t of snapshot.routeTables) this.routeTablesById.set(key(t.id), t);
    for (const g of snapshot.natGateways) this.natGatewaysById.set(key(g.id), g);
    for (const p of snapshot.firewallPolicies) this.policiesById.set(key(p.id), p);
  }

  subnet(id: string | undefined): Subnet | undefined {
    return this.subnetsById.get(key(id));
  }

  vnetOf(subnet: Subnet): VirtualNetwork | undefined {
    return this.vnetsById.get(key(subnet.vnetId));
  }

  nsg(id: string | undefined): NetworkSecurityGroup | undefined {
    return this.nsgsById.get(key(id));
  }

  /** The subnet's NSG, from the subnet's own association or the NSG's list of subnets. */
  subnetNsg(subnet: Subnet): NetworkSecurityGroup | undefined {
    return this.nsg(subnet.networkSecurityGroupId) ?? this.snapshot.networkSecurityGroups.find((n) => n.subnetIds.some((id) => key(id) === key(subnet.id)));
  }

  nicNsg(nic: NetworkInterface): NetworkSecurityGroup | undefined {
    return this.nsg(nic.networkSecurityGroupId) ?? this.snapshot.networkSecurityGroups.find((n) => n.networkInterfaceIds.some((id) => key(id) === key(nic.id)));
  }

  nicAt(ip: string): NicAtIp | undefined {
    return this.nicsByIp.get(ip);
  }

  /** The subnet an IP is in: the NIC's subnet when known, else the longest matching subnet prefix. */
  subnetOf(ip: string): Subnet | undefined {
    const nic = this.nicAt(ip);
    const viaNic = nic && this.subnet(nic.ipConfiguration.subnetId);
    if (viaNic) return viaNic;
    let best: Subnet | undefined;
    let bestLength = -1;
    for (const s of this.subnets) {
      for (const p of s.addressPrefixes) {
        if (addressMatches(p, ip) === true && prefixLength(p) > bestLength) {
          best = s;
          bestLength = prefixLength(p);
        }
      }
    }
    return best;
  }

  subnetByName(name: string): Subnet | undefined {
    const [vnetName, subnetName] = name.includes('/') ? name.split('/', 2) : [undefined, name];
    return this.subnets.find(
      (s) => s.name.toLowerCase() === subnetName.toLowerCase() && (!vnetName || this.vnetOf(s)?.name.toLowerCase() === vnetName.toLowerCase()),
    );
  }

  routeTableOf(subnet: Subnet): RouteTable | undefined {
    return this.routeTablesById.get(key(subnet.routeTableId)) ?? this.snapshot.routeTables.find((t) => t.subnetIds.some((id) => key(id) === key(subnet.id)));
  }

  natGatewayOf(subnet: Subnet): NatGateway | undefined {
    return this.natGatewaysById.get(key(subnet.natGatewayId)) ?? this.snapshot.natGateways.find((g) => g.subnetIds.some((id) => key(id) === key(subnet.id)));
  }

  firewallAt(privateIp: string | undefined): AzureFirewall | undefined {
    return privateIp ? this.snapshot.azureFirewalls.find((f) => f.privateIp === privateIp) : undefined;
  }

  policy(id: string | undefined): FirewallPolicy | undefined {
    return this.policiesById.get(key(id));
  }

  /** Subnets whose NICs or prefixes hold an IP that is in the VNet (used to decide "inside Azure"). */
  isInsideVnets(ip: string): boolean {
    return this.snapshot.virtualNetworks.some((v) => inAnyPrefix(v.addressPrefixes, ip));
  }

  /**
   * Prefixes of the VirtualNetwork service tag for a VNet: its address space, peered VNets' spaces,
   * the host VIP and the prefixes of user-defined routes on its subnets. The tag "might also contain
   * default routes" (service-tags-overview.md): a 0.0.0.0/0 UDR makes it cover the whole internet.
   */
  virtualNetworkTag(vnet: VirtualNetwork | undefined): string[] {
    if (!vnet) return [];
    const prefixes = new Set<string>([...vnet.addressPrefixes, `${AZURE_HOST_VIP}/32`]);
    for (const p of vnet.peerings) for (const x of p.remoteAddressPrefixes) prefixes.add(x);
    for (const p of vnet.peerings) {
      const remote = p.remoteVnetId ? this.vnetsById.get(key(p.remoteVnetId)) : undefined;
      for (const x of remote?.addressPrefixes ?? []) prefixes.add(x);
    }
    for (const s of vnet.subnets) for (const r of this.routeTableOf(s)?.routes ?? []) prefixes.add(r.addressPrefix);
    return [...prefixes];
  }
}

const cache = new WeakMap<AzureSnapshot, AzureTopology>();

/** The topology of a snapshot, built on first use and reused (snapshots are not mutated after loading). */
export function topologyOf(snapshot: AzureSnapshot): AzureTopology {
  let t = cache.get(snapshot);
  if (!t) {
    t = new AzureTopology(snapshot);
    cache.set(snapshot, t);
  }
  return t;
}
