import { describe, expect, it } from 'vitest';
import { PolicyEngine, isEngineError, type ConnectionVerdict, type Connection } from './engine';
import { ccnp, cluster, cnp, np, type PodSpec } from './testing/cluster-fixture';
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
    ['entity cluster: the nodes', webEgress({ toEntities: ['cluster'] }), { ip: '10.224.0.5' }, true],
    ['entity cluster: not the internet', webEgress({ toEntities: ['cluster'] }), { ip: '1.1.1.1' }, false],
    ['entity host: the local node', webEgress({ toEntities: ['host'] }), { ip: '10.224.0.4' }, true],
    ['entity host: not another node', webEgress({ toEntities: ['host'] }), { ip: '10.224.0.5' }, false],
    ['entity remote-node: another node', webEgress({ toEntities: ['remote-node'] }), { ip: '10.224.0.5' }, true],
    ['entity kube-apiserver', webEgress({ toEntities: ['kube-apiserver'] }), { entity: 'kube-apiserver', ip: '20.50.12.7' }, true],
    ['entity all', webEgress({ toEntities: ['all'] }), { ip: '1.1.1.1' }, true],
    ['reserved:host label in toEndpoints', webEgress({ toEndpoints: [{ matchLabels: { 'reserved:host': '' } }] }), { ip: '10.224.0.4' }, true],
    ['toFQDNs matchName with the IP seen in DNS answers', webEgress({ toFQDNs: [{ matchName: 'api.stripe.com' }] }), { ip: '54.187.174.169' }, true],
    ['toFQDNs matchName: another name', webEgress({ toFQDNs: [{ matchName: 'api.stripe.com' }] }), { ip: '54.187.174.170' }, false],
    ['toFQDNs matchPattern', webEgress({ toFQDNs: [{ matchPattern: '*.stripe.com' }] }), { ip: '54.187.174.170' }, true],
    ['toFQDNs: an IP no DNS answer named is not matched', webEgress({ toFQDNs: [{ matchPattern: '*' }] }), { ip: '1.1.1.1' }, false],
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
