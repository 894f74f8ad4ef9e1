import { describe, expect, it } from 'vitest';
import { PolicyEngine, isEngineError, type ConnectionVerdict, type Connection } from './engine';
import { ccnp, cluster, cnp, np, policy, type PodSpec } from './testing/cluster-fixture';
import type { PolicyObject } from '../k8s/types';
import type { PeerRef } from './peer-ref';
import { AUDIT_MODE_ANNOTATION } from './cilium-policy';

const PODS: PodSpec[] = [
  { ns: 'shop', name: 'api', labels: { app: 'api' }, ip: '10.244.0.10', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
  { ns: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.244.0.11' },
  { ns: 'shop', name: 'batch', labels: { app: 'batch' }, ip: '10.244.0.12' },
  { ns: 'other', name: 'web', labels: { app: 'web' }, ip: '10.244.1.10', node: 'node-b' },
  { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.1.20', node: 'node-b', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] },
];
const DNS = { 'api.stripe.com': ['54.187.174.169'], 'files.stripe.com': ['54.187.174.170'], 'evil.example': ['66.66.66.66'] };

function run(policies: PolicyObject[], conn: Partial<Connection> & { from: PeerRef; to: PeerRef }): ConnectionVerdict {
  const engine = new PolicyEngine(cluster({ pods: PODS, policies }), { dns: DNS });
  expect(engine.errors.filter((e) => e.severity === 'error')).toEqual([]);
  const r = engine.evaluate({ port: 8080, protocol: 'TCP', ...conn });
  if (isEngineError(r)) throw new Error(r.error.message);
  return r;
}
const pod = (ref: string): PeerRef => ({ pod: ref });
const apiIngress = (rule: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  cnp('shop', 'api-ingress', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [rule], ...extra });
const webEgress = (rule: Record<string, unknown>, ns = 'shop') => cnp(ns, 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [rule] });
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
/** The docs' companion of every toFQDNs rule: DNS to kube-dns through the proxy, with these DNS patterns. */
const dnsProxyRule = (...dns: Record<string, string>[]) => ({ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: dns.length ? dns : [{ matchPattern: '*' }] } }] });
/** web's egress: the DNS proxy rule first, then `rule` (egress[1]). */
const webEgressWithProxy = (rule: Record<string, unknown>) => cnp('shop', 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [dnsProxyRule(), rule] });

describe('Cilium: endpoint selectors', () => {
  const cases: [string, PolicyObject, string, boolean][] = [
    ['fromEndpoints without a namespace label: the policy namespace', apiIngress({ fromEndpoints: [{ matchLabels: { app: 'web' } }] }), 'shop/web', true],
    ['fromEndpoints without a namespace label: not other namespaces', apiIngress({ fromEndpoints: [{ matchLabels: { app: 'web' } }] }), 'other/web', false],
    ['namespace label with k8s: prefix', apiIngress({ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other', 'k8s:app': 'web' } }] }), 'other/web', true],
    ['namespace label without prefix', apiIngress({ fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'other', app: 'web' } }] }), 'other/web', true],
    ['namespace label selects only that namespace', apiIngress({ fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'other' } }] }), 'shop/web', false],
    ['namespace labels through io.cilium.k8s.namespace.labels', apiIngress({ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'other' } }] }), 'other/web', true],
    ['fromEndpoints [{}] in a CNP: every pod of its namespace', apiIngress({ fromEndpoints: [{}] }), 'shop/batch', true],
    ['fromEndpoints [{}] in a CNP: not other namespaces', apiIngress({ fromEndpoints: [{}] }), 'other/web', false],
    ['CCNP fromEndpoints [{}]: every namespace', ccnp('api-in', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}] }] }), 'other/web', true],
    ['fromEndpoints and toPorts in one rule are ANDed', apiIngress({ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '9090' }] }] }), 'shop/web', false],
  ];
  it.each(cases)('%s', (_n, policy, from, allowed) => {
    const r = run([policy], { from: pod(from), to: pod('shop/api') });
    expect(r.ingress.allowed).toBe(allowed);
    expect(r.ingress.isolated).toBe(true);
  });

  it('a CNP endpointSelector only selects pods of its namespace; a CCNP selects everywhere', () => {
    const engine = new PolicyEngine(cluster({
      pods: PODS,
      policies: [cnp('shop', 'webs', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }), ccnp('all-webs', { endpointSelector: { matchLabels: { 'k8s:app': 'web' } }, egress: [{}] })],
    }));
    const names = (name: string, ns?: string) => engine.selectedPods({ kind: ns ? 'CiliumNetworkPolicy' : 'CiliumClusterwideNetworkPolicy', ...(ns ? { namespace: ns } : {}), name }).map((p) => `${p.namespace}/${p.name}`);
    expect(names('webs', 'shop')).toEqual(['shop/web']);
    expect(names('all-webs')).toEqual(['shop/web', 'other/web']);
  });
});

