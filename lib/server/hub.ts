/**
 * The per-process hub: owns the one relay subscription, folds every flow into the graph and the
 * counters, and fans out to browsers a few times a second — one shared graph delta, the
 * counters, and a bounded sample of the flows each browser asked for. A browser that cannot keep
 * up is skipped (and later resynced with a snapshot) or cut off; it never slows the others.
 */

import type { FlowRecord } from '../flows/flow-record';
import { DemoRelay } from '../demo/demo-relay';
import { demoScenarioOfScale } from '../demo/scaled-scenario';
import { FlowGraph } from '../graph/flow-graph';
import type { EdgePathAnnotator } from './edge-paths';
import { encodeDelta, encodeSnapshot } from '../graph/graph-wire';
import { snapshotPartsSteps } from '../graph/snapshot-parts';
import type { GraphDelta, GraphNode, GraphSnapshot } from '../graph/types';
import type { FlowPredicate } from '../hubble/flow-filter';
import { FlowSubscription, type SubscriptionStats } from '../hubble/flow-subscription';
import { IngestGovernor, type GovernorStatus } from './ingest-governor';
import type { RelayAddress } from '../hubble/relay-address';
import { RelayClient, type LostEventsNotice, type ServerStatus } from '../hubble/relay-client';
import type { Config } from './config';
import type { Logger } from './logger';
import { BoundedRing } from '../flows/flow-ring';
import { VerdictCounters, type CounterSummary } from './verdict-counters';
import { runInSlices, runToEnd, type Steps } from '../util/time-slices';

/** What the status says before the hub has started (no governor yet). */
const NO_SHEDDING: GovernorStatus = { atCapacity: false, keptShare: 1, shedFlows: 0 };

/** Relay clocks may lag ours a little: flows this much older than the hub's start still count as live. */
const BACKLOG_SLACK_MS = 5_000;
/** Flows held for the listeners between two ticks, at most (a second of 1M flows/s at the default tick); beyond, counted as skipped. */
const MAX_PENDING_FLOWS = 250_000;
/**
 * Edges per `snapshot-part` event (and the most a snapshot sends whole): each part is one task for
 * the browser, ~30-60 ms at this size, so the page keeps drawing frames while the rest comes in.
 */
const SNAPSHOT_PART_EDGES = 2_000;
/**
 * Most `snapshot-part` events one snapshot sends: larger graphs get larger parts. A browser's SSE
 * queue holds 32 unread events (sse.ts), and a snapshot must fit in it with room to spare, or it
 * would be cut short and resent forever.
 */
const MAX_SNAPSHOT_PARTS = 12;
/**
 * Edges decorated, or sorted into parts, between two pauses of a snapshot sent in slices. A graph
 * larger than one part is sent over several turns of the event loop: at 20,000 edges building it
 * whole took about a second, every request and flow of the process waiting behind it.
 */
const SNAPSHOT_STEP_EDGES = 4_000;
/**
 * How long a snapshot's slice runs before the loop gets a turn. Longer than the posture's 12 ms: every
 * turn of a loop that folds in 20,000 flows/s on a shared machine takes 100 ms and more, and a
 * snapshot in ~40 slices reached the browser seconds later than one sent whole. At 40 ms, a
 * 5,000-workload snapshot's head reached the page 2.3-2.7 s after navigation, at 150 ms 1.1-1.9 s
 * (bench:ui, 3 interleaved pairs): each browser that connects holds the others' deltas ~150 ms.
 */
const SNAPSHOT_SLICE_MS = 150;
/**
 * The slice of a snapshot started for a page on its way (prepareSnapshot) while no browser waits for
 * it yet: the page's scripts are being asked for meanwhile, and each waited behind a 150 ms slice
 * (at 5,000 workloads the scripts came in ~1 s after the HTML instead of ~0.3 s). Its stream is
 * asked for after most of them (a browser opens six connections to a server); from then on the
 * snapshot runs in SNAPSHOT_SLICE_MS slices.
 */
const PREPARED_SLICE_MS = 20;
/**
 * How often the graph's changes go out to browsers (one delta per tick). A tick's wait is most of a
 * flow's way to the map: at 250 ms, issue 13's bench (5,000 workloads, 20k flows/s) measured p99
 * ~1.0 s from relay to page; at 100 ms, 0.52-0.94 s over 6 runs (0.55-0.6 s on the quieter ones),
 * with the map still above 30 fps while panning (its draws go from ~4 to ~8 a second).
 */
