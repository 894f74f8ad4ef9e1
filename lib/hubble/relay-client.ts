/**
 * Client for Hubble Relay's observer API on @grpc/grpc-js: one-shot GetFlows calls and the unary
 * status calls. Reconnect and resume live in flow-subscription.ts on top of this.
 */

import { Worker } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import type { FlowRecord } from '../flows/flow-record';
import type { FlowFilter } from './flow-filter';
import { filterToWire } from './flow-filter';
import { decodeGetFlowsResponse, type DecodedResponse } from './flow-decoder';
import { observerService, observerTypes } from './proto';
import { parseRelayAddress, type RelayAddress } from './relay-address';
import { LOST_SOURCE_BY_NUMBER, NODE_STATE_BY_NUMBER } from './wire-enums';
import { runInSlices, type Steps } from '../util/time-slices';

export interface RelayTls {
  /** PEM CA bundle that signed the relay's certificate; omit to use the system roots. */
  ca?: Buffer;
  /** Client certificate and key for mTLS. */
  cert?: Buffer;
  key?: Buffer;
  /** Name to verify in the relay's certificate when it differs from the dialled host. */
  serverName?: string;
}

export interface RelayClientOptions {
  /** Parsed once by whoever validated it (the server's config); a string (CLI flags, tests) is parsed here. */
  address: RelayAddress | string;
  /** TLS settings; TLS is also implied by a `tls://` address. */
  tls?: RelayTls;
  /** Deadline for unary calls. */
  requestTimeoutMs?: number;
  /**
   * Which flow messages of GetFlows to decode: the others are skipped undecoded (ingest-governor.ts
   * sheds flows this way when the server is at capacity). Other messages are always decoded.
   */
  admission?: FlowAdmission;
  /**
   * Runs each GetFlows call's gRPC machinery on a thread of its own (flow-stream.worker.mjs), which
   * hands the raw messages over in batches, admission done; decoding and the handlers stay on this
   * thread. For the server, whose event loop also serves pages: see the worker file for why.
   */
  streamInWorker?: boolean;
}

/** Flow admission, asked per flow message on this thread, or applied as a share by the stream's thread. */
export interface FlowAdmission {
  /** Whether to decode the next flow message (false: skip it, counted as shed). */
  admit(): boolean;
  /** The share of flow messages admitted now (1: all), for a stream thread that skips the rest itself. */
  readonly keptShare: number;
  /** Counts the flow messages a stream thread skipped. */
  noteShed(count: number): void;
}

/** The first byte of a GetFlowsResponse that carries a flow: field 1, length-delimited (Go writes fields in number order). */
const FLOW_FIELD_TAG = 0x0a;
const SKIPPED: DecodedResponse = { kind: 'other' };
/**
 * The longest the stream's thread's batches hold the event loop at a time (ms): past it the rest
 * waits for the next turn, after the timers (the hub's tick) and the sockets had theirs.
 */
const BATCH_SLICE_MS = 15;

export interface GetFlowsParams {
  number?: number;
  first?: boolean;
  follow?: boolean;
  since?: Date;
  until?: Date;
  allow?: FlowFilter[];
  deny?: FlowFilter[];
}

export interface LostEventsNotice {
  source: string;
  lost: number;
}

export interface NodeStatusNotice {
  state: string;
  nodes: string[];
  message: string;
}

export interface FlowStreamHandlers {
  onFlow(flow: FlowRecord): void;
  onLost?(notice: LostEventsNotice): void;
  onNodeStatus?(notice: NodeStatusNotice): void;
  /** The relay answered the call (response headers arrived). */
  onConnected?(): void;
  /** The stream ended: `error` is undefined when the server finished it normally. */
  onEnd(error?: Error & { code?: number }): void;
}

export interface FlowStream {
  cancel(): void;
  pause(): void;
  resume(): void;
}

export interface ServerStatus {
  numFlows: number;
  maxFlows: number;
  seenFlows: number;
  uptimeNs: number;
  numConnectedNodes: number | null;
  numUnavailableNodes: number | null;
  unavailableNodes: string[];
  version: string;
  flowsRate: number;
}

export interface RelayNode {
  name: string;
  version: string;
  address: string;
  state: string;
  tls: { enabled: boolean; serverName: string };
  uptimeNs: number;
  numFlows: number;
  maxFlows: number;
  seenFlows: number;
}


