import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLeast } from '../../lib/posture/finding';
import { AzureProbeInputError, azureFindings, azureSourceFromEnv, evaluateAzureProbes, loadAzureDir } from './azure-support';
import { demoAzureSnapshot } from '../../lib/azure/demo';

const EXPORT = path.join(__dirname, '..', '..', 'lib', 'azure', 'testdata', 'az-export');

describe('evaluateAzureProbes on the az export', async () => {
  const s = await loadAzureDir(EXPORT);

  it('answers per layer with the deciding rule', () => {
    const [ssh, rdp, github, pypi, jumpOut] = evaluateAzureProbes(s, [
      { from: 'Internet', to: '10.10.0.4', port: 22, protocol: 'tcp' },
      { from: '198.51.100.20', to: 'vm-jumpbox-nic', port: 3389, protocol: 'TCP' },
      { from: 'snet-aks-nodes', to: '140.82.121.6', port: 443, protocol: 'TCP', fqdn: 'api.github.com' },
      { from: '10.10.0.5', to: '151.101.0.223', port: 443, fqdn: 'pypi.org' },
      { from: 'snet-jumpbox', to: 'Internet', port: 443 },
    ]);
    expect(ssh.layers.nsg).toMatchObject({ verdict: 'allowed', decidingRule: { nsgName: 'aks-agentpool-12345678-nsg', ruleName: 'AllowSSHFromOffice', priority: 1000, isDefault: false } });
    expect(ssh.from).toMatchObject({ resolvedFrom: 'internet' });
    // Subnet NSG allows RDP from the office; the NIC NSG denies it: both must allow.
    expect(rdp.verdict).toBe('denied');
    expect(rdp.layers.nsg.decidingRule).toMatchObject({ nsgName: 'nsg-jumpbox-nic', ruleName: 'deny-rdp' });
    expect(rdp.to).toMatchObject({ resolvedFrom: 'nic', ip: '10.10.9.4' });
    expect(github.from).toMatchObject({ resolvedFrom: 'subnet', ip: '10.10.0.4' });
    expect(github.layers.firewall).toMatchObject({ verdict: 'allowed', firewall: { name: 'afw-prod' }, decidingRule: { ruleCollectionGroup: { name: 'DefaultApplicationRuleCollectionGroup' }, ruleCollection: { name: 'github' }, rule: 'github', action: 'Allow' } });
    expect(pypi.layers.firewall.verdict).toBe('denied');
    expect(pypi.verdict).toBe('denied');
    expect(jumpOut.layers.firewall.verdict).toBe('not-on-path');
    expect(jumpOut.layers.egress?.kind).toBe('nat-gateway');
  });

  it('accepts { probes: [...] } and defaults the protocol to TCP', () => {
    const [r] = evaluateAzureProbes(s, { probes: [{ from: '10.10.0.4', to: '10.10.0.5', port: 10250 }] });
    expect(r.probe.protocol).toBe('TCP');
    expect(r.layers.nsg.verdict).toBe('allowed');
  });

  it.each([
    [[{ from: 'Internet', to: '10.10.0.4', port: 'ssh' }], /probe #0 field "port"/],
    [[{ from: 'Internet', to: '10.10.0.4', port: 22 }, { from: 'Internet', to: '10.10.0.4', port: 22, protocol: 'SCTP' }], /probe #1 field "protocol": expected TCP, UDP or ICMP/],
    [[{ to: '10.10.0.4', port: 22 }], /probe #0 field "from"/],
    [[{ from: 'nowhere', to: '10.10.0.4', port: 22 }], /probe #0 field "from": "nowhere" is not an IP/],
    [{ nope: true }, /expected an array of probes/],
  ])('rejects bad probes naming index and field: %j', (input, message) => {
    expect(() => evaluateAzureProbes(s, input)).toThrow(AzureProbeInputError);
    expect(() => evaluateAzureProbes(s, input)).toThrow(message);
  });
});

describe('azureFindings on the az export', async () => {
  const s = await loadAzureDir(EXPORT);
  const findings = azureFindings(s, { networkPolicyCount: 0 });
  const keys = findings.map((f) => `${f.severity} ${f.key}`);

  it('raises the expected findings with az fixes', () => {
    expect(keys).toContain('critical nsg-open-inbound:aks-agentpool-12345678-nsg/AllowSSHFromOffice');
    expect(keys).toContain('low nsg-open-inbound:aks-agentpool-12345678-nsg/k8s-azure-lb_allow_IPv4_a1b2c3d4e5f6');
    expect(keys).toContain('high firewall-rule-too-broad:afw-prod/anything-dot-io/io-wildcard');
    expect(keys).toContain('high nsg-only-control:aks-agentpool-12345678-nsg');
    // The node subnet routes 0.0.0.0/0 to the firewall, so its egress is locked; the jumpbox is not a cluster subnet.
    expect(keys.some((k) => k.includes('egress-not-locked'))).toBe(false);
    for (const f of findings) expect(f.fix.commands?.length).toBeGreaterThan(0);
    const ssh = findings.find((f) => f.key.endsWith('AllowSSHFromOffice'))!;
    expect(ssh.fix.commands![0]).toBe('az network nsg rule update -g MC_rg-aks-prod_aks-prod_westeurope --nsg-name aks-agentpool-12345678-nsg -n AllowSSHFromOffice --source-address-prefixes <admin-cidr>');
    const io = findings.find((f) => f.id === 'firewall-rule-too-broad')!;
    expect(io.fix.commands![0]).toMatch(/^az network firewall policy rule-collection-group collection rule remove -g rg-aks-prod --policy-name afwp-prod --rcg-name DefaultApplicationRuleCollectionGroup --collection-name anything-dot-io --name io-wildcard$/);
  });

  it('orders most severe first so --fail-on can stop at the first', () => {
    expect(atLeast(findings[0].severity, 'critical')).toBe(true);
  });

  it('does not raise nsg-only-control when policies exist or the count is unknown', () => {
    expect(azureFindings(s, { networkPolicyCount: 3 }).some((f) => f.id === 'nsg-only-control')).toBe(false);
    expect(azureFindings(s).some((f) => f.id === 'nsg-only-control')).toBe(false);
  });

  it('raises egress-not-locked for a cluster subnet without a firewall route', () => {
    const jump = azureFindings(s, { nodeIps: ['10.10.9.4'] }).find((f) => f.id === 'egress-not-locked');
    expect(jump).toMatchObject({ key: 'egress-not-locked:snet-jumpbox', severity: 'high' });
    expect(jump!.evidence[0].text).toMatch(/NAT gateway ng-jumpbox/);
    expect(jump!.fix.commands!.join('\n')).toMatch(/--next-hop-type VirtualAppliance --next-hop-ip-address 10\.10\.8\.4/);
  });
});

describe('azureSourceFromEnv', () => {
  it('picks files, ARM or demo, and rejects bad values with what to set', () => {
    expect(azureSourceFromEnv({ FLOWSIGHT_AZURE_DIR: EXPORT }).kind).toBe('files');
    expect(azureSourceFromEnv({ FLOWSIGHT_AZURE_SUBSCRIPTION: '11111111-2222-4333-8444-555555555555', FLOWSIGHT_AZURE_RESOURCE_GROUPS: 'a, b' }).kind).toBe('arm');
    expect(azureSourceFromEnv({}).kind).toBe('demo');
    expect(() => azureSourceFromEnv({ FLOWSIGHT_AZURE_SUBSCRIPTION: 'my-sub' })).toThrow(/must be a subscription id/);
    expect(() => azureSourceFromEnv({ FLOWSIGHT_AZURE_DIR: EXPORT, FLOWSIGHT_AZURE_SUBSCRIPTION: '11111111-2222-4333-8444-555555555555' })).toThrow(/not both/);
  });
});

describe('the demo snapshot', () => {
  const s = demoAzureSnapshot();

  it('loads cleanly and matches the demo cluster: nodes in the AKS subnet, egress via the firewall', () => {
    expect(s.errors).toEqual([]);
    const [probe] = evaluateAzureProbes(s, [{ from: '10.224.0.5', to: '104.20.67.143', port: 443, fqdn: 'pastebin.com' }]);
    expect(probe.from.subnet).toBe('aks-subnet');
    expect(probe.layers.egress).toMatchObject({ kind: 'firewall', firewall: { name: 'aks-egress-fw', privateIp: '10.225.0.4' } });
    // The too-broad `*.com` rule lets the exfiltration path through.
    expect(probe.layers.firewall.decidingRule).toMatchObject({ ruleCollection: { name: 'dev-convenience' }, rule: 'allow-all-com' });
  });

  it.each([
    ['mcr.microsoft.com', '204.79.197.219', 'allowed', 'aks-fqdn'],
    ['api.stripe.com', '54.187.174.169', 'allowed', 'payments-stripe'],
    ['pypi.org', '151.101.0.223', 'denied', undefined],
    ['management.azure.com', '4.150.240.10', 'allowed', 'aks-fqdn'],
  ])('firewall on %s', (fqdn, ip, verdict, rule) => {
    const [r] = evaluateAzureProbes(s, [{ from: 'aks-subnet', to: ip, port: 443, fqdn }]);
    expect(r.layers.firewall.verdict).toBe(verdict);
    expect(r.layers.firewall.decidingRule?.rule).toBe(rule);
  });

  it('raises the demo findings: SSH from the Internet, the *.com rule, the VirtualNetwork trap', () => {
    const keys = azureFindings(s, { networkPolicyCount: 12 }).map((f) => f.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'nsg-open-inbound:aks-agentpool-31415926-nsg/allow-ssh-from-anywhere',
        'firewall-rule-too-broad:aks-egress-fw/dev-convenience/allow-all-com',
        'nsg-open-inbound:aks-agentpool-31415926-nsg/AllowVnetInBound',
      ]),
    );
    expect(keys.some((k) => k.startsWith('egress-not-locked'))).toBe(false);
  });
});
