/**
 * Where manifest files are parsed: in a worker thread for the server, so that a big or hostile file
 * never stalls the requests the process serves (and an out-of-memory parse kills the worker, not
 * the server), or in the calling thread for the CLI, which has nothing else to serve.
 */

import { Worker } from 'node:worker_threads';
import { KEEP_KINDS, normalizeEntries, parseManifestText, type ParsedManifests } from './parse-manifests';
import type { YamlEntry } from './yaml-documents.mjs';

export interface ManifestParser {
  /** Parses one file's bytes; never rejects: failures are errors naming `file`. */
  parse(file: string, bytes: Uint8Array): Promise<ParsedManifests>;
  /** Releases the worker, if any. */
  close(): Promise<void>;
}

export type ManifestParserKind = 'worker' | 'inline';

export interface WorkerParserOptions {
  /** A file taking longer than this is given up (the worker is restarted for the next file). */
  timeoutMs?: number;
  /** Heap of the worker; a parse that needs more fails alone. */
  maxHeapMb?: number;
}

/** A 6 MB manifest took ~650 MB of yaml heap (8 MB, the file cap: ~900 MB); past this the file is refused, not the server killed. */
const DEFAULT_MAX_HEAP_MB = 1536;
const DEFAULT_TIMEOUT_MS = 120_000;

/** Parses in this thread (the CLI). */
export function inlineManifestParser(): ManifestParser {
  const decoder = new TextDecoder();
  return {
    async parse(file, bytes) {
      try {
        return parseManifestText(decoder.decode(bytes), file);
      } catch (err) {
        return failed(file, `cannot parse: ${errorMessage(err)}`);
      }
    },
    async close() {},
  };
}

type WorkerReply = { id: number; ready?: boolean; entries?: YamlEntry[]; done?: boolean; failed?: string };

interface Pending {
  id: number;
  file: string;
  bytes: Uint8Array;
  out: ParsedManifests;
  resolve: (r: ParsedManifests) => void;
  timer: NodeJS.Timeout;
}

/**
 * Parses in a worker thread, one file at a time. The worker is started on first use and kept
 * (unreferenced while idle) until close(); if it cannot start, parsing falls back to this thread.
 */
export function workerManifestParser(options: WorkerParserOptions = {}): ManifestParser {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxHeapMb = options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB;
  let worker: Worker | undefined;
  let pending: Pending | undefined;
  let nextId = 1;
  let fallback: ManifestParser | undefined;

  const settle = (result: ParsedManifests): void => {
    if (!pending) return;
    const p = pending;
    pending = undefined;
    clearTimeout(p.timer);
    worker?.unref();
    p.resolve(result);
  };

  const discard = (w: Worker): void => {
    if (worker === w) worker = undefined;
    w.removeAllListeners();
    w.on('error', () => undefined);
    void w.terminate().catch(() => undefined);
  };

  const spawn = (): Worker => {
    // Written this way so that the bundler (Turbopack/webpack) emits the worker with its imports.
    const w = new Worker(new URL('./manifest-parse.worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    let ready = false;
    w.on('message', (reply: WorkerReply) => {
      if (reply.ready) return void (ready = true);
      if (!pending || reply.id !== pending.id) return;
      if (reply.entries) normalizeEntries(reply.entries, pending.file, pending.out);
      if (reply.failed !== undefined) settle(failed(pending.file, `cannot parse: ${reply.failed}`));
      else if (reply.done) settle(pending.out);
      else w.postMessage({ ack: reply.id }); // ready for the next batch
    });
    w.on('error', (err) => {
      discard(w);
      if (!ready) {
        // The worker file could not be loaded here (an unusual bundle): parse in this thread rather than not at all.
        fallback = inlineManifestParser();
        if (pending) {
          const p = pending;
          void fallback.parse(p.file, p.bytes).then(settle);
        }
        return;
      }
      if (pending) {
        const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
        settle(failed(pending.file, oom ? `parsing needs more than ${maxHeapMb} MB of memory: skipped` : `the parser failed: ${errorMessage(err)}`));
      }
    });
    w.on('exit', () => {
      discard(w);
      if (pending) settle(failed(pending.file, 'the parser stopped unexpectedly'));
    });
    return w;
  };

  return {
    parse(file, bytes) {
      if (fallback) return fallback.parse(file, bytes);
      if (pending) return Promise.resolve(failed(file, 'internal: one parse at a time'));
      try {
        worker ??= spawn();
      } catch {
        fallback = inlineManifestParser();
        return fallback.parse(file, bytes);
      }
      const w = worker;
      return new Promise<ParsedManifests>((resolve) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          discard(w);
          settle(failed(file, `parsing took longer than ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}: skipped`));
        }, timeoutMs);
        pending = { id, file, bytes, out: { objects: [], errors: [] }, resolve, timer };
        w.ref();
        // A copy, transferred: the caller's buffer may be a view on a pooled one.
        const copy = new Uint8Array(bytes);
        w.postMessage({ id, bytes: copy, keepKinds: KEEP_KINDS }, [copy.buffer]);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) {
        w.removeAllListeners();
        w.on('error', () => undefined);
        await w.terminate().catch(() => undefined);
      }
      if (pending) settle(failed(pending.file, 'the parser was closed'));
    },
  };
}

/** The parser of a kind. */
export function manifestParser(kind: ManifestParserKind, options?: WorkerParserOptions): ManifestParser {
  return kind === 'worker' ? workerManifestParser(options) : inlineManifestParser();
}

function failed(file: string, message: string): ParsedManifests {
  return { objects: [], errors: [{ code: 'parse-failed', message, where: { file } }] };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
