/**
 * The demo relay: a real gRPC `observer.Observer` server, streaming the demo scenario's flows
 * like Hubble Relay does — a ring buffer of recent flows per cluster, `number`/`first`/`since`/
 * `until`, allow and deny FlowFilters, follow mode, and `lost_events` when a follower cannot keep
 * up. The app talks to it exactly as it talks to Hubble Relay.
 */

import * as grpc from '@grpc/grpc-js';
import type { FlowRecord } from '../flows/flow-record';
import { compileFilters, filterFromWire, type FlowPredicate } from '../hubble/flow-filter';
import { observerService, observerTypes } from '../hubble/proto';
import { encodeFlowResponse } from './flow-encoder';
import { FlowGenerator, randomUuidPrefix } from './flow-generator';
import { demoScenario, type DemoScenario } from './scenario';

export interface DemoRelayOptions {
  host?: string;
  port?: number;
  /** Flows per second in live mode; 0 = as fast as each follower reads (benchmarks). */
  rate?: number;
  seed?: number;
  /**
   * Prefix of the flow uuids. Default: a fresh random one per instance, so a relay restarted in a
   * new process (same seed, same counter) does not reuse the uuids of the previous run, which
   * clients that resume would take for flows they already have.
   */
  uuidPrefix?: string;
  /**
   * Ring buffer size, like Hubble's per-node buffer (summed over nodes). Default: Hubble's 4,095 per
   * node of the hand-written demo's three nodes, or two seconds of flows at a higher rate, so a
   * reconnecting client still finds the flows it missed (defaultBufferSize).
   */
  bufferSize?: number;
  /** Seconds of history generated at start so `--last` and `since` have something to return. */
  historySeconds?: number;
  /** TLS for the server side (tests of the client's TLS/mTLS). */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer; requireClientCert?: boolean };
  scenario?: DemoScenario;
}

interface Follower {
  predicate: FlowPredicate;
  call: grpc.ServerWritableStream<unknown, unknown>;
  /** Flows waiting while the client's socket is full; beyond the cap they are dropped and reported. */
  backlog: Uint8Array[];
  lost: number;
}

const MAX_BACKLOG = 4096;
/** How often live mode generates the flows of the time since the last tick. */
const TICK_MS = 50;

function now() {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}
const FULL_SPEED_POOL = 65_536;
const HUBBLE_BUFFER = 12_285;

/** The ring size for a flow rate: Hubble's default buffer, or two seconds of flows when that is more. */
export function defaultBufferSize(rate: number): number {
  return Math.max(HUBBLE_BUFFER, 2 * rate);
}
const VERSION = 'flowsight-demo-relay/1.0 (observer API of Cilium 1.18)';

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs dynamic messages */
export class DemoRelay {
  private server: grpc.Server | null = null;
  private readonly generator: FlowGenerator;
  private readonly scenario: DemoScenario;
  private readonly ring: FlowRecord[];
  private ringNext = 0;
  private ringSize = 0;
  private seen = 0;
  private readonly followers = new Set<Follower>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly startedAt = Date.now();
  private lastTick = Date.now();
  private carry = 0;
  private fullSpeedPool: { flows: FlowRecord[]; bytes: Uint8Array[] } | undefined;
  boundPort = 0;

  constructor(private readonly opts: DemoRelayOptions = {}) {
    this.scenario = opts.scenario ?? demoScenario();
    this.generator = new FlowGenerator(this.scenario, opts.seed ?? 7, { uuidPrefix: opts.uuidPrefix ?? randomUuidPrefix() });
    this.ring = new Array(opts.bufferSize ?? defaultBufferSize(opts.rate ?? 150));
  }

  get rate(): number {
    return this.opts.rate ?? 150;
  }

