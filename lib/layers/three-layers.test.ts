import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import { demoSnapshot } from '../k8s/demo-source';
import { PolicyEngine } from '../policy-engine/engine';
import { connectionOfFlow, threeLayers, type ObservedFlow } from './three-layers';

const cluster = demoSnapshot().snapshot;
const engine = new PolicyEngine(cluster);
const azure = demoAzureSnapshot();
const input = { cluster, engine, azure };

const pod = (ns: string, prefix: string) => cluster.pods.find((p) => p.namespace === ns && p.name.startsWith(prefix) && p.ip)!;
const legacy = pod('legacy', 'legacy-app');
const cron = pod('legacy', 'legacy-cron');
const frontend = pod('production', 'frontend');
const postgres = pod('production', 'postgres');
const nodeIp = (name: string | undefined) => cluster.nodes.find((n) => n.name === name)!.ips[0];

const toWorld = (from: typeof legacy, ip: string, name: string): ObservedFlow => ({
  source: { ip: from.ip!, port: 40000, namespace: from.namespace, pod: from.name },
  destination: { ip, port: 443, names: [`${name}.`] },
  protocol: 'TCP',
  isReply: false,
  node: from.node,
  direction: 'EGRESS',
});

describe('threeLayers', () => {
  it('legacy → api.github.com: NSG allows (default outbound), no policy isolates legacy, the *.com rule lets it out', () => {
    const r = threeLayers(toWorld(legacy, '140.82.121.6', 'api.github.com'), input);
    expect(r.connection).toMatchObject({ port: 443, protocol: 'TCP', fqdn: 'api.github.com', swapped: false, from: { nodeIp: nodeIp(legacy.node) } });
    expect(r.azureSeenAs?.sourceIp).toBe(nodeIp(legacy.node));
    // The 0.0.0.0/0 UDR puts every address in the VirtualNetwork tag, so AllowVnetOutBound matches first.
    expect(r.nsg).toMatchObject({ verdict: 'allowed', rule: 'aks-agentpool-31415926-nsg / AllowVnetOutBound (priority 65000, default rule)' });
    expect(r.policy).toMatchObject({ verdict: 'allowed', reason: expect.stringMatching(/egress: not isolated/) });
    expect(r.firewall).toMatchObject({ verdict: 'allowed', rule: 'aks-egress-fwp › aks-application › dev-convenience › allow-all-com' });
    expect(r.verdict).toBe('allowed');
  });

  it('pypi.org is denied by the firewall default deny, named as such', () => {
    const r = threeLayers(toWorld(legacy, '151.101.0.223', 'pypi.org'), input);
    expect(r.firewall).toMatchObject({ verdict: 'denied', rule: 'aks-egress-fw: default deny (no rule matched)' });
    expect(r.verdict).toBe('denied');
  });

  it('a reply is evaluated as the connection it answers (ends swapped)', () => {
    const f = toWorld(cron, '104.20.67.143', 'pastebin.com');
    const reply: ObservedFlow = { source: { ...f.destination, port: 443 }, destination: { ...f.source }, protocol: 'TCP', isReply: true, node: cron.node, direction: 'INGRESS' };
    const c = connectionOfFlow(reply, cluster);
    expect(c).toMatchObject({ swapped: true, port: 443, fqdn: 'pastebin.com', from: { pod: cron.name, node: cron.node }, to: { ip: '104.20.67.143' } });
    expect(threeLayers(reply, input).firewall.rule).toMatch(/allow-all-com/);
  });

  it('pod to pod: NSG and firewall are not on the path; policy decides with the deciding rule', () => {
    const r = threeLayers(
      { source: { ip: frontend.ip!, port: 50000, namespace: 'production', pod: frontend.name }, destination: { ip: postgres.ip!, port: 5432, namespace: 'production', pod: postgres.name }, protocol: 'TCP', isReply: false },
      input,
    );
    expect(r.nsg.verdict).toBe('not-on-path');
    expect(r.firewall.verdict).toBe('not-on-path');
    expect(r.policy.verdict).toBe('denied');
    expect(r.policy.reason).toMatch(/dropped at egress/);
    expect(r.policy.rule).toBe('default deny by NetworkPolicy production/allow-frontend-egress, NetworkPolicy production/default-deny-all (no rule allows it)');
    expect(r.verdict).toBe('denied');
  });

  it('internet → ingress controller: the NSG rule for the load balancer decides, the policy allows by name', () => {
    const ingress = pod('ingress-nginx', 'ingress-nginx-controller');
    const r = threeLayers(
      { source: { ip: '203.0.113.42', port: 51000 }, destination: { ip: ingress.ip!, port: 443, namespace: ingress.namespace, pod: ingress.name }, protocol: 'TCP', isReply: false },
      input,
    );
    expect(r.nsg).toMatchObject({ verdict: 'allowed', rule: expect.stringMatching(/k8s-azure-lb_allow_IPv4_443/) });
    expect(r.policy).toMatchObject({ verdict: 'allowed', rule: expect.stringMatching(/ingress-nginx\/ingress-controller ingress\[/) });
    expect(r.firewall.verdict).toBe('not-on-path');
  });

  it('without Azure or cluster data the layers say unknown instead of guessing', () => {
    const r = threeLayers(toWorld(legacy, '140.82.121.6', 'api.github.com'), {});
    expect(r.nsg.verdict).toBe('unknown');
    expect(r.policy.verdict).toBe('unknown');
    expect(r.firewall.verdict).toBe('unknown');
    expect(r.verdict).toBe('unknown');
  });

  it('a pod unknown to the cluster takes its node from the observing node (Hubble spells it cluster/node)', () => {
    const f = toWorld(legacy, '140.82.121.6', 'api.github.com');
    const r = connectionOfFlow({ ...f, source: { ...f.source, pod: 'gone-pod', ip: '10.244.9.9' }, node: 'aks-prod-weu/aks-nodepool1-31415926-vmss000002' }, cluster);
    expect(r.from).toMatchObject({ node: 'aks-nodepool1-31415926-vmss000002', nodeIp: '10.224.0.6' });
  });

  it('ICMP is not judged by the policy layer', () => {
    const r = threeLayers({ ...toWorld(legacy, '140.82.121.6', 'api.github.com'), protocol: 'ICMPv4' }, input);
    expect(r.policy.verdict).toBe('unknown');
    expect(r.connection.protocol).toBe('ICMP');
  });

  it('an NSG that cannot be decided is an unknown cell naming the tag, and the strip is unknown, not allowed', () => {
    // Issue 16: a Deny to AzureCloud without the published ranges used to show "allowed".
    const noTags = structuredClone(azure);
    noTags.serviceTags = [];
    const nsg = noTags.networkSecurityGroups[0];
    nsg.securityRules.push({ ...nsg.securityRules[0], name: 'deny-azurecloud-out', priority: 300, direction: 'Outbound', access: 'Deny', protocol: '*', sourcePrefixes: ['*'], destinationPrefixes: ['AzureCloud'], destinationPorts: ['*'] });
    const r = threeLayers(toWorld(legacy, '140.82.121.6', 'api.github.com'), { ...input, azure: noTags });
    expect(r.nsg).toMatchObject({ verdict: 'unknown', rule: 'aks-agentpool-31415926-nsg / deny-azurecloud-out (priority 300) · needs service tag AzureCloud' });
    expect(r.nsg.reason).toMatch(/service tag AzureCloud cannot be expanded/);
    expect(r.verdict).toBe('unknown');
    // With the demo's ranges the deny is decided: 140.82.121.6 is not in AzureCloud.
    const decided = threeLayers(toWorld(legacy, '140.82.121.6', 'api.github.com'), { ...input, azure: { ...noTags, serviceTags: azure.serviceTags } });
    expect(decided.nsg.verdict).toBe('allowed');
  });
});
