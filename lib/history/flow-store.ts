/**
 * The flow history behind one interface: the embedded engine (chdb, under FLOWSIGHT_DATA_DIR) and a
 * ClickHouse server (FLOWSIGHT_CLICKHOUSE_URL) implement it with the same schema and SQL, and the
 * rest of Flowsight sees only this. Appends never block the caller: flows are batched, written off
 * the event loop that serves requests, and dropped (counted) when writes fall behind.
 */

import type { FlowRecord, Verdict } from '../flows/flow-record';
import type { TrafficConnection } from '../what-if/observed-traffic';

/** Epoch milliseconds; either bound may be absent (open range). `until` is exclusive. */
export interface TimeRange {
  since?: number;
  until?: number;
}

/**
 * A WHERE condition over the `flows` table compiled from a search (lib/search): SQL text whose
 * every user value is a `{name:Type}` placeholder, and the values. Never user text in `where`.
 */
export interface SqlCondition {
  where: string;
  params: Record<string, string | number | boolean | string[] | number[]>;
}

export interface FlowSearch {
  condition?: SqlCondition;
  range: TimeRange;
  /** Page size, newest first. */
  limit: number;
  /** The `nextCursor` of the previous page (opaque to callers). */
  cursor?: string;
}

export interface FlowPage {
  flows: FlowRecord[];
  /** Where the next (older) page starts; null on the last page. */
  nextCursor: string | null;
}

export interface VerdictBuckets {
  /** Bucket start, epoch ms; buckets are `bucketMs` wide and cover the range without gaps. */
  start: number;
  forwarded: number;
  dropped: number;
  audit: number;
  error: number;
  other: number;
}

export interface Histogram {
  bucketMs: number;
  since: number;
  until: number;
  buckets: VerdictBuckets[];
}

/** One edge of the map over a past window, from the per-edge-per-minute roll-up, one row per verdict/reason. */
export interface EdgeAggregate {
  source: string;
  target: string;
  port: number;
  protocol: string;
  verdict: Verdict;
  dropReason: string;
  sourceNamespace: string;
  targetNamespace: string;
  sourceKind: string;
  targetKind: string;
  sourceLabel: string;
  targetLabel: string;
  sourceWorkloadKind: string;
  targetWorkloadKind: string;
  sourceApp: string;
  targetApp: string;
  sourcePods: string[];
  targetPods: string[];
  flows: number;
  replies: number;
  l7: { http: number; dns: number; kafka: number };
  allowedBy: string[];
  deniedBy: string[];
  firstSeen: number;
  lastSeen: number;
}

/** Fields whose stored values a query box completes. */
export const COMPLETION_FIELDS = ['namespace', 'workload', 'pod', 'fqdn', 'label', 'node', 'reason', 'policy'] as const;
export type CompletionField = (typeof COMPLETION_FIELDS)[number];

export interface StoreStatus {
  engine: 'chdb' | 'clickhouse' | 'off';
  /** Where the data lives (directory or server URL without credentials). */
  location: string;
  /** false while opening, after a fatal error, or when off. */
  ready: boolean;
  storedFlows: number;
  bytesOnDisk: number;
  oldest: number | null;
  newest: number | null;
  /** Flows accepted but not yet written. */
  pendingFlows: number;
  writtenFlows: number;
  droppedBatches: number;
  droppedFlows: number;
  /** Age of the oldest unwritten flow when the last batch was written, ms. */
  writeLagMs: number;
  /** Ingestion paused (disk full, engine error); the live view keeps working. */
  paused: string | null;
  /** The last error in words (no secrets), or null. */
  error: string | null;
  retention: { days: number; maxBytes: number; rollupAfterMinutes: number | null };
}

/** The status of a store with nothing counted yet (just opened, or one that could not open). */
export function initialStoreStatus(engine: StoreStatus['engine'], location: string, retention: StoreStatus['retention'], ready: boolean, error: string | null = null): StoreStatus {
  return {
    engine,
    location,
    ready,
    storedFlows: 0,
    bytesOnDisk: 0,
    oldest: null,
    newest: null,
    pendingFlows: 0,
    writtenFlows: 0,
    droppedBatches: 0,
    droppedFlows: 0,
    writeLagMs: 0,
    paused: null,
    error,
    retention: { ...retention },
  };
}

export interface FlowStore {
  /** Queues flows for writing; never blocks, never throws (full queue: the batch is dropped and counted). */
  append(flows: readonly FlowRecord[]): void;
  search(q: FlowSearch, signal?: AbortSignal): Promise<FlowPage>;
  histogram(q: { condition?: SqlCondition; range: TimeRange; buckets: number }, signal?: AbortSignal): Promise<Histogram>;
  /** The per-edge aggregates over a window (the map of a past window). */
  edges(q: { range: TimeRange }, signal?: AbortSignal): Promise<EdgeAggregate[]>;
  /**
   * The traffic of a window folded into distinct connections for a what-if replay, most frequent first,
   * at most `max` (`truncated` when there were more). `condition` narrows it (a scoped user's namespaces).
   */
  traffic(q: { range: TimeRange; condition?: SqlCondition | null; max?: number }, signal?: AbortSignal): Promise<{ connections: TrafficConnection[]; truncated: boolean }>;
  /** Stored values of a field starting with `prefix` (case-insensitive), most frequent first. */
  /** `condition` narrows the flows the values come from (a scoped user's namespaces). */
  values(field: CompletionField, prefix: string, limit: number, signal?: AbortSignal, condition?: SqlCondition | null): Promise<string[]>;
  status(): StoreStatus;
  /** Writes everything queued. */
  flush(): Promise<void>;
  /** Flushes, then releases the engine. */
  close(): Promise<void>;
}
