'use client';

/**
 * The browser's copy of the live stream: one EventSource, the graph kept with the pure
 * `applyDelta` reducer, counters, and a capped list of sampled flows. React subscribes through
 * useSyncExternalStore; nothing else touches the socket.
 */

import { ApiError } from '@/lib/api/problem';
import { applyDelta, applySnapshotPart, DeltaGapError, stateFromSnapshot, type GraphState } from '@/lib/graph/apply-delta';
import { decodeDelta, decodeSnapshot, GraphWireError, type WireDelta, type WireSnapshot } from '@/lib/graph/graph-wire';
import type { GraphDelta } from '@/lib/graph/types';
import type { FilterExplanation } from '@/lib/flows/filter-explanation';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { mergeFlows } from '@/lib/flows/merge-flows';
import type { HubStatus, LiveCounters } from '@/lib/server/hub';
import { adoptEarlyStream, type EarlyStream } from './early-stream';
import { markFirst } from './first-marks';

export const MAX_FLOWS_IN_BROWSER = 2000;

/** `signed-out`: the server answers, but this browser's session ended (401): retrying cannot help. */
export type StreamState = 'connecting' | 'open' | 'error' | 'signed-out';

const RETRY_CLOSED_STREAM_MS = 3000;

export interface LiveState {
  stream: StreamState;
  /** Set when the server rejected the filter (400): the message names the parameter. */
  filterError: string | null;
  /**
   * How the page's filter combines its fields, from the server once the first fetch answered
   * (null before that): the flows page shows it when nothing matches.
   */
  filterExplanation: FilterExplanation | null;
  graph: GraphState | null;
  counters: LiveCounters | null;
  status: HubStatus | null;
  flows: FlowRecord[];
  paused: boolean;
  flowsDroppedWhilePaused: number;
}

type Listener = () => void;

/** The graph as it changes: a snapshot, then each delta with the graph it produced (the map applies them one by one). */
export type GraphEvent =
  /** `more`: the snapshot's head, its other parts to follow (a listener may wait for them to draw it once). */
  | { kind: 'snapshot'; graph: GraphState; more?: boolean }
  | { kind: 'delta'; delta: GraphDelta; graph: GraphState }
  /**
   * The rest of a large snapshot's edges: applied like a delta, but nothing in it is news (no latency
   * to time). `more`: other parts of the same snapshot follow.
   */
  | { kind: 'snapshot-part'; delta: GraphDelta; graph: GraphState; more: boolean };
type GraphListener = (event: GraphEvent) => void;

/** The part of an EventSource the store uses. */
export interface StreamSource {
  readonly readyState: number;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

/** What the store talks to; tests pass fakes, the browser gets EventSource and fetch. */
export interface LiveStoreDeps {
  openStream?: (url: string) => StreamSource;
  /** A stream to this URL the page opened before this store existed, with its events so far (early-stream.ts). */
  adoptStream?: (url: string) => EarlyStream | null;
  fetch?: typeof fetch;
}

/** EventSource.OPEN and CLOSED, spelled out: the constants are not there outside a browser. */
const STREAM_OPEN = 1;
const STREAM_CLOSED = 2;

export class LiveStore {
  private state: LiveState = { stream: 'connecting', filterError: null, filterExplanation: null, graph: null, counters: null, status: null, flows: [], paused: false, flowsDroppedWhilePaused: 0 };
  private readonly listeners = new Set<Listener>();
  private readonly graphListeners = new Set<GraphListener>();
  private source: StreamSource | null = null;
  private readonly openStream: (url: string) => StreamSource;
  private readonly adoptStream: (url: string) => EarlyStream | null;
  private readonly fetch: typeof fetch;
  private query = '';
  private pendingFlows: FlowRecord[] = [];
  private wantsFlows = false;
  /** Set while the page's filter is invalid: flows are not shown rather than shown unfiltered. */
  private sampleDisabled = false;
  /** `snapshot-part` events still to come for the last snapshot (its head says how many). */
  private partsToCome = 0;
  /**
   * The edge map the snapshot's parts are being added to: copied from the head's by the first part
   * and filled in place by the others, since nobody is told of it before the last (then it is
   * handed on and never changed again: the next change copies it).
   */
  private partsEdges: GraphState['edges'] | null = null;

