/**
 * The composition root: the configuration, read and validated once, and everything built from it
 * (the logger, the hub and its relay subscription, the cluster source and the policy posture, the
 * Azure source, the edge verdicts over all layers, the auth state). Route handlers,
 * instrumentation.ts and the proxy ask it for what they need.
 *
 * Next bundles instrumentation, the proxy and each route separately, so module state would exist
 * once per bundle: the one runtime of the process lives on globalThis under a registered symbol.
 * This is the only process-wide singleton. Parts start on first use and independently: a part
 * whose start fails is not kept (the next caller starts it again) and does not stop the others.
 */

import { getHeapStatistics } from 'node:v8';
import type { AzureSnapshot, AzureSource } from '../azure/types';
import { azureSourceFromSettings } from '../azure/source-from-env';
import type { ClusterSource } from '../k8s/cluster-source';
import { isInputProblem } from '../k8s/source-error';
import type { ClusterSnapshot } from '../k8s/types';
import { PolicyPosture } from '../posture/policy-posture';
import { principalOf, type AuthContext, type Principal } from './access/auth';
import { clusterSourceFromConfig } from './cluster-source-from-config';
import { redactedUrl } from '../util/redacted-url';
import { configSummary, loadConfig, type Config, type Env } from './config';
import { heapBudgetApplied } from './heap-budget';
import { EdgeFlows } from './edge-flows';
import { EdgePathAnnotator } from './edge-paths';
import { initialStoreStatus, type FlowStore, type StoreStatus } from '../history/flow-store';
import { openFlowStore, type FlowStoreSettings } from '../history/open-store';
import { FreshReads, ReadGate } from './flow-search';
import { HistoryFeed } from './history-feed';
import { HttpResponseTracker } from './http-response-context';
import { Hub } from './hub';
import { createLogger, type Logger } from './logger';
import { NamespaceAccess, subjectAccessReviewer, type AccessReviewer, type NamespaceScope } from './access/namespace-access';
import { OidcSignIn } from './access/oidc';
import { FlowsightMetrics } from './metrics';
import { FailureLimiter } from './access/rate-limit';
import { relayEventLogger } from './relay-log';
import { securityLogOf, type SecurityLog } from './access/security-log';
import { revokedSessionsFromFile } from './access/revocation-file';
import { RevokedSessions } from './access/session';
import { KubeConfig } from '@kubernetes/client-node';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startObserverServer, type ObserverServer } from '../observer/observer-server';
import { FLOWSIGHT_VERSION } from '../version';
import { EvidenceReports } from './reports/evidence-reports';

/** The cluster source and the policy engine, findings and scores over it and the flows seen. */
export interface PostureService {
  source: ClusterSource;
  posture: PolicyPosture;
}

/** The Azure source and its newest snapshot (loading errors are inside it), refreshed periodically. */
export interface AzureService {
  source: AzureSource;
  snapshot(): AzureSnapshot;
  loadedAt(): number;
}

/** What tests replace; the process runtime uses the defaults. */
export interface RuntimeOptions {
  /** The environment the configuration is read from (default: process.env). */
  env?: Env;
  /** The logger (default: one at FLOWSIGHT_LOG_LEVEL on stdout). */
  logger?: Logger;
  /** Track each request's Node response (the process runtime does, from boot; see http-response-context.ts). */
  trackResponses?: boolean;
  createHub?: (config: Config, logger: Logger) => Hub;
  createClusterSource?: (config: Config) => ClusterSource;
  createAzureSource?: (config: Config) => AzureSource;
  /** The flow history (default: the store FLOWSIGHT_DATA_DIR / FLOWSIGHT_CLICKHOUSE_URL name). */
  createHistory?: (config: Config, logger: Logger) => Promise<FlowStore>;
  azureRefreshMs?: number;
  /** How long a history that failed to open is not tried again (default 30 s). */
  historyRetryMs?: number;
  /** Who answers "may this user read namespace X" (default: SubjectAccessReview with the default kubeconfig). */
  createAccessReviewer?: (config: Config) => AccessReviewer;
  /** How often a cluster source that failed to start is asked again, for the edges' node addresses. */
  postureRetryMs?: number;
}

