/**
 * The embedded engine seen from the main thread: chdb runs in a worker thread
 * (chdb-engine.worker.mjs) and this side sends it SQL, parameters and insert batches already
 * encoded as Native blocks.
 */

import { Worker } from 'node:worker_threads';
import { EngineError, type HistoryEngine } from './engine';
import type { SqlCondition } from './flow-store';
import type { StoredRow } from './schema';

export interface ChdbEngineOptions {
  /** Read sessions in the worker (reads run in parallel up to this many). */
  readers?: number;
  /** A read running longer than this is stopped by the engine. */
  maxQuerySeconds?: number;
}

type Reply = { id: number; ok: boolean; text?: string; error?: { message: string; clickhouseCode: number | null; code: string | null } };

let pinned: Promise<unknown> | undefined;

/**
 * Loads chdb in this thread too, which keeps the native library mapped for the life of the process:
 * a worker that loaded it alone unmaps it on exit while its thread-local destructors still point
 * into it (a segfault at shutdown, chdb 3.4). chdb is a server-external package, so inside Next's
 * server bundle this stays a plain import that Node resolves.
 */
function pinChdb(): Promise<unknown> {
  pinned ??= import('chdb');
  return pinned;
}

const readLines = (text: string): StoredRow[] => {
  const rows: StoredRow[] = [];
  for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line) as StoredRow);
  return rows;
};

let nextTag = 1;

/** Starts the worker on `dir` and resolves when its sessions are open; rejects (worker stopped) when the directory cannot be opened. */
export async function openChdbEngine(dir: string, options: ChdbEngineOptions = {}): Promise<HistoryEngine> {
  await pinChdb();
  // Written this way so that the bundler (Turbopack/webpack) emits the worker file beside the server code.
  const worker = new Worker(new URL('./chdb-engine.worker.mjs', import.meta.url), { workerData: { dir, readers: options.readers ?? 2 } });
  const maxSeconds = Math.max(1, Math.floor(options.maxQuerySeconds ?? 60));
  const pending = new Map<number, { resolve: (r: Reply) => void }>();
  let nextId = 1;
  let stopped: Error | null = null;

  const failAll = (err: Error): void => {
    stopped ??= err;
    for (const p of pending.values()) p.resolve({ id: 0, ok: false, error: { message: err.message, clickhouseCode: null, code: 'worker-stopped' } });
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: { ready?: boolean; fatal?: Reply['error'] }): void => {
      if (m.ready) {
        worker.off('message', onMessage);
        resolve();
      } else if (m.fatal) {
        worker.off('message', onMessage);
        void worker.terminate();
        reject(new EngineError(m.fatal.message, m.fatal.clickhouseCode, m.fatal.code));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new EngineError(`the history worker stopped while opening (exit ${code})`, null, 'worker-stopped')));
  });

  worker.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) worker.unref();
    p.resolve(r);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new EngineError(`the history worker stopped (exit ${code})`, null, 'worker-stopped')));
  worker.unref();

  const call = (msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, { resolve });
      // Referenced only while a call is out: an idle store never keeps the process alive.
      worker.ref();
      worker.postMessage({ ...msg, id }, transfer);
    });
  };
  const ok = (r: Reply): Reply => {
    if (!r.ok) throw new EngineError(r.error?.message ?? 'the engine failed', r.error?.clickhouseCode ?? null, r.error?.code ?? null);
    return r;
  };

  return {
    kind: 'chdb',
    location: dir,
    async query(sql: string, params: SqlCondition['params'], signal?: AbortSignal): Promise<StoredRow[]> {
      signal?.throwIfAborted();
      const tag = `fsq-${process.pid}-${nextTag++}`;
      const answer = call({ op: 'query', sql, params, tag, maxSeconds });
      if (!signal) return readLines(ok(await answer).text ?? '');
      // An abandoned request stops the engine's work too: KILL QUERY by the tag the read carries.
      let onAbort: () => void = () => undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          worker.postMessage({ op: 'kill', tag });
          reject(signal.reason instanceof Error ? signal.reason : new EngineError('the query was cancelled', 394, 'cancelled'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return readLines(ok(await Promise.race([answer, aborted])).text ?? '');
      } finally {
        signal.removeEventListener('abort', onAbort);
        aborted.catch(() => undefined);
      }
    },
    async exec(sql: string, params: SqlCondition['params'] = {}): Promise<void> {
      ok(await call({ op: 'exec', sql, params }));
    },
    /** The block is handed to the worker: it must not be read again once this is called. */
    async insert(table: string, columns: readonly string[], nativeBlock: Buffer): Promise<void> {
      // Transferred, not cloned. A block past the pool size has its memory to itself (allocUnsafe
      // pools only small buffers) and is handed over as it is; a small one is copied first.
      const owned = nativeBlock.byteOffset === 0 && nativeBlock.buffer.byteLength > Buffer.poolSize;
      const payload = owned ? new Uint8Array(nativeBlock.buffer, 0, nativeBlock.byteLength) : Uint8Array.prototype.slice.call(nativeBlock);
      ok(await call({ op: 'insert', table, columns, payload }, [payload.buffer as ArrayBuffer]));
    },
    async close(): Promise<void> {
      if (!stopped) {
        await call({ op: 'close' }).catch(() => undefined);
        stopped = new EngineError('the history store is closed', null, 'closed');
      }
      await worker.terminate().catch(() => undefined);
    },
  };
}
