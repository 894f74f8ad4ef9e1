/**
 * What the flow store needs from a ClickHouse engine, whichever it is: the embedded one in a worker
 * thread (chdb-engine.ts) or a server over HTTP (clickhouse-engine.ts). The store (sql-flow-store.ts)
 * holds all the logic (batching, retention, queries); an engine only runs SQL.
 */

import type { SqlCondition } from './flow-store';
import type { StoredRow } from './schema';

export interface HistoryEngine {
  readonly kind: 'chdb' | 'clickhouse';
  /** Where the data lives, without credentials. */
  readonly location: string;
  /** A read; rows as JSONEachRow objects. An aborted signal rejects at once and cancels the query on the engine. */
  query(sql: string, params: SqlCondition['params'], signal?: AbortSignal): Promise<StoredRow[]>;
  /** DDL and maintenance statements (no result). */
  exec(sql: string, params?: SqlCondition['params']): Promise<void>;
  /** Inserts one block in ClickHouse's Native format (native-block.ts) holding exactly `columns`; the block may be handed over (not read after). */
  insert(table: string, columns: readonly string[], nativeBlock: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** An engine failure, with ClickHouse's error code when there is one. */
export class EngineError extends Error {
  constructor(
    message: string,
    /** ClickHouse's numeric code (243 NOT_ENOUGH_SPACE, 394 QUERY_WAS_CANCELLED...), or null. */
    readonly clickhouseCode: number | null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** ClickHouse codes that mean the disk is full. */
const DISK_FULL_CODES = new Set([243 /* NOT_ENOUGH_SPACE */]);

/** Whether an engine error means "no space left": ingestion pauses rather than failing over and over. */
export function isDiskFull(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as EngineError).clickhouseCode;
  if (typeof code === 'number' && DISK_FULL_CODES.has(code)) return true;
  return (err as NodeJS.ErrnoException).code === 'ENOSPC' || /NOT_ENOUGH_SPACE|No space left on device|ENOSPC/.test(err.message);
}

/** The error text worth showing (first line, no stack, bounded, printable: a corrupt file's bytes can be quoted in it). */
export function errorText(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufffd]/g, '?');
  const first = text.split('\n')[0] ?? text;
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}