/** $KUBECONFIG, ~/.kube/config, or the in-cluster service account (as the live cluster source reads it). */
function defaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

const AZURE_REFRESH_MS = 5 * 60_000;
const POSTURE_RETRY_MS = 30_000;
const HISTORY_RETRY_MS = 30_000;

export class Runtime {
  /** Per graph edge: its newest flow and the server addresses seen, fed by the hub once it runs. */
  readonly edgeFlows = new EdgeFlows();
  /** History reads in flight across all clients, at most (the rest are told to retry). */
  readonly historyReads = new ReadGate(8);
  /** Shared by the searches of all clients: one flush of the history's queue at a time, at most two a second. */
  readonly freshReads = new FreshReads();
  /** What-if replays running at once (each compiles policy engines and holds a window's traffic); more are told to retry. */
  readonly replays = new ReadGate(2);
  private loaded: { config: Config } | { error: Error } | undefined;
  private log: Logger | undefined;
  private readonly responses: HttpResponseTracker | null;
  private authState: { limiter: FailureLimiter; revoked: RevokedSessions; log: SecurityLog; sessionSecret: string | null; oidc: OidcSignIn | null } | undefined;
  private readonly starting = new Map<string, Promise<unknown>>();
  private readonly stops: (() => unknown)[] = [];
  private historyFailure_: { at: number; error: unknown } | undefined;
  /** How each part's last start ended (for /readyz); absent while it has not ended yet. */
  private readonly partState = new Map<string, 'ok' | 'failed'>();
  /** The parts running now, for the metrics read at scrape time. */
  private running: { hub?: Hub; store?: FlowStore; cluster?: ClusterSource } = {};
  private metrics_: FlowsightMetrics | undefined;
  private reports_: EvidenceReports | undefined;
  private namespaceAccess_: NamespaceAccess | undefined;

  constructor(private readonly options: RuntimeOptions = {}) {
    this.responses = options.trackResponses ? new HttpResponseTracker() : null;
  }

  /** The configuration, validated once; throws the ConfigError (every problem named) when it is invalid. */
  get config(): Config {
    // Paths were checked by `npm start` before the server started; one that vanished since is the
    // source's error to report (the routes answer with it), not a configuration error.
    this.loaded ??= (() => {
      try {
        return { config: loadConfig(this.options.env ?? process.env, { checkPaths: false }) };
      } catch (error) {
        return { error: error as Error };
      }
    })();
    if ('error' in this.loaded) throw this.loaded.error;
    return this.loaded.config;
  }

  /** The server's logger, at FLOWSIGHT_LOG_LEVEL (at `info` while the configuration is invalid, to say so). */
  get logger(): Logger {
    if (!this.log) {
      let level: Config['logLevel'] = 'info';
      try {
        level = this.config.logLevel;
      } catch {
        /* reported by boot() */
      }
      this.log = this.options.logger ?? createLogger(level);
    }
    return this.log;
  }

  /** The Node response of the request being handled for `pathname`, when responses are tracked. */
  httpResponse(pathname: string): ServerResponse | null {
    return this.responses?.current(pathname) ?? null;
  }

  /** The sign-in, sign-out and access checks' state: the configured token, OIDC, trusted proxy, failure limiter, revocations. */
  auth(): AuthContext {
    const config = this.config;
    if (!this.authState) {
      const log = securityLogOf(this.logger);
      const sessionSecret = this.sessionSecret(config);
      this.authState = {
        limiter: new FailureLimiter(),
        // Sign-outs outlive a restart (auth off: nothing to sign out of).
        revoked: sessionSecret === null ? new RevokedSessions() : revokedSessionsFromFile(path.join(config.history.dir, 'sessions', 'revoked.json'), log),
        log,
        sessionSecret,
        oidc: config.auth.oidc ? new OidcSignIn(config.auth.oidc) : null,
      };
    }
    return { token: config.authToken, proxy: config.auth.trustedProxy, ...this.authState, now: Date.now };
  }