export const HUB_TICK_MS = 100;
/** Deltas held for a browser while its snapshot is sent (10 s of ticks); past that it starts over. */
const MAX_HELD_DELTAS = 10_000 / HUB_TICK_MS;
/**
 * How long a shared snapshot stays on offer once done. A page's stream comes a few hundred ms to a
 * second after its HTML on a busy server; a browser after this gets a fresh one rather than the
 * deltas of many ticks to apply on top.
 */
const SHARED_SNAPSHOT_FRESH_MS = 3_000;
/** Flows sampled per tick for a page that lists them: 160 a second, as many as a person can follow and then some. */
const SAMPLE_PER_TICK = (160 * HUB_TICK_MS) / 1000;

/** An event for the stream: its type and JSON data. */
export type SseEvent = readonly [event: string, json: string];

export interface HubClient {
  /** Which flows this browser wants samples of; null for pages that list no flows. */
  predicate: FlowPredicate | null;
  /** Queues an event; false (and nothing queued) when the client's buffer is full. */
  send(event: string, json: string): boolean;
  /**
   * Queues several events as one write (a snapshot's parts): the response then waits for the socket
   * once, not once per event. Absent: they are sent one by one.
   */
  sendAll?(events: readonly SseEvent[]): boolean;
  /**
   * What of the graph this browser may see (a user limited to some namespaces, access-scope.ts);
   * absent: all of it. The snapshot and every delta go through it, per client.
   */
  graphView?: ClientGraphView;
  /** The header's flow rates for this browser (a scoped user's own flows); absent: the hub's. */
  counters?: () => CounterSummary;
  close(reason: string): void;
}

export interface ClientGraphView {
  snapshot(graph: GraphSnapshot): GraphSnapshot;
  /** Null when nothing of the delta is visible to this client. */
  delta(delta: GraphDelta): GraphDelta | null;
}

interface ClientState {
  client: HubClient;
  cursor: number;
  needsSnapshot: boolean;
  congestedSince: number | null;
  /** The snapshot being sent to it over several turns (null: none); the deltas of the ticks meanwhile wait in `held`. */
  sending: SnapshotJob | null;
  held: string[];
}

/** One snapshot sent in slices, to every client whose `sending` it is: only its identity matters. */
type SnapshotJob = object;

/**
 * The snapshot of the whole graph, built once for every browser that sees all of it, and kept a
 * moment after it is done: a browser that asks meanwhile takes it as it is, then the deltas of the
 * ticks since its graph was copied. It can be started before anyone asks (`prepareSnapshot`: the
 * map's HTML is being sent, its stream will follow), so that the seconds a large graph's snapshot
 * takes pass while the page loads, not after.
 */
interface SharedSnapshot {
  /** Events sent so far: the head, then the other parts (one entry). */
  events: SseEvent[];
  /** Each tick's delta since the snapshot's graph was copied (the shared JSON). */
  deltas: string[];
  doneAt: number | null;
  failed: boolean;
}

export interface RelayStatus {
  mode: 'demo' | 'relay';
  address: string;
  tls: boolean;
  state: SubscriptionStats['state'];
  /** What ended the last call (`connect-timeout`, `not-answering`, `stalled`, `error`), until streaming again. */
  fault: SubscriptionStats['fault'];
  /** Streaming, and the relay confirms the cluster has had no flows for the idle time. */
  idle: boolean;
  lastError: string | null;
  nextRetryAt: number | null;
  reconnects: number;
  lostEvents: number;
  duplicatesSkipped: number;
  received: number;
  resumedFrom: number | null;
  server: (ServerStatus & { checkedAt: number }) | null;
  /** Flows shed to keep the server answering when more arrive than it can fold in (ingest-governor.ts). */
  ingest: GovernorStatus;
}

export interface HubStatus {
  relay: RelayStatus;
  /** `pendingEdges`: changes held back by the per-delta cap, sent in the next deltas. */
  graph: { nodes: number; edges: number; evictedEdges: number; pendingEdges: number; windowSeconds: number };
  clients: { connected: number; cutOff: number; resyncs: number };
  startedAt: number;
}

export interface LiveCounters extends CounterSummary {
  relay: Pick<RelayStatus, 'state' | 'fault' | 'idle' | 'lastError' | 'nextRetryAt' | 'lostEvents' | 'mode'> & { ingest: GovernorStatus };
}

