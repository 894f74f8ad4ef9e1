/**
 * A demo cluster of any size (issue 13, "Large clusters"): N application workloads over about N/50
 * namespaces, with the fan-out of a real microservice estate (each workload calls a handful of others,
 * mostly in its own namespace, some in shared platform namespaces), DNS to CoreDNS, internet names for
 * about a fifth of them, and the policy mix of a real cluster: most namespaces default-deny with explicit
 * allows, some that forgot DNS, some ingress-only, some with no policy at all, a few with Cilium toFQDNs
 * egress and a few trialling a lockdown in audit mode. Every traffic pattern's verdict is what those
 * policies decide (scaled-scenario-verdicts.test.ts asks the policy engine).
 *
 * Deterministic: the same (workloads, seed) gives the same cluster on every machine, so a relay in one
 * process and the manifests it wrote (or the app's demo cluster source in another) describe one cluster.
 *
 * Addresses follow the demo's Azure model (lib/azure/demo.ts): nodes in the AKS subnet 10.224.0.0/16, pods
 * in the overlay outside the VNet. The hand-written demo puts its pods in 10.244.0.0/16; at 20,000
 * workloads of up to 3 replicas that is too small once each node holds its own block, so a scaled
 * cluster uses 10.244.0.0/14 (still outside the VNet's 10.224.0.0/12 and AKS's service CIDR 10.0.0.0/16),
 * each node owning a /26 of it, and the hand-written demo stays as it is.
 */

import type { PolicyRef, Verdict } from '../flows/flow-record';
import { hashStrings, seededRandom } from '../util/seeded-random';
import { DEMO_CLUSTER, demoScenario, type ContainerPort, type DemoNamespace, type DemoNode, type DemoPod, type DemoScenario, type PeerRef, type TrafficPattern } from './scenario';

/** Smallest and largest `--scale` / FLOWSIGHT_DEMO_SCALE (the relay's limit is about the flow rate, not this). */
export const MIN_SCALE = 10;
export const MAX_SCALE = 20_000;
/** Application workloads per namespace, on average. */
export const WORKLOADS_PER_NAMESPACE = 50;
/** The overlay pod CIDR of a scaled cluster (the hand-written demo's 10.244.0.0/16 is its first quarter). */
export const SCALED_POD_CIDR = '10.244.0.0/14';
/** Addresses each node owns in the pod CIDR (a /26): room for its pods, which never exceed PODS_PER_NODE. */
const NODE_POD_BLOCK = 64;
/** Pods per node at most: the node count grows with the pods. */
export const PODS_PER_NODE = 30;

/** How a namespace's team wrote (or did not write) its policies. */
export type NamespaceProfile =
  /** Shared services: default deny, DNS, scrapes, and ingress from any namespace on the service port. */
  | 'platform'
  /** Default deny both ways, DNS allowed, explicit per-workload allows. */
  | 'default-deny'
  /** Like default-deny, but DNS was never allowed (the seed's "forgetting DNS in egress policies"). */
  | 'forgot-dns'
  /** Default deny for ingress only; egress is open (and the Prometheus scrape was forgotten). */
  | 'ingress-only'
  /** default-deny plus Cilium toFQDNs policies for the workloads that call the internet. */
  | 'fqdn-egress'
  /** A Cilium egress lockdown trialled in audit mode: would-be drops pass and are reported as AUDIT. */
  | 'audit'
  /** No policy at all. */
  | 'unprotected';

/**
 * Profiles of the application namespaces, in turn: 45% default-deny, 15% unprotected, and 10% each of the
 * rest. A fixed cycle rather than a draw, so even a small cluster has every kind.
 */
const PROFILE_CYCLE: readonly NamespaceProfile[] = [
  'default-deny', 'default-deny', 'unprotected', 'default-deny', 'fqdn-egress', 'ingress-only', 'default-deny', 'forgot-dns', 'default-deny', 'audit',
  'unprotected', 'default-deny', 'fqdn-egress', 'default-deny', 'ingress-only', 'default-deny', 'unprotected', 'forgot-dns', 'default-deny', 'audit',
];

const APP_DOMAINS = [
  'shop', 'checkout', 'catalog', 'search', 'payments', 'billing', 'shipping', 'inventory', 'identity', 'analytics', 'media', 'support',
  'loyalty', 'pricing', 'reviews', 'ads', 'mobile', 'partners', 'warehouse', 'fraud', 'notifications', 'reporting', 'booking', 'crm',
];
const PLATFORM_NAMESPACES = ['platform-auth', 'platform-data', 'platform-messaging'];