describe('Cilium: default deny and empty rules', () => {
  it('ingress: [{}] puts the endpoint in default deny (unlike a NetworkPolicy, where it allows all)', () => {
    const cilium = run([apiIngress({})], { from: pod('shop/web'), to: pod('shop/api') });
    expect(cilium.ingress).toMatchObject({ allowed: false, isolated: true, reason: 'default-deny' });
    const k8s = run([np('shop', 'all', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{}] })], { from: pod('shop/web'), to: pod('shop/api') });
    expect(k8s.ingress.allowed).toBe(true);
  });
  it('an explicitly empty peer list selects no peer, even with ports', () => {
    const r = run([apiIngress({ fromEndpoints: [], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] })], { from: pod('shop/web'), to: pod('shop/api') });
    expect(r.ingress).toMatchObject({ allowed: false, isolated: true });
  });
  it('toPorts alone means any peer on those ports', () => {
    const r = run([apiIngress({ toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] })], { from: { ip: '8.8.8.8' }, to: pod('shop/api') });
    expect(r.ingress.allowed).toBe(true);
  });
  it('enableDefaultDeny egress=false: rules allow without isolating', () => {
    const p = cnp('shop', 'visibility', { endpointSelector: { matchLabels: { app: 'web' } }, enableDefaultDeny: { egress: false }, egress: [{ toEndpoints: [{ matchLabels: { app: 'api' } }] }] });
    const r = run([p], { from: pod('shop/web'), to: { ip: '1.1.1.1' }, port: 443 });
    expect(r.egress).toMatchObject({ allowed: true, isolated: false, reason: 'not-isolated' });
  });
  it('a policy with only deny rules also enables default deny in that direction', () => {
    const p = cnp('shop', 'deny-world', { endpointSelector: { matchLabels: { app: 'web' } }, egressDeny: [{ toEntities: ['world'] }] });
    const r = run([p], { from: pod('shop/web'), to: pod('shop/api') });
    expect(r.egress).toMatchObject({ allowed: false, isolated: true, reason: 'default-deny' });
  });
});