/**
 * The flows ingested since the previous tick, oldest first, each with its graph edge
 * (`edgeIds[i]` is the edge of `flows[i]`). `skipped` counts flows beyond the per-tick bound
 * (MAX_PENDING_FLOWS) that never reached the listeners.
 */
export interface FlowBatch {
  flows: readonly FlowRecord[];
  edgeIds: readonly string[];
  skipped: number;
}

export type FlowBatchListener = (batch: FlowBatch) => void;

/** What the relay subscription reports besides flows: state changes (connect, retry, idle) and lost events. */
export type RelayEvent = { kind: 'state'; stats: SubscriptionStats } | { kind: 'lost'; notice: LostEventsNotice };

export interface HubOptions {
  /** Where a listener that throws is reported (the tick goes on). */
  logger?: Pick<Logger, 'error'>;
  tickMs?: number;
  samplePerTick?: number;
  recentCapacity?: number;
  /** A client whose buffer stays full this long is disconnected. */
  stallTimeoutMs?: number;
  /** How long a large snapshot's slice runs before the event loop gets a turn (SNAPSHOT_SLICE_MS). */
  snapshotSliceMs?: number;
}

export class Hub {
  readonly graph: FlowGraph;
  readonly counters = new VerdictCounters();
  readonly recent: BoundedRing<FlowRecord, string>;
  private readonly clients = new Set<ClientState>();
  private readonly flowListeners = new Set<FlowBatchListener>();
  /** Flow listeners whose effect goes out with the tick's own events (a scoped browser's counters). */
  private readonly sentWithTick = new Set<FlowBatchListener>();
  private readonly relayListeners = new Set<(event: RelayEvent) => void>();
  private subscription: FlowSubscription | null = null;
  private governor: IngestGovernor | null = null;
  private edgePaths: EdgePathAnnotator | null = null;
  /**
   * The flows ingested since the last tick, for the flow listeners: every flow (the history keeps
   * them all and the posture counts them exactly), not the ring's sample of a busy second.
   */
  private pending: { flows: FlowRecord[]; edgeIds: string[]; skipped: number } = { flows: [], edgeIds: [], skipped: 0 };
  private client: RelayClient | null = null;
  private demo: DemoRelay | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private statusPoller: ReturnType<typeof setInterval> | null = null;
  private serverStatus: RelayStatus['server'] = null;
  private address = '';
  private cutOff = 0;
  private resyncs = 0;
  readonly startedAt = Date.now();
  private readonly tickMs: number;
  private readonly samplePerTick: number;
  private readonly stallTimeoutMs: number;
  private readonly logger: Pick<Logger, 'error'> | undefined;
  private readonly snapshotsSending = new Set<Promise<void>>();
  private readonly snapshotSliceMs: number;
  private shared: SharedSnapshot | null = null;

  constructor(
    private readonly config: Config,
    opts: HubOptions = {},
  ) {
    this.graph = new FlowGraph({ windowMs: config.windowSeconds * 1000 });
    this.recent = new BoundedRing<FlowRecord, string>(opts.recentCapacity ?? 5000);
    this.tickMs = opts.tickMs ?? HUB_TICK_MS;
    this.snapshotSliceMs = opts.snapshotSliceMs ?? SNAPSHOT_SLICE_MS;
    this.samplePerTick = opts.samplePerTick ?? SAMPLE_PER_TICK;
    this.stallTimeoutMs = opts.stallTimeoutMs ?? 15_000;
    this.logger = opts.logger;
  }

