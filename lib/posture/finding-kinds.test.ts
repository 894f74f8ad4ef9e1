/**
 * Every finding kind has a producer (issue 16, item 13): a kind nothing raises is a promise the product does
 * not keep. The record below is typed over FindingId, so adding a kind without a producer here fails to
 * compile, and each entry must really raise its kind from a realistic input.
 */

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import { loadAzureDir } from '../azure/files-source';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { azureFindings } from './azure-findings';
import type { Finding, FindingId } from './finding';
import { computeFindings } from './findings';
import { FlowSummary } from './flow-summary';
import { demoFlows } from './testing/demo-flows';
import { cluster, cnp, np, type PodSpec } from '../policy-engine/testing/cluster-fixture';

const scenario = demoScenario();
const demoCluster = () => computeFindings({ snapshot: demoSnapshot(scenario).snapshot, flows: new FlowSummary().addAll(demoFlows(scenario)).snapshot() });
const demoAzure = () => azureFindings(demoAzureSnapshot(), { networkPolicyCount: 0 });
const pods: PodSpec[] = [
  { ns: 'app', name: 'web', labels: { app: 'web' }, ip: '10.244.0.5' },
  { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.53', ports: [{ containerPort: 53, protocol: 'UDP' }] },
];

const PRODUCERS: Record<FindingId, () => Finding[] | Promise<Finding[]>> = {
  'unprotected-namespace': demoCluster,
  'no-default-deny': demoCluster,
  'open-egress': demoCluster,
  'dns-egress-missing': demoCluster,
  'audit-would-deny': demoCluster,
  'dns-egress-too-broad': () => computeFindings({ snapshot: cluster({ pods, policies: [np('app', 'dns-anywhere', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] })] }) }),
  'policy-selects-nothing': () => computeFindings({ snapshot: cluster({ pods, policies: [cnp('app', 'typo', { endpointSelector: { matchLabels: { app: 'wbe' } }, ingress: [{}] })] }) }),
  'fqdn-without-dns-proxy': () =>
    computeFindings({ snapshot: cluster({ pods, policies: [cnp('app', 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] })] }) }),
  'legacy-policy-engine': () => computeFindings({ snapshot: cluster({ pods: [...pods, { ns: 'kube-system', name: 'azure-npm-x1', labels: { 'k8s-app': 'azure-npm' }, ip: '10.224.0.4', hostNetwork: true }] }) }),
  'nsg-open-inbound': demoAzure,
  'nsg-only-control': demoAzure,
  'firewall-rule-too-broad': demoAzure,
  'egress-not-locked': async () => azureFindings(await loadAzureDir(path.join(__dirname, '..', 'azure', 'testdata', 'az-export')), { nodeIps: ['10.10.9.4'] }),
};

describe('every finding kind is produced', () => {
  it.each(Object.entries(PRODUCERS))('%s', async (id, produce) => {
    expect((await produce()).map((f) => f.id)).toContain(id);
  });
});