function timestamp(d: Date) {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/** What flow-stream.worker.mjs posts. */
type StreamThreadMessage =
  | { kind: 'metadata' }
  | { kind: 'batch'; buffer: ArrayBuffer; count: number; shed: number }
  | { kind: 'end'; shed: number; error?: { message: string; code?: number; details?: string } };

/** Hands one decoded GetFlows response to the handlers. */
function deliver(res: DecodedResponse, handlers: FlowStreamHandlers): void {
  switch (res.kind) {
    case 'flow':
      handlers.onFlow(res.flow);
      break;
    case 'lost':
      handlers.onLost?.({ source: LOST_SOURCE_BY_NUMBER[res.source] ?? 'UNKNOWN', lost: res.lost });
      break;
    case 'node':
      handlers.onNodeStatus?.({ state: NODE_STATE_BY_NUMBER[res.state] ?? 'UNKNOWN', nodes: res.nodes, message: res.message });
      break;
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs dynamic messages */
export class RelayClient {
  readonly address: RelayAddress;
  private readonly client: grpc.Client;
  private readonly timeoutMs: number;
  private readonly admission: FlowAdmission | undefined;
  /** What the stream's thread needs to open the call itself (streamInWorker), else undefined. */
  private readonly worker?: { target: string; tls: { ca: Buffer | null; key: Buffer | null; cert: Buffer | null } | null; channelOptions: grpc.ChannelOptions; method: string };

  constructor(opts: RelayClientOptions) {
    this.address = typeof opts.address === 'string' ? parseRelayAddress(opts.address) : opts.address;
    this.timeoutMs = opts.requestTimeoutMs ?? 12_000;
    const useTls = this.address.tls || !!opts.tls;
    const credentials = useTls
      ? grpc.credentials.createSsl(opts.tls?.ca ?? null, opts.tls?.key ?? null, opts.tls?.cert ?? null)
      : grpc.credentials.createInsecure();
    const channelOptions: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 5_000,
      // A 64 KiB HTTP/2 window holds ~70 flows: the stream would stall on window updates at high rates.
      'grpc-node.flow_control_window': 8 * 1024 * 1024,
    };
    if (opts.tls?.serverName) {
      channelOptions['grpc.ssl_target_name_override'] = opts.tls.serverName;
      channelOptions['grpc.default_authority'] = opts.tls.serverName;
    }
    // GetFlows responses go through our interning decoder straight to FlowRecords (see flow-decoder.ts).
    const service = observerService() as any;
    const admission = opts.admission;
    this.admission = admission;
    const deserialize = admission ? (buf: Uint8Array): DecodedResponse => (buf[0] === FLOW_FIELD_TAG && !admission.admit() ? SKIPPED : decodeGetFlowsResponse(buf)) : decodeGetFlowsResponse;
    const definition = { ...service, GetFlows: { ...service.GetFlows, responseDeserialize: deserialize } };
    const Ctor = grpc.makeGenericClientConstructor(definition, 'Observer');
    this.client = new Ctor(this.address.target, credentials, channelOptions);
    if (opts.streamInWorker) {
      this.worker = {
        target: this.address.target,
        tls: useTls ? { ca: opts.tls?.ca ?? null, key: opts.tls?.key ?? null, cert: opts.tls?.cert ?? null } : null,
        channelOptions,
        method: String(service.GetFlows.path),
      };
    }
  }

  /** Starts one GetFlows call; flows are normalized before they reach the handlers. */
  getFlows(params: GetFlowsParams, handlers: FlowStreamHandlers): FlowStream {
    const t = observerTypes();
    const req = t.GetFlowsRequest.fromObject({
      number: params.number ?? 0,
      first: params.first ?? false,
      follow: params.follow ?? false,
      whitelist: (params.allow ?? []).map(filterToWire),
      blacklist: (params.deny ?? []).map(filterToWire),
      ...(params.since ? { since: timestamp(params.since) } : {}),
      ...(params.until ? { until: timestamp(params.until) } : {}),
    });
    if (this.worker) return this.getFlowsInWorker(t.GetFlowsRequest.encode(req).finish(), handlers);
    const call = (this.client as any).GetFlows(req) as grpc.ClientReadableStream<any>;
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      handlers.onEnd(err);
    };
    call.on('data', (res: DecodedResponse) => deliver(res, handlers));
    call.on('metadata', () => handlers.onConnected?.());
    call.on('error', (err) => end(err));
    call.on('end', () => end());
    return {
      cancel: () => {
        ended = true;
        call.cancel();
      },
      pause: () => call.pause(),
      resume: () => call.resume(),
    };
  }

  /**
   * One GetFlows call whose gRPC side runs in flow-stream.worker.mjs. The worker admits the flow
   * messages at the admission's share (sent along with each acknowledgement); each batch is decoded
   * and handed on here in order, then acknowledged (the worker stops reading, or at capacity skips
   * flows, while too many batches wait). A message the decoder rejects ends the call as grpc-js
   * would (INTERNAL).
   */
  private getFlowsInWorker(request: Uint8Array, handlers: FlowStreamHandlers): FlowStream {
    const admission = this.admission;
    // Written this way so that the bundler (Turbopack/webpack) emits the worker file beside the server code.
    const worker = new Worker(new URL('./flow-stream.worker.mjs', import.meta.url), { workerData: { ...this.worker, request, keep: admission?.keptShare ?? 1 } });
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      handlers.onEnd(err);
    };
    const stop = () => {
      worker.postMessage({ op: 'cancel' });
      // A thread that does not wind down by itself within a second is stopped.
      setTimeout(() => void worker.terminate(), 1000).unref();
    };
    // The thread's messages wait here and are handled in order, a slice of the loop's time at a
    // time (runInSlices): Node hands a port's queued messages over in one go, and a thread that ran
    // ahead of a busy loop had up to MAX_UNACKED full batches queued (thousands of flows, half a
    // second and more in one task), holding back the hub's tick and so every browser's delta behind
    // them. The thread's own end (an error, an exit) waits its turn too: the flows before it come first.
    const queue: (StreamThreadMessage | { kind: 'stopped'; err: Error })[] = [];
    let draining = false;
    function* drain(): Steps<void> {
      for (let m = queue.shift(); m && !ended; m = queue.shift()) {
        if (m.kind === 'batch') {
          if (m.shed) admission?.noteShed(m.shed);
          const batch = Buffer.from(m.buffer);
          let at = 0;
          for (let i = 0; i < m.count && !ended; i++) {
            const length = batch.readUInt32BE(at);
            const message = batch.subarray(at + 4, at + 4 + length);
            at += 4 + length;
            let res: DecodedResponse;
            try {
              res = decodeGetFlowsResponse(message);
            } catch (e) {
              stop();
              end(Object.assign(new Error(`Failed to parse server response: ${(e as Error).message}`), { code: grpc.status.INTERNAL }));
              return;
            }
            deliver(res, handlers);
            yield;
          }
          if (!ended) worker.postMessage({ op: 'ack', keep: admission?.keptShare ?? 1 });
        } else if (m.kind === 'metadata') {
          handlers.onConnected?.();
        } else if (m.kind === 'end') {
          if (m.shed) admission?.noteShed(m.shed);
          end(m.error ? Object.assign(new Error(m.error.message), { code: m.error.code, details: m.error.details }) : undefined);
        } else {
          end(m.err);
        }
      }
      queue.length = 0;
    }
    const take = (m: (typeof queue)[number]) => {
      if (ended) return;
      queue.push(m);
      if (draining) return;
      draining = true;
      void runInSlices(drain(), { sliceMs: BATCH_SLICE_MS }).finally(() => (draining = false));
    };
    worker.on('message', take);
    worker.on('error', (err) => take({ kind: 'stopped', err }));
    worker.on('exit', (code) => take({ kind: 'stopped', err: Object.assign(new Error(`the relay stream's thread stopped (exit ${code})`), { code: grpc.status.UNAVAILABLE }) }));
    return {
      cancel: () => {
        ended = true;
        stop();
      },
      pause: () => worker.postMessage({ op: 'pause' }),
      resume: () => worker.postMessage({ op: 'resume' }),
    };
  }

  private unary<T>(name: string, build: () => any, map: (res: any) => T, timeoutMs = this.timeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + timeoutMs);
      (this.client as any)[name](build(), { deadline }, (err: grpc.ServiceError | null, res: any) => {
        if (err) reject(err);
        else resolve(map(res));
      });
    });
  }

  /** The relay's counters; `timeoutMs` overrides the client's deadline (short for liveness probes). */
  serverStatus(opts: { timeoutMs?: number } = {}): Promise<ServerStatus> {
    return this.unary('ServerStatus', () => ({}), (r) => ({
      numFlows: Number(r.num_flows),
      maxFlows: Number(r.max_flows),
      seenFlows: Number(r.seen_flows),
      uptimeNs: Number(r.uptime_ns),
      numConnectedNodes: r.num_connected_nodes ? r.num_connected_nodes.value : null,
      numUnavailableNodes: r.num_unavailable_nodes ? r.num_unavailable_nodes.value : null,
      unavailableNodes: r.unavailable_nodes,
      version: r.version,
      flowsRate: r.flows_rate,
    }), opts.timeoutMs);
  }

  getNodes(): Promise<RelayNode[]> {
    return this.unary('GetNodes', () => ({}), (r) =>
      r.nodes.map((n: any) => ({
        name: n.name,
        version: n.version,
        address: n.address,
        state: NODE_STATE_BY_NUMBER[n.state] ?? 'UNKNOWN',
        tls: { enabled: n.tls?.enabled ?? false, serverName: n.tls?.server_name ?? '' },
        uptimeNs: Number(n.uptime_ns),
        numFlows: Number(n.num_flows),
        maxFlows: Number(n.max_flows),
        seenFlows: Number(n.seen_flows),
      })),
    );
  }

  getNamespaces(): Promise<{ cluster: string; namespace: string }[]> {
    return this.unary('GetNamespaces', () => ({}), (r) => r.namespaces.map((n: any) => ({ cluster: n.cluster, namespace: n.namespace })));
  }

  close(): void {
    this.client.close();
  }
}
