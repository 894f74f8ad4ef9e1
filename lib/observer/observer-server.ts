/**
 * Flowsight as a Hubble server: Cilium's `observer.Observer` gRPC API answered from the flow history
 * (GetFlows with since/until, number, first, allow/deny filters and follow; ServerStatus; GetNodes
 * and GetNamespaces for `hubble list`), so `hubble observe --server` and other Hubble clients query
 * the history with the tools people already have. Off loopback a bearer token is required in the
 * `authorization` metadata, with the web API's token and its limit on wrong guesses.
 */

import * as grpc from '@grpc/grpc-js';
import type { FlowStore, StoreStatus } from '../history/flow-store';
import { observerService } from '../hubble/proto';
import { bearerOf, constantTimeEqual } from '../server/access/auth';
import { isLoopbackHost } from '../server/config';
import type { Logger } from '../server/logger';
import { FailureLimiter } from '../server/access/rate-limit';
import { answerGetFlows, DEFAULT_CALL_LIMITS, StoreUnavailableError, type CallLimits, type LiveFeed } from './get-flows-call';
import { healthHandlers, healthService } from './health-service';
import { planGetFlows, receiveGetFlowsRequest, type ReceivedRequest } from './get-flows-request';
import { ScanLimitError } from './history-reader';
import { RateMeter } from './rate-meter';
import { ResponseWriter } from './response-writer';

export interface ObserverServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  /**
   * The flow history: the store, null when history is off (then only plain follow is served), or a
   * function asked on every call (the runtime's `history()`, which retries a store that failed to open).
   */
  store: FlowStore | null | (() => Promise<FlowStore | null>);
  /** See CallContext.settle: makes flows ingested so far readable before a follow call reads history. */
  settle?: (store: FlowStore) => Promise<void>;
  live: LiveFeed;
  /** Required off loopback. `limiter` is the web API's, so both doors share one guessing budget. */
  auth?: { token: string; limiter?: FailureLimiter } | null;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** This server's name in responses (`node_name` of flows that carry none, GetNodes). */
  nodeName: string;
  version: string;
  /** GetFlows calls served at once; more are refused with RESOURCE_EXHAUSTED. */
  maxConcurrentCalls: number;
  limits?: Partial<CallLimits>;
  /** Live flows queued per follower while its socket is full. */
  maxFollowerBacklog?: number;
  now?: () => number;
}

export interface ObserverServer {
  port: number;
  close(): Promise<void>;
}

/** A GetFlows request has a few filters: anything bigger is not a Hubble client. */
const MAX_REQUEST_BYTES = 1024 * 1024;
/** With no size yet measured, what a stored flow is assumed to take (the store's design target). */
const ASSUMED_BYTES_PER_FLOW = 100;

interface GrpcFailure {
  code: grpc.status;
  details: string;
}

/**
 * What the history can hold, for ServerStatus' max_flows (Hubble: its ring's capacity): the size
 * retention over the measured bytes per flow.
 */
export function estimatedCapacity(s: StoreStatus): number {
  const perFlow = s.storedFlows > 0 && s.bytesOnDisk > 0 ? s.bytesOnDisk / s.storedFlows : ASSUMED_BYTES_PER_FLOW;
  return Math.max(s.storedFlows, Math.floor(s.retention.maxBytes / perFlow));
}

/** `ip:port` / `[v6]:port` as grpc-js reports the peer -> the address alone (the limiter's client key). */
function peerAddress(peer: string): string {
  const v6 = /^\[([^\]]+)\]:\d+$/.exec(peer);
  if (v6) return v6[1];
  const i = peer.lastIndexOf(':');
  return i > 0 && peer.indexOf(':') === i ? peer.slice(0, i) : peer;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs dynamic messages */