  constructor(deps: LiveStoreDeps = {}) {
    this.openStream = deps.openStream ?? ((url) => new EventSource(url));
    this.adoptStream = deps.adoptStream ?? (deps.openStream ? () => null : adoptEarlyStream);
    this.fetch = deps.fetch ?? ((input, init) => fetch(input, init));
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getSnapshot = (): LiveState => this.state;

  /** Follows the graph change by change; starts with the graph as it stands, if there is one. */
  onGraph(listener: GraphListener): () => void {
    this.graphListeners.add(listener);
    if (this.state.graph) listener({ kind: 'snapshot', graph: this.state.graph, more: this.partsToCome > 0 });
    return () => this.graphListeners.delete(listener);
  }

  private emitGraph(event: GraphEvent): void {
    for (const l of this.graphListeners) l(event);
  }

  private set(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  /**
   * (Re)connects with a flow filter query string (without `?`); same query = no-op. Pages that list
   * no flows pass `flows: false` and receive only the graph and counters.
   */
  connect(query: string, flows = false): void {
    if (this.source && query === this.query && flows === this.wantsFlows && !this.sampleDisabled) return;
    this.query = query;
    this.wantsFlows = flows;
    this.sampleDisabled = false;
    this.set({ stream: 'connecting', filterError: null, filterExplanation: null, flows: [] });
    if (flows) void this.checkQuery(query);
    this.open(query);
  }

  private open(query: string): void {
    this.source?.close();
    const params = new URLSearchParams(query);
    if (!this.wantsFlows || this.sampleDisabled) params.set('sample', '0');
    const qs = params.toString();
    const url = `/api/stream${qs ? `?${qs}` : ''}`;
    // The page's HTML may have opened this very stream already (early-stream.ts): take it over with
    // the events it received so far, replayed below once the handlers are on.
    const early = this.adoptStream(url);
    const es = early?.source ?? this.openStream(url);
    this.source = es;
    const handlers = new Map<string, (ev: MessageEvent) => void>();
    const on = (type: string, handler: (ev: MessageEvent) => void) => {
      handlers.set(type, handler);
      es.addEventListener(type, handler);
    };
    on('open', () => this.set({ stream: 'open' }));
    on('error', () => {
      if (this.source !== es) return;
      if (es.readyState === STREAM_CLOSED) void this.whyClosed(es);
      else this.set({ stream: 'connecting' });
    });
    on('snapshot', (ev) => {
      // The head's arrival, unless the page's early stream marked it already (or this is its replay).
      markFirst('stream-snapshot');
      const data = JSON.parse((ev as MessageEvent).data) as { graph: WireSnapshot; status: HubStatus; parts?: unknown };
      const snapshot = this.decoded(() => decodeSnapshot(data.graph));
      if (!snapshot) return;
      this.partsToCome = typeof data.parts === 'number' && data.parts > 0 ? data.parts : 0;
      this.partsEdges = null;
      const graph = stateFromSnapshot(snapshot);
      markFirst('store-snapshot');
      if (!this.partsToCome) markFirst('store-snapshot-complete');
      this.set({ graph, status: data.status, stream: 'open' });
      this.emitGraph({ kind: 'snapshot', graph, more: this.partsToCome > 0 });
    });
    on('delta', (ev) => {
      if (!this.state.graph) return;
      const delta = this.decoded(() => decodeDelta(JSON.parse((ev as MessageEvent).data) as WireDelta));
      if (!delta) return;
      try {
        const before = this.state.graph;
        const graph = applyDelta(before, delta);
        // Live deltas follow a snapshot's parts: none is still to come.
        this.partsToCome = 0;
        this.partsEdges = null;
        if (graph === before) return;
        this.set({ graph });
        this.emitGraph({ kind: 'delta', delta, graph });
      } catch (e) {
        // A missed delta: reconnecting brings a fresh snapshot.
        if (e instanceof DeltaGapError) this.reconnect();
        else throw e;
      }
    });
    on('snapshot-part', (ev) => {
      const before = this.state.graph;
      if (!before) return;
      const part = this.decoded(() => decodeDelta(JSON.parse((ev as MessageEvent).data) as WireDelta));
      if (!part) return;
      // A part of the snapshot before this one (its stream was replaced): not this graph's.
      if (part.seq !== before.seq) return;
      const graph = applySnapshotPart(before, part, { inPlace: before.edges === this.partsEdges });
      this.partsToCome = Math.max(0, this.partsToCome - 1);
      const more = this.partsToCome > 0;
      if (!more) markFirst('store-snapshot-complete');
      // (An empty part changes nothing: the map it returns may be the head's, which React was given.)
      if (graph !== before || !more) this.partsEdges = more ? graph.edges : null;
      if (graph === before && more) return;
      // The pages' components see the snapshot once it is whole, not once per part: each part would
      // re-render everything that reads the graph, thousands of edges at a time.
      if (more) this.state = { ...this.state, graph };
      else this.set({ graph });
      this.emitGraph({ kind: 'snapshot-part', delta: part, graph, more });
    });
    on('counters', (ev) => this.set({ counters: JSON.parse((ev as MessageEvent).data) as LiveCounters }));
    on('flows', (ev) => {
      if (!this.sampleDisabled) this.addFlows(JSON.parse((ev as MessageEvent).data) as FlowRecord[]);
    });
    on('bye', () => this.reconnect());
    if (!early) return;
    if (es.readyState === STREAM_OPEN) this.set({ stream: 'open' });
    for (const [type, data] of early.events) {
      if (this.source !== es) break;
      handlers.get(type)?.({ data } as MessageEvent);
    }
  }

  /**
   * A graph message in a layout this page's code does not know comes from a newer server: only
   * reloading the page helps (the stream stops until then rather than drawing a misread graph).
   */
  private decoded<T>(decode: () => T): T | null {
    try {
      return decode();
    } catch (e) {
      if (!(e instanceof GraphWireError)) throw e;
      this.source?.close();
      this.source = null;
      this.set({ stream: 'error' });
      globalThis.location?.reload();
      return null;
    }
  }

  /**
   * EventSource gives up on any non-200 answer without saying which: ask the server once. A 401
   * means the session ended (say "sign in"); anything else is retried.
   */
  private async whyClosed(es: StreamSource): Promise<void> {
    let status = 0;
    try {
      status = (await this.fetch('/api/status', { cache: 'no-store' })).status;
    } catch {
      /* unreachable: status 0 */
    }
    if (this.source !== es) return;
    if (status === 401) {
      this.set({ stream: 'signed-out' });
      return;
    }
    this.set({ stream: 'error' });
    setTimeout(() => {
      if (this.source === es) this.open(this.sampleDisabled ? '' : this.query);
    }, RETRY_CLOSED_STREAM_MS);
  }

  private async checkQuery(query: string): Promise<void> {
    // EventSource hides HTTP errors; ask once so a bad filter shows its message.
    try {
      const res = await this.fetch(`/api/flows?limit=200${query ? `&${query}` : ''}`);
      if (query !== this.query) return;
      if (res.status === 400) {
        // Problem details: `detail` names each bad parameter (`invalid filter "port": ...`).
        const problem = await ApiError.fromResponse(res, '/api/flows');
        // The rest of the page keeps working: graph and counters stream unfiltered, the flow list stays empty.
        this.sampleDisabled = true;
        this.open('');
        this.set({ filterError: problem.message, flows: [] });
        return;
      }
      if (res.ok) {
        const body = (await res.json()) as { flows: FlowRecord[]; explanation?: FilterExplanation };
        this.set({ flows: mergeFlows(this.state.flows, body.flows, MAX_FLOWS_IN_BROWSER), filterExplanation: body.explanation ?? null });
      }
    } catch {
      /* the stream's own error state covers an unreachable server */
    }
  }

  /** For pages that show no flows: make sure the header's counters stream, with no filter. */
  ensureConnected(): void {
    // After this tick, so a page that connects with its own filter in the same render wins.
    setTimeout(() => {
      if (!this.source) this.connect('');
    }, 0);
  }

  private reconnect(): void {
    const q = this.sampleDisabled ? '' : this.query;
    this.source?.close();
    setTimeout(() => this.open(q), 500);
  }

  private addFlows(batch: FlowRecord[]): void {
    if (this.state.paused) {
      this.pendingFlows = mergeFlows(this.pendingFlows, batch, Infinity);
      const over = this.pendingFlows.length - MAX_FLOWS_IN_BROWSER;
      if (over > 0) {
        this.pendingFlows.splice(0, over);
        this.set({ flowsDroppedWhilePaused: this.state.flowsDroppedWhilePaused + over });
      }
      return;
    }
    this.set({ flows: mergeFlows(this.state.flows, batch, MAX_FLOWS_IN_BROWSER) });
  }

  setPaused(paused: boolean): void {
    if (!paused && this.pendingFlows.length) {
      const flows = mergeFlows(this.state.flows, this.pendingFlows, MAX_FLOWS_IN_BROWSER);
      this.pendingFlows = [];
      this.set({ paused, flows, flowsDroppedWhilePaused: 0 });
      return;
    }
    this.set({ paused });
  }

  close(): void {
    this.source?.close();
    this.source = null;
  }
}