describe('Cilium: CIDR, entities and FQDN', () => {
  const cases: [string, PolicyObject, PeerRef, boolean][] = [
    ['toCIDR matches an external address', webEgress({ toCIDR: ['54.0.0.0/8'] }), { ip: '54.187.174.169' }, true],
    ['toCIDR never matches a cluster pod, even inside the CIDR', webEgress({ toCIDR: ['10.0.0.0/8'] }), pod('shop/api'), false],
    ['toCIDRSet except', webEgress({ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['66.0.0.0/8'] }] }), { ip: '66.66.66.66' }, false],
    ['toCIDRSet outside except', webEgress({ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['66.0.0.0/8'] }] }), { ip: '1.1.1.1' }, true],
    ['entity world: internet', webEgress({ toEntities: ['world'] }), { ip: '1.1.1.1' }, true],
    ['entity world: not a pod', webEgress({ toEntities: ['world'] }), pod('shop/api'), false],
    ['entity world: an API server outside the cluster (AKS) is in world', webEgress({ toEntities: ['world'] }), { entity: 'kube-apiserver', ip: '20.50.12.7' }, true],
    ['entity cluster: pods of any namespace', webEgress({ toEntities: ['cluster'] }), pod('kube-system/coredns'), true],
    // cilium pkg/policy/api/entity.go, InitEntities: `cluster` includes the kube-apiserver selector, even
    // for an API server served from outside the cluster (AKS).
    ['entity cluster: the API server outside the cluster (AKS)', webEgress({ toEntities: ['cluster'] }), { entity: 'kube-apiserver', ip: '20.50.12.7' }, true],
    ['entity cluster: the API server by name only', webEgress({ toEntities: ['cluster'] }), { entity: 'kube-apiserver' }, true],
    ['entity cluster: the nodes', webEgress({ toEntities: ['cluster'] }), { ip: '10.224.0.5' }, true],
    ['entity cluster: not the internet', webEgress({ toEntities: ['cluster'] }), { ip: '1.1.1.1' }, false],
    ['entity host: the local node', webEgress({ toEntities: ['host'] }), { ip: '10.224.0.4' }, true],
    ['entity host: not another node', webEgress({ toEntities: ['host'] }), { ip: '10.224.0.5' }, false],
    ['entity remote-node: another node', webEgress({ toEntities: ['remote-node'] }), { ip: '10.224.0.5' }, true],
    ['entity kube-apiserver', webEgress({ toEntities: ['kube-apiserver'] }), { entity: 'kube-apiserver', ip: '20.50.12.7' }, true],
    ['entity all', webEgress({ toEntities: ['all'] }), { ip: '1.1.1.1' }, true],
    ['reserved:host label in toEndpoints', webEgress({ toEndpoints: [{ matchLabels: { 'reserved:host': '' } }] }), { ip: '10.224.0.4' }, true],
    ['toFQDNs matchName with the IP seen in DNS answers (and a DNS proxy rule)', webEgressWithProxy({ toFQDNs: [{ matchName: 'api.stripe.com' }] }), { ip: '54.187.174.169' }, true],
    ['toFQDNs matchName: another name', webEgressWithProxy({ toFQDNs: [{ matchName: 'api.stripe.com' }] }), { ip: '54.187.174.170' }, false],
    ['toFQDNs matchPattern', webEgressWithProxy({ toFQDNs: [{ matchPattern: '*.stripe.com' }] }), { ip: '54.187.174.170' }, true],
    ['toFQDNs: an IP no DNS answer named is not matched', webEgressWithProxy({ toFQDNs: [{ matchPattern: '*' }] }), { ip: '1.1.1.1' }, false],
  ];
  it.each(cases)('%s', (_n, policy, to, allowed) => {
    const r = run([policy], { from: pod('shop/web'), to, port: 443 });
    expect(r.egress.allowed).toBe(allowed);
    expect(r.egress.by.map((b) => b.name)).toEqual(allowed ? ['web-egress'] : []);
  });
});

