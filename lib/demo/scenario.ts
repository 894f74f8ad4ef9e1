/**
 * The demo cluster: a realistic AKS cluster (Azure CNI powered by Cilium) with the mistakes the
 * seed warns about. Its objects are real Kubernetes / Cilium manifests, so the policy engine reads
 * them like any cluster's; its traffic patterns say who talks to whom, and the verdict of each
 * pattern is what those policies decide (checked against the policy engine by a test).
 */

import type { PolicyRef, Verdict } from '../flows/flow-record';

export const DEMO_CLUSTER = 'aks-prod-weu';

export interface DemoNode {
  name: string;
  ip: string;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: 'TCP' | 'UDP';
}

export interface DemoPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
  node: string;
  workload: { name: string; kind: string };
  ports: ContainerPort[];
  /** Cilium security identity of the pod's label set. */
  identity: number;
}

export interface DemoNamespace {
  name: string;
  labels: Record<string, string>;
}

/** Who a traffic pattern comes from or goes to. */
export type PeerRef =
  | { workload: string } // "namespace/workload"
  | { world: string; ip: string } // internet host with its DNS name
  | { reserved: 'host' | 'remote-node' | 'kube-apiserver'; ip?: string };

export interface HttpExchange {
  method: string;
  path: string;
  code: number;
}

export interface TrafficPattern {
  id: string;
  from: PeerRef;
  to: PeerRef;
  port: number;
  protocol: 'TCP' | 'UDP';
  /** Relative frequency among patterns. */
  weight: number;
  verdict: Verdict;
  /** Where the policy decided: at the sender's egress or the receiver's ingress. */
  enforcedAt: 'egress' | 'ingress';
  dropReason?: 'POLICY_DENIED' | 'POLICY_DENY';
  egressAllowedBy?: PolicyRef[];
  ingressAllowedBy?: PolicyRef[];
  egressDeniedBy?: PolicyRef[];
  ingressDeniedBy?: PolicyRef[];
  /** DNS lookups seen by Cilium's DNS proxy (only where a CNP has a DNS rule). */
  dnsQuery?: string;
  /** HTTP requests seen by Cilium's L7 proxy (only where a CNP has HTTP rules). */
  http?: HttpExchange[];
  why: string;
}

export interface DemoScenario {
  cluster: string;
  nodes: DemoNode[];
  namespaces: DemoNamespace[];
  pods: DemoPod[];
  /** NetworkPolicy / CiliumNetworkPolicy manifests, as `kubectl get -o json` returns them. */
  policies: Record<string, unknown>[];
  /** Service and EndpointSlice manifests: connections to a Service are evaluated against its backends. */
  services: Record<string, unknown>[];
  endpointSlices: Record<string, unknown>[];
  traffic: TrafficPattern[];
}

const NODES: DemoNode[] = [
  { name: 'aks-nodepool1-31415926-vmss000000', ip: '10.224.0.4' },
  { name: 'aks-nodepool1-31415926-vmss000001', ip: '10.224.0.5' },
  { name: 'aks-nodepool1-31415926-vmss000002', ip: '10.224.0.6' },
];

const NAMESPACES: DemoNamespace[] = ['kube-system', 'ingress-nginx', 'production', 'payments', 'legacy', 'monitoring'].map((name) => ({
  name,
  labels: { 'kubernetes.io/metadata.name': name, ...(name === 'production' || name === 'payments' ? { 'env': 'prod' } : {}) },
}));

interface WorkloadSpec {
  namespace: string;
  name: string;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  replicas: number;
  labels: Record<string, string>;
  ports: ContainerPort[];
  hash: string;
}

