/**
 * The browser's side of the evidence reports API: the list of past reports (a react-query entry, like
 * the others in ./queries.ts) and `POST /api/reports`, which streams JSON lines (`progress` events,
 * then one `result` or `error`). A refusal before the stream starts is problem details; both kinds of
 * failure are thrown as ApiError, whose message can be shown as is. Leaving (aborting) does not stop the
 * report: the server makes and lists it anyway.
 */

import { queryOptions } from '@tanstack/react-query';
import { ApiError, problemType } from '@/lib/api/problem';
import type { ReportEvent } from '@/lib/server/reports/report-api';
import type { ReportSummary } from '@/lib/server/reports/evidence-reports';
import { getJson } from './client';
import { LineSplitter } from './replay-stream';

/** Past reports the user may read, newest first; polled while someone's report is being made. */
export const reportsQuery = () =>
  queryOptions({
    queryKey: ['reports'],
    queryFn: ({ signal }) => getJson('/api/reports', undefined, { signal }),
    refetchInterval: (q) => (q.state.data?.inProgress ? 5_000 : 60_000),
  });

/** What `POST /api/reports` takes: a range (RFC 3339 or a duration back from now) and, for a namespace report, the namespaces. */
export interface ReportRequestBody {
  since?: string;
  until?: string;
  namespaces?: string[];
}

export interface ReportCallOptions {
  signal?: AbortSignal;
  onProgress?(p: { step: string; fraction: number }): void;
  /** For tests. */
  fetchImpl?: typeof fetch;
}

const PATH = '/api/reports';

const cutOff = (why: string) => new ApiError({ type: problemType('report-cut-off'), title: 'Incomplete answer', status: 0, detail: `${PATH}: ${why}` }, PATH);

/** One line of the stream as an event; undefined for a blank line or an event this page does not know. */
export function parseReportEvent(line: string): ReportEvent | undefined {
  if (!line.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw cutOff('a line of the answer was not JSON');
  }
  const type = typeof v === 'object' && v !== null ? (v as { type?: unknown }).type : undefined;
  return type === 'progress' || type === 'result' || type === 'error' ? (v as ReportEvent) : undefined;
}

/** The summary a result line carries (`result`; `report` in the first version of the stream). */
function resultOf(event: Extract<ReportEvent, { type: 'result' }>): ReportSummary {
  const summary = event.result ?? (event as unknown as { report?: ReportSummary }).report;
  if (!summary) throw cutOff('the result line carried no report');
  return summary;
}

/** POSTs the request and reads the stream until its result (the new report's summary); throws ApiError otherwise. */
export async function postReport(body: ReportRequestBody, options: ReportCallOptions = {}): Promise<ReportSummary> {
  const doFetch = options.fetchImpl ?? fetch;
  let res: Response;
  try {
    res = await doFetch(PATH, { method: 'POST', signal: options.signal, headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' }, body: JSON.stringify(body) });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw ApiError.network(PATH, e);
  }
  if (!res.ok) throw await ApiError.fromResponse(res, PATH);
  if (!res.body) throw cutOff('the answer had no body');
  const reader = res.body.getReader();
  const lines = new LineSplitter();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (options.signal?.aborted) throw e;
        throw cutOff('the connection broke while the report was being made (it may still be listed when it is done)');
      }
      for (const line of chunk.done ? lines.end() : lines.push(chunk.value)) {
        const event = parseReportEvent(line);
        if (!event) continue;
        if (event.type === 'progress') options.onProgress?.({ step: event.step, fraction: event.fraction });
        else if (event.type === 'result') return resultOf(event);
        else throw new ApiError({ type: problemType(event.code || 'report-failed'), title: 'Report failed', status: event.status || 500, detail: event.detail }, PATH);
      }
      if (chunk.done) throw cutOff('the answer ended before the result');
    }
  } finally {
    reader.releaseLock();
  }
}