describe('Cilium: ports and L7', () => {
  const http = (method: string, path: string) => ({ http: { method, path } });
  const l7Rule = { fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] };
  it.each([
    ['port range with endPort', { toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }] }] }, 8080, true],
    ['port range excludes', { toPorts: [{ ports: [{ port: '8000', endPort: 8079, protocol: 'TCP' }] }] }, 8080, false],
    ['named port in toPorts', { toPorts: [{ ports: [{ port: 'http' }] }] }, 8080, true],
  ] as const)('%s', (_n, rule, port, allowed) => {
    expect(run([apiIngress(rule)], { from: pod('shop/web'), to: pod('shop/api'), port }).ingress.allowed).toBe(allowed);
  });

  it('HTTP rules admit matching requests (path regex is a full match)', () => {
    const ok = run([apiIngress(l7Rule)], { from: pod('shop/web'), to: pod('shop/api'), l7: http('GET', '/api/orders') });
    expect(ok.ingress).toMatchObject({ allowed: true, by: [{ name: 'api-ingress', rule: 0, l7Rule: 0 }] });
    const prefixOnly = run([apiIngress(l7Rule)], { from: pod('shop/web'), to: pod('shop/api'), l7: http('GET', '/v2/api/orders') });
    expect(prefixOnly.ingress).toMatchObject({ allowed: false, reason: 'l7-denied' });
    const method = run([apiIngress(l7Rule)], { from: pod('shop/web'), to: pod('shop/api'), l7: http('DELETE', '/api/orders') });
    expect(method.ingress).toMatchObject({ allowed: false, reason: 'l7-denied', by: [{ name: 'api-ingress' }] });
    expect(method.verdict).toBe('DROPPED');
  });
  it('without request data the connection is allowed at L4 and marked L7-filtered', () => {
    const r = run([apiIngress(l7Rule)], { from: pod('shop/web'), to: pod('shop/api') });
    expect(r.ingress).toMatchObject({ allowed: true, l7Filtered: true });
  });
  it('an L4-only allow for the same peer and port wildcards the L7 rules (from a NetworkPolicy too)', () => {
    const l4 = np('shop', 'web-to-api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }] });
    const r = run([apiIngress(l7Rule), l4], { from: pod('shop/web'), to: pod('shop/api'), l7: http('DELETE', '/admin') });
    expect(r.ingress).toMatchObject({ allowed: true, by: [{ kind: 'NetworkPolicy', name: 'web-to-api' }] });
  });
  it('an L4-only allow for a different peer does not wildcard the L7 rules', () => {
    const l4 = np('shop', 'batch-to-api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'batch' } } }], ports: [{ port: 8080 }] }] });
    const r = run([apiIngress(l7Rule), l4], { from: pod('shop/web'), to: pod('shop/api'), l7: http('DELETE', '/admin') });
    expect(r.ingress).toMatchObject({ allowed: false, reason: 'l7-denied' });
  });
  it('DNS rules filter queries to kube-dns', () => {
    const p = webEgress({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.stripe.com' }] } }] });
    const ok = run([p], { from: pod('shop/web'), to: pod('kube-system/coredns'), port: 53, protocol: 'UDP', l7: { dns: { query: 'api.stripe.com.' } } });
    expect(ok.egress.allowed).toBe(true);
    const refused = run([p], { from: pod('shop/web'), to: pod('kube-system/coredns'), port: 53, protocol: 'UDP', l7: { dns: { query: 'evil.example.' } } });
    expect(refused.egress).toMatchObject({ allowed: false, reason: 'l7-denied' });
  });
});

describe('Cilium: deny precedence and audit mode', () => {
  it('ingressDeny wins over an allow, even from a NetworkPolicy allowing everything', () => {
    const allowAll = np('shop', 'allow-all', { podSelector: {}, ingress: [{}] });
    const deny = cnp('shop', 'no-web', { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
    const r = run([allowAll, deny], { from: pod('shop/web'), to: pod('shop/api') });
    expect(r.ingress).toMatchObject({ allowed: false, reason: 'denied', by: [{ kind: 'CiliumNetworkPolicy', name: 'no-web', section: 'ingressDeny', rule: 0, action: 'deny' }] });
    const otherPort = run([allowAll, deny], { from: pod('shop/web'), to: pod('shop/api'), port: 9090 });
    expect(otherPort.ingress.allowed).toBe(true);
  });
  it('egressDeny by entity', () => {
    const allow = webEgress({ toEntities: ['all'] });
    const deny = cnp('shop', 'no-world', { endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }] });
    expect(run([allow, deny], { from: pod('shop/web'), to: { ip: '1.1.1.1' }, port: 443 }).egress.reason).toBe('denied');
    expect(run([allow, deny], { from: pod('shop/web'), to: pod('shop/api'), port: 443 }).egress.allowed).toBe(true);
  });
  it('pods selected by an audit-mode policy report would-be drops as AUDIT and pass', () => {
    const lockdown = cnp('shop', 'lockdown', { endpointSelector: {}, egress: [{ toEndpoints: [{}] }] }, { [AUDIT_MODE_ANNOTATION]: 'true' });
    const r = run([lockdown], { from: pod('shop/web'), to: { ip: '1.1.1.1' }, port: 443 });
    expect(r).toMatchObject({ allowed: true, verdict: 'AUDIT', enforcedAt: 'egress', egress: { allowed: false, audit: true, reason: 'default-deny' } });
    const inside = run([lockdown], { from: pod('shop/web'), to: pod('shop/api'), port: 443 });
    expect(inside.verdict).toBe('FORWARDED');
  });
  it('reports unsupported fields as warnings and keeps the rest of the policy', () => {
    const p = webEgress({ toServices: [{ k8sService: { serviceName: 'api', namespace: 'shop' } }], toPorts: [{ ports: [{ port: '443' }] }] });
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [p] }));
    expect(engine.errors).toEqual([expect.objectContaining({ severity: 'warning', code: 'unsupported-field', where: expect.objectContaining({ field: 'spec.egress[0].toServices' }) })]);
    expect(engine.policies()).toHaveLength(1);
  });
});

