/**
 * The browser's call to the what-if endpoints (`POST /api/simulate`, `POST /api/recommend`): a JSON
 * body in, JSON lines out (`progress` events, then one `result` or `error`). A refusal before the
 * replay starts is problem details (a malformed change names line and column); both kinds of failure
 * are thrown as ApiError, whose message can be shown as is. Aborting `signal` cancels the replay on
 * the server too.
 */

import { ApiError, problemType } from '@/lib/api/problem';
import type { ReplayEvent } from '@/lib/server/what-if';
import type { ReplayProgress } from '@/lib/what-if/replay';

export type ReplayPath = '/api/simulate' | '/api/recommend';

export interface ReplayCallOptions {
  signal?: AbortSignal;
  onProgress?(p: ReplayProgress): void;
  /** For tests. */
  fetchImpl?: typeof fetch;
}

/** POSTs `body` and reads the stream until its result; throws ApiError for a refusal, an error line or a cut-off stream. */
export async function postReplay<R>(path: ReplayPath, body: unknown, options: ReplayCallOptions = {}): Promise<R> {
  const doFetch = options.fetchImpl ?? fetch;
  let res: Response;
  try {
    res = await doFetch(path, { method: 'POST', signal: options.signal, headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' }, body: JSON.stringify(body) });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw ApiError.network(path, e);
  }
  if (!res.ok) throw await ApiError.fromResponse(res, path);
  if (!res.body) throw cutOff(path, 'the answer had no body');
  const reader = res.body.getReader();
  const lines = new LineSplitter();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (options.signal?.aborted) throw e;
        throw cutOff(path, 'the connection broke during the replay');
      }
      const found = handle<R>(chunk.done ? lines.end() : lines.push(chunk.value), path, options.onProgress);
      if (found) return found.result;
      if (chunk.done) throw cutOff(path, 'the answer ended before the result');
    }
  } finally {
    reader.releaseLock();
  }
}

/** Applies the events of some lines; the result when one of them is it. */
function handle<R>(lines: string[], path: string, onProgress: ReplayCallOptions['onProgress']): { result: R } | undefined {
  for (const line of lines) {
    const event = parseEvent<R>(line, path);
    if (!event) continue;
    if (event.type === 'progress') onProgress?.({ phase: event.phase, done: event.done, total: event.total });
    else if (event.type === 'result') return { result: event.result };
    else throw new ApiError({ type: problemType(event.code || 'replay-failed'), title: 'Replay failed', status: event.status || 500, detail: event.detail }, path);
  }
  return undefined;
}

function parseEvent<R>(line: string, path: string): ReplayEvent<R> | undefined {
  if (!line.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw cutOff(path, 'a line of the answer was not JSON');
  }
  const type = typeof v === 'object' && v !== null ? (v as { type?: unknown }).type : undefined;
  // A newer server may send events this page does not know: skip them.
  return type === 'progress' || type === 'result' || type === 'error' ? (v as ReplayEvent<R>) : undefined;
}

const cutOff = (path: string, why: string) => new ApiError({ type: problemType('replay-cut-off'), title: 'Incomplete answer', status: 0, detail: `${path}: ${why}` }, path);

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
