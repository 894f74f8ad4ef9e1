/**
 * open-egress across every egress control on the path (issue 16, item 10). Azure semantics followed:
 * - NSG outbound before routing, NIC then subnet, first match by priority (network-security-group-how-it-works.md).
 * - Route selection: longest prefix, a user-defined route wins a tie; next hop None drops the traffic
 *   (virtual-networks-udr-overview.md, "Next hop types across Azure tools").
 * - A 0.0.0.0/0 route to the firewall's private IP sends egress through Azure Firewall, which denies what no
 *   rule allows (firewall/rule-processing.md); NAT gateway and the load balancer's outbound SNAT translate but
 *   never filter (AKS outbound-rules-control-egress.md; nat-gateway-resource.md).
 */

import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import type { AzureSnapshot } from '../azure/types';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { AzureEgress, firewallEgressExposure } from './azure-open-egress';
import type { Finding } from './finding';
import { computeFindings } from './findings';
import { FlowSummary } from './flow-summary';
import { ObservedConnections } from './observed-connections';
import { namespaceBadges, postureLayer } from './posture-overlay';
import { demoFlows } from './testing/demo-flows';
import { cluster, cnp, type PodSpec } from '../policy-engine/testing/cluster-fixture';

const scenario = demoScenario();
const { snapshot } = demoSnapshot(scenario);
const records = demoFlows(scenario);
const flows = new FlowSummary().addAll(records).snapshot();
const connections = new ObservedConnections().addAll(records).snapshot().connections;
const demo = demoAzureSnapshot();

function variant(edit: (s: AzureSnapshot) => void): AzureSnapshot {
  const s = structuredClone(demo);
  edit(s);
  return s;
}

const aksSubnet = (s: AzureSnapshot) => s.virtualNetworks[0].subnets.find((x) => x.name === 'aks-subnet')!;
/** The demo without its `*.com` convenience rule: the firewall allows only the AKS names and Stripe. */
const lockedFirewall = variant((s) => {
  for (const g of s.firewallPolicies.flatMap((p) => p.ruleCollectionGroups)) g.ruleCollections = g.ruleCollections.filter((c) => c.name !== 'dev-convenience');
});

function openEgress(azure: AzureSnapshot | undefined, key = 'open-egress:legacy/legacy-app'): Finding {
  const f = computeFindings({ snapshot, flows, connections, ...(azure ? { azure } : {}) }).find((x) => x.key === key);
  if (!f) throw new Error(`no ${key}`);
  return f;
}

