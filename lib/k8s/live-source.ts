/**
 * Cluster objects from a live API server through @kubernetes/client-node informers (list + watch).
 * A missing CRD (Cilium not installed) is reported and retried slowly; a broken watch is restarted with
 * backoff; a 410 Gone relists (handled inside the informer); while the API server is unreachable the
 * snapshot is kept and marked stale with the time of the last sync.
 */

import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, KubeConfig, ListWatch, Watch, type KubernetesObject } from '@kubernetes/client-node';
import type { ClusterSource, ClusterSourceStatus, SnapshotListener } from './cluster-source';
import { normalizeObject, type ClusterObjectKind } from './normalize';
import { ClusterObjectStore } from './object-store';
import type { SourceError, SourceErrorCode } from './source-error';
import type { ClusterSnapshot } from './types';
import { objectKey } from './types';

interface WatchedResource {
  kind: ClusterObjectKind;
  /** API path of the cluster-wide collection, e.g. /apis/cilium.io/v2/ciliumnetworkpolicies. */
  path: string;
  group: string;
  version: string;
  plural: string;
  /** A CRD: its absence is normal (no Cilium) and is reported, not fatal. */
  crd: boolean;
  /**
   * Nice to have: when RBAC forbids it (or the API lacks it), report it without marking the data stale.
   * The text says what is lost without it.
   */
  optional?: { without: string };
}

export const WATCHED_RESOURCES: readonly WatchedResource[] = [
  { kind: 'Namespace', path: '/api/v1/namespaces', group: '', version: 'v1', plural: 'namespaces', crd: false },
  { kind: 'Pod', path: '/api/v1/pods', group: '', version: 'v1', plural: 'pods', crd: false },
  { kind: 'Node', path: '/api/v1/nodes', group: '', version: 'v1', plural: 'nodes', crd: false, optional: { without: 'node IPs are treated as external addresses' } },
  // Connections to a Service are evaluated against its backends; without Services a ClusterIP is just an address.
  { kind: 'Service', path: '/api/v1/services', group: '', version: 'v1', plural: 'services', crd: false, optional: { without: 'probes naming a Service fail and ClusterIPs are treated as external addresses' } },
  { kind: 'EndpointSlice', path: '/apis/discovery.k8s.io/v1/endpointslices', group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', crd: false, optional: { without: 'Services without a selector have no known backends' } },
  { kind: 'NetworkPolicy', path: '/apis/networking.k8s.io/v1/networkpolicies', group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', crd: false },
  { kind: 'CiliumNetworkPolicy', path: '/apis/cilium.io/v2/ciliumnetworkpolicies', group: 'cilium.io', version: 'v2', plural: 'ciliumnetworkpolicies', crd: true },
  { kind: 'CiliumClusterwideNetworkPolicy', path: '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies', group: 'cilium.io', version: 'v2', plural: 'ciliumclusterwidenetworkpolicies', crd: true },
];

export interface LiveSourceOptions {
  /** Defaults to `loadFromDefault()`: $KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  kubeConfig?: KubeConfig;
  /** First delay before restarting a failed list/watch; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** How often to look again for an absent CRD (Cilium installed later). */
  crdRetryMs?: number;
  now?: () => number;
}

type ResourceState = 'starting' | 'synced' | 'failing' | 'absent';

interface ResourceWatch {
  resource: WatchedResource;
  informer: ListWatch<KubernetesObject>;
  state: ResourceState;
  lastSyncAt?: number;
  error?: SourceError;
  retryDelay: number;
  retryTimer?: NodeJS.Timeout;
  firstSettled: () => void;
}

export class LiveSource implements ClusterSource {
  private readonly kc: KubeConfig;
  private readonly store = new ClusterObjectStore();
  private readonly listeners = new Set<SnapshotListener>();
  private readonly watches: ResourceWatch[] = [];
  private notifyScheduled = false;
  private stopped = false;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly crdRetryMs: number;
  private readonly now: () => number;

  constructor(options: LiveSourceOptions = {}) {
    if (options.kubeConfig) this.kc = options.kubeConfig;
    else {
      this.kc = new KubeConfig();
      this.kc.loadFromDefault();
    }
    this.retryMs = options.retryMs ?? 500;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    this.crdRetryMs = options.crdRetryMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Resolves once every resource has been listed once or has failed once (then it keeps retrying). */
  async start(): Promise<void> {
    this.stopped = false;
    const core = this.kc.makeApiClient(CoreV1Api);
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    const discovery = this.kc.makeApiClient(DiscoveryV1Api);
    const settled: Promise<void>[] = [];
    for (const resource of WATCHED_RESOURCES) {
      let firstSettled!: () => void;
      settled.push(new Promise<void>((resolve) => (firstSettled = resolve)));
      const list = listFunction(resource, core, custom, discovery);
      const watch: ResourceWatch = {
        resource,
            informer: new ListWatch(
          resource.path,
          new ConnectionAwareWatch(this.kc, () => this.onSynced(watch)),
          async () => {
            const result = await list();
            this.onSynced(watch);
            return result;
          },
          false,
        ),
        state: 'starting',
        retryDelay: this.retryMs,
        firstSettled,
      };
      this.watches.push(watch);
      this.wire(watch);
      void watch.informer.start();
    }
    await Promise.all(settled);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watches) {
      clearTimeout(w.retryTimer);
      await w.informer.stop();
    }
    this.watches.length = 0;
  }

  snapshot(): ClusterSnapshot {
    return this.store.snapshot();
  }

  onChange(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): ClusterSourceStatus {
    const relevant = this.watches.filter((w) => w.state !== 'absent');
    const stale = relevant.some((w) => w.state === 'failing');
    // The data is only as fresh as its least recently synced resource.
    const syncTimes = relevant.map((w) => w.lastSyncAt);
    const lastSyncAt = syncTimes.length && syncTimes.every((t) => t !== undefined) ? Math.min(...(syncTimes as number[])) : undefined;
    return {
      kind: 'live',
      lastSyncAt,
      stale,
      errors: this.watches.flatMap((w) => (w.error ? [w.error] : [])),
    };
  }

  private wire(w: ResourceWatch): void {
    const upsert = (obj: KubernetesObject) => {
      const r = normalizeObject(obj, w.resource.kind);
      if (!r.ok) return; // the API server validated it; a failure here is a shape we do not read
      this.store.upsert(r.object);
      this.touched(w);
    };
    w.informer.on('add', upsert);
    w.informer.on('update', upsert);
    w.informer.on('delete', (obj) => {
      const r = normalizeObject(obj, w.resource.kind);
      if (r.ok && this.store.remove(w.resource.kind, objectKey(r.object.value))) this.touched(w);
    });
    w.informer.on('error', (err) => this.onFailure(w, err));
  }

  /** A successful list, or a watch that resumed from its resource version: the cache matches the cluster. */
  private onSynced(w: ResourceWatch): void {
    w.state = 'synced';
    w.error = undefined;
    w.lastSyncAt = this.now();
    w.retryDelay = this.retryMs;
    w.firstSettled();
    this.scheduleNotify();
  }

  private touched(w: ResourceWatch): void {
    if (w.state === 'synced') w.lastSyncAt = this.now();
    this.scheduleNotify();
  }

  private onFailure(w: ResourceWatch, err: unknown): void {
    if (this.stopped) return;
    const status = statusCodeOf(err);
    const where = { resource: `${w.resource.group ? `${w.resource.group}/` : ''}${w.resource.version}/${w.resource.plural}` };
    let delay: number;
    if (status === 404 && w.resource.crd) {
      w.state = 'absent';
      w.error = { code: 'crd-absent', message: `${w.resource.kind} is not served by this cluster (CRD not installed); its policies are not evaluated`, where };
      delay = this.crdRetryMs;
    } else if ((status === 403 || status === 404) && w.resource.optional) {
      w.state = 'absent';
      w.error = { code: status === 403 ? 'forbidden' : 'crd-absent', message: `${w.resource.kind} cannot be listed (${status}); ${w.resource.optional.without}`, where };
      delay = this.crdRetryMs;
    } else {
      const code: SourceErrorCode = status === 401 || status === 403 ? 'forbidden' : status === undefined ? 'api-unreachable' : 'watch-failed';
      w.state = 'failing';
      const since = w.lastSyncAt ? `; showing data from ${new Date(w.lastSyncAt).toISOString()}` : '';
      w.error = { code, message: `${w.resource.kind} list/watch failed: ${shortMessage(err)}${since}`, where };
      delay = w.retryDelay;
      w.retryDelay = Math.min(w.retryDelay * 2, this.maxRetryMs);
    }
    w.firstSettled();
    this.scheduleNotify();
    clearTimeout(w.retryTimer);
    w.retryTimer = setTimeout(() => {
      if (!this.stopped) void w.informer.start();
    }, delay);
  }

  /** Coalesce the burst of events of a relist into one notification. */
  private scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      if (this.stopped) return;
      const snap = this.store.snapshot();
      for (const l of this.listeners) l(snap);
    });
  }
}

