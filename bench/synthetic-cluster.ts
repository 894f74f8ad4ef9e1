/**
 * The synthetic cluster the policy benchmarks share: 100 namespaces of 100 pods (ten apps), ten policies
 * per namespace (NetworkPolicy and Cilium, with selectors, namespace selectors, ipBlocks, named ports, L7
 * and deny rules). Deterministic: a seeded generator.
 */

import type { ClusterSnapshot, PolicyObject } from '../lib/k8s/types';
import { normalizeObject } from '../lib/k8s/normalize';

export const NAMESPACES = 100;
export const PODS_PER_NAMESPACE = 100;
export const POLICIES_PER_NAMESPACE = 10;
export const APPS = ['web', 'api', 'db', 'cache', 'worker', 'queue', 'auth', 'search', 'mail', 'report'];

let seed = 42;
export const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
export const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];

function policy(manifest: Record<string, unknown>): PolicyObject {
  const r = normalizeObject(manifest);
  if (!r.ok) throw new Error(r.message);
  return r.object.value as PolicyObject;
}

/**
 * `hashPerPod`: every pod gets its own pod-template-hash (the policy bench's worst case: one identity per
 * pod); otherwise replicas of an app and version share it, as a Deployment's ReplicaSet stamps them.
 */
export function buildCluster(options: { hashPerPod?: boolean } = {}): ClusterSnapshot {
  const hashPerPod = options.hashPerPod ?? true;
  const snapshot: ClusterSnapshot = { namespaces: [], pods: [], nodes: [], policies: [], services: [], endpointSlices: [] };
  for (let n = 0; n < 50; n++) snapshot.nodes.push({ name: `node-${n}`, ips: [`10.224.0.${n + 4}`], labels: {} });
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `team-${n}`;
    snapshot.namespaces.push({ name: ns, labels: { 'kubernetes.io/metadata.name': ns, tier: n % 3 === 0 ? 'prod' : 'dev', team: `t${n % 7}` } });
    for (let p = 0; p < PODS_PER_NAMESPACE; p++) {
      const app = APPS[p % APPS.length];
      snapshot.pods.push({
        namespace: ns,
        name: `${app}-${p}`,
        labels: { app, version: `v${p % 3}`, 'pod-template-hash': hashPerPod ? `h${p}` : `h${p % APPS.length}-${p % 3}` },
        ip: `10.${100 + Math.floor(n / 2)}.${(n % 2) * 128 + Math.floor(p / 2)}.${(p % 2) * 100 + 10}`,
        ips: [],
        node: `node-${(n * PODS_PER_NAMESPACE + p) % 50}`,
        hostNetwork: false,
        containerPorts: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
      });
    }
    const sel = (app: string) => ({ matchLabels: { app } });
    const p: Record<string, unknown>[] = [
      { kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      { kind: 'NetworkPolicy', metadata: { name: 'dns', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] } },
      { kind: 'NetworkPolicy', metadata: { name: 'web-to-api', namespace: ns }, spec: { podSelector: sel('api'), ingress: [{ from: [{ podSelector: sel('web') }], ports: [{ port: 'http' }] }] } },
      { kind: 'NetworkPolicy', metadata: { name: 'api-to-db', namespace: ns }, spec: { podSelector: sel('db'), ingress: [{ from: [{ podSelector: sel('api') }, { podSelector: sel('worker') }], ports: [{ port: 5432 }] }] } },
      { kind: 'NetworkPolicy', metadata: { name: 'egress-in-ns', namespace: ns }, spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api', 'worker'] }] }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] } },
      { kind: 'NetworkPolicy', metadata: { name: 'scrape', namespace: ns }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 't0' } }, podSelector: sel('report') }], ports: [{ port: 9090 }] }] } },
      { kind: 'NetworkPolicy', metadata: { name: 'cross-team', namespace: ns }, spec: { podSelector: sel('auth'), ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: 'prod' } } }], ports: [{ port: 8000, endPort: 8100 }] }] } },
      { kind: 'NetworkPolicy', metadata: { name: 'partners', namespace: ns }, spec: { podSelector: sel('mail'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] } }], ports: [{ port: 443 }] }] } },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'api-l7', namespace: ns }, spec: { endpointSelector: sel('api'), ingress: [{ fromEndpoints: [sel('web')], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] }] } },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'no-world-db', namespace: ns }, spec: { endpointSelector: sel('db'), egressDeny: [{ toEntities: ['world'] }], egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': ns } }] }] } },
    ];
    for (const m of p.slice(0, POLICIES_PER_NAMESPACE)) snapshot.policies.push(policy({ apiVersion: 'networking.k8s.io/v1', ...m }));
  }
  return snapshot;
}