describe('open-egress weighs the Azure controls on the path', () => {
  it('firewall on the path that lets any .com through (the demo): open, and it says which flows got out and which the firewall denied', () => {
    const f = openEgress(demo);
    expect(f.severity).toBe('high');
    expect(f.title).toBe('legacy/legacy-app can reach the internet and did: api.github.com (2 flows); Azure Firewall denied pypi.org');
    expect(f.evidence.map((e) => e.text).join('\n')).toMatch(/allows an arbitrary internet name such as example\.com:443 by rule allow-all-com/);
    const denied = f.evidence.find((e) => e.text.includes('pypi.org'))!;
    expect(denied.text).toMatch(/left the pod, but Azure Firewall aks-egress-fw denies pypi\.org:443: no rule matched \(default deny\)/);
    expect(denied.flowCount).toBe(2);
    expect(f.objects).toContainEqual(expect.objectContaining({ kind: 'AzureFirewall', name: 'aks-egress-fw' }));
  });

  it('a firewall that restricts egress makes the workload not open: low, naming the firewall, and "denied" instead of "did reach"', () => {
    const f = openEgress(lockedFirewall);
    expect(f.severity).toBe('low');
    expect(f.title).toBe('legacy/legacy-app is not restricted by network policy; Azure Firewall denied its internet flows (4 to api.github.com, pypi.org)');
    expect(f.title).not.toMatch(/did/);
    expect(f.evidence.find((e) => e.text.startsWith('Azure:'))!.text).toMatch(/Azure Firewall aks-egress-fw denies an arbitrary internet name such as example\.com:443: no rule matched/);
    expect(f.mitigatedBy).toBe('Azure Firewall aks-egress-fw');
  });

  it('a restricted workload is not drawn as open on the map (no open-egress badge, not outlined)', () => {
    const all = computeFindings({ snapshot, flows, connections, azure: lockedFirewall });
    expect(postureLayer(all).workloads).not.toContain('legacy/legacy-app');
    expect(namespaceBadges(all).legacy.map((b) => b.kind)).toEqual(['unprotected']);
    // With the demo's *.com rule the same workloads are open and drawn so.
    const open = computeFindings({ snapshot, flows, connections, azure: demo });
    expect(postureLayer(open).workloads).toEqual(expect.arrayContaining(['legacy/legacy-app', 'legacy/legacy-cron']));
    expect(namespaceBadges(open).legacy.map((b) => b.kind)).toEqual(['unprotected', 'open-egress']);
  });

  it('restricted by the firewall but a name on its allow-list got out: still low, and the title says what was allowed', () => {
    // legacy-cron reached mcr.microsoft.com through the AKS rule (aks-fqdn) and pastebin.com only through *.com.
    const f = openEgress(lockedFirewall, 'open-egress:legacy/legacy-cron');
    expect(f.severity).toBe('low');
    expect(f.title).toBe('legacy/legacy-cron is not restricted by network policy; Azure Firewall restricts its egress and allowed mcr.microsoft.com');
    expect(f.evidence.some((e) => /pastebin\.com:443 left the pod, but Azure Firewall aks-egress-fw denies/.test(e.text))).toBe(true);
  });

  it('an NSG outbound Deny for the Internet tag restricts egress before routing', () => {
    const nsgDeny = variant((s) => {
      s.networkSecurityGroups[0].securityRules.push({ name: 'deny-internet-out', priority: 100, direction: 'Outbound', access: 'Deny', protocol: '*', sourcePrefixes: ['*'], sourcePorts: ['*'], destinationPrefixes: ['Internet'], destinationPorts: ['*'], sourceAsgIds: [], destinationAsgIds: [], isDefault: false });
    });
    const f = openEgress(nsgDeny);
    expect(f.severity).toBe('low');
    expect(f.title).toMatch(/^legacy\/legacy-app is not restricted by network policy; the NSG denied its internet flows/);
    expect(f.evidence.find((e) => e.text.startsWith('Azure:'))!.text).toMatch(/deny-internet-out/);
  });

  it('a route to next hop None drops internet egress: restricted by the route table', () => {
    const blackhole = variant((s) => {
      s.routeTables[0].routes[0] = { name: 'drop-internet', addressPrefix: '0.0.0.0/0', nextHopType: 'None' };
    });
    const f = openEgress(blackhole);
    expect(f.severity).toBe('low');
    expect(f.title).toMatch(/the route table denied its internet flows/);
  });

  it('NAT gateway without a firewall route: open, because NAT translates but does not filter', () => {
    const nat = variant((s) => {
      const subnet = aksSubnet(s);
      subnet.routeTableId = undefined;
      s.routeTables = [];
      const id = '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/natGateways/ng-aks';
      s.natGateways.push({ id, name: 'ng-aks', subnetIds: [subnet.id], publicIpAddressIds: [] });
      subnet.natGatewayId = id;
    });
    const f = openEgress(nat);
    expect(f.severity).toBe('high');
    expect(f.title).toBe('legacy/legacy-app can reach the internet and did: api.github.com, pypi.org (4 flows)');
    expect(f.evidence.find((e) => e.text.startsWith('Azure:'))!.text).toMatch(/NAT gateway ng-aks, which translates but does not filter; NSG aks-agentpool-31415926-nsg allows it by default rule AllowInternetOutBound/);
  });

  it('a next hop that is not a known firewall is not evaluated: unknown, and the severity is not lowered', () => {
    const appliance = variant((s) => {
      s.routeTables[0].routes[0] = { name: 'default-via-nva', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.225.0.99' };
    });
    const f = openEgress(appliance);
    expect(f.severity).toBe('high');
    expect(f.title).toMatch(/whether its 4 flows to api\.github\.com, pypi\.org got out is unknown/);
    expect(f.evidence.find((e) => e.text.startsWith('Azure:'))!.text).toMatch(/10\.225\.0\.99.*not evaluate/);
  });

  it('without Azure data the finding says the Azure layers were not evaluated (and never claims the flows got out)', () => {
    const f = openEgress(undefined);
    expect(f.severity).toBe('high');
    expect(f.title).toBe('legacy/legacy-app can reach the internet and sent 4 flows there');
    expect(f.evidence[1].text).toMatch(/were not evaluated: no Azure network data is loaded/);
  });

  it("Azure data that does not contain this cluster's nodes is treated as not loaded", () => {
    const other = variant((s) => {
      // Another cluster's network: its node subnet and NICs are elsewhere.
      aksSubnet(s).addressPrefixes = ['172.16.0.0/16'];
      s.virtualNetworks[0].addressPrefixes = ['172.16.0.0/12'];
      s.networkInterfaces.forEach((n, i) => (n.ipConfigurations[0].privateIp = `172.16.0.${4 + i}`));
    });
    expect(new AzureEgress(other, snapshot).coversCluster).toBe(false);
    const f = openEgress(other);
    expect(f.evidence[1].text).toMatch(/does not contain this cluster's nodes/);
    expect(f.severity).toBe('high');
  });
});

describe('Cilium FQDN policies are an egress control too', () => {
  const pods: PodSpec[] = [
    { ns: 'app', name: 'web', labels: { app: 'web' }, ip: '10.244.0.5' },
    { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.53', ports: [{ containerPort: 53, protocol: 'UDP' as const }] },
  ];
  const dnsRule = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };

  it('toFQDNs to one name (with the DNS proxy rule) restricts the workload: no open-egress (docs.cilium.io, Policy Language, "DNS based")', () => {
    const p = cnp('app', 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [dnsRule, { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
    expect(computeFindings({ snapshot: cluster({ pods, policies: [p] }) }).some((f) => f.key === 'open-egress:app/web')).toBe(false);
  });

  it('toFQDNs matchPattern "*" allows every name the proxy learns: open, naming the rule', () => {
    const p = cnp('app', 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [dnsRule, { toFQDNs: [{ matchPattern: '*' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
    const f = computeFindings({ snapshot: cluster({ pods, policies: [p] }) }).find((x) => x.key === 'open-egress:app/web');
    expect(f?.severity).toBe('medium');
    expect(f?.evidence[0].text).toMatch(/CiliumNetworkPolicy app\/web-egress egress\[1\] has toFQDNs \*, which matches any name \(e\.g\. example\.com\)/);
  });

  it('toFQDNs "*" without a DNS rule never learns a name, so it opens nothing', () => {
    const p = cnp('app', 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toFQDNs: [{ matchPattern: '*' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
    expect(computeFindings({ snapshot: cluster({ pods, policies: [p] }) }).some((f) => f.key === 'open-egress:app/web')).toBe(false);
  });
});

describe('firewallEgressExposure counts the NSG too', () => {
  it('an observed flow an NSG outbound rule denies is denied, with the NSG rule', () => {
    const s = variant((x) => {
      x.networkSecurityGroups[0].securityRules.push({ name: 'deny-pastebin-out', priority: 200, direction: 'Outbound', access: 'Deny', protocol: '*', sourcePrefixes: ['*'], sourcePorts: ['*'], destinationPrefixes: ['104.20.67.143'], destinationPorts: ['*'], sourceAsgIds: [], destinationAsgIds: [], isDefault: false });
    });
    const [e] = firewallEgressExposure(s, [{ workload: 'legacy/legacy-cron', sourceIp: '10.244.2.24', sourceNodeIp: '10.224.0.6', destinationIp: '104.20.67.143', destinationPort: 443, protocol: 'TCP', fqdn: 'pastebin.com' }]);
    expect(e.allowed).toEqual([]);
    expect(e.denied[0]).toMatchObject({ layer: 'nsg', nsgRule: { ruleName: 'deny-pastebin-out' } });
  });
});