// docs.cilium.io, Policy Language, "DNS based": toFQDNs selects only the addresses Cilium's DNS proxy saw
// answered to the pod, so the pod's DNS traffic must be allowed by a rule with L7 `rules.dns` (the docs'
// example pairs them); an L4-only allow of port 53 never reaches the proxy. Issue 16, item 2.
describe('Cilium: toFQDNs needs the DNS proxy to learn the name', () => {
  const toStripe = { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
  const stripeIp = { ip: '54.187.174.169' };
  const webPolicy = (...egress: Record<string, unknown>[]) => cnp('shop', 'web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress });
  const l4DnsOnly = np('shop', 'web-dns', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }],
  });

  it('no DNS rule at all: dropped, and the verdict names the toFQDNs rule the proxy never fed', () => {
    const r = run([webPolicy(toStripe)], { from: pod('shop/web'), to: stripeIp, port: 443 });
    expect(r).toMatchObject({ allowed: false, verdict: 'DROPPED', enforcedAt: 'egress', egress: { reason: 'default-deny', fqdnNotLearned: [{ name: 'web-egress', section: 'egress', rule: 0 }] } });
  });

  it('only an L4 allow of UDP/53 to kube-dns (NetworkPolicy): dropped', () => {
    const r = run([webPolicy(toStripe), l4DnsOnly], { from: pod('shop/web'), to: stripeIp, port: 443 });
    expect(r.verdict).toBe('DROPPED');
    expect(r.egress.fqdnNotLearned?.map((b) => b.name)).toEqual(['web-egress']);
  });

  it('an L4-only Cilium rule to kube-dns on 53: dropped', () => {
    const l4 = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] };
    expect(run([webPolicy(l4, toStripe)], { from: pod('shop/web'), to: stripeIp, port: 443 }).verdict).toBe('DROPPED');
  });

  it('a DNS rule that does not cover the name: dropped', () => {
    const r = run([webPolicy(dnsProxyRule({ matchPattern: '*.github.com' }), toStripe)], { from: pod('shop/web'), to: stripeIp, port: 443 });
    expect(r.verdict).toBe('DROPPED');
  });

  it.each([
    ['matchPattern *', dnsProxyRule()],
    ['matchName of the name', dnsProxyRule({ matchName: 'api.stripe.com' })],
    ['a pattern covering it', dnsProxyRule({ matchPattern: '*.stripe.com' })],
  ])('a DNS proxy rule with %s: forwarded, by the toFQDNs rule', (_n, dnsRule) => {
    const r = run([webPolicy(dnsRule, toStripe)], { from: pod('shop/web'), to: stripeIp, port: 443 });
    expect(r).toMatchObject({ verdict: 'FORWARDED', egress: { reason: 'allowed', by: [{ name: 'web-egress', rule: 1 }] } });
    expect(r.egress.fqdnNotLearned).toBeUndefined();
  });

  it('the DNS proxy rule may come from another policy selecting the pod (a CCNP)', () => {
    const dns = ccnp('dns-visibility', { endpointSelector: {}, egress: [dnsProxyRule()] });
    expect(run([webPolicy(toStripe), dns], { from: pod('shop/web'), to: stripeIp, port: 443 }).verdict).toBe('FORWARDED');
  });

  it('a DNS rule narrower than the name, plus an L4 allow to kube-dns on 53: the L4 allow wildcards the DNS rules (Layer 7 docs), so the proxy answers every name', () => {
    const r = run([webPolicy(dnsProxyRule({ matchName: 'api.github.com' }), toStripe), l4DnsOnly], { from: pod('shop/web'), to: stripeIp, port: 443 });
    expect(r.verdict).toBe('FORWARDED');
  });

  it('an egressDeny on kube-dns stops the lookup, so the name is never learned', () => {
    const deny = cnp('shop', 'no-dns', { endpointSelector: { matchLabels: { app: 'web' } }, egressDeny: [{ toEndpoints: [KUBE_DNS] }] });
    expect(run([webPolicy(dnsProxyRule(), toStripe), deny], { from: pod('shop/web'), to: stripeIp, port: 443 }).verdict).toBe('DROPPED');
  });

  it('the DNS rule of another pod does not help', () => {
    const batchDns = cnp('shop', 'batch-dns', { endpointSelector: { matchLabels: { app: 'batch' } }, egress: [dnsProxyRule()] });
    expect(run([webPolicy(toStripe), batchDns], { from: pod('shop/web'), to: stripeIp, port: 443 }).verdict).toBe('DROPPED');
  });

  it('dnsProxyLearns answers per pod and name', () => {
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [webPolicy(dnsProxyRule({ matchPattern: '**.stripe.com' }), toStripe)] }), { dns: DNS });
    const web = engine.pod('shop/web')!;
    expect(engine.dnsProxyLearns(web, 'api.stripe.com')).toBe(true);
    expect(engine.dnsProxyLearns(web, 'a.b.stripe.com.')).toBe(true);
    expect(engine.dnsProxyLearns(web, 'evil.example')).toBe(false);
    expect(engine.dnsProxyLearns(engine.pod('shop/batch')!, 'api.stripe.com')).toBe(false);
  });
});

