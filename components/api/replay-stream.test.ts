import { describe, expect, it, vi } from 'vitest';
import { ApiError, problemResponse } from '@/lib/api/problem';
import { LineSplitter, postReplay } from './replay-stream';

const enc = new TextEncoder();

/** A streamed 200 whose body arrives in the given chunks. */
function streamed(chunks: (string | Uint8Array)[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(typeof ch === 'string' ? enc.encode(ch) : ch);
      c.close();
    },
  });
  return new Response(body, { headers: { 'Content-Type': 'application/x-ndjson' } });
}

async function rejectionOf(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('LineSplitter', () => {
  it('joins lines split across chunks and multi-byte characters split across chunks', () => {
    const s = new LineSplitter();
    const bytes = enc.encode('{"a":"é"}\n{"b":1}');
    const cut = bytes.indexOf(0xa9); // inside the two bytes of é
    expect(s.push(bytes.slice(0, cut))).toEqual([]);
    expect(s.push(bytes.slice(cut))).toEqual(['{"a":"é"}']);
    expect(s.end()).toEqual(['{"b":1}']);
    expect(s.end()).toEqual([]);
  });
});

describe('postReplay', () => {
  it('posts the body as JSON, reports progress and returns the result', async () => {
    let sent: RequestInit | undefined;
    const fetchImpl = vi.fn(async (_: RequestInfo | URL, init?: RequestInit) => {
      sent = init;
      return streamed(['{"type":"progress","phase":"compile","done":0,"total":2}\n{"type":"progress","ph', 'ase":"replay","done":5,"total":10}\n', '{"type":"result","result":{"ok":true}}\n']);
    }) as unknown as typeof fetch;
    const progress: unknown[] = [];
    const r = await postReplay<{ ok: boolean }>('/api/simulate', { change: { yaml: 'x' } }, { fetchImpl, onProgress: (p) => progress.push(p) });
    expect(r).toEqual({ ok: true });
    expect(progress).toEqual([
      { phase: 'compile', done: 0, total: 2 },
      { phase: 'replay', done: 5, total: 10 },
    ]);
    expect(sent?.method).toBe('POST');
    expect(new Headers(sent?.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(sent?.body))).toEqual({ change: { yaml: 'x' } });
  });

  it('takes a result on a last line without a newline', async () => {
    const fetchImpl = (async () => streamed(['{"type":"result","result":7}'])) as unknown as typeof fetch;
    expect(await postReplay<number>('/api/recommend', {}, { fetchImpl })).toBe(7);
  });

  it('throws the refusal problem details with their line and column', async () => {
    const fetchImpl = (async () => problemResponse(400, 'Invalid change', 'the change cannot run: bad (line 3, column 5)', [{ param: 'change.yaml', message: 'bad', line: 3, column: 5 }], { code: 'invalid-change' })) as unknown as typeof fetch;
    const e = await rejectionOf(postReplay('/api/simulate', {}, { fetchImpl }));
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid-change');
    expect(e.problems).toEqual([{ param: 'change.yaml', message: 'bad', line: 3, column: 5 }]);
  });

  it('throws an error line as an ApiError with its status and code', async () => {
    const fetchImpl = (async () => streamed(['{"type":"progress","phase":"compile","done":0,"total":2}\n{"type":"error","status":503,"code":"history-unavailable","detail":"no history"}\n'])) as unknown as typeof fetch;
    const e = await rejectionOf(postReplay('/api/simulate', {}, { fetchImpl }));
    expect(e.status).toBe(503);
    expect(e.code).toBe('history-unavailable');
    expect(e.message).toBe('no history');
  });

  it('says so when the stream ends without a result', async () => {
    const fetchImpl = (async () => streamed(['{"type":"progress","phase":"compile","done":0,"total":2}\n'])) as unknown as typeof fetch;
    const e = await rejectionOf(postReplay('/api/simulate', {}, { fetchImpl }));
    expect(e.message).toBe('/api/simulate: the answer ended before the result');
  });

  it('throws a network ApiError when the server cannot be reached, and the abort itself when cancelled', async () => {
    const down = (async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch;
    expect((await rejectionOf(postReplay('/api/simulate', {}, { fetchImpl: down }))).status).toBe(0);

    const ac = new AbortController();
    const hanging = vi.fn(
      (_: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    ) as unknown as typeof fetch;
    const p = postReplay('/api/simulate', {}, { fetchImpl: hanging, signal: ac.signal });
    ac.abort();
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DOMException);
  });
});
