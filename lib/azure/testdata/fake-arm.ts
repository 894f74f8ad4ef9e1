/**
 * A loopback HTTPS server speaking just enough ARM for the ARM source tests: REST-shaped bodies
 * (`properties` wrappers, `{ value, nextLink }` pages), a 403 on NAT gateways, a 404 for a referenced
 * NSG, a 429 with Retry-After on the first route-table list, and the Service Tags API (a published
 * list as `GET .../locations/{location}/serviceTags` returns it, with one malformed tag). HTTPS because the SDK refuses to send
 * bearer tokens over plain HTTP; the certificate is self-signed and trusted by the client process
 * through NODE_EXTRA_CA_CERTS.
 */

import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';

export const FAKE_SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';
export const FAKE_TOKEN = 'flowsight-test-token';
const RG = 'rg-aks';
const MC = 'MC_rg-aks_aks_westeurope';
const net = (rg: string) => `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network`;
const VMSS = 'aks-nodepool1-123-vmss';
const vmssBase = `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${MC}/providers/Microsoft.Compute/virtualMachineScaleSets/${VMSS}`;

const rule = (nsg: string, name: string, priority: number, port: string, access = 'Allow') => ({
  name,
  id: `${nsg}/securityRules/${name}`,
  properties: { priority, direction: 'Inbound', access, protocol: 'Tcp', sourceAddressPrefix: 'Internet', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: port },
});

