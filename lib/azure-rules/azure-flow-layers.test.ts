import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import type { AzureSnapshot } from '../azure/types';
import { topologyOf } from './azure-topology';
import { evaluateAzureFlow } from './azure-flow-layers';
import { firewallEgressExposure, openEgressEvidence } from '../posture/azure-open-egress';
import { egressPath, nextHop } from './egress-path';

const demo = demoAzureSnapshot();

describe('evaluateAzureFlow (the Azure half of the three-layer strip)', () => {
  it('pod egress: Azure sees the node IP; NSG and firewall each give a deciding rule', () => {
    const r = evaluateAzureFlow(demo, { sourceIp: '10.244.1.15', sourceNodeIp: '10.224.0.5', destinationIp: '54.187.174.169', destinationPort: 443, protocol: 'TCP', fqdn: 'api.stripe.com.' });
    expect(r.seenAs).toEqual({ sourceIp: '10.224.0.5', destinationIp: '54.187.174.169' });
    expect(r.nsg.verdict).toBe('allowed');
    expect(r.nsg.decidingRule?.nsgName).toBe('aks-agentpool-31415926-nsg');
    expect(r.firewall).toMatchObject({ verdict: 'allowed', decidingRule: { ruleCollection: { name: 'production-egress' }, rule: 'payments-stripe' } });
    expect(r.verdict).toBe('allowed');
  });

  it('firewall default deny makes the whole verdict denied', () => {
    const r = evaluateAzureFlow(demo, { sourceIp: '10.244.0.20', sourceNodeIp: '10.224.0.4', destinationIp: '151.101.0.223', destinationPort: 443, protocol: 'TCP', fqdn: 'pypi.org' });
    expect(r.firewall.verdict).toBe('denied');
    expect(r.firewall.decidingRule).toBeUndefined();
    expect(r.verdict).toBe('denied');
  });

  it('pod-to-pod: neither NSG nor firewall is on the path', () => {
    const r = evaluateAzureFlow(demo, { sourceIp: '10.244.0.20', sourceNodeIp: '10.224.0.4', destinationIp: '10.244.1.21', destinationNodeIp: '10.224.0.5', destinationPort: 8080, protocol: 'TCP' });
    expect(r.nsg.verdict).toBe('not-on-path');
    expect(r.firewall.verdict).toBe('not-on-path');
    expect(r.verdict).toBe('allowed');
  });

  it('Azure DNS (168.63.129.16) bypasses NSGs and is not routed to the firewall', () => {
    const r = evaluateAzureFlow(demo, { sourceIp: '10.244.0.10', sourceNodeIp: '10.224.0.4', destinationIp: '168.63.129.16', destinationPort: 53, protocol: 'UDP' });
    expect(r.nsg.reason).toMatch(/platform address/);
    expect(r.firewall.verdict).toBe('not-on-path');
  });

  it('internet to an ingress pod: NSG decides on the node address, the firewall is not on the inbound path', () => {
    const r = evaluateAzureFlow(demo, { sourceIp: '203.0.113.42', destinationIp: '10.244.0.30', destinationNodeIp: '10.224.0.4', destinationPort: 443, protocol: 'TCP' });
    expect(r.nsg.decidingRule?.ruleName).toBe('k8s-azure-lb_allow_IPv4_443');
    expect(r.firewall.verdict).toBe('not-on-path');
  });
});

describe('evaluateAzureFlow: layers that cannot be evaluated are unknown, never allowed (issue 16)', () => {
  it('the demo ships AzureCloud.westeurope: the AKS tunnel rule apitcp allows node -> API server on TCP 9000', () => {
    // limit-egress-traffic.md: apitcp TCP 9000 and apiudp UDP 1194 to AzureCloud.<region>.
    const tcp = evaluateAzureFlow(demo, { sourceIp: '10.224.0.5', destinationIp: '20.50.12.7', destinationPort: 9000, protocol: 'TCP' });
    expect(tcp.firewall).toMatchObject({ verdict: 'allowed', decidingRule: { rule: 'apitcp' } });
    const udp = evaluateAzureFlow(demo, { sourceIp: '10.224.0.5', destinationIp: '20.50.12.7', destinationPort: 1194, protocol: 'UDP' });
    expect(udp).toMatchObject({ verdict: 'allowed', firewall: { decidingRule: { rule: 'apiudp' } } });
  });

  it('without the demo tag list the same flow is unknown, naming the tag', () => {
    const noTags: AzureSnapshot = { ...structuredClone(demo), serviceTags: [] };
    const r = evaluateAzureFlow(noTags, { sourceIp: '10.224.0.5', destinationIp: '20.50.12.7', destinationPort: 9000, protocol: 'TCP' });
    expect(r.verdict).toBe('unknown');
    expect(r.firewall.unresolvedTags).toEqual(['AzureCloud.westeurope']);
  });

  it('a default route to an appliance that is not a known Azure Firewall is unknown (it may filter)', () => {
    // virtual-networks-udr-overview.md: next hop VirtualAppliance forwards to the appliance, which decides.
    const nva: AzureSnapshot = structuredClone(demo);
    nva.routeTables[0].routes[0].nextHopIpAddress = '10.225.0.99';
    const r = evaluateAzureFlow(nva, { sourceIp: '10.224.0.5', destinationIp: '140.82.121.6', destinationPort: 443, protocol: 'TCP', fqdn: 'api.github.com' });
    expect(r.firewall.verdict).toBe('unknown');
    expect(r.firewall.reason).toMatch(/10\.225\.0\.99, which is not a known Azure Firewall; its filtering is not evaluated/);
    expect(r.verdict).toBe('unknown');
  });

  it('a route with next hop None drops the traffic: denied', () => {
    // virtual-networks-udr-overview.md: "None: traffic is dropped".
    const blackhole: AzureSnapshot = structuredClone(demo);
    blackhole.routeTables[0].routes[0] = { name: 'drop-all', addressPrefix: '0.0.0.0/0', nextHopType: 'None' };
    const r = evaluateAzureFlow(blackhole, { sourceIp: '10.224.0.5', destinationIp: '140.82.121.6', destinationPort: 443, protocol: 'TCP' });
    expect(r.firewall).toMatchObject({ verdict: 'denied', reason: expect.stringMatching(/next hop None/) });
    expect(r.verdict).toBe('denied');
  });

  it('health probes from 168.63.129.16 reach the nodes through AllowAzureLoadBalancerInBound-type rules; a custom deny on the tag blocks them', () => {
    const ok = evaluateAzureFlow(demo, { sourceIp: '168.63.129.16', destinationIp: '10.224.0.4', destinationPort: 10256, protocol: 'TCP' });
    expect(ok.nsg.verdict).toBe('allowed');
    const denying: AzureSnapshot = structuredClone(demo);
    const nsg = denying.networkSecurityGroups[0];
    nsg.securityRules.push({ ...nsg.securityRules[0], name: 'deny-lb-probes', priority: 400, access: 'Deny', protocol: '*', sourcePrefixes: ['AzureLoadBalancer'], destinationPorts: ['*'] });
    const blocked = evaluateAzureFlow(denying, { sourceIp: '168.63.129.16', destinationIp: '10.224.0.4', destinationPort: 10256, protocol: 'TCP' });
    expect(blocked).toMatchObject({ verdict: 'denied', nsg: { verdict: 'denied', decidingRule: { ruleName: 'deny-lb-probes' } } });
  });
});

