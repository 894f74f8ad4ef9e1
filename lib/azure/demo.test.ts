import { describe, expect, it } from 'vitest';
import { demoScenario, podsOf } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { evaluateAzureFlow } from '../azure-rules/azure-flow-layers';
import { serviceTagIndex } from '../azure-rules/azure-service-tags';
import { evaluateAzureProbes } from '../../bin/commands/azure-support';
import { DEMO_FIREWALL_PUBLIC_IP, demoAzureSnapshot } from './demo';

const azure = demoAzureSnapshot();

describe('the demo ships the service tag ranges its rules name (issue 16)', () => {
  it('loads them as `az network list-service-tags` prints them, without errors', () => {
    expect(azure.errors).toEqual([]);
    expect(azure.serviceTags.map((l) => [l.cloud, l.tags.map((t) => t.name)])).toEqual([['Public', ['AzureCloud.westeurope', 'AzureCloud.northeurope', 'AzureCloud']]]);
  });

  it('AzureCloud.westeurope holds the demo API server and firewall addresses; AzureCloud holds the region', () => {
    const tags = serviceTagIndex(azure);
    expect(tags.contains('AzureCloud.westeurope', '20.50.12.7')).toBe(true);
    expect(tags.contains('AzureCloud.westeurope', DEMO_FIREWALL_PUBLIC_IP)).toBe(true);
    expect(tags.contains('AzureCloud.northeurope', '20.50.12.7')).toBe(false);
    for (const ip of ['20.50.12.7', DEMO_FIREWALL_PUBLIC_IP, '20.38.64.1']) expect(tags.contains('AzureCloud', ip)).toBe(true);
  });

  it('every tag a demo NSG or firewall rule names is loaded', () => {
    const tags = serviceTagIndex(azure);
    const named = azure.firewallPolicies.flatMap((p) => p.ruleCollectionGroups.flatMap((g) => g.ruleCollections.flatMap((c) => c.rules.flatMap((r) => (r.kind === 'application' ? [] : r.destinationAddresses)))));
    const tagNames = named.filter((a) => /^[A-Za-z]/.test(a));
    expect(tagNames.length).toBeGreaterThan(0);
    for (const t of tagNames) expect(tags.has(t), t).toBe(true);
  });

  it('the AKS recipe rules apiudp / apitcp allow the tunnel to the API server (limit-egress-traffic.md)', () => {
    const [udp, tcp] = evaluateAzureProbes(azure, [
      { from: 'aks-subnet', to: '20.50.12.7', port: 1194, protocol: 'UDP' },
      { from: 'aks-subnet', to: '20.50.12.7', port: 9000, protocol: 'TCP' },
    ]);
    expect(udp).toMatchObject({ verdict: 'allowed', layers: { firewall: { decidingRule: { rule: 'apiudp' } } } });
    expect(tcp).toMatchObject({ verdict: 'allowed', layers: { firewall: { decidingRule: { rule: 'apitcp' } } } });
  });

  it('every demo flow that leaves the cluster gets a decided Azure verdict, none unknown', () => {
    const scenario = demoScenario();
    const cluster = demoSnapshot(scenario).snapshot;
    let checked = 0;
    for (const t of scenario.traffic) {
      if (!('workload' in t.from) || !('ip' in t.to) || !t.to.ip) continue;
      const pod = podsOf(scenario, t.from.workload)[0];
      const nodeIp = cluster.nodes.find((n) => n.name === pod.node)?.ips[0];
      const fqdn = 'world' in t.to ? t.to.world || undefined : undefined;
      const r = evaluateAzureFlow(azure, { sourceIp: pod.ip!, sourceNodeIp: nodeIp, destinationIp: t.to.ip, destinationPort: t.port, protocol: t.protocol, fqdn });
      expect(r.verdict, t.id).not.toBe('unknown');
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });
});