const WORKLOADS: WorkloadSpec[] = [
  { namespace: 'kube-system', name: 'coredns', kind: 'Deployment', replicas: 2, hash: '6d8c5f9b7d', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] },
  { namespace: 'kube-system', name: 'hubble-relay', kind: 'Deployment', replicas: 1, hash: '7b9f6c8d54', labels: { 'k8s-app': 'hubble-relay' }, ports: [{ name: 'grpc', containerPort: 4245, protocol: 'TCP' }] },
  { namespace: 'kube-system', name: 'metrics-server', kind: 'Deployment', replicas: 1, hash: '5c7d9b8f66', labels: { 'k8s-app': 'metrics-server' }, ports: [{ name: 'https', containerPort: 4443, protocol: 'TCP' }] },
  { namespace: 'kube-system', name: 'konnectivity-agent', kind: 'Deployment', replicas: 2, hash: '8f5b7c6d9a', labels: { app: 'konnectivity-agent' }, ports: [] },
  { namespace: 'ingress-nginx', name: 'ingress-nginx-controller', kind: 'Deployment', replicas: 2, hash: '69c7b5d8f4', labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, ports: [{ name: 'https', containerPort: 443, protocol: 'TCP' }, { name: 'metrics', containerPort: 10254, protocol: 'TCP' }] },
  { namespace: 'production', name: 'frontend', kind: 'Deployment', replicas: 3, hash: '7d9f8b6c4', labels: { app: 'frontend', tier: 'web' }, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }] },
  { namespace: 'production', name: 'api-server', kind: 'Deployment', replicas: 2, hash: '5f6d7c8b9', labels: { app: 'api-server', tier: 'backend' }, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }] },
  { namespace: 'production', name: 'postgres', kind: 'StatefulSet', replicas: 1, hash: '', labels: { app: 'postgres', tier: 'data' }, ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }, { name: 'metrics', containerPort: 9187, protocol: 'TCP' }] },
  { namespace: 'payments', name: 'payments-api', kind: 'Deployment', replicas: 2, hash: '84b6c9d7f5', labels: { app: 'payments-api' }, ports: [{ name: 'https', containerPort: 8443, protocol: 'TCP' }] },
  { namespace: 'payments', name: 'payments-worker', kind: 'Deployment', replicas: 1, hash: '6b5c8d9f7e', labels: { app: 'payments-worker' }, ports: [] },
  { namespace: 'legacy', name: 'legacy-app', kind: 'Deployment', replicas: 2, hash: '9c8d7b6f5a', labels: { app: 'legacy-app' }, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
  { namespace: 'legacy', name: 'legacy-cron', kind: 'Deployment', replicas: 1, hash: '5d6f7a8b9c', labels: { app: 'legacy-cron' }, ports: [] },
  { namespace: 'monitoring', name: 'prometheus', kind: 'StatefulSet', replicas: 1, hash: '', labels: { app: 'prometheus' }, ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }] },
  { namespace: 'monitoring', name: 'grafana', kind: 'Deployment', replicas: 1, hash: '7f8c9d6b5a', labels: { app: 'grafana' }, ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }] },
];

const POD_SUFFIXES = ['x7k2p', 'm4q9z', 'b8w3n', 'r5t1v'];

function buildPods(): DemoPod[] {
  const pods: DemoPod[] = [];
  let podIndex = 0;
  let identity = 12000;
  for (const w of WORKLOADS) {
    identity += 7;
    for (let r = 0; r < w.replicas; r++) {
      const node = NODES[podIndex % NODES.length];
      const name = w.kind === 'StatefulSet' ? `${w.name}-${r}` : `${w.name}-${w.hash}-${POD_SUFFIXES[r]}`;
      const nodeIdx = podIndex % NODES.length;
      pods.push({
        namespace: w.namespace,
        name,
        labels: { ...w.labels, ...(w.kind === 'StatefulSet' ? { 'statefulset.kubernetes.io/pod-name': name } : { 'pod-template-hash': w.hash }) },
        ip: `10.244.${nodeIdx}.${10 + podIndex}`,
        node: node.name,
        workload: { name: w.name, kind: w.kind },
        ports: w.ports,
        identity,
      });
      podIndex++;
    }
  }
  return pods;
}

const np = (namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
  spec,
});

const cnp = (namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
  spec,
});

