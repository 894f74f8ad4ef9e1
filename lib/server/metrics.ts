/**
 * Prometheus metrics (`GET /metrics`, prom-client's text format), every name prefixed `flowsight_`.
 * Flows are counted by verdict as the hub ingests them; everything the hub and the store already
 * count (lost events, reconnects, dropped batches...) is read from their status at scrape time, so
 * the metrics add nothing to the ingest path but one loop per tick.
 */

import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FlowRecord, Verdict } from '../flows/flow-record';
import type { FlowStore, StoreStatus } from '../history/flow-store';
import type { HubStatus } from './hub';

export const METRICS_PREFIX = 'flowsight_';

/** What the metrics read at scrape time; null for a part that has not started (or is off). */
export interface MetricSources {
  hub(): HubStatus | null;
  store(): StoreStatus | null;
  /** When the cluster source last completed a sync (ms since the epoch); null before the first, or without a source. */
  clusterSyncedAt(): number | null;
  now?: () => number;
}

/** The history queries timed in `flowsight_query_duration_seconds`. */
export type QueryKind = 'search' | 'histogram' | 'edges' | 'traffic' | 'values';

export class FlowsightMetrics {
  readonly registry = new Registry();
  private readonly ingested: Counter<'verdict'>;
  private readonly queries: Histogram<'kind' | 'outcome'>;

  constructor(private readonly sources: MetricSources) {
    const registers = [this.registry];
    const now = sources.now ?? Date.now;
    this.ingested = new Counter({ name: 'flowsight_flows_ingested_total', help: 'Flows the hub ingested from the relay, by verdict.', labelNames: ['verdict'], registers });
    this.queries = new Histogram({
      name: 'flowsight_query_duration_seconds',
      help: 'Duration of flow history queries, by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10],
      registers,
    });
    const hub = () => sources.hub();
    const store = () => sources.store();
    this.total('flowsight_relay_lost_events_total', 'Flows the relay or its nodes reported lost.', () => hub()?.relay.lostEvents);
    this.total('flowsight_relay_reconnects_total', 'Reconnections to Hubble Relay.', () => hub()?.relay.reconnects);
    this.total('flowsight_ingest_shed_flows_total', "Relay flows skipped undecoded to keep the server answering (more arrived than it can fold in).", () => hub()?.relay.ingest.shedFlows);
    this.gauge('flowsight_ingest_kept_ratio', "Share of the relay's flows folded in now (1: all).", () => hub()?.relay.ingest.keptShare);
    this.total('flowsight_store_written_flows_total', 'Flows written to the flow history.', () => store()?.writtenFlows);
    this.total('flowsight_store_dropped_batches_total', 'Batches the flow history dropped (writes behind, disk full, engine stopped).', () => store()?.droppedBatches);
    this.total('flowsight_store_dropped_flows_total', 'Flows in the batches the flow history dropped.', () => store()?.droppedFlows);
    this.gauge('flowsight_relay_connected', '1 while the relay stream is up (streaming), else 0.', () => {
      const h = hub();
      return h ? (h.relay.state === 'streaming' ? 1 : 0) : null;
    });
    this.gauge('flowsight_sse_clients', 'Browsers connected to the live stream.', () => hub()?.clients.connected);
    this.gauge('flowsight_graph_edges', 'Edges in the live graph.', () => hub()?.graph.edges);
    // Labelled, so that a store or a source that is not there has no sample at all (not a 0).
    const engine = { name: 'engine', value: () => store()?.engine ?? null };
    this.gauge('flowsight_store_write_lag_seconds', 'Age of the oldest flow appended to the history and not yet written.', () => {
      const s = store();
      return s ? s.writeLagMs / 1000 : null;
    }, engine);
    this.gauge('flowsight_store_pending_flows', 'Flows appended to the history and not yet handed to the engine.', () => store()?.pendingFlows, engine);
    this.gauge('flowsight_store_bytes', 'Bytes the flow history takes on disk (as of its last status refresh).', () => store()?.bytesOnDisk, engine);
    this.gauge('flowsight_source_sync_age_seconds', 'Seconds since the cluster source last completed a sync.', () => {
      const at = sources.clusterSyncedAt();
      return at === null ? null : Math.max(0, (now() - at) / 1000);
    }, { name: 'source', value: () => 'cluster' });
    // The heap budget (FLOWSIGHT_HEAP_MB): prom-client reports the heap's size, not the limit it grows to.
    this.gauge('flowsight_nodejs_heap_limit_bytes', "V8's heap size limit: the heap budget (FLOWSIGHT_HEAP_MB) and the young generation.", () => getHeapStatistics().heap_size_limit);
    collectDefaultMetrics({ register: this.registry, prefix: METRICS_PREFIX });
  }

  /** Counts one tick's flows by verdict (labelled in lower case, as `verdict:` is written in a search). */
  countFlows(flows: readonly FlowRecord[]): void {
    if (flows.length === 0) return;
    const counts = new Map<Verdict, number>();
    for (const f of flows) counts.set(f.verdict, (counts.get(f.verdict) ?? 0) + 1);
    for (const [verdict, n] of counts) this.ingested.inc({ verdict: verdict.toLowerCase() }, n);
  }

  /** `store` with its queries timed into `flowsight_query_duration_seconds`. */
  timed(store: FlowStore): FlowStore {
    const time =
      <A extends unknown[], R>(kind: QueryKind, run: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const end = this.queries.startTimer({ kind });
        try {
          const result = await run(...args);
          end({ outcome: 'ok' });
          return result;
        } catch (err) {
          end({ outcome: (err as { name?: string })?.name === 'AbortError' ? 'cancelled' : 'error' });
          throw err;
        }
      };
    return {
      append: (flows) => store.append(flows),
      search: time('search', (q, signal) => store.search(q, signal)),
      histogram: time('histogram', (q, signal) => store.histogram(q, signal)),
      edges: time('edges', (q, signal) => store.edges(q, signal)),
      traffic: time('traffic', (q, signal) => store.traffic(q, signal)),
      values: time('values', (field, prefix, limit, signal, condition) => store.values(field, prefix, limit, signal, condition)),
      status: () => store.status(),
      flush: () => store.flush(),
      close: () => store.close(),
    };
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  /** A counter mirroring a running total kept elsewhere: grows by what the total grew since the last scrape. */
  private total(name: string, help: string, read: () => number | null | undefined): void {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        const value = read();
        if (value == null) return;
        // A total that restarted (a new store after a failed open) counts on from its new value.
        if (value < seen) seen = 0;
        if (value > seen) this.inc(value - seen);
        seen = value;
      },
    });
  }

  /**
   * A gauge set from a reading at scrape time. With a label, a null reading leaves no sample; an
   * unlabelled gauge reads 0 then (prom-client always writes its one sample).
   */
  private gauge(name: string, help: string, read: () => number | null | undefined, label?: { name: string; value: () => string | null }): void {
    new Gauge({
      name,
      help,
      labelNames: label ? [label.name] : [],
      registers: [this.registry],
      collect() {
        this.reset();
        const value = read();
        const labelValue = label?.value();
        if (value == null || labelValue === null) return;
        if (label && labelValue !== undefined) this.set({ [label.name]: labelValue }, value);
        else this.set(value);
      },
    });
  }
}