describe('egress path and route selection', () => {
  const t = topologyOf(demo);
  const aks = t.subnetByName('aks-vnet/aks-subnet')!;

  it('longest prefix wins: VNet-local beats the 0.0.0.0/0 UDR', () => {
    expect(nextHop(t, aks, '10.225.0.4')).toMatchObject({ type: 'VnetLocal', addressPrefix: '10.224.0.0/12' });
    expect(nextHop(t, aks, '8.8.8.8')).toMatchObject({ type: 'VirtualAppliance', ipAddress: '10.225.0.4', route: { name: 'default-via-firewall' } });
  });

  it('a UDR wins a tie with the system default route', () => {
    expect(nextHop(t, aks).route?.name).toBe('default-via-firewall');
  });

  it('says which controls apply', () => {
    const p = egressPath(t, aks);
    expect(p.kind).toBe('firewall');
    expect(p.controls.join(' ')).toMatch(/Azure Firewall aks-egress-fw/);
  });

  it('without a route table the load balancer SNATs and only NSGs filter', () => {
    const noRoutes: AzureSnapshot = { ...structuredClone(demo), routeTables: [] };
    noRoutes.virtualNetworks[0].subnets[0].routeTableId = undefined;
    const tt = topologyOf(noRoutes);
    const p = egressPath(tt, tt.subnetByName('aks-subnet')!);
    expect(p.kind).toBe('load-balancer');
    expect(p.controls.join(' ')).toMatch(/no filtering/);
  });
});

describe('firewall egress exposure (open-egress refinement)', () => {
  const exposures = firewallEgressExposure(demo, [
    { workload: 'legacy/legacy-cron', sourceIp: '10.244.2.24', sourceNodeIp: '10.224.0.6', destinationIp: '104.20.67.143', destinationPort: 443, protocol: 'TCP', fqdn: 'pastebin.com', flowUuids: ['u1', 'u2'] },
    { workload: 'legacy/legacy-app', sourceIp: '10.244.1.22', sourceNodeIp: '10.224.0.5', destinationIp: '151.101.0.223', destinationPort: 443, protocol: 'TCP', fqdn: 'pypi.org', flowCount: 7 },
    { workload: 'legacy/legacy-app', sourceIp: '10.244.1.22', sourceNodeIp: '10.224.0.5', destinationIp: '140.82.121.6', destinationPort: 443, protocol: 'TCP', fqdn: 'api.github.com' },
  ]);

  it('groups by workload and splits allowed / denied with the rule', () => {
    const cron = exposures.find((e) => e.workload === 'legacy/legacy-cron')!;
    expect(cron.firewallOnPath).toBe(true);
    expect(cron.allowed).toEqual([expect.objectContaining({ destination: 'pastebin.com', flowCount: 2, rule: expect.objectContaining({ rule: 'allow-all-com' }) })]);
    const app = exposures.find((e) => e.workload === 'legacy/legacy-app')!;
    expect(app.denied.map((d) => d.destination)).toEqual(['pypi.org']);
    expect(app.allowed.map((d) => d.destination)).toEqual(['api.github.com']);
  });

  it('turns an exposure into evidence sentences', () => {
    const ev = openEgressEvidence(exposures.find((e) => e.workload === 'legacy/legacy-cron')!);
    expect(ev[0].text).toMatch(/allows legacy\/legacy-cron to reach pastebin\.com:443 by rule allow-all-com \(aks-application \/ dev-convenience\)/);
    expect(ev[0].flowUuids).toEqual(['u1', 'u2']);
  });
});