  /** Who made this request (null: nobody the configuration accepts). */
  principal(request: Request): Promise<Principal | null> {
    return principalOf(this.auth(), request.headers);
  }

  /**
   * The namespaces a principal may see: all of them unless FLOWSIGHT_AUTHZ=namespaces, and always
   * for the shared token (the operator's key); otherwise what Kubernetes says the user may read,
   * asked per namespace the cluster and the flows know of (SubjectAccessReview, cached briefly).
   */
  async scopeOf(principal: Principal): Promise<NamespaceScope> {
    if (this.config.auth.authz !== 'namespaces' || principal.via === 'open' || principal.via === 'token') return 'all';
    // Kubernetes puts every authenticated user in system:authenticated; RBAC granted to it applies here too.
    return this.namespaceAccess().scope({ user: principal.user, groups: [...principal.groups, 'system:authenticated'] }, await this.knownNamespaces());
  }

  private namespaceAccess(): NamespaceAccess {
    if (!this.namespaceAccess_) {
      const log = this.logger.child({ component: 'authz' });
      const reviewer = this.options.createAccessReviewer?.(this.config) ?? subjectAccessReviewer(defaultKubeConfig());
      this.namespaceAccess_ = new NamespaceAccess(reviewer, {
        onError: (failure) => log.warn({ user: failure.user, namespace: failure.namespace, code: failure.code, reason: failure.message }, 'SubjectAccessReview failed: the namespace is not shown'),
      });
    }
    return this.namespaceAccess_;
  }

  /** Namespaces of the cluster snapshot and of the live graph (a namespace with flows but no source still needs an answer). */
  private async knownNamespaces(): Promise<Set<string>> {
    const names = this.running.hub?.graphNamespaces() ?? new Set<string>();
    const posture = await this.posture().catch(() => null);
    for (const ns of posture?.source.snapshot().namespaces ?? []) names.add(ns.name);
    return names;
  }

  /**
   * The key session cookies are signed with: FLOWSIGHT_SESSION_SECRET, else the shared token. With
   * OIDC or a proxy and neither, a random key: sessions then end at restart and are not shared
   * between replicas, which the log says once.
   */
  private sessionSecret(config: Config): string | null {
    if (config.auth.sessionSecret) return config.auth.sessionSecret;
    if (config.authToken) return config.authToken;
    if (!config.auth.oidc && !config.auth.trustedProxy) return null;
    this.logger.warn({ component: 'auth' }, 'FLOWSIGHT_SESSION_SECRET is not set: sign-ins last until Flowsight restarts and are not shared between replicas');
    return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  }

  /**
   * Starts what runs from boot: logs the configuration (without secrets), starts the hub, and
   * gives its edges their verdict over every layer once the Azure data is loaded.
   */
  async boot(): Promise<Hub> {
    let config: Config;
    try {
      config = this.config;
    } catch (err) {
      const problems = (err as { problems?: unknown }).problems;
      this.logger.fatal(problems ? { problems } : { err }, 'invalid configuration');
      throw err;
    }
    this.logger.info({ config: configSummary(config) }, 'flowsight starting');
    const heapLimit = getHeapStatistics().heap_size_limit;
    if (!heapBudgetApplied(config.heapMB, heapLimit)) {
      this.logger.warn({ heapMB: config.heapMB, v8HeapLimitMB: Math.round(heapLimit / 1048576) }, 'the heap budget (FLOWSIGHT_HEAP_MB) is not applied: npm start (scripts/start.mjs) passes it to Node; started otherwise, V8 sizes the heap from the machine and the resident size can grow past a container limit');
    }
    const hub = await this.hub();
    // History records from boot, not from the first search; a store that cannot open is logged and
    // retried by the next search, and the live view works without it.
    this.history().catch(() => undefined);
    // The cluster source starts from boot too (not only once the Azure data has loaded for the edge
    // verdicts): readiness waits for it to sync or report its error. A failure is logged by startPosture.
    // Its first findings too, in slices: on a large cluster the first visit then reads them, instead of
    // compiling the policies while its page loads (a second or more of this thread at 5,000 workloads).
    this.posture()
      .then(async ({ posture }) => posture.current(await this.clusterAzure()))
      .catch(() => undefined);
    this.observer().catch((err: unknown) => this.logger.error({ component: 'observer-api', err }, 'the observer API did not start'));
    this.attachEdgePaths(hub).catch((err: unknown) => this.logger.error({ component: 'edge-paths', err }, 'edge verdicts over the Azure layers are off'));
    return hub;
  }