const DNS_TO_KUBE_DNS = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

/** Policies of the demo cluster. production follows the seed exactly; the rest carry its common mistakes. */
const POLICIES: Record<string, unknown>[] = [
  // production: the seed's default deny and allow policies, plus the paths the app needs.
  np('production', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  np('production', 'allow-frontend-to-api', {
    podSelector: { matchLabels: { app: 'api-server' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
  }),
  np('production', 'allow-api-egress-to-db', {
    podSelector: { matchLabels: { app: 'api-server' } },
    policyTypes: ['Egress'],
    egress: [
      { to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
    ],
  }),
  np('production', 'allow-frontend-egress', {
    podSelector: { matchLabels: { app: 'frontend' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'api-server' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }, DNS_TO_KUBE_DNS],
  }),
  np('production', 'allow-ingress-controller-to-frontend', {
    podSelector: { matchLabels: { app: 'frontend' } },
    policyTypes: ['Ingress'],
    ingress: [{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
      ports: [{ protocol: 'TCP', port: 'http' }],
    }],
  }),
  np('production', 'allow-db-from-api', {
    podSelector: { matchLabels: { app: 'postgres' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api-server' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
  }),
  np('production', 'allow-prometheus-scrape', {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 9090 }, { protocol: 'TCP', port: 9187 }] }],
  }),
  cnp('production', 'api-server-egress-fqdn', {
    endpointSelector: { matchLabels: { app: 'api-server' } },
    egress: [
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ],
  }),
  // L7 visibility on the API. The seed's L4 allow for the same peer and port wildcards these HTTP rules
  // (Cilium merges an L4-only allow as "any request"), so the DELETE below still passes.
  cnp('production', 'api-server-l7-ingress', {
    endpointSelector: { matchLabels: { app: 'api-server' } },
    ingress: [{
      fromEndpoints: [{ matchLabels: { app: 'frontend' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }, { method: 'POST', path: '/api/orders' }] } }],
    }],
  }),
  // payments: egress locked down, but the DNS rule was forgotten (seed: "Forgetting DNS in egress policies").
  np('payments', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
  np('payments', 'allow-worker-to-api', {
    podSelector: { matchLabels: { app: 'payments-worker' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'payments-api' } } }], ports: [{ protocol: 'TCP', port: 8443 }] }],
  }),
  // ingress-nginx: open to the internet on 443 by design; egress only to the frontends and DNS.
  np('ingress-nginx', 'ingress-controller', {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 443 }] }],
    egress: [
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'production' } }, podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      DNS_TO_KUBE_DNS,
    ],
  }),
  // monitoring: an egress lockdown being trialled in audit mode before enforcement.
  cnp('monitoring', 'monitoring-egress-lockdown', {
    endpointSelector: {},
    egress: [
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'production' } }], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }, { port: '9187', protocol: 'TCP' }] }] },
    ],
  }, { 'flowsight.io/policy-audit-mode': 'true' }),
  // kube-system and legacy: no policy at all.
];

const svc = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });

/**
 * Services of the demo workloads, with AKS's default service CIDR (10.0.0.0/16, kube-dns at 10.0.0.10).
 * Most map a port to a named container port; postgres is the StatefulSet's headless service; legacy-sql has
 * no selector: its EndpointSlice points at a SQL Server VM in a peered VNet.
 */