const APP_NOUNS = [
  'orders', 'cart', 'products', 'prices', 'stock', 'users', 'sessions', 'recommendations', 'reviews', 'coupons', 'invoices', 'ledger',
  'shipments', 'returns', 'addresses', 'tax', 'images', 'thumbnails', 'geo', 'quotes', 'refunds', 'subscriptions', 'wishlist', 'events',
  'exports', 'imports', 'feeds', 'ratings', 'vouchers', 'accounts', 'contracts', 'tickets', 'schedules', 'slots', 'routes', 'claims',
  'offers', 'bundles', 'labels', 'audits', 'alerts', 'reports', 'campaigns', 'segments', 'profiles', 'devices', 'payouts', 'disputes',
];
const PLATFORM_NOUNS: Record<string, string[]> = {
  'platform-auth': ['auth', 'tokens', 'oauth', 'keys', 'permissions', 'directory', 'mfa', 'sso', 'consent', 'audit-trail', 'secrets', 'certs'],
  'platform-data': ['postgres-ha', 'redis-shared', 'elastic', 'blob-gateway', 'backup', 'search-index', 'timeseries', 'object-cache', 'warehouse', 'etl', 'schema-registry', 'cdc'],
  'platform-messaging': ['kafka', 'events-gateway', 'mailer', 'sms', 'push', 'webhooks', 'scheduler', 'outbox', 'fanout', 'dead-letters', 'stream-router', 'notifier'],
};

type Component = 'frontend' | 'api' | 'grpc' | 'db' | 'cache' | 'queue' | 'worker';

interface ComponentSpec {
  kind: 'Deployment' | 'StatefulSet';
  /** The port other workloads call it on; null: it calls, nobody calls it. */
  serves: ContainerPort | null;
  /** Service port in front of `serves`. */
  servicePort: number;
}

const COMPONENTS: Record<Component, ComponentSpec> = {
  frontend: { kind: 'Deployment', serves: { name: 'http', containerPort: 8080, protocol: 'TCP' }, servicePort: 80 },
  api: { kind: 'Deployment', serves: { name: 'http', containerPort: 8080, protocol: 'TCP' }, servicePort: 80 },
  grpc: { kind: 'Deployment', serves: { name: 'grpc', containerPort: 9000, protocol: 'TCP' }, servicePort: 9000 },
  db: { kind: 'StatefulSet', serves: { name: 'postgres', containerPort: 5432, protocol: 'TCP' }, servicePort: 5432 },
  cache: { kind: 'StatefulSet', serves: { name: 'redis', containerPort: 6379, protocol: 'TCP' }, servicePort: 6379 },
  queue: { kind: 'StatefulSet', serves: { name: 'amqp', containerPort: 5672, protocol: 'TCP' }, servicePort: 5672 },
  worker: { kind: 'Deployment', serves: null, servicePort: 0 },
};
const METRICS_PORT: ContainerPort = { name: 'metrics', containerPort: 9090, protocol: 'TCP' };
const DATA_STORES: ReadonlySet<Component> = new Set(['db', 'cache', 'queue']);

/** What Kubernetes draws pod-template-hash and pod name suffixes from (k8s.io/apimachinery rand.SafeEncodeString). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

interface InternetHost {
  name: string;
  ip: string;
}

interface Call {
  to: Workload;
  port: number;
  protocol: 'TCP' | 'UDP';
  /** The caller's egress policy lists this callee (false: an undeclared dependency). */
  egressListed: boolean;
  /** The callee's ingress policy lists this caller. */
  ingressListed: boolean;
  weight: number;
}

interface Workload {
  ref: string;
  namespace: Namespace;
  name: string;
  component: Component | 'system';
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  replicas: number;
  labels: Record<string, string>;
  ports: ContainerPort[];
  serves: ContainerPort | null;
  servicePort: number;
  hash: string;
  calls: Call[];
  externals: InternetHost[];
  /** fqdn-egress only: the internet names its CiliumNetworkPolicy allows (a subset of `externals`). */
  fqdnAllowed: InternetHost[];
  /** Callers its ingress policy lists, in order. */
  listedCallers: Workload[];
}

interface Namespace {
  name: string;
  profile: NamespaceProfile | 'system';
  workloads: Workload[];
}