  /** The hub (relay subscription, graph, fan-out), started on first use. */
  hub(): Promise<Hub> {
    return this.once('hub', () => this.startHub());
  }

  /**
   * The flow history, opened on first use and fed every flow the hub ingests; null when
   * FLOWSIGHT_HISTORY=off. A store that fails to open is not kept: the next caller tries again.
   */
  history(): Promise<FlowStore | null> {
    // A store that failed to open is tried again, but not by every request (status polls, searches):
    // each attempt starts an engine, and the failure stands for a while.
    const failed = this.historyFailure_;
    if (failed && Date.now() - failed.at < (this.options.historyRetryMs ?? HISTORY_RETRY_MS)) return Promise.reject(failed.error);
    return this.once('history', () =>
      this.startHistory().then(
        (store) => ((this.historyFailure_ = undefined), store),
        (error: unknown) => {
          this.historyFailure_ = { at: Date.now(), error };
          throw error;
        },
      ),
    );
  }

  /** Cilium's observer API over the history on FLOWSIGHT_OBSERVER_PORT (for `hubble observe --server`); null when unset. */
  observer(): Promise<ObserverServer | null> {
    return this.once('observer', () => this.startObserver());
  }

  private async startObserver(): Promise<ObserverServer | null> {
    const config = this.config;
    if (config.observerPort === null) return null;
    const hub = await this.hub();
    const server = await startObserverServer({
      port: config.observerPort,
      host: config.host,
      // Asked on every call: a store that failed to open is retried by history(); off -> null.
      store: config.history.kind === 'off' ? null : () => this.history(),
      live: { subscribe: (listener) => hub.onFlows((batch) => listener(batch.flows)) },
      auth: config.authToken ? { token: config.authToken, limiter: this.auth().limiter } : null,
      logger: this.logger.child({ component: 'observer-api' }),
      nodeName: os.hostname(),
      version: `flowsight/${FLOWSIGHT_VERSION} (Cilium observer API)`,
      maxConcurrentCalls: 32,
    });
    this.logger.info({ component: 'observer-api', host: config.host, port: server.port }, 'serving the observer API from the flow history');
    this.stops.push(() => server.close());
    return server;
  }

  /** What /api/status says of a history that did not open: not ready, and why (no secrets: the URL is redacted). */
  historyFailure(err: unknown): StoreStatus {
    const h = this.config.history;
    return initialStoreStatus(
      h.kind === 'clickhouse' ? 'clickhouse' : 'chdb',
      h.kind === 'clickhouse' ? redactedUrl(h.clickhouseUrl ?? '') : path.join(h.dir, 'history'),
      { days: h.retentionDays, maxBytes: h.maxBytes, rollupAfterMinutes: h.rollupAfterMinutes },
      false,
      err instanceof Error ? err.message : String(err),
    );
  }

  /** The cluster source and policy posture, started on first use and fed with the hub's flows. */
  posture(): Promise<PostureService> {
    return this.once('posture', () => this.startPosture());
  }

  /** The Azure source with its first snapshot loaded (a failed first load is retried by the next caller). */
  azure(): Promise<AzureService> {
    return this.once('azure', () => this.startAzure());
  }

  /**
   * Whether the loaded Azure model describes this cluster. Without Azure settings the demo's model
   * is loaded, and it describes the demo relay's cluster only: for a real relay the Azure layers are
   * then unknown, never evaluated against a network that is not there.
   */
  azureDescribesCluster(azure: Pick<AzureService, 'source'>): boolean {
    return this.config.relay.mode === 'demo' || azure.source.kind !== 'demo';
  }