const SERVICES: Record<string, unknown>[] = [
  svc('kube-system', 'kube-dns', {
    clusterIP: '10.0.0.10',
    selector: { 'k8s-app': 'kube-dns' },
    ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' }],
  }),
  svc('kube-system', 'hubble-relay', { clusterIP: '10.0.113.42', selector: { 'k8s-app': 'hubble-relay' }, ports: [{ name: 'grpc', port: 80, protocol: 'TCP', targetPort: 'grpc' }] }),
  svc('kube-system', 'metrics-server', { clusterIP: '10.0.187.9', selector: { 'k8s-app': 'metrics-server' }, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }] }),
  svc('ingress-nginx', 'ingress-nginx-controller', {
    type: 'LoadBalancer',
    clusterIP: '10.0.52.130',
    selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }],
  }),
  svc('production', 'frontend', { clusterIP: '10.0.24.17', selector: { app: 'frontend' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] }),
  svc('production', 'api-server', { clusterIP: '10.0.61.205', selector: { app: 'api-server' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] }),
  svc('production', 'postgres', { clusterIP: 'None', selector: { app: 'postgres' }, ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }] }),
  svc('payments', 'payments-api', { clusterIP: '10.0.90.31', selector: { app: 'payments-api' }, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }] }),
  svc('legacy', 'legacy-app', { clusterIP: '10.0.140.66', selector: { app: 'legacy-app' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] }),
  svc('legacy', 'legacy-sql', { clusterIP: '10.0.140.70', ports: [{ name: 'mssql', port: 1433, protocol: 'TCP', targetPort: 1433 }] }),
  svc('monitoring', 'prometheus', { clusterIP: '10.0.33.90', selector: { app: 'prometheus' }, ports: [{ name: 'web', port: 9090, protocol: 'TCP', targetPort: 'web' }] }),
  svc('monitoring', 'grafana', { clusterIP: '10.0.33.91', selector: { app: 'grafana' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] }),
];

const ENDPOINT_SLICES: Record<string, unknown>[] = [
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'legacy-sql-1', namespace: 'legacy', labels: { 'kubernetes.io/service-name': 'legacy-sql' } },
    addressType: 'IPv4',
    ports: [{ name: 'mssql', port: 1433, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.225.4.20'], conditions: { ready: true } }],
  },
];

const ref = (kind: 'NetworkPolicy' | 'CiliumNetworkPolicy', namespace: string, name: string): PolicyRef => ({ kind, namespace, name });
const NP = (ns: string, name: string) => ref('NetworkPolicy', ns, name);
const CNP = (ns: string, name: string) => ref('CiliumNetworkPolicy', ns, name);

const WORLD = {
  stripe: { world: 'api.stripe.com', ip: '54.187.174.169' },
  github: { world: 'api.github.com', ip: '140.82.121.6' },
  pypi: { world: 'pypi.org', ip: '151.101.0.223' },
  pastebin: { world: 'pastebin.com', ip: '104.20.67.143' },
  grafanaCom: { world: 'grafana.com', ip: '34.120.177.193' },
  azureDns: { world: '', ip: '168.63.129.16' },
  client: { world: '', ip: '203.0.113.42' },
  mcr: { world: 'mcr.microsoft.com', ip: '204.79.197.219' },
} as const;