const NP_API = 'networking.k8s.io/v1';
const CNP_API = 'cilium.io/v2';
const AUDIT_ANNOTATION = { 'flowsight.io/policy-audit-mode': 'true' };
const KUBE_DNS_PEER = { namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const CILIUM_KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const CILIUM_DNS_RULE = { toEndpoints: [CILIUM_KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
const NAMESPACE_NAME = 'kubernetes.io/metadata.name';
/** Every public address: what platform workloads may reach on 443 (RFC 1918 and the rest of the cluster excluded). */
const INTERNET_BLOCK = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] };
const CLIENT = { world: '', ip: '203.0.113.42' } as const;
const AZURE_DNS = { world: '', ip: '168.63.129.16' } as const;
const API_SERVER_IP = '20.50.12.7';

/** Well-known internet APIs, registries and Azure endpoints; the pool is filled up to INTERNET_POOL_SIZE with Azure PaaS hosts. */
const WELL_KNOWN_HOSTS = [
  'api.stripe.com', 'api.github.com', 'pypi.org', 'files.pythonhosted.org', 'registry.npmjs.org', 'api.sendgrid.com', 'hooks.slack.com',
  'api.twilio.com', 'login.microsoftonline.com', 'management.azure.com', 'graph.microsoft.com', 'api.datadoghq.eu', 'sentry.io',
  'api.segment.io', 'api.mixpanel.com', 'www.googleapis.com', 'oauth2.googleapis.com', 'api.openai.com', 'events.pagerduty.com',
  'api.opsgenie.com', 'maps.googleapis.com', 'api.mapbox.com', 'api-m.paypal.com', 'checkout-test.adyen.com', 'api.hubapi.com',
  'login.salesforce.com', 'api.zendesk.com', 'api.intercom.io', 'cdn.jsdelivr.net', 'objects.githubusercontent.com', 'ghcr.io',
  'registry-1.docker.io', 'auth.docker.io', 'quay.io', 'mcr.microsoft.com', 'api.nuget.org', 'repo.maven.apache.org', 'proxy.golang.org',
  'rubygems.org', 'api.cloudflare.com', 'ocsp.digicert.com', 'app.launchdarkly.com', 'events.launchdarkly.com', 'api.newrelic.com',
  'api.mailgun.net', 'api.pwnedpasswords.com', 'api.exchangerate.host', 'api.vatcomply.com', 'api.easypost.com', 'api.shipengine.com',
];
const AZURE_HOST_SUFFIXES = ['blob.core.windows.net', 'vault.azure.net', 'servicebus.windows.net', 'documents.azure.com'];
const INTERNET_POOL_SIZE = 100;
/** Public /16s the pool's addresses come from (none in the demo's AzureCloud service tags 20.31/16 and 20.50/16). */
const PUBLIC_PREFIXES = ['13.107', '23.21', '34.98', '35.190', '40.112', '52.84', '54.231', '104.18', '140.82', '151.101', '185.199', '199.232'];

function internetPool(): InternetHost[] {
  const names = [...WELL_KNOWN_HOSTS];
  for (let i = 0; names.length < INTERNET_POOL_SIZE; i++) {
    names.push(`${APP_NOUNS[i % APP_NOUNS.length]}prod${String(i).padStart(2, '0')}.${AZURE_HOST_SUFFIXES[i % AZURE_HOST_SUFFIXES.length]}`);
  }
  // One stable address per name: the (prefix, third octet) pair is unique per index.
  return names.map((name, i) => ({ name, ip: `${PUBLIC_PREFIXES[i % PUBLIC_PREFIXES.length]}.${Math.floor(i / PUBLIC_PREFIXES.length) + 10}.${(i * 37) % 250 + 3}` }));
}

const np = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: NP_API, kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const cnp = (namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  apiVersion: CNP_API,
  kind: 'CiliumNetworkPolicy',
  metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
  spec,
});
const NP = (namespace: string, name: string): PolicyRef => ({ kind: 'NetworkPolicy', namespace, name });
const CNP = (namespace: string, name: string): PolicyRef => ({ kind: 'CiliumNetworkPolicy', namespace, name });

/** Policies in a namespace of this profile isolate egress (a NetworkPolicy with Egress in policyTypes selects every pod). */
const egressIsolated = (p: Namespace['profile']) => p === 'platform' || p === 'default-deny' || p === 'forgot-dns' || p === 'fqdn-egress';
const ingressIsolated = (p: Namespace['profile']) => egressIsolated(p) || p === 'ingress-only';

/** The decision of one direction, as the policies of the scenario make it. */
interface Side {
  allowed: boolean;
  /** Denied, but the pod runs in audit mode: reported, not enforced. */
  audit?: boolean;
  by: PolicyRef[];
  why: string;
}

const ALLOWED_UNISOLATED: Side = { allowed: true, by: [], why: 'not isolated' };

class ScaledBuilder {
  private readonly rand: () => number;
  readonly namespaces: Namespace[] = [];
  readonly system: { coredns: Workload; hubbleRelay: Workload; metricsServer: Workload; konnectivity: Workload; ingress: Workload; prometheus: Workload; grafana: Workload };
  private readonly internet = internetPool();
  private readonly byRef = new Map<string, Workload>();

  constructor(private readonly appWorkloads: number, seed: number) {
    this.rand = seededRandom(hashStrings(['flowsight-scaled-demo', String(appWorkloads), String(seed)]));
    const kubeSystem = this.namespace('kube-system', 'system');
    const ingressNs = this.namespace('ingress-nginx', 'system');
    const monitoring = this.namespace('monitoring', 'system');
    this.system = {
      // The names and labels the rest of the app knows CoreDNS by (findings, recommendations, the map's kube-dns node).
      coredns: this.systemWorkload(kubeSystem, 'coredns', 'Deployment', 2, { 'k8s-app': 'kube-dns' }, [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }]),
      hubbleRelay: this.systemWorkload(kubeSystem, 'hubble-relay', 'Deployment', 1, { 'k8s-app': 'hubble-relay' }, [{ name: 'grpc', containerPort: 4245, protocol: 'TCP' }]),
      metricsServer: this.systemWorkload(kubeSystem, 'metrics-server', 'Deployment', 2, { 'k8s-app': 'metrics-server' }, [{ name: 'https', containerPort: 4443, protocol: 'TCP' }]),
      konnectivity: this.systemWorkload(kubeSystem, 'konnectivity-agent', 'Deployment', 2, { app: 'konnectivity-agent' }, []),
      ingress: this.systemWorkload(ingressNs, 'ingress-nginx-controller', 'Deployment', 3, { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, [{ name: 'https', containerPort: 443, protocol: 'TCP' }, { name: 'metrics', containerPort: 10254, protocol: 'TCP' }]),
      prometheus: this.systemWorkload(monitoring, 'prometheus', 'StatefulSet', 1, { app: 'prometheus' }, [{ name: 'web', containerPort: 9090, protocol: 'TCP' }]),
      grafana: this.systemWorkload(monitoring, 'grafana', 'Deployment', 1, { app: 'grafana' }, [{ name: 'http', containerPort: 3000, protocol: 'TCP' }]),
    };
    this.buildApplications();
    // CoreDNS scales with the cluster (AKS's coredns-autoscaler: one replica per so many cores).
    this.system.coredns.replicas = Math.min(12, 2 + Math.floor(appWorkloads / 1000));
    this.buildCalls();
  }