// docs.cilium.io, Policy Language, "Selecting nodes with CIDR / ipBlock": CIDR selectors match node
// addresses only with policy-cidr-match-mode: nodes; cluster pods never. Issue 16, item 3.
describe('Cilium: toCIDR, nodes and policy-cidr-match-mode', () => {
  const toNodes = webEgress({ toCIDR: ['10.224.0.0/16'] });
  const evaluate = (cidrMatchesNodes: boolean, to: PeerRef) => {
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [toNodes] }), { cidrMatchesNodes });
    const r = engine.evaluate({ from: pod('shop/web'), to, port: 10250, protocol: 'TCP' });
    if (isEngineError(r)) throw new Error(r.error.message);
    return r.egress.allowed;
  };
  it.each([
    ['another node, default mode', false, { ip: '10.224.0.5' }, false],
    ['another node, policy-cidr-match-mode nodes', true, { ip: '10.224.0.5' }, true],
    ['the local node, policy-cidr-match-mode nodes', true, { ip: '10.224.0.4' }, true],
    ['a pod inside the CIDR, even in nodes mode', true, pod('shop/api'), false],
  ] as const)('%s', (_n, mode, to, allowed) => expect(evaluate(mode, to)).toBe(allowed));
});

// docs.cilium.io "Host Policies": a CCNP with a nodeSelector selects nodes (host firewall), never pods.
// Cilium rejects a namespaced CNP with nodeSelector (cnp_types.go Parse) and a rule with both selectors
// (pkg/policy/api rule_validation.go). Issue 16, item 4.
describe('Cilium: host policies (nodeSelector)', () => {
  const hostPolicy = ccnp('lock-nodes', { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } }, ingress: [{ fromEntities: ['cluster'] }] });

  it('a CCNP with nodeSelector is a host policy: recognised, selects no pod, changes no pod verdict, and says it is not evaluated', () => {
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [hostPolicy] }));
    const [compiled] = engine.policies();
    expect(compiled).toMatchObject({ hostPolicy: true, ref: { name: 'lock-nodes' } });
    expect(compiled.ingress).toBeUndefined();
    expect(engine.errors).toEqual([expect.objectContaining({ severity: 'warning', where: expect.objectContaining({ field: 'spec.nodeSelector' }), message: expect.stringContaining('does not evaluate host policies') })]);
    const r = engine.evaluate({ from: { ip: '8.8.8.8' }, to: pod('shop/api'), port: 8080, protocol: 'TCP' });
    if (isEngineError(r)) throw new Error(r.error.message);
    expect(r.ingress).toMatchObject({ allowed: true, isolated: false });
  });

  it('a host spec next to an endpoint spec: the endpoint spec is evaluated, the policy is not a host policy', () => {
    const mixed = policy({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'mixed' },
      specs: [{ nodeSelector: {}, ingress: [{}] }, { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}] }] }],
    });
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [mixed] }));
    expect(engine.policies()[0].hostPolicy).toBeUndefined();
    expect(engine.selectedPods({ kind: 'CiliumClusterwideNetworkPolicy', name: 'mixed' }).map((p) => p.name)).toEqual(['api']);
  });

  it.each([
    ['a namespaced CNP with nodeSelector', cnp('shop', 'bad', { nodeSelector: {}, ingress: [{}] }), 'spec.nodeSelector'],
    ['both endpointSelector and nodeSelector', ccnp('bad', { endpointSelector: {}, nodeSelector: {}, ingress: [{}] }), 'spec'],
  ])('%s is refused, as Cilium refuses it, naming the field', (_n, policy, field) => {
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [policy] }));
    expect(engine.policies()).toEqual([]);
    expect(engine.errors).toEqual([expect.objectContaining({ severity: 'error', code: 'invalid-rule', where: expect.objectContaining({ field }) })]);
  });
});