/** Starts the observer API server; throws when it would listen beyond loopback without a token. */
export async function startObserverServer(opts: ObserverServerOptions): Promise<ObserverServer> {
  const authRequired = !isLoopbackHost(opts.host);
  const token = opts.auth?.token ?? null;
  if (authRequired && !token) {
    throw new Error(`refusing to serve the observer API on ${opts.host} without a token: set FLOWSIGHT_AUTH_TOKEN, or listen on loopback`);
  }
  const limiter = opts.auth?.limiter ?? new FailureLimiter();
  const limits: CallLimits = { ...DEFAULT_CALL_LIMITS, ...opts.limits };
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const rate = new RateMeter(60);
  let seen = 0;
  const stopCounting = opts.live.subscribe((flows) => {
    seen += flows.length;
    rate.add(flows.length, now());
  });
  /** The store the last call used, for telling a failed read from a store that went away. */
  let lastStore: FlowStore | null = typeof opts.store === 'function' ? null : opts.store;
  /** Running GetFlows calls, and how to end each one (server shutdown). */
  const active = new Map<AbortController, () => void>();

  /** Null when the call may go on, else why not. */
  function refuse(call: { metadata: grpc.Metadata; getPeer(): string }, method: string): GrpcFailure | null {
    if (!authRequired) return null;
    const client = peerAddress(call.getPeer());
    const wait = limiter.retryAfter(client, now());
    if (wait > 0) return { code: grpc.status.RESOURCE_EXHAUSTED, details: `too many wrong tokens: try again in ${wait} s` };
    const header = call.metadata.get('authorization')[0];
    const bearer = bearerOf(typeof header === 'string' ? header : null);
    if (bearer === null) return { code: grpc.status.UNAUTHENTICATED, details: 'authentication required: send gRPC metadata "authorization: Bearer <FLOWSIGHT_AUTH_TOKEN>"' };
    if (constantTimeEqual(bearer, token!)) return null;
    const lockedFor = limiter.fail(client, now());
    opts.logger.warn({ event: 'auth.failure', via: 'observer-api', client, method, lockedForSeconds: lockedFor }, 'observer API call with a wrong bearer token');
    return { code: grpc.status.UNAUTHENTICATED, details: 'the bearer token is not valid' };
  }

  /** The store now, or why there is none (null problem: history is off). */
  async function currentStore(): Promise<{ store: FlowStore | null; problem: string | null }> {
    if (typeof opts.store !== 'function') return { store: opts.store, problem: null };
    try {
      return { store: await opts.store(), problem: null };
    } catch (err) {
      return { store: null, problem: `it did not open (${(err as Error)?.message ?? String(err)})` };
    }
  }

  async function storeStatus(): Promise<StoreStatus | null> {
    return (await currentStore()).store?.status() ?? null;
  }

  async function serverStatus(): Promise<Record<string, unknown>> {
    const s = await storeStatus();
    const ready = !!s?.ready;
    return {
      num_flows: s?.storedFlows ?? 0,
      max_flows: s ? estimatedCapacity(s) : 0,
      seen_flows: seen,
      uptime_ns: Math.max(0, now() - startedAt) * 1e6,
      // Flowsight is one node to its clients; it is "unavailable" while its history cannot be read.
      num_connected_nodes: { value: ready ? 1 : 0 },
      num_unavailable_nodes: { value: ready ? 0 : 1 },
      unavailable_nodes: ready ? [] : [opts.nodeName],
      version: opts.version,
      flows_rate: rate.perSecond(now()),
    };
  }

  function getFlows(call: grpc.ServerWritableStream<ReceivedRequest, unknown>): void {
    const fail = (f: GrpcFailure): void => {
      call.emit('error', f);
    };
    const refused = refuse(call, 'GetFlows');
    if (refused) return fail(refused);
    const planned = planGetFlows(call.request);
    if (!planned.ok) return fail({ code: grpc.status.INVALID_ARGUMENT, details: planned.message });
    if (active.size >= opts.maxConcurrentCalls) {
      return fail({ code: grpc.status.RESOURCE_EXHAUSTED, details: `this Flowsight serves at most ${opts.maxConcurrentCalls} GetFlows calls at once; try again later` });
    }
    const plan = planned.plan;
    const controller = new AbortController();
    active.set(controller, () => fail({ code: grpc.status.UNAVAILABLE, details: 'Flowsight is shutting down' }));
    const writer = new ResponseWriter(call, opts.nodeName, opts.maxFollowerBacklog ?? 4096, now);
    const hangUp = () => {
      writer.close();
      controller.abort();
    };
    call.on('cancelled', hangUp);
    call.on('error', hangUp);
    call.sendMetadata(new grpc.Metadata());
    const peer = call.getPeer();
    opts.logger.debug({ peer, number: plan.number, first: plan.first, follow: plan.follow, since: plan.since, until: plan.until, filters: plan.allow.length + plan.deny.length }, 'GetFlows');
    currentStore()
      .then(({ store, problem }) => {
        lastStore = store;
        return answerGetFlows(plan, { store, storeProblem: problem, settle: opts.settle, live: opts.live, limits, now }, writer, controller.signal);
      })
      .then(() => {
        if (!controller.signal.aborted) call.end();
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        writer.close();
        fail(failureOf(err));
      })
      .finally(() => active.delete(controller));
  }

  function failureOf(err: unknown): GrpcFailure {
    if (err instanceof StoreUnavailableError) return { code: grpc.status.UNAVAILABLE, details: err.message };
    if (err instanceof ScanLimitError) return { code: grpc.status.RESOURCE_EXHAUSTED, details: err.message };
    const s = lastStore?.status();
    if (s && !s.ready) return { code: grpc.status.UNAVAILABLE, details: `the flow history became unavailable${s.error ? `: ${s.error}` : ''}` };
    opts.logger.error({ err }, 'GetFlows failed reading the flow history');
    return { code: grpc.status.INTERNAL, details: `reading the flow history failed: ${(err as Error)?.message ?? String(err)}` };
  }

  function unary(method: string, answer: () => Promise<Record<string, unknown>> | Record<string, unknown>) {
    return (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<any>) => {
      const refused = refuse(call, method);
      if (refused) return cb(refused as grpc.ServiceError);
      Promise.resolve()
        .then(answer)
        .then((res) => cb(null, res), (err: unknown) => cb(failureOf(err) as grpc.ServiceError));
    };
  }

  const service = observerService() as any;
  const definition = { ...service, GetFlows: { ...service.GetFlows, requestDeserialize: receiveGetFlowsRequest } };
  const server = new grpc.Server({
    'grpc.max_send_message_length': 16 * 1024 * 1024,
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    // Followers can sit idle for long: pings find the ones whose connection died.
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  });
  server.addService(definition, {
    GetFlows: getFlows,
    ServerStatus: unary('ServerStatus', serverStatus),
    GetNodes: unary('GetNodes', async () => {
      const s = await storeStatus();
      return {
        nodes: [{
          name: opts.nodeName,
          version: opts.version,
          address: `${opts.host}:${boundPort}`,
          state: s?.ready ? 1 : 2,
          tls: { enabled: false },
          uptime_ns: Math.max(0, now() - startedAt) * 1e6,
          num_flows: s?.storedFlows ?? 0,
          max_flows: s ? estimatedCapacity(s) : 0,
          seen_flows: seen,
        }],
      };
    }),
    GetNamespaces: unary('GetNamespaces', async () => {
      const { store } = await currentStore();
      if (!store || !store.status().ready) throw new StoreUnavailableError('the flow history is not ready');
      const names = await store.values('namespace', '', 1000);
      return { namespaces: [...names].sort().map((namespace) => ({ cluster: '', namespace })) };
    }),
  });
  // Unauthenticated like any health probe: it says "serving" or not, nothing about the flows.
  server.addService(healthService, healthHandlers(async () => {
    if (opts.store === null) return true;
    const s = await storeStatus();
    return !!s?.ready;
  }));
  const hostPart = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  let boundPort = 0;
  try {
    boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${hostPart}:${opts.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
  } catch (err) {
    stopCounting();
    throw err;
  }
  opts.logger.info({ host: opts.host, port: boundPort, auth: authRequired ? 'bearer token' : 'none (loopback)', history: opts.store === null ? 'off' : 'on' }, 'serving the observer API');

  return {
    port: boundPort,
    close: async () => {
      stopCounting();
      // Ended with UNAVAILABLE, which Hubble clients (and ours) treat as "reconnect later".
      for (const [c, end] of active) {
        c.abort();
        end();
      }
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        force.unref?.();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
