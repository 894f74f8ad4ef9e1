import { describe, expect, it, vi } from 'vitest';
import { ApiError, problemResponse } from '@/lib/api/problem';
import { parseReportEvent, postReport } from './reports';

const enc = new TextEncoder();

function streamed(chunks: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
  return new Response(body, { headers: { 'Content-Type': 'application/x-ndjson' } });
}

const summary = { id: '20250304-050607-0a1b2c3d', complete: true, problems: [], files: [] };

async function rejectionOf(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('parseReportEvent', () => {
  it('reads the three events and skips blank lines and unknown events', () => {
    expect(parseReportEvent('{"type":"progress","step":"x","fraction":0.5}')).toEqual({ type: 'progress', step: 'x', fraction: 0.5 });
    expect(parseReportEvent('   ')).toBeUndefined();
    expect(parseReportEvent('{"type":"heartbeat"}')).toBeUndefined();
  });
  it('refuses a line that is not JSON', () => {
    expect(() => parseReportEvent('{"type":')).toThrow(ApiError);
  });
});

describe('postReport', () => {
  it('posts the body, reports progress split across chunks and returns the summary', async () => {
    let sent: RequestInit | undefined;
    const fetchImpl = vi.fn(async (_: RequestInfo | URL, init?: RequestInit) => {
      sent = init;
      return streamed(['{"type":"progress","step":"reading flows","fraction":0.1}\n{"type":"prog', 'ress","step":"printing the report","fraction":0.75}\n', `{"type":"result","result":${JSON.stringify(summary)}}`]);
    }) as unknown as typeof fetch;
    const steps: unknown[] = [];
    const r = await postReport({ since: '24h', namespaces: ['shop'] }, { fetchImpl, onProgress: (p) => steps.push(p) });
    expect(r).toEqual(summary);
    expect(steps).toEqual([
      { step: 'reading flows', fraction: 0.1 },
      { step: 'printing the report', fraction: 0.75 },
    ]);
    expect(sent?.method).toBe('POST');
    expect(JSON.parse(String(sent?.body))).toEqual({ since: '24h', namespaces: ['shop'] });
  });

  it('throws an error line as ApiError with its status, code and detail', async () => {
    const fetchImpl = (async () => streamed(['{"type":"progress","step":"a","fraction":0}\n{"type":"error","status":503,"code":"history-unavailable","detail":"the history is off"}\n'])) as unknown as typeof fetch;
    const e = await rejectionOf(postReport({}, { fetchImpl }));
    expect(e.status).toBe(503);
    expect(e.code).toBe('history-unavailable');
    expect(e.message).toBe('the history is off');
  });

  it('throws a refusal before the stream (problem details) with its detail', async () => {
    const fetchImpl = (async () => problemResponse(403, 'Forbidden', 'a cluster report covers every namespace', undefined, { code: 'forbidden' })) as unknown as typeof fetch;
    const e = await rejectionOf(postReport({}, { fetchImpl }));
    expect(e.status).toBe(403);
    expect(e.message).toBe('a cluster report covers every namespace');
  });

  it('says so when the stream ends before the result', async () => {
    const fetchImpl = (async () => streamed(['{"type":"progress","step":"a","fraction":0.2}\n'])) as unknown as typeof fetch;
    const e = await rejectionOf(postReport({}, { fetchImpl }));
    expect(e.message).toMatch(/ended before the result/);
  });

  it('says the server could not be reached when fetch fails', async () => {
    const fetchImpl = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const e = await rejectionOf(postReport({}, { fetchImpl }));
    expect(e.status).toBe(0);
  });
});