  /** Binds the server (port 0 = any free port) and starts generating flows. */
  async start(): Promise<number> {
    const history = this.opts.historySeconds ?? 120;
    if (history > 0 && this.rate > 0 && this.ringSize === 0) {
      const now = Date.now();
      const count = Math.min(this.ring.length, Math.round(history * this.rate));
      const spacing = (history * 1000) / Math.max(1, count / 3);
      for (const f of this.generator.generate(count, now - history * 1000, spacing)) {
        if (f.time <= now) this.remember(f);
      }
    }
    const server = new grpc.Server({ 'grpc.max_send_message_length': 16 * 1024 * 1024 });
    server.addService(observerService(), {
      GetFlows: (call: grpc.ServerWritableStream<any, any>) => this.getFlows(call),
      ServerStatus: (_call: unknown, cb: grpc.sendUnaryData<any>) => cb(null, this.serverStatus()),
      GetNodes: (_call: unknown, cb: grpc.sendUnaryData<any>) => cb(null, this.nodes()),
      GetNamespaces: (_call: unknown, cb: grpc.sendUnaryData<any>) => cb(null, this.namespaces()),
    });
    const creds = this.opts.tls
      ? grpc.ServerCredentials.createSsl(this.opts.tls.ca ?? null, [{ cert_chain: this.opts.tls.cert, private_key: this.opts.tls.key }], this.opts.tls.requireClientCert ?? false)
      : grpc.ServerCredentials.createInsecure();
    const host = this.opts.host ?? '127.0.0.1';
    this.boundPort = await new Promise<number>((resolve, reject) =>
      // A restart binds the same port again, like a relay pod coming back behind its Service.
      server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${this.boundPort || this.opts.port || 0}`, creds, (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
    if (this.rate > 0) {
      this.lastTick = Date.now();
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref?.();
    }
    return this.boundPort;
  }

  /** Stops the server, ending every stream (clients see UNAVAILABLE and reconnect). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const f of this.followers) f.call.end();
    this.followers.clear();
    await new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 1000).unref?.();
    });
  }

  private remember(f: FlowRecord): void {
    this.ring[this.ringNext] = f;
    this.ringNext = (this.ringNext + 1) % this.ring.length;
    if (this.ringSize < this.ring.length) this.ringSize++;
    this.seen++;
  }

  /** Buffered flows, oldest first. */
  private buffered(): FlowRecord[] {
    const out: FlowRecord[] = [];
    const start = this.ringSize < this.ring.length ? 0 : this.ringNext;
    for (let i = 0; i < this.ringSize; i++) out.push(this.ring[(start + i) % this.ring.length]);
    return out;
  }

  private tick(): void {
    const now = Date.now();
    const elapsed = now - this.lastTick;
    this.lastTick = now;
    this.carry += (elapsed / 1000) * this.rate;
    const connections = Math.floor(this.carry / 3);
    this.carry -= connections * 3;
    // The flows of the time since the last tick, stamped over at most one tick's span before now. A
    // tick this process ran late (a busy machine) still sends the flows of all that time, but stamped
    // about when they leave: the stamp is where the relay-to-page latency is measured from (issue 13),
    // and back-dating them over the lateness counted the relay's own delay as the app's.
    const span = Math.min(elapsed, TICK_MS);
    for (let i = 0; i < connections; i++) {
      for (const f of this.generator.nextConnection(now - span + (i * span) / Math.max(1, connections))) {
        this.remember(f);
        this.publish(f);
      }
    }
  }

  private publish(f: FlowRecord): void {
    if (this.followers.size === 0) return;
    let bytes: Uint8Array | null = null;
    for (const follower of this.followers) {
      if (!follower.predicate(f)) continue;
      // A full backlog drops the flow: counting it is all there is to do (encoding it cost as much as
      // making it, and a follower that lags behind a high rate would have most flows encoded for nothing).
      if (follower.backlog.length >= MAX_BACKLOG) {
        follower.lost++;
        continue;
      }
      bytes ??= encodeFlowResponse(f);
      this.send(follower, bytes);
    }
  }

  private send(follower: Follower, bytes: Uint8Array): void {
    if (follower.backlog.length > 0) {
      if (follower.backlog.length >= MAX_BACKLOG) follower.lost++;
      else follower.backlog.push(bytes);
      return;
    }
    if (!follower.call.write(bytes)) follower.backlog.push(new Uint8Array(0)); // marks "wait for drain"
  }

  private drain(follower: Follower): void {
    if (follower.lost > 0) {
      // Like Hubble's observer queue: tell this client how many events it missed, first thing.
      const t = observerTypes();
      follower.call.write(
        t.GetFlowsResponse.encode({ lost_events: { source: 2, num_events_lost: follower.lost }, node_name: this.scenario.cluster, time: now() } as any).finish(),
      );
      follower.lost = 0;
    }
    const queue = follower.backlog;
    follower.backlog = [];
    for (let i = 0; i < queue.length; i++) {
      const b = queue[i];
      if (b.length === 0) continue;
      if (!follower.call.write(b)) {
        // Still full: keep the rest, behind a marker meaning "wait for the next drain".
        follower.backlog = [new Uint8Array(0), ...queue.slice(i + 1)];
        break;
      }
    }
  }

  private getFlows(call: grpc.ServerWritableStream<any, any>): void {
    const req = call.request;
    let predicate: FlowPredicate;
    try {
      predicate = compileFilters((req.whitelist ?? []).map(filterFromWire), (req.blacklist ?? []).map(filterFromWire));
    } catch (e) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: (e as Error).message });
      return;
    }
    const number = Number(req.number) || 0;
    if (req.first && req.follow) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'first cannot be combined with follow' });
      return;
    }
    const ts = (t: any) => (t ? Number(t.seconds) * 1000 + t.nanos / 1e6 : null);
    const since = ts(req.since);
    const until = ts(req.until);
    call.sendMetadata(new grpc.Metadata());

    // Like Hubble: follow without number or since starts from now; otherwise the buffer is replayed.
    const replay = number > 0 || since !== null || !req.follow;
    let history = replay ? this.buffered().filter((f) => (since === null || f.time >= since) && (until === null || f.time <= until) && predicate(f)) : [];
    if (number > 0) history = req.first ? history.slice(0, number) : history.slice(-number);

    const follower: Follower = { predicate, call, backlog: [], lost: 0 };
    for (const f of history) this.send(follower, encodeFlowResponse(f));
    if (!req.follow) {
      if (follower.backlog.length === 0) call.end();
      else call.on('drain', () => { this.drain(follower); if (follower.backlog.length === 0) call.end(); });
      return;
    }
    call.on('drain', () => this.drain(follower));
    const forget = () => this.followers.delete(follower);
    call.on('cancelled', forget);
    call.on('close', forget);
    call.on('error', forget);
    if (this.rate > 0) {
      this.followers.add(follower);
    } else {
      this.streamAtFullSpeed(follower);
    }
  }

  /**
   * Benchmark mode: a load generator. Generating and encoding each flow costs more than gRPC's
   * own per-message work, so a pool of distinct scenario flows is generated and encoded once and
   * replayed in a loop as fast as this follower's socket takes them (uuids repeat per loop).
   */
  private streamAtFullSpeed(follower: Follower): void {
    if (!this.fullSpeedPool) {
      const flows = this.generator.generate(FULL_SPEED_POOL, Date.now(), 0.01).slice(0, FULL_SPEED_POOL);
      this.fullSpeedPool = { flows, bytes: flows.map(encodeFlowResponse) };
    }
    const { flows, bytes } = this.fullSpeedPool;
    const pool = bytes.filter((_, k) => follower.predicate(flows[k]));
    if (pool.length === 0) return;
    let open = true;
    let i = 0;
    follower.call.on('cancelled', () => (open = false));
    follower.call.on('close', () => (open = false));
    const pump = () => {
      while (open) {
        this.seen++;
        if (!follower.call.write(pool[i++ % pool.length])) {
          follower.call.once('drain', pump);
          return;
        }
      }
    };
    setImmediate(pump);
  }

  private serverStatus(): Record<string, unknown> {
    return {
      num_flows: this.ringSize,
      max_flows: this.ring.length,
      seen_flows: this.seen,
      uptime_ns: (Date.now() - this.startedAt) * 1e6,
      num_connected_nodes: { value: this.scenario.nodes.length },
      num_unavailable_nodes: { value: 0 },
      unavailable_nodes: [],
      version: VERSION,
      flows_rate: this.rate,
    };
  }

  private nodes(): Record<string, unknown> {
    const per = Math.floor(this.ringSize / this.scenario.nodes.length);
    return {
      nodes: this.scenario.nodes.map((n) => ({
        name: `${this.scenario.cluster}/${n.name}`,
        version: 'v1.18.4',
        address: `${n.ip}:4244`,
        state: 1,
        tls: { enabled: true, server_name: `${n.name}.${this.scenario.cluster}.hubble-grpc.cilium.io` },
        uptime_ns: (Date.now() - this.startedAt) * 1e6,
        num_flows: per,
        max_flows: Math.floor(this.ring.length / this.scenario.nodes.length),
        seen_flows: Math.floor(this.seen / this.scenario.nodes.length),
      })),
    };
  }

  private namespaces(): Record<string, unknown> {
    const seen = new Set<string>();
    for (const f of this.buffered()) {
      if (f.source.namespace) seen.add(f.source.namespace);
      if (f.destination.namespace) seen.add(f.destination.namespace);
    }
    return { namespaces: [...seen].sort().map((namespace) => ({ cluster: this.scenario.cluster, namespace })) };
  }
}