  private namespace(name: string, profile: Namespace['profile']): Namespace {
    const ns: Namespace = { name, profile, workloads: [] };
    this.namespaces.push(ns);
    return ns;
  }

  private word(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += SAFE_ALPHABET[(this.rand() * SAFE_ALPHABET.length) | 0];
    return out;
  }

  private addWorkload(ns: Namespace, w: Omit<Workload, 'ref' | 'namespace' | 'calls' | 'externals' | 'fqdnAllowed' | 'listedCallers' | 'hash'>): Workload {
    const workload: Workload = { ...w, ref: `${ns.name}/${w.name}`, namespace: ns, hash: w.kind === 'Deployment' ? this.word(10) : '', calls: [], externals: [], fqdnAllowed: [], listedCallers: [] };
    ns.workloads.push(workload);
    this.byRef.set(workload.ref, workload);
    return workload;
  }

  private systemWorkload(ns: Namespace, name: string, kind: Workload['kind'], replicas: number, labels: Record<string, string>, ports: ContainerPort[]): Workload {
    return this.addWorkload(ns, { name, component: 'system', kind, replicas, labels, ports, serves: ports[0] ?? null, servicePort: ports[0]?.containerPort ?? 0 });
  }

  private appWorkload(ns: Namespace, name: string, component: Component): Workload {
    const spec = COMPONENTS[component];
    const replicas = spec.kind === 'StatefulSet' ? (this.rand() < 0.3 ? 3 : 1) : 1 + ((this.rand() * 3) | 0);
    return this.addWorkload(ns, {
      name,
      component,
      kind: spec.kind,
      replicas,
      labels: { app: name, component },
      ports: spec.serves ? [spec.serves, METRICS_PORT] : [METRICS_PORT],
      serves: spec.serves,
      servicePort: spec.servicePort,
    });
  }

  /** ceil(N/50) namespaces of balanced size; with six or more, the first three are the shared platform namespaces. */
  private buildApplications(): void {
    const count = Math.ceil(this.appWorkloads / WORKLOADS_PER_NAMESPACE);
    const platform = count >= 6 ? PLATFORM_NAMESPACES.length : 0;
    for (let i = 0; i < count; i++) {
      const size = Math.floor(this.appWorkloads / count) + (i < this.appWorkloads % count ? 1 : 0);
      const app = i - platform;
      const ns = i < platform
        ? this.namespace(PLATFORM_NAMESPACES[i], 'platform')
        : this.namespace(`${APP_DOMAINS[app % APP_DOMAINS.length]}-${String(Math.floor(app / APP_DOMAINS.length) + 1).padStart(2, '0')}`, PROFILE_CYCLE[app % PROFILE_CYCLE.length]);
      const nouns = i < platform ? PLATFORM_NOUNS[ns.name] : APP_NOUNS;
      const offset = (i * 7) % nouns.length;
      let made = 0;
      if (i >= platform) {
        this.appWorkload(ns, 'frontend', 'frontend');
        made++;
      }
      // Groups of one noun: an API (sometimes gRPC) with, now and then, its own store, cache, queue and worker.
      for (let g = 0; made < size; g++) {
        const noun = nouns[(offset + g) % nouns.length] + (g >= nouns.length ? `-${Math.floor(g / nouns.length) + 1}` : '');
        const group: Component[] = [this.rand() < 0.2 ? 'grpc' : 'api'];
        if (this.rand() < 0.3) group.push('db');
        if (this.rand() < 0.2) group.push('cache');
        if (this.rand() < 0.08) group.push('queue');
        if (this.rand() < 0.35) group.push('worker');
        for (const c of group) {
          if (made >= size) break;
          this.appWorkload(ns, `${noun}-${c}`, c);
          made++;
        }
      }
    }
  }

  private pick<T>(list: readonly T[]): T {
    return list[(this.rand() * list.length) | 0];
  }