  /** Connects to the relay (starting the demo relay on loopback when none is configured). */
  async start(): Promise<void> {
    const relay = this.config.relay;
    let target: RelayAddress;
    if (relay.mode === 'demo' || !relay.target) {
      // The demo cluster source reads the same scenario (cluster-source-from-config.ts): flows and manifests agree.
      this.demo = new DemoRelay({ rate: this.config.demoRate, port: 0, host: '127.0.0.1', scenario: demoScenarioOfScale(this.config.demoScale) });
      const port = await this.demo.start();
      target = { host: '127.0.0.1', port, tls: false, target: `127.0.0.1:${port}` };
      this.address = target.target;
    } else {
      target = relay.target;
      this.address = relay.address;
    }
    this.governor = new IngestGovernor({ maxBusy: this.config.ingestMaxBusyPercent / 100 });
    // The stream's gRPC work on a thread of its own: on this loop it cost about a third of it at 20k flows/s (relay-client.ts).
    this.client = new RelayClient({ address: target, tls: relay.tls ?? undefined, admission: this.governor, streamInWorker: true });
    this.subscription = new FlowSubscription(this.client, {
      initialLast: 2000,
      idleMs: this.config.relayIdleSeconds * 1000,
      connectTimeoutMs: this.config.relayConnectTimeoutSeconds * 1000,
      onFlow: (f) => this.ingest(f),
      onState: (stats) => this.emitRelay({ kind: 'state', stats }),
      onLost: (notice) => this.emitRelay({ kind: 'lost', notice }),
    });
    this.subscription.start();
    this.governor.start();
    this.ticker = setInterval(() => this.tick(), this.tickMs);
    this.ticker.unref?.();
    const poll = () => {
      this.client
        ?.serverStatus()
        .then((s) => (this.serverStatus = { ...s, checkedAt: Date.now() }))
        .catch(() => (this.serverStatus = null));
    };
    poll();
    this.statusPoller = setInterval(poll, 10_000);
    this.statusPoller.unref?.();
  }

  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    if (this.statusPoller) clearInterval(this.statusPoller);
    this.governor?.stop();
    this.subscription?.stop();
    this.client?.close();
    for (const c of this.clients) c.client.close('server stopping');
    this.clients.clear();
    await this.demo?.stop();
  }

  /** The ingest hot path: one flow from the relay. */
  ingest(flow: FlowRecord): void {
    const edgeId = this.graph.add(flow);
    // The backlog replayed at connect (flows from before this process started) fills the map but
    // is not live traffic: counting it would draw a spike of thousands of flows in the first second.
    if (flow.time >= this.startedAt - BACKLOG_SLACK_MS) this.counters.add(flow.verdict, Date.now());
    this.recent.push(flow, edgeId);
    this.edgePaths?.noteFlow(edgeId, flow);
    if (this.flowListeners.size > 0 || this.sentWithTick.size > 0) {
      const p = this.pending;
      if (p.flows.length < MAX_PENDING_FLOWS) {
        p.flows.push(flow);
        p.edgeIds.push(edgeId);
      } else p.skipped++;
    }
  }

  /** Flows from before this process started (the relay's backlog at connect) have times before this. */
  get liveSince(): number {
    return this.startedAt - BACKLOG_SLACK_MS;
  }

  /**
   * Hands every flow ingested from now on to `listener`, in batches at each tick. With `replay`,
   * the flows ingested before that the ring still holds come first, synchronously, so a late
   * listener (posture starting after the hub) sees what the others saw, each flow once. Returns
   * the unsubscribe function. A listener is called after the tick's delta is written (so the work of
   * folding flows in never delays it), unless `beforeSend`: what it counts goes out in that tick.
   */
  onFlows(listener: FlowBatchListener, opts: { replay?: boolean; beforeSend?: boolean } = {}): () => void {
    if (opts.replay) {
      const first = Math.max(0, this.recent.next - this.recent.capacity);
      // Flows waiting for the next tick reach this listener then; those before them come now.
      const until = this.recent.next - this.pending.flows.length - this.pending.skipped;
      if (until > first) listener(this.readBatch(first, until - first));
    }
    const set = opts.beforeSend ? this.sentWithTick : this.flowListeners;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Relay state changes (connecting, streaming, retrying, idle) and lost-event notices; returns the unsubscribe function. */
  onRelayEvent(listener: (event: RelayEvent) => void): () => void {
    this.relayListeners.add(listener);
    return () => this.relayListeners.delete(listener);
  }

  private emitRelay(event: RelayEvent): void {
    for (const l of this.relayListeners) {
      try {
        l(event);
      } catch (err) {
        this.logger?.error({ err }, 'relay event listener failed');
      }
    }
  }

  /** Up to `limit` flows of the ring from sequence `from`, with their edges. */
  private readBatch(from: number, limit: number): FlowBatch & { next: number } {
    const edgeIds: string[] = [];
    const read = this.recent.since(from, (_f, edgeId) => (edgeIds.push(edgeId), true), limit);
    return { flows: read.items, edgeIds, skipped: read.skipped, next: read.next };
  }

  /**
   * Hands the flows ingested since the last tick to the flow listeners now instead of at the next
   * tick: a search of the history asks for it, so that it finds every flow the ring holds.
   */
  handOverFlows(): void {
    const batch = this.takePending();
    if (!batch) return;
    this.handTo(this.sentWithTick, batch);
    this.handTo(this.flowListeners, batch);
  }

  /** The flows ingested since the last tick (null: none). */
  private takePending(): FlowBatch | null {
    const batch: FlowBatch = this.pending;
    if (batch.flows.length === 0 && batch.skipped === 0) return null;
    this.pending = { flows: [], edgeIds: [], skipped: 0 };
    return batch;
  }

  private handTo(listeners: ReadonlySet<FlowBatchListener>, batch: FlowBatch): void {
    for (const l of listeners) {
      try {
        l(batch);
      } catch (err) {
        this.logger?.error({ err }, 'flow listener failed');
      }
    }
  }

  /** From now on every edge sent to browsers carries its verdict over all layers (`GraphEdge.path`). */
  setEdgePaths(annotator: EdgePathAnnotator): void {
    this.edgePaths = annotator;
    // Edges that came before: their flows still in the ring give them a connection to evaluate.
    this.recent.since(0, (f, edgeId) => (annotator.noteFlow(edgeId, f), false), Infinity);
    this.graph.markAllDirty();
  }

  /** Registers a browser and starts its snapshot. Returns the unsubscribe function. */
  subscribe(client: HubClient): () => void {
    const state: ClientState = { client, cursor: Math.max(0, this.recent.next - 200), needsSnapshot: true, congestedSince: null, sending: null, held: [] };
    this.clients.add(state);
    this.sendSnapshot([state], client.graphView, Date.now());
    return () => this.clients.delete(state);
  }

  /**
   * The snapshot as the stream sends it, built in steps: the `snapshot` event (the nodes and what
   * the islands picture needs, with how many parts follow), then the `snapshot-part` events with the
   * other edges, all as of the same graph sequence (see snapshot-parts.ts). The graph is copied in
   * the first step; `emit` returning false stops the rest (nobody is left to send it to).
   */
  private *snapshotSteps(view: ClientGraphView | undefined, emit: (events: SseEvent[]) => boolean): Steps<void> {
    // A scoped view numbers its deltas from its snapshot and tracks the peers it has sent: it takes the
    // snapshot in this first step, before any tick's delta held behind the snapshot goes through it.
    const graph = view ? view.snapshot(this.graph.snapshot()) : this.graph.snapshot();
    const annotator = this.edgePaths;
    for (let from = 0; annotator && from < graph.edges.length; from += SNAPSHOT_STEP_EDGES) {
      yield;
      annotator.decorateSnapshot(graph.edges, from, from + SNAPSHOT_STEP_EDGES);
    }
    yield;
    const { head, rest } = yield* snapshotPartsSteps(graph, Math.max(SNAPSHOT_PART_EDGES, Math.ceil(graph.edges.length / MAX_SNAPSHOT_PARTS)), SNAPSHOT_STEP_EDGES);
    yield;
    if (!emit([['snapshot', JSON.stringify({ graph: encodeSnapshot(head), status: this.status(), parts: rest.length })]])) return;
    // The other parts go out in one write, once all are encoded: sent a turn of the loop apiece, each
    // waited for a turn that at 20k flows/s on a busy machine takes hundreds of ms, and the page held
    // them all 1.7-2.9 s after it had decoded the head (bench:ui at 5,000 workloads). They are encoded
    // a part per step all the same, so that a slice ends within about a part of SNAPSHOT_SLICE_MS: all
    // in one step (~250 ms of CPU in a CPU profile), with the split and the head in the same slice, a
    // browser connecting held the event loop over a second in a profiled run (every other browser's
    // deltas, and the connecting page's own scripts, waited behind it). Unprofiled, bench:ui's
    // snapshotStallMs stayed at 0.5-0.9 s either way: the slice's own 150 ms, stretched by waiting
    // for a CPU, is most of it.
    const parts: SseEvent[] = [];
    for (const edges of rest) {
      yield;
      parts.push(['snapshot-part', JSON.stringify(encodeDelta({ seq: graph.seq, upsertNodes: [], upsertEdges: edges, removeNodes: [], removeEdges: [] }))]);
    }
    if (parts.length) emit(parts);
  }

  /**
   * Starts the whole graph's snapshot before a browser asks for it (the map's HTML is on its way,
   * its stream follows): browsers that ask within SHARED_SNAPSHOT_FRESH_MS of it being done take it.
   * Nothing to do for a graph small enough to be sent at once, or while one is on offer.
   */
  prepareSnapshot(now = Date.now()): void {
    if (this.graph.size.edges > SNAPSHOT_PART_EDGES) this.sharedSnapshot(now);
  }

  /** The shared snapshot on offer, or a new one started now. */
  private sharedSnapshot(now: number): SharedSnapshot {
    const s = this.shared;
    if (s && !s.failed && (s.doneAt === null || now - s.doneAt <= SHARED_SNAPSHOT_FRESH_MS)) return s;
    const job: SharedSnapshot = { events: [], deltas: [], doneAt: null, failed: false };
    this.shared = job;
    const recipients = () => [...this.clients].filter((state) => state.sending === job);
    const emit = (events: SseEvent[]): boolean => {
      job.events.push(...events);
      const waiting = recipients();
      for (const state of waiting) this.deliver(state, events);
      // Built to the end while on offer, even with nobody waiting yet (it was started for a browser
      // on its way); one dropped (too many deltas behind it) stops once nobody waits for it.
      return this.shared === job || waiting.length > 0;
    };
    const sliceMs = () => (recipients().length ? this.snapshotSliceMs : Math.min(PREPARED_SLICE_MS, this.snapshotSliceMs));
    this.sendInSlices(this.snapshotSteps(undefined, emit), sliceMs, recipients, {
      done: () => {
        job.doneAt = Date.now();
      },
      failed: () => {
        job.failed = true;
        if (this.shared === job) this.shared = null;
      },
    });
    return job;
  }

  /**
   * Runs a snapshot's steps in slices. Once done, each browser still waiting for it gets the deltas
   * held meanwhile; if it fails, they get a fresh one at the next tick.
   */
  private sendInSlices(steps: Steps<void>, sliceMs: number | (() => number), waiting: () => ClientState[], on: { done?(): void; failed?(): void } = {}): void {
    const sent = runInSlices(steps, { sliceMs }).then(
      () => {
        on.done?.();
        for (const state of waiting()) this.finishSnapshot(state);
      },
      (err: unknown) => {
        this.logger?.error({ err }, 'snapshot failed: sent again at the next tick');
        on.failed?.();
        for (const state of waiting()) {
          state.sending = null;
          state.needsSnapshot = true;
        }
      },
    );
    this.snapshotsSending.add(sent);
    void sent.finally(() => this.snapshotsSending.delete(sent));
  }

  /** Browsers that see the whole graph take the shared snapshot: what it sent so far now, the rest as it comes. */
  private takeSharedSnapshot(recipients: ClientState[], now: number): void {
    const job = this.sharedSnapshot(now);
    for (const state of recipients) {
      state.needsSnapshot = false;
      state.sending = job;
      // The ticks since its graph was copied, to follow it.
      state.held = [...job.deltas];
      if (job.events.length && !this.deliver(state, job.events)) continue;
      if (job.doneAt !== null) this.finishSnapshot(state);
    }
  }

  /** Queues snapshot events for a browser; cut short by a full buffer, it is sent again, whole, from a later tick. */
  private deliver(state: ClientState, events: readonly SseEvent[]): boolean {
    const client = state.client;
    if (client.sendAll ? client.sendAll(events) : events.every(([event, json]) => client.send(event, json))) return true;
    state.sending = null;
    state.needsSnapshot = true;
    state.congestedSince ??= Date.now();
    return false;
  }

  /** The snapshot is out: the deltas held meanwhile follow it (one write), then the counters. */
  private finishSnapshot(state: ClientState): void {
    state.sending = null;
    const held = state.held;
    state.held = [];
    if (held.length && !this.deliver(state, held.map((json) => ['delta', json] as const))) {
      // A delta that cannot follow its snapshot cannot be patched later: a fresh snapshot instead.
      this.resyncs++;
      return;
    }
    this.sendTo(state, null, null, this.countersJsonFor(state, null), Date.now());
  }

  /**
   * Sends a snapshot to `recipients` (all with the same view). A graph of one part goes at once; a
   * larger one in slices, each recipient's deltas of the ticks meanwhile held and sent after its last
   * part, so that the browser applies them on top of it, in order. Browsers that see the whole graph
   * share one (sharedSnapshot).
   */
  private sendSnapshot(recipients: ClientState[], view: ClientGraphView | undefined, now: number): void {
    if (this.graph.size.edges <= SNAPSHOT_PART_EDGES) {
      const messages: string[] = [];
      runToEnd(this.snapshotSteps(view, (events) => (messages.push(...events.map(([, json]) => json)), true)));
      for (const state of recipients) this.sendTo(state, messages, null, this.countersJsonFor(state, null), now);
      return;
    }
    if (!view) {
      this.takeSharedSnapshot(recipients, now);
      return;
    }
    const job: SnapshotJob = {};
    for (const state of recipients) {
      state.needsSnapshot = false;
      state.sending = job;
      state.held = [];
    }
    /** Recipients still waiting for this snapshot (not gone, cut short or started over). */
    const waiting = () => recipients.filter((state) => state.sending === job && this.clients.has(state));
    const emit = (events: SseEvent[]): boolean => {
      for (const state of waiting()) this.deliver(state, events);
      return waiting().length > 0;
    };
    this.sendInSlices(this.snapshotSteps(view, emit), this.snapshotSliceMs, waiting);
  }

  /** Resolves once every snapshot being sent in slices has gone out (tests). */
  async snapshotsSent(): Promise<void> {
    while (this.snapshotsSending.size > 0) await Promise.all(this.snapshotsSending);
  }

  /** A node of the graph as it stands (a scoped view fetches the far end of an edge it starts showing). */
  graphNode(id: string): GraphNode | undefined {
    return this.graph.node(id);
  }

  /** The namespaces with workloads on the graph now. */
  graphNamespaces(): Set<string> {
    return this.graph.namespaces();
  }

  /** The graph as browsers get it: edges carry their verdict over all layers when it is known. */
  graphSnapshot(): GraphSnapshot {
    const graph = this.graph.snapshot();
    this.edgePaths?.decorateSnapshot(graph.edges);
    return graph;
  }

  liveCounters(): LiveCounters {
    const s = this.subscription?.snapshot();
    return {
      ...this.counters.summary(),
      relay: {
        mode: this.config.relay.mode,
        state: s?.state ?? 'connecting',
        fault: s?.fault ?? null,
        idle: s?.idle ?? false,
        lastError: s?.lastError ?? null,
        nextRetryAt: s?.nextRetryAt ?? null,
        lostEvents: s?.lostEvents ?? 0,
        ingest: this.governor?.status() ?? NO_SHEDDING,
      },
    };
  }

  private countersJson(): string {
    return JSON.stringify(this.liveCounters());
  }

  /** The counters this client gets: the shared ones (built once per tick), or its own rates with the relay's state. */
  private countersJsonFor(state: ClientState, shared: string | null): string {
    const own = state.client.counters;
    if (!own) return shared ?? this.countersJson();
    return JSON.stringify({ ...this.liveCounters(), ...own() });
  }

  /** One fan-out round; public so tests can drive it without timers. */
  tick(now = Date.now()): void {
    const batch = this.takePending();
    if (batch) this.handTo(this.sentWithTick, batch);
    const delta = this.graph.takeDelta();
    this.edgePaths?.decorate(delta, this.graph);
    this.fanOut(delta, now);
    // The other flow listeners (posture, the history, each edge's newest flow) once the browsers'
    // events are written: at 20k flows/s they took ~100 ms of the tick, and the delta waited.
    if (batch) this.handTo(this.flowListeners, batch);
  }

  private fanOut(delta: GraphDelta | null, now: number): void {
    const shared = this.followShared(now);
    if (this.clients.size === 0 && !shared) return;
    const deltaJson = delta ? JSON.stringify(encodeDelta(delta)) : null;
    if (shared && deltaJson !== null) shared.deltas.push(deltaJson);
    const countersJson = this.countersJson();
    const unscopedSnapshots: ClientState[] = [];
    for (const state of this.clients) {
      const view = state.client.graphView;
      if (state.sending) {
        this.hold(state, view ? (delta && view.delta(delta)) : null, view ? null : deltaJson);
        continue;
      }
      if (state.needsSnapshot) {
        if (view) this.sendSnapshot([state], view, now);
        else unscopedSnapshots.push(state);
        continue;
      }
      const own = view && delta ? view.delta(delta) : null;
      this.sendTo(state, null, view ? (own ? JSON.stringify(encodeDelta(own)) : null) : deltaJson, this.countersJsonFor(state, countersJson), now);
    }
    // One snapshot, built once, for every browser that sees the whole graph.
    if (unscopedSnapshots.length) this.sendSnapshot(unscopedSnapshots, undefined, now);
  }

  /**
   * The shared snapshot while it is on offer (its deltas must be kept for the browsers that take it
   * later); dropped, with what it holds, once it is not.
   */
  private followShared(now: number): SharedSnapshot | null {
    const s = this.shared;
    if (!s) return null;
    if (s.failed || (s.doneAt !== null && now - s.doneAt > SHARED_SNAPSHOT_FRESH_MS) || s.deltas.length >= MAX_HELD_DELTAS) {
      this.shared = null;
      return null;
    }
    return s;
  }

  /** A delta for a client whose snapshot is still being sent, kept for after its last part (too many: it starts over). */
  private hold(state: ClientState, own: GraphDelta | null, shared: string | null): void {
    const json = own ? JSON.stringify(encodeDelta(own)) : shared;
    if (json === null) return;
    state.held.push(json);
    if (state.held.length <= MAX_HELD_DELTAS) return;
    state.sending = null;
    state.held = [];
    state.needsSnapshot = true;
    this.resyncs++;
  }

  private sendTo(state: ClientState, snapshot: string[] | null, delta: string | null, counters: string, now: number): void {
    const c = state.client;
    let ok = true;
    if (snapshot !== null) {
      ok = c.send('snapshot', snapshot[0]);
      for (let i = 1; ok && i < snapshot.length; i++) ok = c.send('snapshot-part', snapshot[i]);
      // A snapshot cut short is sent again whole.
      state.needsSnapshot = !ok;
    } else if (delta !== null && !state.needsSnapshot) {
      ok = c.send('delta', delta);
      // A skipped delta cannot be patched later: this browser gets a fresh snapshot instead.
      if (!ok) {
        state.needsSnapshot = true;
        this.resyncs++;
      }
    }
    if (ok) ok = c.send('counters', counters);
    const predicate = c.predicate;
    if (ok && predicate) {
      const sample = this.recent.since(state.cursor, predicate, this.samplePerTick);
      state.cursor = sample.next;
      if (sample.items.length) ok = c.send('flows', JSON.stringify(sample.items));
    }
    if (ok) {
      state.congestedSince = null;
      return;
    }
    state.congestedSince ??= now;
    if (now - state.congestedSince > this.stallTimeoutMs) {
      this.clients.delete(state);
      this.cutOff++;
      // The SSE sink drops the connection too: a browser that does not read would otherwise keep
      // its socket and a full kernel send queue until it goes away by itself.
      c.close(`client too slow: no data read for ${Math.round(this.stallTimeoutMs / 1000)} s`);
    }
  }

  status(): HubStatus {
    const s = this.subscription?.snapshot();
    const size = this.graph.size;
    return {
      relay: {
        mode: this.config.relay.mode,
        address: this.address,
        tls: !!this.config.relay.tls,
        state: s?.state ?? 'connecting',
        fault: s?.fault ?? null,
        idle: s?.idle ?? false,
        lastError: s?.lastError ?? null,
        nextRetryAt: s?.nextRetryAt ?? null,
        reconnects: s?.reconnects ?? 0,
        lostEvents: s?.lostEvents ?? 0,
        duplicatesSkipped: s?.duplicatesSkipped ?? 0,
        received: s?.received ?? 0,
        resumedFrom: s?.resumedFrom ?? null,
        server: this.serverStatus,
        ingest: this.governor?.status() ?? NO_SHEDDING,
      },
      graph: { ...size, evictedEdges: this.graph.evictedEdges, pendingEdges: this.graph.pendingEdges, windowSeconds: this.config.windowSeconds },
      clients: { connected: this.clients.size, cutOff: this.cutOff, resyncs: this.resyncs },
      startedAt: this.startedAt,
    };
  }

  /** Recent flows, newest first, for side panels and the flows page's initial fill. */
  latestFlows(match: (f: FlowRecord, edgeId: string) => boolean, limit: number): FlowRecord[] {
    return this.recent.latest(match, limit);
  }
}