// docs.cilium.io, Policy Language, "ICMP/ICMPv6": `icmps` selects ICMP types beside (not instead of)
// toPorts; a rule with peers and icmps but no toPorts admits ICMP to those peers, not every port.
describe('Cilium: icmps rules', () => {
  const icmpOnly = apiIngress({ fromEndpoints: [{ matchLabels: { app: 'web' } }], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] });
  it('admits ICMP from the peers', () => {
    expect(run([icmpOnly], { from: pod('shop/web'), to: pod('shop/api'), port: 0, protocol: 'ICMP' }).allowed).toBe(true);
  });
  it('does not admit TCP from the same peers (the pod is isolated and no port rule names 8080)', () => {
    const v = run([icmpOnly], { from: pod('shop/web'), to: pod('shop/api'), port: 8080, protocol: 'TCP' });
    expect(v.allowed).toBe(false);
    expect(v.ingress.reason).toBe('default-deny');
  });
  it('with toPorts as well, admits both the ports and ICMP', () => {
    const both = apiIngress({ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }], icmps: [{ fields: [{ type: 8 }] }] });
    expect(run([both], { from: pod('shop/web'), to: pod('shop/api'), port: 8080, protocol: 'TCP' }).allowed).toBe(true);
    expect(run([both], { from: pod('shop/web'), to: pod('shop/api'), port: 0, protocol: 'ICMP' }).allowed).toBe(true);
    expect(run([both], { from: pod('shop/web'), to: pod('shop/api'), port: 9090, protocol: 'TCP' }).allowed).toBe(false);
  });
});

// docs.cilium.io, "Layer 7 Policies": an HTTP rule with no field matches every request, and a DNS
// matchPattern of "*" every name. A connection seen without request data (no proxy yet) is then known
// to pass; with a narrower rule it passes only if its requests match, which the engine cannot tell.
describe('Cilium: L7 rules without request data', () => {
  const l7 = (rules: Record<string, unknown>) => apiIngress({ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules }] });
  it('an HTTP rule with no field admits every request: allowed, not filtered', () => {
    const v = run([l7({ http: [{}] })], { from: pod('shop/web'), to: pod('shop/api') });
    expect(v.allowed).toBe(true);
    expect(v.ingress.l7Filtered).toBeFalsy();
  });
  it('a narrower HTTP rule: allowed for matching requests only (filtered)', () => {
    const v = run([l7({ http: [{ method: 'GET' }] })], { from: pod('shop/web'), to: pod('shop/api') });
    expect(v.allowed).toBe(true);
    expect(v.ingress.l7Filtered).toBe(true);
  });
  it('with request data the narrower rule decides', () => {
    expect(run([l7({ http: [{ method: 'GET' }] })], { from: pod('shop/web'), to: pod('shop/api'), l7: { http: { method: 'POST', path: '/' } } }).allowed).toBe(false);
  });
});