  /** Who calls whom: 2-5 callees per caller (data stores call nobody), mostly next door, some platform, a few across teams. */
  private buildCalls(): void {
    const apps = this.namespaces.filter((n) => n.profile !== 'system');
    // Whom a call may reach: workloads that serve, but not the frontends (the ingress controller calls those).
    const callable = new Map(apps.map((n) => [n, n.workloads.filter((w) => w.serves && w.component !== 'frontend')]));
    const platformServing = apps.filter((n) => n.profile === 'platform').flatMap((n) => callable.get(n)!);
    const appNamespaces = apps.filter((n) => n.profile !== 'platform');
    for (const ns of apps) {
      const serving = callable.get(ns)!;
      for (const w of ns.workloads) {
        if (DATA_STORES.has(w.component as Component)) continue;
        const want = 2 + ((this.rand() * 4) | 0);
        const chosen = new Set<Workload>([w]);
        const add = (to: Workload | undefined, crossTeam: boolean) => {
          if (!to || chosen.has(to) || chosen.size > want) return;
          chosen.add(to);
          // Undeclared dependencies: a few calls inside a team, and many across teams, that no policy lists.
          const stray = !crossTeam && to.namespace === ns && this.rand() < 0.06;
          const unannounced = crossTeam && this.rand() < 0.4;
          w.calls.push({ to, port: to.serves!.containerPort, protocol: to.serves!.protocol, egressListed: !stray, ingressListed: !stray && !unannounced, weight: 2 + ((this.rand() * 9) | 0) });
        };
        // The group's own stores first: orders-api talks to orders-db and orders-cache.
        const dash = w.name.lastIndexOf('-');
        if (dash > 0) for (const c of ['db', 'cache', 'queue', 'api', 'grpc'] as const) add(this.byRef.get(`${ns.name}/${w.name.slice(0, dash)}-${c}`), false);
        for (let tries = 0; chosen.size <= want && tries < want * 4; tries++) {
          const r = this.rand();
          if (r < 0.2 && platformServing.length && ns.profile !== 'platform') add(this.pick(platformServing), false);
          else if (r < 0.27 && appNamespaces.length > 1 && ns.profile !== 'platform') {
            const other = this.pick(appNamespaces);
            if (other !== ns) add(this.pick(callable.get(other)!), true);
          } else if (serving.length) add(this.pick(serving), false);
        }
        if (w.component === 'frontend' || this.rand() >= 0.2) continue;
        // About a fifth of the callers reach 1-3 internet names.
        const n = 1 + ((this.rand() * 3) | 0);
        for (let k = 0; k < n; k++) {
          const host = this.pick(this.internet);
          if (!w.externals.includes(host)) w.externals.push(host);
        }
        // A toFQDNs policy lists what the team knew about; one name in three callers was missed.
        w.fqdnAllowed = w.externals.length > 1 && this.rand() < 0.35 ? w.externals.slice(0, -1) : [...w.externals];
      }
    }
    for (const ns of apps) for (const w of ns.workloads) for (const c of w.calls) if (c.ingressListed) c.to.listedCallers.push(w);
  }

  // ---- objects ----

  nodesAndPods(): { nodes: DemoNode[]; pods: DemoPod[] } {
    const workloads = this.namespaces.flatMap((n) => n.workloads);
    const podCount = workloads.reduce((s, w) => s + w.replicas, 0);
    const nodeCount = Math.max(3, Math.ceil(podCount / PODS_PER_NODE));
    const nodes: DemoNode[] = [];
    for (let i = 0; i < nodeCount; i++) {
      // A VMSS holds at most 1,000 instances: larger clusters have more node pools.
      const pool = Math.floor(i / 1000) + 1;
      const instance = (i % 1000).toString(36).padStart(6, '0');
      const ip = 4 + i;
      nodes.push({ name: `aks-nodepool${pool}-31415926-vmss${instance}`, ip: `10.224.${ip >> 8}.${ip & 255}` });
    }
    const pods: DemoPod[] = [];
    let podIndex = 0;
    let identity = 12_000;
    for (const w of workloads) {
      identity++;
      for (let r = 0; r < w.replicas; r++) {
        // Round robin over the nodes (replicas land on different nodes); each node fills its /26 in order.
        const node = podIndex % nodeCount;
        const slot = Math.floor(podIndex / nodeCount);
        const offset = node * NODE_POD_BLOCK + 2 + slot;
        const name = w.kind === 'StatefulSet' ? `${w.name}-${r}` : `${w.name}-${w.hash}-${this.word(5)}`;
        pods.push({
          namespace: w.namespace.name,
          name,
          labels: { ...w.labels, ...(w.kind === 'StatefulSet' ? { 'statefulset.kubernetes.io/pod-name': name } : { 'pod-template-hash': w.hash }) },
          ip: `10.${244 + (offset >> 16)}.${(offset >> 8) & 255}.${offset & 255}`,
          node: nodes[node].name,
          workload: { name: w.name, kind: w.kind },
          ports: w.ports,
          identity,
        });
        podIndex++;
      }
    }
    return { nodes, pods };
  }

  namespaceObjects(): DemoNamespace[] {
    return this.namespaces.map((n) => ({
      name: n.name,
      labels: { [NAMESPACE_NAME]: n.name, ...(n.profile !== 'system' ? { 'flowsight.io/demo-profile': n.profile } : {}) },
    }));
  }

