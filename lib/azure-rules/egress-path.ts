/**
 * How traffic leaves a subnet, and therefore which Azure controls see it. Route selection is Azure's:
 * longest prefix match over user-defined routes and system routes, a user-defined route winning a tie
 * (virtual-networks-udr-overview.md). A default route to a VirtualAppliance that is an Azure Firewall's
 * private IP sends egress through the firewall (AKS outboundType userDefinedRouting). Otherwise a NAT
 * gateway on the subnet takes precedence over the load balancer's outbound rules; neither filters.
 */

import type { AzureFirewall, NatGateway, Subnet } from '../azure/types';
import { addressMatches, prefixLength } from './azure-address';
import type { AzureTopology } from './azure-topology';

export interface NextHop {
  /** VnetLocal, VNetPeering, VirtualAppliance, Internet, VirtualNetworkGateway or None. */
  type: string;
  ipAddress?: string;
  /** The user-defined route chosen, when one was. */
  route?: { routeTable: { id: string; name: string }; name: string; addressPrefix: string };
  addressPrefix: string;
}

/** The next hop for `destinationIp` from `subnet`; without a destination, the default route (0.0.0.0/0). */
export function nextHop(topology: AzureTopology, subnet: Subnet, destinationIp?: string): NextHop {
  const vnet = topology.vnetOf(subnet);
  const candidates: (NextHop & { length: number; user: boolean })[] = [
    { type: 'Internet', addressPrefix: '0.0.0.0/0', length: 0, user: false },
    ...(vnet?.addressPrefixes ?? []).map((p) => ({ type: 'VnetLocal', addressPrefix: p, length: prefixLength(p), user: false })),
    ...(vnet?.peerings ?? []).flatMap((peer) => peer.remoteAddressPrefixes.map((p) => ({ type: 'VNetPeering', addressPrefix: p, length: prefixLength(p), user: false }))),
  ];
  const table = topology.routeTableOf(subnet);
  for (const r of table?.routes ?? []) {
    candidates.push({
      type: r.nextHopType,
      ipAddress: r.nextHopIpAddress,
      addressPrefix: r.addressPrefix,
      route: { routeTable: { id: table!.id, name: table!.name }, name: r.name, addressPrefix: r.addressPrefix },
      length: prefixLength(r.addressPrefix),
      user: true,
    });
  }
  const applicable = destinationIp
    ? candidates.filter((c) => addressMatches(c.addressPrefix, destinationIp) === true)
    : candidates.filter((c) => c.addressPrefix === '0.0.0.0/0');
  applicable.sort((a, b) => b.length - a.length || Number(b.user) - Number(a.user));
  const { length: _l, user: _u, ...best } = applicable[0];
  return best;
}

export type EgressKind = 'firewall' | 'virtual-appliance' | 'nat-gateway' | 'load-balancer' | 'gateway' | 'blackhole' | 'inside-vnet';

export interface EgressPath {
  subnet: { id: string; name: string };
  kind: EgressKind;
  nextHop: NextHop;
  firewall?: { id: string; name: string; privateIp?: string };
  natGateway?: { id: string; name: string };
  /** The Azure controls that apply to this egress, most specific first. */
  controls: string[];
  explanation: string;
}

const NSG_CONTROL = 'NSG outbound rules (NIC, then subnet)';

/** How `subnet` reaches `destinationIp` (default: the internet) and which controls apply on the way. */
export function egressPath(topology: AzureTopology, subnet: Subnet, destinationIp?: string): EgressPath {
  const hop = nextHop(topology, subnet, destinationIp);
  const base = { subnet: { id: subnet.id, name: subnet.name }, nextHop: hop };
  const via = hop.route ? `route ${hop.route.name} (${hop.route.addressPrefix}) of ${hop.route.routeTable.name}` : `the system route for ${hop.addressPrefix}`;
  switch (hop.type.toLowerCase()) {
    case 'virtualappliance': {
      const firewall: AzureFirewall | undefined = topology.firewallAt(hop.ipAddress);
      if (firewall) {
        return {
          ...base,
          kind: 'firewall',
          firewall: { id: firewall.id, name: firewall.name, privateIp: firewall.privateIp },
          controls: [NSG_CONTROL, `Azure Firewall ${firewall.name} (network and FQDN application rules)`],
          explanation: `${via} sends traffic to Azure Firewall ${firewall.name} at ${hop.ipAddress}`,
        };
      }
      return {
        ...base,
        kind: 'virtual-appliance',
        controls: [NSG_CONTROL, `network virtual appliance at ${hop.ipAddress ?? '(no IP)'} (not evaluated by Flowsight)`],
        explanation: `${via} sends traffic to ${hop.ipAddress ?? 'an appliance'}, which is not a known Azure Firewall`,
      };
    }
    case 'none':
      return { ...base, kind: 'blackhole', controls: [], explanation: `${via} has next hop None: the traffic is dropped` };
    case 'virtualnetworkgateway':
      return { ...base, kind: 'gateway', controls: [NSG_CONTROL, 'on-premises or VPN controls (not evaluated)'], explanation: `${via} sends traffic to the virtual network gateway` };
    case 'vnetlocal':
    case 'vnetpeering':
      return { ...base, kind: 'inside-vnet', controls: [NSG_CONTROL, 'NSG inbound rules of the destination'], explanation: `${via}: the destination is inside the virtual network or a peer` };
    default: {
      const nat: NatGateway | undefined = topology.natGatewayOf(subnet);
      if (nat) {
        return {
          ...base,
          kind: 'nat-gateway',
          natGateway: { id: nat.id, name: nat.name },
          controls: [NSG_CONTROL, `NAT gateway ${nat.name} (SNAT only, no filtering)`],
          explanation: `${via} goes to the internet through NAT gateway ${nat.name}, which translates but does not filter`,
        };
      }
      return {
        ...base,
        kind: 'load-balancer',
        controls: [NSG_CONTROL, 'load balancer outbound rules (SNAT only, no filtering)'],
        explanation: `${via} goes to the internet through the load balancer's outbound SNAT (or an instance public IP); only NSGs filter it`,
      };
    }
  }
}
