import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { computeFindings } from './findings';
import { fqdnWithoutDnsProxyFindings } from './fqdn-proxy-finding';
import { PolicyEngine } from '../policy-engine/engine';
import { ccnp, cluster, cnp, np, type PodSpec } from '../policy-engine/testing/cluster-fixture';
import type { PolicyObject } from '../k8s/types';

const PODS: PodSpec[] = [
  { ns: 'shop', name: 'web-7d9f-abcde', labels: { app: 'web', 'pod-template-hash': '7d9f' }, ip: '10.244.0.11' },
  { ns: 'shop', name: 'batch', labels: { app: 'batch' }, ip: '10.244.0.12' },
  { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.1.20', node: 'node-b', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] },
];
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const toStripe = { toFQDNs: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.stripe.network' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
const webEgress = (...egress: Record<string, unknown>[]) => cnp('shop', 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress });
const l4Dns = np('shop', 'web-dns', {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Egress'],
  egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }],
});

const findingsOf = (policies: PolicyObject[]) => {
  const snapshot = cluster({ pods: PODS, policies });
  return computeFindings({ snapshot, engine: new PolicyEngine(snapshot) });
};
const fqdnFinding = (policies: PolicyObject[]) => findingsOf(policies).find((f) => f.id === 'fqdn-without-dns-proxy');

// Issue 16, item 2. docs.cilium.io, Policy Language, "DNS based": toFQDNs allows only the addresses the DNS
// proxy learned, which needs the pod's DNS traffic to be allowed by a rule with L7 `rules.dns`.
describe('finding fqdn-without-dns-proxy', () => {
  it('only an L4 allow of UDP/53 to kube-dns: raised, naming the rule, why, and a DNS-proxy fix for the workload', () => {
    const f = fqdnFinding([webEgress(toStripe), l4Dns]);
    expect(f).toMatchObject({ key: 'fqdn-without-dns-proxy:shop/web-egress', severity: 'medium', namespace: 'shop', title: expect.stringContaining('toFQDNs without a DNS proxy rule') });
    expect(f!.objects).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'web-egress' }, { kind: 'Pod', namespace: 'shop', name: 'web-7d9f-abcde' }]);
    expect(f!.evidence[0].text).toMatch(/toFQDNs api\.stripe\.com \(egress\[0\]\), \*\.stripe\.network \(egress\[0\]\) never match, because DNS to kube-dns is allowed at L4 only \(web-dns egress\[0\]\)/);
    const fix = parse(f!.fix.yaml!);
    expect(fix).toEqual({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web-7d9f-abcde-dns-proxy', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }] },
    });
    // The fix, applied, clears the finding (the engine verifies it).
    expect(fqdnFinding([webEgress(toStripe), l4Dns, cnp('shop', 'fix', fix.spec)])).toBeUndefined();
  });

  it('no DNS rule at all: raised, saying DNS is not allowed', () => {
    expect(fqdnFinding([webEgress(toStripe)])!.evidence[0].text).toMatch(/DNS lookups to kube-dns are not allowed at all/);
  });

  it('DNS rules that do not cover the names: raised, naming them', () => {
    const dnsGithub = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.github.com' }] } }] };
    expect(fqdnFinding([webEgress(dnsGithub, toStripe)])!.evidence[0].text).toMatch(/its DNS rules \(web-egress egress\[0\]\) do not cover api\.stripe\.com/);
  });

  it('a DNS proxy rule covering the names: not raised', () => {
    const dnsAll = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.stripe.com' }, { matchPattern: '**.stripe.network' }] } }] };
    expect(fqdnFinding([webEgress(dnsAll, toStripe)])).toBeUndefined();
  });

  it('a DNS rule covering only the observed names of a pattern counts as covering it (deliberately narrow DNS)', () => {
    const narrow = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'api.stripe.com' }, { matchName: 'm.stripe.network' }] } }] };
    const snapshot = cluster({ pods: PODS, policies: [webEgress(narrow, toStripe)] });
    const observed = { 'm.stripe.network': ['1.2.3.4'] };
    expect(fqdnWithoutDnsProxyFindings(new PolicyEngine(snapshot, { dns: observed }), observed)).toEqual([]);
    expect(fqdnFinding([webEgress(narrow, toStripe)])!.evidence[0].text).toMatch(/\*\.stripe\.network/);
  });

  it('pods not isolated for egress (enableDefaultDeny egress false) pass anyway: not raised', () => {
    const visibility = cnp('shop', 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, enableDefaultDeny: { egress: false }, egress: [toStripe] });
    expect(fqdnFinding([visibility])).toBeUndefined();
  });
});

// Issue 16, item 4. docs.cilium.io "Host Policies": a CCNP with nodeSelector selects nodes, not pods.
describe('host policies and policy-selects-nothing', () => {
  it('a host policy is never reported as selecting no pod; a pod policy selecting nothing still is', () => {
    const host = ccnp('lock-nodes', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] });
    const typo = ccnp('typo', { endpointSelector: { matchLabels: { app: 'wbe' } }, ingress: [{ fromEntities: ['cluster'] }] });
    const keys = findingsOf([host, typo]).filter((f) => f.id === 'policy-selects-nothing').map((f) => f.key);
    expect(keys).toEqual(['policy-selects-nothing:/typo']);
  });
});

describe('the demo scenario', () => {
  it('pairs its toFQDNs rule with a DNS proxy rule: no fqdn-without-dns-proxy finding', () => {
    const { snapshot } = demoSnapshot(demoScenario());
    expect(computeFindings({ snapshot }).filter((f) => f.id === 'fqdn-without-dns-proxy')).toEqual([]);
  });
});
