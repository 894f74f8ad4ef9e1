/**
 * Policy engine benchmark: 10k pods in 100 namespaces, 1k policies (NetworkPolicy and Cilium, with
 * selectors, namespace selectors, ipBlocks, named ports, L7 and deny rules), 1M connection evaluations
 * between random pods and internet addresses. The last output line is JSON for CI trend tracking.
 */

import { PolicyEngine } from '../lib/policy-engine/engine';
import type { PeerRef } from '../lib/policy-engine/peer-ref';
import type { ClusterSnapshot, PolicyObject } from '../lib/k8s/types';
import { normalizeObject } from '../lib/k8s/normalize';

const NAMESPACES = 100;
const PODS_PER_NAMESPACE = 100;
const POLICIES_PER_NAMESPACE = 10;
const EVALUATIONS = 1_000_000;
const APPS = ['web', 'api', 'db', 'cache', 'worker', 'queue', 'auth', 'search', 'mail', 'report'];

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];

function policy(manifest: Record<string, unknown>): PolicyObject {
  const r = normalizeObject(manifest);
  if (!r.ok) throw new Error(r.message);
  return r.object.value as PolicyObject;
}

function buildCluster(): ClusterSnapshot {
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
        labels: { app, version: `v${p % 3}`, 'pod-template-hash': `h${p}` },
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

const snapshot = buildCluster();
const t0 = performance.now();
const engine = new PolicyEngine(snapshot);
const compileMs = performance.now() - t0;
if (engine.errors.length) throw new Error(`policy errors: ${JSON.stringify(engine.errors.slice(0, 3))}`);

// Pre-draw the connections so the timed loop measures the engine, not the random generator.
const podRefs: PeerRef[] = snapshot.pods.map((p) => ({ pod: `${p.namespace}/${p.name}` }));
const worldRefs: PeerRef[] = Array.from({ length: 64 }, (_, i) => ({ ip: `${20 + i}.${i * 3}.1.${i + 1}` }));
const PORTS: [number, 'TCP' | 'UDP'][] = [[8080, 'TCP'], [5432, 'TCP'], [9090, 'TCP'], [443, 'TCP'], [53, 'UDP'], [8050, 'TCP']];
const CONNS = 1 << 16;
const froms: PeerRef[] = [];
const tos: PeerRef[] = [];
const ports: [number, 'TCP' | 'UDP'][] = [];
// Most traffic stays inside a namespace (where the allow rules are); some crosses namespaces or leaves the cluster.
for (let i = 0; i < CONNS; i++) {
  const src = Math.floor(rand() * podRefs.length);
  const sameNamespace = Math.floor(src / PODS_PER_NAMESPACE) * PODS_PER_NAMESPACE + Math.floor(rand() * PODS_PER_NAMESPACE);
  const r = rand();
  froms.push(podRefs[src]);
  tos.push(r < 0.1 ? pick(worldRefs) : r < 0.8 ? podRefs[sameNamespace] : pick(podRefs));
  ports.push(pick(PORTS));
}

let allowed = 0;
const warm = 100_000;
for (let i = 0; i < warm; i++) {
  const k = i & (CONNS - 1);
  engine.evaluate({ from: froms[k], to: tos[k], port: ports[k][0], protocol: ports[k][1] });
}
const t1 = performance.now();
for (let i = 0; i < EVALUATIONS; i++) {
  const k = i & (CONNS - 1);
  const r = engine.evaluate({ from: froms[k], to: tos[k], port: ports[k][0], protocol: ports[k][1] });
  if ('allowed' in r && r.allowed) allowed++;
}
const evalMs = performance.now() - t1;
const evaluationsPerSec = Math.round(EVALUATIONS / (evalMs / 1000));

console.log(`pods ${snapshot.pods.length}, policies ${snapshot.policies.length}, namespaces ${NAMESPACES}`);
console.log(`compile ${compileMs.toFixed(1)} ms; ${EVALUATIONS} evaluations in ${evalMs.toFixed(0)} ms (${evaluationsPerSec.toLocaleString('en-US')}/s), ${((allowed / EVALUATIONS) * 100).toFixed(1)}% allowed`);
console.log(JSON.stringify({
  evaluationsPerSec,
  compileMs: Math.round(compileMs * 10) / 10,
  evaluations: EVALUATIONS,
  pods: snapshot.pods.length,
  policies: snapshot.policies.length,
  allowedRatio: Math.round((allowed / EVALUATIONS) * 1000) / 1000,
  heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576),
}));