const AKS_NSG = `${net(MC)}/networkSecurityGroups/aks-agentpool-nsg`;
const body = {
  vnets: {
    value: [
      {
        name: 'vnet',
        id: `${net(RG)}/virtualNetworks/vnet`,
        type: 'Microsoft.Network/virtualNetworks',
        location: 'westeurope',
        properties: {
          addressSpace: { addressPrefixes: ['10.10.0.0/16'] },
          subnets: [
            {
              name: 'aks',
              id: `${net(RG)}/virtualNetworks/vnet/subnets/aks`,
              properties: {
                addressPrefix: '10.10.0.0/22',
                networkSecurityGroup: { id: AKS_NSG },
                routeTable: { id: `${net(RG)}/routeTables/rt` },
                ipConfigurations: [0, 1].map((i) => ({ id: `${vmssBase}/virtualMachines/${i}/networkInterfaces/${VMSS}/ipConfigurations/ipconfig1` })),
              },
            },
            { name: 'jump', id: `${net(RG)}/virtualNetworks/vnet/subnets/jump`, properties: { addressPrefix: '10.10.9.0/24', networkSecurityGroup: { id: `${net(RG)}/networkSecurityGroups/missing-nsg` } } },
          ],
          virtualNetworkPeerings: [],
        },
      },
    ],
  },
  nsgPage1: (next: string) => ({ value: [{ name: 'nsg-a', id: `${net(RG)}/networkSecurityGroups/nsg-a`, type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [rule(`${net(RG)}/networkSecurityGroups/nsg-a`, 'a', 100, '443')] } }], nextLink: next }),
  nsgPage2: { value: [{ name: 'nsg-b', id: `${net(RG)}/networkSecurityGroups/nsg-b`, type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [] } }] },
  aksNsg: { name: 'aks-agentpool-nsg', id: AKS_NSG, type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [rule(AKS_NSG, 'allow-ssh', 1000, '22')], subnets: [{ id: `${net(RG)}/virtualNetworks/vnet/subnets/aks` }] } },
  routeTables: { value: [{ name: 'rt', id: `${net(RG)}/routeTables/rt`, properties: { routes: [{ name: 'default', id: `${net(RG)}/routeTables/rt/routes/default`, properties: { addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.10.8.4' } }] } }] },
  firewalls: {
    value: [
      {
        name: 'afw',
        id: `${net(RG)}/azureFirewalls/afw`,
        location: 'westeurope',
        properties: { hubIPAddresses: { privateIPAddress: '10.10.8.4', publicIPs: { addresses: [{ address: '20.1.2.3' }] } }, firewallPolicy: { id: `${net(RG)}/firewallPolicies/fwp` }, networkRuleCollections: [], applicationRuleCollections: [], natRuleCollections: [] },
      },
    ],
  },
  policies: { value: [{ name: 'fwp', id: `${net(RG)}/firewallPolicies/fwp`, properties: { ruleCollectionGroups: [{ id: `${net(RG)}/firewallPolicies/fwp/ruleCollectionGroups/net` }, { id: `${net(RG)}/firewallPolicies/fwp/ruleCollectionGroups/app` }] } }] },
  rcgPage1: (next: string) => ({
    value: [
      {
        name: 'net',
        id: `${net(RG)}/firewallPolicies/fwp/ruleCollectionGroups/net`,
        properties: { priority: 200, ruleCollections: [{ ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: 'n', priority: 100, action: { type: 'Allow' }, rules: [{ ruleType: 'NetworkRule', name: 'ntp', ipProtocols: ['UDP'], sourceAddresses: ['10.10.0.0/22'], destinationAddresses: ['*'], destinationPorts: ['123'] }] }] },
      },
    ],
    nextLink: next,
  }),
  rcgPage2: {
    value: [
      {
        name: 'app',
        id: `${net(RG)}/firewallPolicies/fwp/ruleCollectionGroups/app`,
        properties: { priority: 300, ruleCollections: [{ ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: 'aks', priority: 100, action: { type: 'Allow' }, rules: [{ ruleType: 'ApplicationRule', name: 'aks', sourceAddresses: ['*'], protocols: [{ protocolType: 'Https', port: 443 }], fqdnTags: ['AzureKubernetesService'], targetFqdns: [] }] }] },
      },
    ],
  },
  // Shape of the Service Tags API response (ServiceTagsListResult); prefixes are documentation ranges.
  serviceTags: {
    name: 'Public',
    id: `/subscriptions/${FAKE_SUBSCRIPTION}/providers/Microsoft.Network/serviceTags/Public`,
    type: 'Microsoft.Network/serviceTags',
    changeNumber: '77',
    cloud: 'Public',
    values: [
      { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', serviceTagChangeNumber: '77', properties: { changeNumber: '5', region: 'westeurope', systemService: '', addressPrefixes: ['198.51.100.0/24', '2001:db8:1::/48'] } },
      { name: 'Storage', id: 'Storage', serviceTagChangeNumber: '77', properties: { changeNumber: '3', region: '', systemService: 'AzureStorage', addressPrefixes: ['203.0.113.0/25'] } },
      { name: 'Broken', id: 'Broken', serviceTagChangeNumber: '77', properties: { changeNumber: '1', region: '', systemService: '', addressPrefixes: ['not-a-prefix'] } },
    ],
  },
  vmssNics: {
    value: [0, 1].map((i) => ({
      name: VMSS,
      id: `${vmssBase}/virtualMachines/${i}/networkInterfaces/${VMSS}`,
      properties: { ipConfigurations: [{ name: 'ipconfig1', id: `${vmssBase}/virtualMachines/${i}/networkInterfaces/${VMSS}/ipConfigurations/ipconfig1`, properties: { privateIPAddress: `10.10.0.${4 + i}`, subnet: { id: `${net(RG)}/virtualNetworks/vnet/subnets/aks` } } }], enableAcceleratedNetworking: true },
    })),
  },
};

export interface FakeArm {
  url: string;
  /** PEM of the self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  certPem: string;
  /** Request paths (lowercased, with query) in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeArm(): Promise<FakeArm> {
  const pems = selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    days: 1,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  });
  const requests: string[] = [];
  let routeTableCalls = 0;
  let base = '';
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname.toLowerCase();
    requests.push(`${path}${url.searchParams.has('page') ? `?page=${url.searchParams.get('page')}` : ''}`);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const armError = (status: number, code: string, message: string) => send(status, { error: { code, message } });
    if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) return armError(401, 'AuthenticationFailed', 'missing or wrong bearer token');
    const sub = `/subscriptions/${FAKE_SUBSCRIPTION}/resourcegroups`.toLowerCase();
    const tags = `/subscriptions/${FAKE_SUBSCRIPTION}/providers/microsoft.network/locations/westeurope/servicetags`.toLowerCase();
    const rg = `${sub}/${RG}/providers/microsoft.network`.toLowerCase();
    const mc = `${sub}/${MC}`.toLowerCase();
    const page = url.searchParams.get('page');
    switch (path) {
      case tags: return send(200, body.serviceTags);
      case `${rg}/virtualnetworks`: return send(200, body.vnets);
      case `${rg}/networksecuritygroups`: return send(200, page === '2' ? body.nsgPage2 : body.nsgPage1(`${base}${url.pathname}?api-version=${url.searchParams.get('api-version')}&page=2`));
      case `${rg}/networkinterfaces`: return send(200, { value: [] });
      case `${rg}/routetables`:
        routeTableCalls++;
        if (routeTableCalls === 1) return send(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': '1' });
        return send(200, body.routeTables);
      case `${rg}/natgateways`: return armError(403, 'AuthorizationFailed', `The client does not have authorization to perform action 'Microsoft.Network/natGateways/read'`);
      case `${rg}/azurefirewalls`: return send(200, body.firewalls);
      case `${rg}/firewallpolicies`: return send(200, body.policies);
      case `${rg}/firewallpolicies/fwp/rulecollectiongroups`: return send(200, page === '2' ? body.rcgPage2 : body.rcgPage1(`${base}${url.pathname}?api-version=${url.searchParams.get('api-version')}&page=2`));
      case `${rg}/networksecuritygroups/missing-nsg`: return armError(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/networkSecurityGroups/missing-nsg' was not found.`);
      case `${mc}/providers/microsoft.network/networksecuritygroups/aks-agentpool-nsg`: return send(200, body.aksNsg);
      case `${mc}/providers/microsoft.compute/virtualmachinescalesets/${VMSS}/networkinterfaces`.toLowerCase(): return send(200, body.vmssNics);
      default: return armError(404, 'NotFound', `fake ARM has no ${path}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    certPem: pems.cert,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
