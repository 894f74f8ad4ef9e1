/**
 * The browser's call to the what-if endpoints (`POST /api/simulate`, `POST /api/recommend`): a JSON
 * body in, JSON lines out (`progress` events, then one `result` or `error`). A refusal before the
 * replay starts is problem details (a malformed change names line and column); both kinds of failure
 * are thrown as ApiError, whose message can be shown as is. Aborting `signal` cancels the replay on
 * the server too.
 */

import { ApiError, problemType } from '@/lib/api/problem';
import type { ReplayProgress } from '@/lib/what-if/replay';

export type ReplayPath = '/api/simulate' | '/api/recommend';

export interface ReplayCallOptions {
  signal?: AbortSignal;
  onProgress?(p: ReplayProgress): void;
  /** For tests. */
  fetchImpl?: typeof fetch;
}

/** POSTs `body` and reads the stream until its result; throws ApiError for a refusal, an error line or a cut-off stream. */
export function postReplay<R>(path: ReplayPath, body: unknown, options: ReplayCallOptions = {}): Promise<R> {
  return postJsonLines<R, ReplayProgress>(path, body, {
    ...options,
    onProgress: options.onProgress ? (e) => options.onProgress!({ phase: e.phase, done: e.done, total: e.total }) : undefined,
    words: { failed: 'Replay failed', failedCode: 'replay-failed', cutCode: 'replay-cut-off', broke: 'the connection broke during the replay' },
  });
}

/** How a streamed call names its failures. */
export interface StreamWords {
  /** Title of an `error` line's problem, and its code when the line has none. */
  failed: string;
  failedCode: string;
  /** Code of a stream that ended or broke before its result. */
  cutCode: string;
  /** What a broken connection means for this call. */
  broke: string;
}

/**
 * POSTs `body` to an endpoint that answers JSON lines (`progress` events, then one `result` or `error`)
 * and returns the result, handing each progress event (its fields, without `type`) to `onProgress`.
 * A refusal before the stream starts is problem details; both kinds of failure are thrown as ApiError.
 */
export async function postJsonLines<R, P>(path: string, body: unknown, options: { signal?: AbortSignal; onProgress?(p: P): void; fetchImpl?: typeof fetch; words: StreamWords }): Promise<R> {
  const doFetch = options.fetchImpl ?? fetch;
  const { words } = options;
  let res: Response;
  try {
    res = await doFetch(path, { method: 'POST', signal: options.signal, headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' }, body: JSON.stringify(body) });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw ApiError.network(path, e);
  }
  if (!res.ok) throw await ApiError.fromResponse(res, path);
  if (!res.body) throw cutOff(path, words, 'the answer had no body');
  const reader = res.body.getReader();
  const lines = new LineSplitter();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (options.signal?.aborted) throw e;
        throw cutOff(path, words, words.broke);
      }
      for (const line of chunk.done ? lines.end() : lines.push(chunk.value)) {
        const event = parseStreamEvent<R, P>(line, path, words);
        if (!event) continue;
        if (event.type === 'progress') {
          const { type: _type, ...progress } = event;
          options.onProgress?.(progress as unknown as P);
        } else if (event.type === 'result') return event.result;
        else throw new ApiError({ type: problemType(event.code || words.failedCode), title: words.failed, status: event.status || 500, detail: event.detail }, path);
      }
      if (chunk.done) throw cutOff(path, words, 'the answer ended before the result');
    }
  } finally {
    reader.releaseLock();
  }
}

type StreamEvent<R, P> = ({ type: 'progress' } & P) | { type: 'result'; result: R } | { type: 'error'; status: number; code: string; detail: string };

/** One line of a stream as an event; undefined for a blank line or an event this page does not know (a newer server's). */
export function parseStreamEvent<R, P>(line: string, path: string, words: Pick<StreamWords, 'cutCode'>): StreamEvent<R, P> | undefined {
  if (!line.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw cutOff(path, words, 'a line of the answer was not JSON');
  }
  const type = typeof v === 'object' && v !== null ? (v as { type?: unknown }).type : undefined;
  return type === 'progress' || type === 'result' || type === 'error' ? (v as StreamEvent<R, P>) : undefined;
}

const cutOff = (path: string, words: Pick<StreamWords, 'cutCode'>, why: string) => new ApiError({ type: problemType(words.cutCode), title: 'Incomplete answer', status: 0, detail: `${path}: ${why}` }, path);

/** Bytes in, whole lines out (UTF-8 split anywhere, a line split across chunks). */
export class LineSplitter {
  private readonly decoder = new TextDecoder();
  private parts: string[] = [];

  push(bytes: Uint8Array): string[] {
    return this.split(this.decoder.decode(bytes, { stream: true }));
  }

  /** The last line, when the stream did not end with a newline. */
  end(): string[] {
    const rest = this.parts.join('') + this.decoder.decode();
    this.parts = [];
    return rest ? [rest] : [];
  }

  private split(text: string): string[] {
    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.parts.push(text.slice(start, nl));
      out.push(this.parts.join(''));
      this.parts = [];
      start = nl + 1;
    }
    // Parts of a long line (a large result) are joined once, not copied on every chunk.
    if (start < text.length) this.parts.push(text.slice(start));
    return out;
  }
}