  /** The Azure snapshot of this cluster's network; undefined when none is configured for it or it cannot load. */
  async clusterAzure(): Promise<AzureSnapshot | undefined> {
    try {
      const azure = await this.azure();
      return this.azureDescribesCluster(azure) ? azure.snapshot() : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops every part that started, last started first: on SIGTERM (shutdown.ts) and in tests. */
  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await Promise.resolve(stop()).catch(() => undefined);
    this.starting.clear();
    this.partState.clear();
    this.running = {};
  }

  /** Evidence bundles under FLOWSIGHT_DATA_DIR/reports (opened on first use: leftovers of a crashed run are removed then). */
  reports(): EvidenceReports {
    this.reports_ ??= new EvidenceReports(path.join(this.config.history.dir, 'reports'), FLOWSIGHT_VERSION);
    return this.reports_;
  }

  /** Prometheus metrics of this process (GET /metrics), reading the running parts at scrape time. */
  metrics(): FlowsightMetrics {
    this.metrics_ ??= new FlowsightMetrics({
      hub: () => this.running.hub?.status() ?? null,
      store: () => this.running.store?.status() ?? null,
      clusterSyncedAt: () => this.running.cluster?.status().lastSyncAt ?? null,
    });
    return this.metrics_;
  }

  /**
   * For /readyz: ready while the relay stream is up and every other part has started or reported
   * its error (a history or cluster source that failed is on the status page; it does not keep
   * the dashboard from serving). Nothing here names an address or an error: probes are unauthenticated.
   */
  readiness(): Readiness {
    let historyOff = false;
    try {
      historyOff = this.config.history.kind === 'off';
    } catch {
      return { ready: false, checks: { config: 'failed' } };
    }
    const relay = this.running.hub?.status().relay;
    const checks: Record<string, PartCheck> = {
      relay: relay?.state === 'streaming' ? 'ok' : relay && relay.lastError ? 'failed' : 'starting',
      history: historyOff ? 'off' : (this.partState.get('history') ?? 'starting'),
      cluster: this.partState.get('posture') ?? 'starting',
    };
    const ready = checks.relay === 'ok' && Object.values(checks).every((c) => c !== 'starting');
    return { ready, checks };
  }

  /** One start per part; a failed start is forgotten, so the caller gets the error and the next call starts again. */
  private once<T>(part: string, start: () => Promise<T>): Promise<T> {
    const existing = this.starting.get(part) as Promise<T> | undefined;
    if (existing) return existing;
    const started = start();
    this.starting.set(part, started);
    started.then(
      () => this.partState.set(part, 'ok'),
      () => {
        this.partState.set(part, 'failed');
        if (this.starting.get(part) === started) this.starting.delete(part);
      },
    );
    return started;
  }

  private async startHub(): Promise<Hub> {
    const config = this.config;
    const log = this.logger.child({ component: 'hub' });
    const hub = this.options.createHub?.(config, log) ?? new Hub(config, { logger: log });
    const relay = config.relay.mode === 'demo' ? 'demo relay' : config.relay.address;
    const unsubscribe = hub.onRelayEvent(relayEventLogger(this.logger.child({ component: 'relay' }), { relay }));
    try {
      await hub.start();
    } catch (err) {
      unsubscribe();
      await hub.stop().catch(() => undefined);
      this.logger.error({ component: 'hub', relay, err }, 'hub did not start');
      throw err;
    }
    hub.onFlows((batch) => this.edgeFlows.add(batch), { replay: true });
    const metrics = this.metrics();
    hub.onFlows((batch) => metrics.countFlows(batch.flows));
    this.running.hub = hub;
    this.stops.push(() => hub.stop());
    return hub;
  }

  private async startHistory(): Promise<FlowStore | null> {
    const config = this.config;
    if (config.history.kind === 'off') return null;
    const log = this.logger.child({ component: 'history' });
    let store: FlowStore;
    try {
      store = await (this.options.createHistory?.(config, log) ?? openFlowStore(historySettings(config), log));
    } catch (err) {
      log.error({ err }, 'flow history did not open: searches use the latest flows in memory');
      throw err;
    }
    let hub: Hub;
    try {
      hub = await this.hub();
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    let unfeed = () => {};
    if (config.history.write) {
      const feed = new HistoryFeed(store, { liveSince: hub.liveSince, storedUntil: store.status().newest });
      // The replay hands over the flows the ring holds from before the store opened.
      unfeed = hub.onFlows((batch) => feed.add(batch.flows), { replay: true });
    }
    const s = store.status();
    log.info({ engine: s.engine, location: s.location, storedFlows: s.storedFlows, writing: config.history.write }, 'flow history open');
    this.stops.push(async () => {
      unfeed();
      await store.close();
    });
    this.running.store = store;
    // Callers' queries are timed for /metrics; the feed above writes to the store itself.
    return this.metrics().timed(store);
  }

  private async startPosture(): Promise<PostureService> {
    const config = this.config;
    const log = this.logger.child({ component: 'cluster' });
    const source = this.options.createClusterSource?.(config) ?? clusterSourceFromConfig(config);
    try {
      await source.start();
    } catch (err) {
      log.error({ err }, 'cluster source did not start');
      await source.stop().catch(() => undefined);
      throw err;
    }
    const unwatch = logClusterSource(source, log);
    // Flows always come from a Hubble Relay (a real one or the demo's), and Hubble runs on Cilium.
    const posture = new PolicyPosture(source, { datapath: { setting: config.datapath, settingName: 'FLOWSIGHT_DATAPATH', hubbleRelay: true } });
    posture.start();
    let unfeed: () => void;
    try {
      const hub = await this.hub();
      // Pushed by the hub at each tick; the replay hands over the flows it saw before the posture started.
      unfeed = hub.onFlows((batch) => posture.addFlows(batch.flows), { replay: true });
    } catch (err) {
      unwatch();
      posture.stop();
      await source.stop().catch(() => undefined);
      throw err;
    }
    this.stops.push(() => {
      unfeed();
      unwatch();
      posture.stop();
      return source.stop();
    });
    this.running.cluster = source;
    return { source, posture };
  }

  private async startAzure(): Promise<AzureService> {
    const config = this.config;
    const log = this.logger.child({ component: 'azure' });
    const source = this.options.createAzureSource?.(config) ?? azureSourceFromSettings({ dir: config.azureDir, arm: config.azureArm });
    let current: AzureSnapshot;
    try {
      current = await source.load();
    } catch (err) {
      log.warn({ source: source.kind, err }, 'Azure data did not load');
      throw err;
    }
    logAzureLoad(log, current);
    let at = Date.now();
    let loading = false;
    const timer = setInterval(() => {
      if (loading) return; // a slow load is not stacked with the next one
      loading = true;
      source
        .load()
        .then((s) => {
          current = s;
          at = Date.now();
          logAzureLoad(log, s);
        })
        // Readers keep the last good snapshot; the next round retries.
        .catch((err: unknown) => log.warn({ source: source.kind, err }, 'Azure reload failed: keeping the last snapshot'))
        .finally(() => (loading = false));
    }, this.options.azureRefreshMs ?? AZURE_REFRESH_MS);
    timer.unref?.();
    this.stops.push(() => clearInterval(timer));
    return { source, snapshot: () => current, loadedAt: () => at };
  }

  /**
   * Gives the hub's edges their verdict over all layers once the Azure data is loaded. The cluster
   * snapshot (pods' nodes, hence the addresses Azure sees) joins when its source is up; without it
   * the Azure layers are still evaluated on the addresses Hubble reported.
   */
  private async attachEdgePaths(hub: Hub): Promise<void> {
    const azure = await this.azure();
    const describesCluster = this.azureDescribesCluster(azure);
    let cluster: (() => ClusterSnapshot) | undefined;
    hub.setEdgePaths(new EdgePathAnnotator(() => ({ ...(describesCluster ? { azure: azure.snapshot() } : {}), cluster: cluster?.() })));
    const retryMs = this.options.postureRetryMs ?? POSTURE_RETRY_MS;
    const joinCluster = () => {
      this.posture()
        .then(({ source }) => (cluster = () => source.snapshot()))
        .catch((err: unknown) => {
          this.logger.warn({ component: 'edge-paths', err, retryInMs: retryMs }, 'edge verdicts run without the cluster snapshot for now');
          setTimeout(joinCluster, retryMs).unref?.();
        });
    };
    joinCluster();
  }
}

/** Logs a cluster source's first sync, then changes of its health (stale, errors) and, at debug, every resync. */
function logClusterSource(source: ClusterSource, log: Logger): () => void {
  const problems = () => source.status().errors.filter(isInputProblem);
  const firstProblems = () => problems().slice(0, 5).map((e) => `${e.code}: ${e.message}`);
  const health = () => {
    const s = source.status();
    return { kind: s.kind, stale: s.stale, errors: problems().length, ...(s.lastSyncAt ? { lastSyncAt: new Date(s.lastSyncAt).toISOString() } : {}) };
  };
  const counts = (snapshot: ClusterSnapshot) => ({ namespaces: snapshot.namespaces.length, pods: snapshot.pods.length, policies: snapshot.policies.length });
  let last = health();
  const firstErrors = firstProblems();
  log.info({ ...last, ...counts(source.snapshot()), ...(firstErrors.length ? { firstErrors } : {}) }, 'cluster source synced');
  return source.onChange((snapshot) => {
    const now = health();
    if (now.stale !== last.stale || now.errors !== last.errors) {
      const errors = firstProblems();
      const level = now.stale || now.errors > 0 ? 'warn' : 'info';
      log[level]({ ...now, ...counts(snapshot), ...(errors.length ? { firstErrors: errors } : {}) }, now.stale ? 'cluster source lost its upstream: serving the last snapshot' : 'cluster source health changed');
    } else log.debug({ ...now, ...counts(snapshot) }, 'cluster snapshot changed');
    last = now;
  });
}

function logAzureLoad(log: Logger, s: AzureSnapshot): void {
  const counts = { virtualNetworks: s.virtualNetworks.length, networkSecurityGroups: s.networkSecurityGroups.length, azureFirewalls: s.azureFirewalls.length, errors: s.errors.length };
  if (s.errors.length) log.warn({ source: s.source, origin: s.origin, ...counts, firstErrors: s.errors.slice(0, 5).map((e) => `${e.code}: ${e.message}`) }, 'Azure data loaded with errors');
  else log.info({ source: s.source, origin: s.origin, ...counts }, 'Azure data loaded');
}

/** The store settings the configuration names (history on). */
export function historySettings(config: Config): FlowStoreSettings {
  const h = config.history;
  const retention = { days: h.retentionDays, maxBytes: h.maxBytes, rollupAfterMinutes: h.rollupAfterMinutes };
  const batching = { flushMs: h.flushMs };
  return h.kind === 'clickhouse' && h.clickhouseUrl ? { kind: 'clickhouse', url: h.clickhouseUrl, retention, batching } : { kind: 'chdb', dir: path.join(h.dir, 'history'), retention, batching };
}

/** One part's readiness: started, failed (and reported), still starting, or turned off. */
export type PartCheck = 'ok' | 'failed' | 'starting' | 'off';

export interface Readiness {
  ready: boolean;
  checks: Record<string, PartCheck>;
}

const KEY = Symbol.for('flowsight.runtime');

/**
 * The runtime of this process, created on first use; boot (instrumentation.ts) creates it before
 * the first request, so every request's response is tracked.
 */
export function runtime(): Runtime {
  const holder = globalThis as { [KEY]?: Runtime };
  holder[KEY] ??= new Runtime({ trackResponses: true });
  return holder[KEY];
}
