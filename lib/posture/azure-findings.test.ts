/**
 * nsg-open-inbound comes from internet probes evaluated through the NSGs (issue 16, item 11).
 * Azure semantics (learn.microsoft.com/azure/virtual-network/network-security-groups-overview, "Security
 * rules": rules are processed in priority order, lower numbers first, and processing stops at the first
 * match; network-security-group-how-it-works, "Inbound traffic": the subnet NSG is evaluated first, then the
 * NIC NSG, and traffic must be allowed by both).
 */

import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import type { AzureSnapshot, NetworkSecurityGroup, SecurityRule } from '../azure/types';
import { azureFindings } from './azure-findings';
import type { Finding } from './finding';

const demo = demoAzureSnapshot();
const SSH = 'nsg-open-inbound:aks-agentpool-31415926-nsg/allow-ssh-from-anywhere';

function rule(name: string, priority: number, access: 'Allow' | 'Deny', o: Partial<SecurityRule> = {}): SecurityRule {
  return { name, priority, direction: 'Inbound', access, protocol: 'Tcp', sourcePrefixes: ['Internet'], sourcePorts: ['*'], destinationPrefixes: ['*'], destinationPorts: ['*'], sourceAsgIds: [], destinationAsgIds: [], isDefault: false, ...o };
}

function withRules(...rules: SecurityRule[]): AzureSnapshot {
  const s = structuredClone(demo);
  s.networkSecurityGroups[0].securityRules.push(...rules);
  return s;
}

const find = (s: AzureSnapshot, key: string): Finding | undefined => azureFindings(s, { networkPolicyCount: 12 }).find((f) => f.key === key);

describe('nsg-open-inbound from probes through the NSGs', () => {
  it('the demo SSH rule admits internet hosts on 22: critical, with the probe that got in', () => {
    const f = find(demo, SSH)!;
    expect(f.severity).toBe('critical');
    expect(f.evidence[0].text).toMatch(/^An internet host \(e\.g\. 203\.0\.113\.200\) reaches 10\.224\.0\.4:22\/TCP through aks-subnet: inbound rule allow-ssh-from-anywhere \(priority 1000\)/);
  });

  it('a higher-priority Deny for the Internet on 22 shadows the Allow: no finding', () => {
    expect(find(withRules(rule('deny-ssh', 900, 'Deny', { destinationPorts: ['22'] })), SSH)).toBeUndefined();
  });

  it('a Deny above on a service tag that is not loaded makes it uncertain: "may allow", one step lower, naming the tag (never a silent pass)', () => {
    const f = find(withRules(rule('deny-frontdoor', 900, 'Deny', { sourcePrefixes: ['AzureFrontDoor.Backend'], destinationPorts: ['22'] })), SSH)!;
    expect(f.severity).toBe('high');
    expect(f.title).toBe('NSG aks-agentpool-31415926-nsg may allow management port 22 from the Internet (rule allow-ssh-from-anywhere)');
    expect(f.evidence[0].text).toMatch(/deny-frontdoor \(priority 900\) denies it if it matches: .*AzureFrontDoor\.Backend/);
  });

  it('a lower-priority Deny (evaluated after the Allow) changes nothing', () => {
    expect(find(withRules(rule('deny-ssh-late', 1100, 'Deny', { destinationPorts: ['22'] })), SSH)?.severity).toBe('critical');
  });

  it('a Deny above that covers one source range does not shadow the rule for the rest of the internet', () => {
    const f = find(withRules(rule('deny-bad-range', 900, 'Deny', { sourcePrefixes: ['203.0.113.0/24'], destinationPorts: ['22'] })), SSH)!;
    expect(f.severity).toBe('critical');
    expect(f.evidence[0].text).toMatch(/e\.g\. 198\.51\.100\.200/);
  });

  it('an any-port Allow with 22 and 3389 denied above: still open on other ports (medium), and the closed ports are named', () => {
    const s = withRules(rule('deny-mgmt', 200, 'Deny', { destinationPorts: ['22', '3389'] }), rule('allow-all-in', 300, 'Allow'));
    s.networkSecurityGroups[0].securityRules = s.networkSecurityGroups[0].securityRules.filter((r) => r.name !== 'allow-ssh-from-anywhere');
    const f = find(s, 'nsg-open-inbound:aks-agentpool-31415926-nsg/allow-all-in')!;
    expect(f.severity).toBe('medium');
    expect(f.title).toBe('NSG aks-agentpool-31415926-nsg allows ports such as 1, 80, 443, 445 from the Internet (rule allow-all-in)');
    expect(f.evidence[1].text).toBe('Ports 22, 3389 of the rule are closed first by aks-agentpool-31415926-nsg/deny-mgmt (priority 200).');
  });

  it('an any-port Allow with nothing above it opens every port: critical', () => {
    const f = find(withRules(rule('allow-all-in', 300, 'Allow')), 'nsg-open-inbound:aks-agentpool-31415926-nsg/allow-all-in')!;
    expect(f).toMatchObject({ severity: 'critical', title: 'NSG aks-agentpool-31415926-nsg allows every port from the Internet (rule allow-all-in)' });
  });

  it('the subnet NSG allows SSH but every NIC NSG denies it: both must allow, so no finding', () => {
    const s = structuredClone(demo);
    const nicNsg: NetworkSecurityGroup = { id: `${demo.networkSecurityGroups[0].id}-nic`, name: 'nic-nsg', securityRules: [rule('deny-ssh-nic', 100, 'Deny', { sourcePrefixes: ['*'], destinationPorts: ['22'] })], defaultSecurityRules: [], subnetIds: [], networkInterfaceIds: [] };
    s.networkSecurityGroups.push(nicNsg);
    for (const nic of s.networkInterfaces) nic.networkSecurityGroupId = nicNsg.id;
    expect(find(s, SSH)).toBeUndefined();
  });

  it('one NIC without the denying NIC NSG keeps the exposure (probes go through every distinct NIC NSG)', () => {
    const s = structuredClone(demo);
    const nicNsg: NetworkSecurityGroup = { id: `${demo.networkSecurityGroups[0].id}-nic`, name: 'nic-nsg', securityRules: [rule('deny-ssh-nic', 100, 'Deny', { sourcePrefixes: ['*'], destinationPorts: ['22'] })], defaultSecurityRules: [], subnetIds: [], networkInterfaceIds: [] };
    s.networkSecurityGroups.push(nicNsg);
    s.networkInterfaces[0].networkSecurityGroupId = nicNsg.id;
    s.networkInterfaces[1].networkSecurityGroupId = nicNsg.id;
    expect(find(s, SSH)?.severity).toBe('critical');
  });

  it('an NSG attached to nothing filters nothing today: low, and said so', () => {
    const s = structuredClone(demo);
    s.networkSecurityGroups.push({ id: `${demo.networkSecurityGroups[0].id}-spare`, name: 'spare-nsg', securityRules: [rule('allow-rdp', 100, 'Allow', { destinationPorts: ['3389'] })], defaultSecurityRules: [], subnetIds: [], networkInterfaceIds: [] });
    const f = find(s, 'nsg-open-inbound:spare-nsg/allow-rdp')!;
    expect(f.severity).toBe('low');
    expect(f.title).toBe('NSG spare-nsg allows management port 3389 from the Internet (rule allow-rdp) but is not attached to any subnet or NIC');
  });

  it('the load-balancer rule names its frontend IP, outside the subnets: still probed, low (web ports)', () => {
    const f = find(demo, 'nsg-open-inbound:aks-agentpool-31415926-nsg/k8s-azure-lb_allow_IPv4_443')!;
    expect(f.severity).toBe('low');
  });
});
