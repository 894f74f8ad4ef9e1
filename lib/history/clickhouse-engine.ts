/**
 * A ClickHouse server or cluster as the history engine, over @clickhouse/client (HTTP). The client is
 * asynchronous, so no worker is needed; a cancelled read closes its request and is killed by query id.
 */

import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { EngineError, type HistoryEngine } from './engine';
import type { SqlCondition } from './flow-store';
import type { StoredRow } from './schema';
import { redactedUrl } from '../util/redacted-url';

export { redactedUrl };

export interface ClickHouseEngineSettings {
  /** http(s)://user:password@host:8123 (credentials are never shown). */
  url: string;
  database?: string;
  /** A read running longer than this is stopped by the server. */
  maxQuerySeconds?: number;
}

function engineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const e = err as { message?: string; code?: string | number; type?: string };
  const code = typeof e?.code === 'string' && /^\d+$/.test(e.code) ? Number(e.code) : typeof e?.code === 'number' ? e.code : null;
  return new EngineError(String(e?.message ?? err), code, e?.type ?? null);
}

/** Connects (and checks the server answers) without creating anything yet. */
export async function openClickHouseEngine(settings: ClickHouseEngineSettings): Promise<HistoryEngine> {
  const maxSeconds = Math.max(1, Math.floor(settings.maxQuerySeconds ?? 60));
  const client: ClickHouseClient = createClient({
    url: settings.url,
    database: settings.database,
    request_timeout: (maxSeconds + 30) * 1000,
    clickhouse_settings: { date_time_input_format: 'best_effort' },
    // Failures reach the store as errors and are logged there, once, without the URL's credentials.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const ping = await client.ping();
  if (!ping.success) {
    await client.close();
    throw new EngineError(`the ClickHouse server at ${redactedUrl(settings.url)} does not answer: ${String((ping as { error?: Error }).error?.message ?? 'no reply')}`, null, 'unreachable');
  }
  const location = redactedUrl(settings.url);
  return {
    kind: 'clickhouse',
    location,
    async query(sql: string, params: SqlCondition['params'], signal?: AbortSignal): Promise<StoredRow[]> {
      signal?.throwIfAborted();
      const queryId = randomUUID();
      const onAbort = (): void => {
        // Closing the request is not always enough for the server to stop: kill it by id as well.
        void client.command({ query: 'KILL QUERY WHERE query_id = {id:String} ASYNC', query_params: { id: queryId } }).catch(() => undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const rs = await client.query({
          query: sql,
          query_params: params,
          format: 'JSONEachRow',
          query_id: queryId,
          abort_signal: signal,
          clickhouse_settings: { max_execution_time: maxSeconds },
        });
        return await rs.json<StoredRow>();
      } catch (err) {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new EngineError('the query was cancelled', 394, 'cancelled');
        throw engineError(err);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    async exec(sql: string, params: SqlCondition['params'] = {}): Promise<void> {
      try {
        await client.command({ query: sql, query_params: params });
      } catch (err) {
        throw engineError(err);
      }
    },
    async insert(table: string, columns: readonly string[], nativeBlock: Buffer): Promise<void> {
      try {
        // The block as the request body: the server reads Native with no parsing to speak of.
        const r = await client.exec({
          query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT Native`,
          values: Readable.from([nativeBlock]),
        });
        // The reply body is empty but must be read for the request (and its socket) to finish.
        await new Promise<void>((resolve, reject) => r.stream.on('end', resolve).on('error', reject).resume());
      } catch (err) {
        throw engineError(err);
      }
    },
    async close(): Promise<void> {
      await client.close();
    },
  };
}
