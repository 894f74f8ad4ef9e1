/**
 * The browser's side of the evidence reports API: the list of past reports (a react-query entry, like
 * the others in ./queries.ts) and `POST /api/reports`, which streams JSON lines (`progress` events,
 * then one `result` or `error`). A refusal before the stream starts is problem details; both kinds of
 * failure are thrown as ApiError, whose message can be shown as is. Leaving (aborting) does not stop the
 * report: the server makes and lists it anyway.
 */

import { queryOptions } from '@tanstack/react-query';
import type { ReportProgress, ReportSummary } from '@/lib/server/reports/evidence-reports';
import { getJson } from './client';
import { parseStreamEvent, postJsonLines } from './replay-stream';

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
  onProgress?(p: ReportProgress): void;
  /** For tests. */
  fetchImpl?: typeof fetch;
}

const PATH = '/api/reports';
const WORDS = { failed: 'Report failed', failedCode: 'report-failed', cutCode: 'report-cut-off', broke: 'the connection broke while the report was being made (it may still be listed when it is done)' };

/** One line of the stream as an event; undefined for a blank line or an event this page does not know. */
export const parseReportEvent = (line: string) => parseStreamEvent<ReportSummary, ReportProgress>(line, PATH, WORDS);

/** POSTs the request and reads the stream until its result (the new report's summary); throws ApiError otherwise. */
export function postReport(body: ReportRequestBody, options: ReportCallOptions = {}): Promise<ReportSummary> {
  return postJsonLines<ReportSummary, ReportProgress>(PATH, body, { ...options, words: WORDS });
}