/**
 * The client's Watch, telling us when the watch request was accepted: after an outage the informer resumes
 * from its resource version without a relist, and that accepted watch is what ends the stale state.
 */
class ConnectionAwareWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly onConnected: () => void,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    let failed = false;
    const controller = await super.watch(path, queryParams, callback, (err) => {
      if (err) failed = true;
      done(err);
    });
    // Watch.watch returns after the response headers: a failure (refused, non-200) has called done by now.
    if (!failed) this.onConnected();
    return controller;
  }
}

type ListResult = { metadata?: { resourceVersion?: string }; items: KubernetesObject[] };

function listFunction(r: WatchedResource, core: CoreV1Api, custom: CustomObjectsApi, discovery: DiscoveryV1Api): () => Promise<ListResult> {
  switch (r.kind) {
    case 'Namespace':
      return () => core.listNamespace() as Promise<ListResult>;
    case 'Pod':
      return () => core.listPodForAllNamespaces() as Promise<ListResult>;
    case 'Node':
      return () => core.listNode() as Promise<ListResult>;
    case 'Service':
      return () => core.listServiceForAllNamespaces() as Promise<ListResult>;
    case 'EndpointSlice':
      return () => discovery.listEndpointSliceForAllNamespaces() as Promise<ListResult>;
    default:
      // The generic custom-objects client returns the JSON as served (typed clients rename fields such as `except`).
      return () => custom.listClusterCustomObject({ group: r.group, version: r.version, plural: r.plural }) as Promise<ListResult>;
  }
}

function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

function shortMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}