  /** One Service per workload that serves, ClusterIPs in AKS's default 10.0.0.0/16 (kube-dns keeps 10.0.0.10). */
  services(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    let next = 0;
    const clusterIp = () => {
      // From 10.0.1.0 on: 10.0.0.0/24 holds the API server's 10.0.0.1 and kube-dns's 10.0.0.10.
      const n = 256 + next++;
      return `10.0.${n >> 8}.${n & 255}`;
    };
    for (const ns of this.namespaces) {
      for (const w of ns.workloads) {
        if (!w.serves) continue;
        const selector = Object.fromEntries(Object.entries(w.labels));
        if (w === this.system.coredns) {
          out.push(svc(ns.name, 'kube-dns', { clusterIP: '10.0.0.10', selector, ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' }] }));
          continue;
        }
        const type = w === this.system.ingress ? { type: 'LoadBalancer' } : {};
        out.push(svc(ns.name, w.name, { ...type, clusterIP: clusterIp(), selector, ports: [{ name: w.serves.name, port: w === this.system.ingress ? 443 : w.servicePort || w.serves.containerPort, protocol: w.serves.protocol, targetPort: w.serves.name }] }));
      }
    }
    return out;
  }

  policies(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [
      // ingress-nginx: open to the internet on 443 by design; egress open.
      np('ingress-nginx', 'ingress-controller', { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 443 }] }] }),
    ];
    for (const ns of this.namespaces) {
      const p = ns.profile;
      if (p === 'system' || p === 'unprotected') continue;
      if (p === 'audit') {
        out.push(cnp(ns.name, 'egress-lockdown', {
          endpointSelector: {},
          egress: [CILIUM_DNS_RULE, { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': ns.name } }] }],
        }, AUDIT_ANNOTATION));
        continue;
      }
      if (p === 'ingress-only') out.push(np(ns.name, 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }));
      else out.push(np(ns.name, 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
      if (egressIsolated(p) && p !== 'forgot-dns') {
        out.push(np(ns.name, 'allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_DNS_PEER], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] }));
      }
      if (p !== 'ingress-only') {
        out.push(np(ns.name, 'allow-prometheus-scrape', {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ protocol: 'TCP', port: METRICS_PORT.containerPort }] }],
        }));
      }
      for (const w of ns.workloads) {
        const policy = this.workloadPolicy(w);
        if (policy) out.push(policy);
        if (p === 'fqdn-egress' && w.externals.length) {
          out.push(cnp(ns.name, `${w.name}-egress-fqdn`, {
            endpointSelector: { matchLabels: { app: w.name } },
            egress: [CILIUM_DNS_RULE, { toFQDNs: w.fqdnAllowed.map((h) => ({ matchName: h.name })), toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
          }));
        }
      }
    }
    return out;
  }

  /** `allow-<workload>`: who may call it on its port, and (where egress is isolated) whom it calls. */
  private workloadPolicy(w: Workload): Record<string, unknown> | undefined {
    const ns = w.namespace;
    const ingress: Record<string, unknown>[] = [];
    if (w.serves && ns.profile === 'platform') {
      // A shared service: any pod of any namespace may call it on its port.
      ingress.push({ from: [{ namespaceSelector: {} }], ports: [{ protocol: w.serves.protocol, port: w.serves.containerPort }] });
    } else if (w.serves && w.listedCallers.length) {
      ingress.push({ from: w.listedCallers.map((c) => this.peer(c, ns.name)), ports: [{ protocol: w.serves.protocol, port: w.serves.containerPort }] });
    }
    if (w.component === 'frontend') {
      ingress.push({
        from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
        ports: [{ protocol: 'TCP', port: w.serves!.containerPort }],
      });
    }
    const egress: Record<string, unknown>[] = [];
    if (egressIsolated(ns.profile)) {
      const byPort = new Map<string, Record<string, unknown>[]>();
      for (const c of w.calls) {
        if (!c.egressListed) continue;
        const key = `${c.protocol}/${c.port}`;
        let peers = byPort.get(key);
        if (!peers) byPort.set(key, (peers = []));
        peers.push(this.peer(c.to, ns.name));
      }
      for (const [key, peers] of byPort) {
        const [protocol, port] = key.split('/');
        egress.push({ to: peers, ports: [{ protocol, port: Number(port) }] });
      }
      if (ns.profile === 'platform' && w.externals.length) egress.push({ to: [{ ipBlock: INTERNET_BLOCK }], ports: [{ protocol: 'TCP', port: 443 }] });
    }
    if (!ingress.length && !egress.length) return undefined;
    return np(ns.name, `allow-${w.name}`, {
      podSelector: { matchLabels: { app: w.name } },
      policyTypes: [...(ingress.length ? ['Ingress'] : []), ...(egress.length ? ['Egress'] : [])],
      ...(ingress.length ? { ingress } : {}),
      ...(egress.length ? { egress } : {}),
    });
  }

  private peer(w: Workload, from: string): Record<string, unknown> {
    const pod = { podSelector: { matchLabels: { app: w.name } } };
    return w.namespace.name === from ? pod : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: w.namespace.name } }, ...pod };
  }

  // ---- verdicts: what the policies above decide ----

  private egressOf(w: Workload, to: { pod?: Workload; world?: boolean; port: number; dns?: boolean; host?: InternetHost }): Side {
    const ns = w.namespace;
    const p = ns.profile;
    if (p === 'audit') {
      const lockdown = CNP(ns.name, 'egress-lockdown');
      if (to.dns) return { allowed: true, by: [lockdown], why: 'DNS rule of the audit-mode egress-lockdown' };
      if (to.pod?.namespace === ns) return { allowed: true, by: [lockdown], why: 'egress-lockdown allows its own namespace' };
      return { allowed: false, audit: true, by: [], why: 'egress-lockdown (audit mode) has no rule for it' };
    }
    if (!egressIsolated(p)) return ALLOWED_UNISOLATED;
    if (to.dns) {
      if (p === 'forgot-dns') return { allowed: false, by: [], why: 'default-deny-all and no DNS rule' };
      const fqdn = p === 'fqdn-egress' && w.externals.length ? [CNP(ns.name, `${w.name}-egress-fqdn`)] : [];
      return { allowed: true, by: [NP(ns.name, 'allow-dns'), ...fqdn], why: 'allow-dns' };
    }
    if (to.pod) {
      const listed = w.calls.some((c) => c.to === to.pod && c.egressListed);
      return listed ? { allowed: true, by: [NP(ns.name, `allow-${w.name}`)], why: `allow-${w.name} egress` } : { allowed: false, by: [], why: `allow-${w.name} does not list ${to.pod.ref}` };
    }
    if (p === 'platform' && w.externals.length) return { allowed: true, by: [NP(ns.name, `allow-${w.name}`)], why: `allow-${w.name}: ipBlock 0.0.0.0/0 on 443` };
    if (p === 'fqdn-egress' && to.host && w.fqdnAllowed.includes(to.host)) return { allowed: true, by: [CNP(ns.name, `${w.name}-egress-fqdn`)], why: `toFQDNs ${to.host.name}` };
    return { allowed: false, by: [], why: p === 'fqdn-egress' && w.externals.length ? `${w.name}-egress-fqdn does not list ${to.host?.name}` : 'default-deny-all: no egress rule to the internet' };
  }

  private ingressOf(w: Workload, from: { pod?: Workload; host?: boolean; port: number }): Side {
    const ns = w.namespace;
    const p = ns.profile;
    if (from.host) return { allowed: true, by: [], why: 'Cilium always allows the local node (kubelet probes)' };
    if (!ingressIsolated(p)) {
      if (ns.name === 'ingress-nginx') return { allowed: true, by: [NP(ns.name, 'ingress-controller')], why: 'ingress-controller allows 443 from anywhere' };
      return ALLOWED_UNISOLATED;
    }
    const caller = from.pod;
    if (caller === this.system.prometheus && from.port === METRICS_PORT.containerPort) {
      return p === 'ingress-only' ? { allowed: false, by: [], why: 'default-deny-ingress: the scrape was never allowed' } : { allowed: true, by: [NP(ns.name, 'allow-prometheus-scrape')], why: 'allow-prometheus-scrape' };
    }
    if (caller === this.system.ingress && w.component === 'frontend') return { allowed: true, by: [NP(ns.name, `allow-${w.name}`)], why: `allow-${w.name} from ingress-nginx` };
    if (caller && w.serves && from.port === w.serves.containerPort && (p === 'platform' || w.listedCallers.includes(caller))) {
      return { allowed: true, by: [NP(ns.name, `allow-${w.name}`)], why: `allow-${w.name} ingress` };
    }
    return { allowed: false, by: [], why: `allow-${w.name} does not list ${caller?.ref ?? 'it'}` };
  }

  /** A pattern whose verdict combines both sides as the datapath does: a hard deny at egress, then at ingress, then audit. */
  private pattern(id: string, from: PeerRef, to: PeerRef, port: number, protocol: 'TCP' | 'UDP', weight: number, egress: Side, ingress: Side, extra: Partial<TrafficPattern> = {}): TrafficPattern {
    const toPod = 'workload' in to;
    let verdict: Verdict = 'FORWARDED';
    let enforcedAt: 'egress' | 'ingress' = toPod ? 'ingress' : 'egress';
    let why = [egress.why, ingress.why].filter((w) => w !== ALLOWED_UNISOLATED.why).join('; ') || 'neither side is isolated';
    if (!egress.allowed && !egress.audit) [verdict, enforcedAt, why] = ['DROPPED', 'egress', egress.why];
    else if (!ingress.allowed && !ingress.audit) [verdict, enforcedAt, why] = ['DROPPED', 'ingress', ingress.why];
    else if (!egress.allowed) [verdict, enforcedAt, why] = ['AUDIT', 'egress', egress.why];
    else if (!ingress.allowed) [verdict, enforcedAt, why] = ['AUDIT', 'ingress', ingress.why];
    return {
      id,
      from,
      to,
      port,
      protocol,
      weight,
      verdict,
      enforcedAt,
      ...(verdict === 'DROPPED' ? { dropReason: 'POLICY_DENIED' as const } : {}),
      ...(verdict !== 'DROPPED' && egress.by.length ? { egressAllowedBy: egress.by } : {}),
      ...(verdict !== 'DROPPED' && ingress.by.length ? { ingressAllowedBy: ingress.by } : {}),
      ...extra,
      why,
    };
  }

  traffic(): TrafficPattern[] {
    const out: TrafficPattern[] = [];
    const s = this.system;
    const wl = (w: Workload): PeerRef => ({ workload: w.ref });
    const open = ALLOWED_UNISOLATED;
    // Cluster plumbing, as in the hand-written demo.
    out.push(this.pattern('coredns-upstream', wl(s.coredns), AZURE_DNS, 53, 'UDP', 20, open, open));
    out.push(this.pattern('relay-to-nodes', wl(s.hubbleRelay), { reserved: 'remote-node' }, 4244, 'TCP', 3, open, open));
    out.push(this.pattern('metrics-server-kubelet', wl(s.metricsServer), { reserved: 'host' }, 10250, 'TCP', 3, open, open));
    out.push(this.pattern('konnectivity-apiserver', wl(s.konnectivity), { reserved: 'kube-apiserver', ip: API_SERVER_IP }, 443, 'TCP', 3, open, open));
    out.push(this.pattern('internet-to-ingress', CLIENT, wl(s.ingress), 443, 'TCP', 60, open, this.ingressOf(s.ingress, { port: 443 })));
    for (const w of [s.ingress, s.prometheus, s.grafana]) out.push(this.pattern(`${w.ref}-dns`, wl(w), wl(s.coredns), 53, 'UDP', 4, open, open));
    out.push(this.pattern('grafana-to-prometheus', wl(s.grafana), wl(s.prometheus), 9090, 'TCP', 4, open, open));

    for (const ns of this.namespaces) {
      if (ns.profile === 'system') continue;
      for (const w of ns.workloads) {
        const me = wl(w);
        // DNS: one edge per workload; where Cilium's DNS proxy is in the path, one pattern per name it resolves.
        const proxied = (ns.profile === 'fqdn-egress' || ns.profile === 'audit') && w.externals.length > 0;
        const dnsEgress = this.egressOf(w, { dns: true, port: 53 });
        if (proxied) {
          for (const h of w.externals) out.push(this.pattern(`${w.ref}-dns-${h.name}`, me, wl(s.coredns), 53, 'UDP', 2, dnsEgress, open, { dnsQuery: `${h.name}.` }));
        } else out.push(this.pattern(`${w.ref}-dns`, me, wl(s.coredns), 53, 'UDP', 3, dnsEgress, open));
        for (const c of w.calls) {
          out.push(this.pattern(`${w.ref}->${c.to.ref}:${c.port}`, me, wl(c.to), c.port, c.protocol, c.weight, this.egressOf(w, { pod: c.to, port: c.port }), this.ingressOf(c.to, { pod: w, port: c.port })));
        }
        for (const h of w.externals) {
          out.push(this.pattern(`${w.ref}->${h.name}`, me, { world: h.name, ip: h.ip }, 443, 'TCP', 2, this.egressOf(w, { world: true, host: h, port: 443 }), open));
        }
        out.push(this.pattern(`scrape-${w.ref}`, wl(s.prometheus), me, METRICS_PORT.containerPort, 'TCP', 1, open, this.ingressOf(w, { pod: s.prometheus, port: METRICS_PORT.containerPort })));
        if (w.component === 'frontend') {
          out.push(this.pattern(`ingress-to-${w.ref}`, wl(s.ingress), me, w.serves!.containerPort, 'TCP', 12, open, this.ingressOf(w, { pod: s.ingress, port: w.serves!.containerPort })));
          out.push(this.pattern(`kubelet-probe-${w.ref}`, { reserved: 'host' }, me, w.serves!.containerPort, 'TCP', 2, open, this.ingressOf(w, { host: true, port: w.serves!.containerPort })));
        }
      }
    }
    return out;
  }
}

