/**
 * Opens the flow history the settings describe: the embedded engine (chdb in a worker thread, under
 * a directory) or a ClickHouse server, the same schema created if missing, retention aligned, and the
 * store's housekeeping started. An embedded directory that cannot be opened is moved aside to
 * `<dir>.corrupt-<timestamp>` (never deleted) and a fresh store is started in its place.
 */

import { mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { openChdbEngine } from './chdb-engine';
import { openClickHouseEngine } from './clickhouse-engine';
import { EngineError, errorText, isDiskFull, type HistoryEngine } from './engine';
import { alignTtl } from './retention';
import { schemaStatements } from './schema';
import type { RetentionPolicy } from './retention';
import { SqlFlowStore, type BatchingSettings, type ManagedFlowStore, type StoreTimers } from './sql-flow-store';

export type { ManagedFlowStore } from './sql-flow-store';

export type FlowStoreSettings = (
  | { kind: 'chdb'; dir: string }
  | { kind: 'clickhouse'; url: string; database?: string }
) & {
  retention: RetentionPolicy;
  batching?: Partial<BatchingSettings>;
  /** Housekeeping periods (tests shorten them). */
  timers?: Partial<StoreTimers>;
};

export interface StoreLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  error?(obj: object, msg?: string): void;
}

/** The store could not be opened (nor a fresh one started in its place). */
export class FlowStoreOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowStoreOpenError';
  }
}

/** Creates the tables if missing and aligns retention; throws when the engine cannot. */
export async function prepareSchema(engine: HistoryEngine, days: number): Promise<void> {
  for (const statement of schemaStatements({ days })) await engine.exec(statement);
  await alignTtl(engine, days);
}

/** An error the engine raised about the store's contents (not a failure to start the engine). */
function refusedByEngine(err: unknown): boolean {
  if (!(err instanceof EngineError) || err.code === 'worker-stopped' || isDiskFull(err)) return false;
  // A directory we may not read or write is the operator's to fix, not corrupt data.
  return !/EACCES|EPERM|Permission denied|Read-only file system|EROFS/i.test(err.message);
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}

async function openChdb(dir: string, days: number, logger?: StoreLogger): Promise<HistoryEngine> {
  await mkdir(dir, { recursive: true });
  const attempt = async (): Promise<HistoryEngine> => {
    const engine = await openChdbEngine(dir);
    try {
      await prepareSchema(engine, days);
      return engine;
    } catch (err) {
      await engine.close();
      throw err;
    }
  };
  try {
    return await attempt();
  } catch (err) {
    const reason = errorText(err);
    // Only what the engine itself refused is set aside: an engine that could not even start (a
    // missing module, a worker that died) says nothing about the files, and an empty directory
    // has nothing to keep, so a retry after a failure never moves a fresh store aside again.
    if (!refusedByEngine(err) || (await isEmptyDir(dir))) throw new FlowStoreOpenError(`the history store in ${dir} cannot be opened: ${reason}`);
    // Kept aside, never deleted: what was there may be wanted (or be someone else's files).
    const aside = `${dir}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    logger?.warn({ component: 'history', dir, aside, error: reason }, 'the history store cannot be opened: moved aside, starting a fresh one');
    try {
      await rename(dir, aside);
      await mkdir(dir, { recursive: true });
    } catch (moveErr) {
      throw new FlowStoreOpenError(`the history store in ${dir} cannot be opened (${reason}) nor moved aside (${errorText(moveErr)})`);
    }
    try {
      return await attempt();
    } catch (again) {
      throw new FlowStoreOpenError(`the history store in ${dir} cannot be opened (${reason}); the old files are in ${aside}; a fresh store failed too: ${errorText(again)}`);
    }
  }
}

/** Opens (creating if needed) the flow history described by `settings`. */
export async function openFlowStore(settings: FlowStoreSettings, logger?: StoreLogger): Promise<ManagedFlowStore> {
  const days = settings.retention.days;
  let engine: HistoryEngine;
  if (settings.kind === 'chdb') {
    engine = await openChdb(path.resolve(settings.dir), days, logger);
  } else {
    engine = await openClickHouseEngine({ url: settings.url, database: settings.database });
    try {
      await prepareSchema(engine, days);
    } catch (err) {
      await engine.close();
      throw new FlowStoreOpenError(`the ClickHouse history at ${engine.location} cannot be prepared: ${errorText(err)}`);
    }
  }
  const store = new SqlFlowStore(engine, { retention: settings.retention, batching: settings.batching, timers: settings.timers, logger }).start();
  // Callers read status() at once: the newest stored flow decides which of the relay's replayed
  // backlog is already stored (history-feed.ts), so it must be known before the first batch.
  await store.refreshStatus().catch(() => undefined);
  return store;
}