const TRAFFIC: TrafficPattern[] = [
  // production: the seed's three tiers.
  { id: 'ingress-to-frontend', from: { workload: 'ingress-nginx/ingress-nginx-controller' }, to: { workload: 'production/frontend' }, port: 8080, protocol: 'TCP', weight: 30, verdict: 'FORWARDED', enforcedAt: 'ingress', egressAllowedBy: [NP('ingress-nginx', 'ingress-controller')], ingressAllowedBy: [NP('production', 'allow-ingress-controller-to-frontend')], why: 'ingress controller egress rule + frontend ingress from ingress-nginx on port http' },
  { id: 'internet-to-ingress', from: WORLD.client, to: { workload: 'ingress-nginx/ingress-nginx-controller' }, port: 443, protocol: 'TCP', weight: 25, verdict: 'FORWARDED', enforcedAt: 'ingress', ingressAllowedBy: [NP('ingress-nginx', 'ingress-controller')], why: 'ingress-controller allows 443 from anywhere' },
  { id: 'frontend-to-api', from: { workload: 'production/frontend' }, to: { workload: 'production/api-server' }, port: 8080, protocol: 'TCP', weight: 40, verdict: 'FORWARDED', enforcedAt: 'ingress', egressAllowedBy: [NP('production', 'allow-frontend-egress')], ingressAllowedBy: [NP('production', 'allow-frontend-to-api'), CNP('production', 'api-server-l7-ingress')], http: [{ method: 'GET', path: '/api/products', code: 200 }, { method: 'POST', path: '/api/orders', code: 201 }, { method: 'GET', path: '/api/cart', code: 200 }], why: 'seed policy allow-frontend-to-api' },
  { id: 'api-to-db', from: { workload: 'production/api-server' }, to: { workload: 'production/postgres' }, port: 5432, protocol: 'TCP', weight: 30, verdict: 'FORWARDED', enforcedAt: 'ingress', egressAllowedBy: [NP('production', 'allow-api-egress-to-db')], ingressAllowedBy: [NP('production', 'allow-db-from-api')], why: 'seed policy allow-api-egress-to-db' },
  { id: 'api-dns', from: { workload: 'production/api-server' }, to: { workload: 'kube-system/coredns' }, port: 53, protocol: 'UDP', weight: 12, verdict: 'FORWARDED', enforcedAt: 'egress', egressAllowedBy: [NP('production', 'allow-api-egress-to-db'), CNP('production', 'api-server-egress-fqdn')], dnsQuery: 'api.stripe.com.', why: 'DNS rule of allow-api-egress-to-db; CNP DNS rule makes the proxy see the query' },
  { id: 'frontend-dns', from: { workload: 'production/frontend' }, to: { workload: 'kube-system/coredns' }, port: 53, protocol: 'UDP', weight: 10, verdict: 'FORWARDED', enforcedAt: 'egress', egressAllowedBy: [NP('production', 'allow-frontend-egress')], why: 'DNS rule of allow-frontend-egress' },
  { id: 'api-to-stripe', from: { workload: 'production/api-server' }, to: WORLD.stripe, port: 443, protocol: 'TCP', weight: 8, verdict: 'FORWARDED', enforcedAt: 'egress', egressAllowedBy: [CNP('production', 'api-server-egress-fqdn')], why: 'toFQDNs api.stripe.com' },
  { id: 'frontend-to-db', from: { workload: 'production/frontend' }, to: { workload: 'production/postgres' }, port: 5432, protocol: 'TCP', weight: 2, verdict: 'DROPPED', enforcedAt: 'egress', dropReason: 'POLICY_DENIED', why: 'frontend egress allows only api-server:8080 and DNS' },
  { id: 'frontend-admin-path', from: { workload: 'production/frontend' }, to: { workload: 'production/api-server' }, port: 8080, protocol: 'TCP', weight: 1, verdict: 'FORWARDED', enforcedAt: 'ingress', egressAllowedBy: [NP('production', 'allow-frontend-egress')], ingressAllowedBy: [NP('production', 'allow-frontend-to-api')], http: [{ method: 'DELETE', path: '/api/orders/17', code: 200 }], why: 'the L4 allow of allow-frontend-to-api wildcards the HTTP rules of api-server-l7-ingress' },
  { id: 'prometheus-scrape-api', from: { workload: 'monitoring/prometheus' }, to: { workload: 'production/api-server' }, port: 9090, protocol: 'TCP', weight: 10, verdict: 'FORWARDED', enforcedAt: 'ingress', egressAllowedBy: [CNP('monitoring', 'monitoring-egress-lockdown')], ingressAllowedBy: [NP('production', 'allow-prometheus-scrape')], why: 'allow-prometheus-scrape from namespace monitoring' },
  { id: 'prometheus-scrape-frontend', from: { workload: 'monitoring/prometheus' }, to: { workload: 'production/frontend' }, port: 9090, protocol: 'TCP', weight: 10, verdict: 'FORWARDED', enforcedAt: 'ingress', egressAllowedBy: [CNP('monitoring', 'monitoring-egress-lockdown')], ingressAllowedBy: [NP('production', 'allow-prometheus-scrape')], why: 'allow-prometheus-scrape from namespace monitoring' },
  { id: 'prometheus-scrape-db', from: { workload: 'monitoring/prometheus' }, to: { workload: 'production/postgres' }, port: 9187, protocol: 'TCP', weight: 6, verdict: 'FORWARDED', enforcedAt: 'ingress', egressAllowedBy: [CNP('monitoring', 'monitoring-egress-lockdown')], ingressAllowedBy: [NP('production', 'allow-prometheus-scrape')], why: 'allow-prometheus-scrape from namespace monitoring' },
  { id: 'kubelet-probe-frontend', from: { reserved: 'host' }, to: { workload: 'production/frontend' }, port: 8080, protocol: 'TCP', weight: 6, verdict: 'FORWARDED', enforcedAt: 'ingress', why: 'Cilium always allows the local node (kubelet probes) to reach its pods' },
  { id: 'kubelet-probe-api', from: { reserved: 'host' }, to: { workload: 'production/api-server' }, port: 8080, protocol: 'TCP', weight: 6, verdict: 'FORWARDED', enforcedAt: 'ingress', why: 'Cilium always allows the local node (kubelet probes) to reach its pods' },
  // legacy: no policy at all; talks to everything and the internet.
  { id: 'legacy-to-db', from: { workload: 'legacy/legacy-app' }, to: { workload: 'production/postgres' }, port: 5432, protocol: 'TCP', weight: 4, verdict: 'DROPPED', enforcedAt: 'ingress', dropReason: 'POLICY_DENIED', why: 'postgres accepts 5432 only from api-server (default-deny-all)' },
  { id: 'legacy-to-api', from: { workload: 'legacy/legacy-app' }, to: { workload: 'production/api-server' }, port: 8080, protocol: 'TCP', weight: 3, verdict: 'DROPPED', enforcedAt: 'ingress', dropReason: 'POLICY_DENIED', why: 'api-server accepts 8080 only from frontend' },
  { id: 'legacy-to-payments', from: { workload: 'legacy/legacy-app' }, to: { workload: 'payments/payments-api' }, port: 8443, protocol: 'TCP', weight: 3, verdict: 'FORWARDED', enforcedAt: 'ingress', why: 'payments is not isolated for ingress: default allow' },
  { id: 'legacy-dns', from: { workload: 'legacy/legacy-app' }, to: { workload: 'kube-system/coredns' }, port: 53, protocol: 'UDP', weight: 8, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'legacy is not isolated: default allow' },
  { id: 'legacy-to-github', from: { workload: 'legacy/legacy-app' }, to: WORLD.github, port: 443, protocol: 'TCP', weight: 5, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'legacy is not isolated for egress: open egress to the internet' },
  { id: 'legacy-to-pypi', from: { workload: 'legacy/legacy-app' }, to: WORLD.pypi, port: 443, protocol: 'TCP', weight: 3, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'legacy is not isolated for egress: open egress to the internet' },
  { id: 'legacy-cron-to-pastebin', from: { workload: 'legacy/legacy-cron' }, to: WORLD.pastebin, port: 443, protocol: 'TCP', weight: 2, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'legacy is not isolated for egress: open egress to the internet' },
  { id: 'legacy-cron-to-legacy', from: { workload: 'legacy/legacy-cron' }, to: { workload: 'legacy/legacy-app' }, port: 8080, protocol: 'TCP', weight: 4, verdict: 'FORWARDED', enforcedAt: 'ingress', why: 'legacy is not isolated: default allow' },
  // payments: default-deny egress without DNS.
  { id: 'payments-dns', from: { workload: 'payments/payments-api' }, to: { workload: 'kube-system/coredns' }, port: 53, protocol: 'UDP', weight: 8, verdict: 'DROPPED', enforcedAt: 'egress', dropReason: 'POLICY_DENIED', why: 'default-deny-egress and no DNS rule' },
  { id: 'payments-worker-dns', from: { workload: 'payments/payments-worker' }, to: { workload: 'kube-system/coredns' }, port: 53, protocol: 'UDP', weight: 5, verdict: 'DROPPED', enforcedAt: 'egress', dropReason: 'POLICY_DENIED', why: 'default-deny-egress and no DNS rule' },
  { id: 'payments-worker-to-api', from: { workload: 'payments/payments-worker' }, to: { workload: 'payments/payments-api' }, port: 8443, protocol: 'TCP', weight: 8, verdict: 'FORWARDED', enforcedAt: 'egress', egressAllowedBy: [NP('payments', 'allow-worker-to-api')], why: 'allow-worker-to-api' },
  { id: 'payments-to-stripe', from: { workload: 'payments/payments-api' }, to: WORLD.stripe, port: 443, protocol: 'TCP', weight: 2, verdict: 'DROPPED', enforcedAt: 'egress', dropReason: 'POLICY_DENIED', why: 'default-deny-egress: no egress rule to the internet' },
  // monitoring: lockdown in audit mode.
  { id: 'grafana-dns', from: { workload: 'monitoring/grafana' }, to: { workload: 'kube-system/coredns' }, port: 53, protocol: 'UDP', weight: 4, verdict: 'FORWARDED', enforcedAt: 'egress', egressAllowedBy: [CNP('monitoring', 'monitoring-egress-lockdown')], dnsQuery: 'grafana.com.', why: 'DNS rule of monitoring-egress-lockdown' },
  { id: 'grafana-to-internet', from: { workload: 'monitoring/grafana' }, to: WORLD.grafanaCom, port: 443, protocol: 'TCP', weight: 3, verdict: 'AUDIT', enforcedAt: 'egress', why: 'monitoring-egress-lockdown has no rule to the internet; the namespace is in audit mode' },
  { id: 'prometheus-to-metrics-server', from: { workload: 'monitoring/prometheus' }, to: { workload: 'kube-system/metrics-server' }, port: 4443, protocol: 'TCP', weight: 3, verdict: 'AUDIT', enforcedAt: 'egress', why: 'monitoring-egress-lockdown allows only production metrics ports; audit mode' },
  // kube-system plumbing.
  { id: 'coredns-upstream', from: { workload: 'kube-system/coredns' }, to: WORLD.azureDns, port: 53, protocol: 'UDP', weight: 6, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'kube-system is not isolated' },
  { id: 'relay-to-nodes', from: { workload: 'kube-system/hubble-relay' }, to: { reserved: 'remote-node' }, port: 4244, protocol: 'TCP', weight: 3, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'kube-system is not isolated' },
  { id: 'metrics-server-kubelet', from: { workload: 'kube-system/metrics-server' }, to: { reserved: 'host' }, port: 10250, protocol: 'TCP', weight: 3, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'kube-system is not isolated' },
  { id: 'konnectivity-apiserver', from: { workload: 'kube-system/konnectivity-agent' }, to: { reserved: 'kube-apiserver', ip: '20.50.12.7' }, port: 443, protocol: 'TCP', weight: 3, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'kube-system is not isolated' },
  { id: 'legacy-to-mcr', from: { workload: 'legacy/legacy-cron' }, to: WORLD.mcr, port: 443, protocol: 'TCP', weight: 1, verdict: 'FORWARDED', enforcedAt: 'egress', why: 'legacy is not isolated for egress' },
];

let cached: DemoScenario | undefined;

/** The demo cluster's objects and traffic. Deterministic: the same on every call and machine. */
export function demoScenario(): DemoScenario {
  cached ??= {
    cluster: DEMO_CLUSTER,
    nodes: NODES,
    namespaces: NAMESPACES,
    pods: buildPods(),
    policies: POLICIES,
    services: SERVICES,
    endpointSlices: ENDPOINT_SLICES,
    traffic: TRAFFIC,
  };
  return cached;
}

/** Pods of a `namespace/workload` reference. */
export function podsOf(scenario: DemoScenario, workloadRef: string): DemoPod[] {
  const [ns, name] = workloadRef.split('/');
  return scenario.pods.filter((p) => p.namespace === ns && p.workload.name === name);
}