const svc = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });

/** Builds the scaled cluster afresh (scaledScenario memoizes it). */
export function buildScaledScenario(workloads: number, seed = 7): DemoScenario {
  if (!Number.isInteger(workloads) || workloads < 1 || workloads > MAX_SCALE) throw new RangeError(`scaled demo: workloads must be an integer from 1 to ${MAX_SCALE}, got ${workloads}`);
  const b = new ScaledBuilder(workloads, seed);
  const { nodes, pods } = b.nodesAndPods();
  return {
    cluster: DEMO_CLUSTER,
    nodes,
    namespaces: b.namespaceObjects(),
    pods,
    policies: b.policies(),
    services: b.services(),
    endpointSlices: [],
    traffic: b.traffic(),
  };
}

const cache = new Map<string, DemoScenario>();

/**
 * A demo cluster with `workloads` application workloads (plus the cluster's own: CoreDNS, the ingress
 * controller, Prometheus...). Deterministic and memoized per (workloads, seed): the relay and the cluster
 * source of one process share one object.
 */
export function scaledScenario(workloads: number, seed = 7): DemoScenario {
  const key = `${workloads}/${seed}`;
  let scenario = cache.get(key);
  if (!scenario) cache.set(key, (scenario = buildScaledScenario(workloads, seed)));
  return scenario;
}

/** The demo for FLOWSIGHT_DEMO_SCALE and `demo-relay --scale`: the hand-written cluster for 0, else a scaled one. */
export function demoScenarioOfScale(scale: number): DemoScenario {
  return scale > 0 ? scaledScenario(scale) : demoScenario();
}
