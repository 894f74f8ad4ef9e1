/**
 * `POST /api/reports`: the range and scope of an evidence report. The range reads like the flow
 * search's (`since`/`until` as RFC 3339 or a duration such as 24h; the last day by default), each bound
 * rounded down to its minute; the scope
 * is the whole cluster, or the namespaces listed. Plain and browser-safe like the rest of lib/api.
 */

import { z } from 'zod';
import type { ReportScope } from '../evidence/report-scope';
import { bound, objectName, parseWindow, zodProblems, type Parsed, type ReplayWindow } from './what-if-request';

/** Namespaces one report may name; a larger scope is the cluster report. */
export const MAX_REPORT_NAMESPACES = 100;
const MINUTE = 60_000;

const reportSchema = z.strictObject({
  since: bound.optional(),
  until: bound.optional(),
  namespaces: z.array(objectName('namespace')).min(1, 'name at least one namespace, or leave the list out for the whole cluster').max(MAX_REPORT_NAMESPACES).optional(),
});

export interface ReportBody {
  window: ReplayWindow;
  scope: ReportScope;
}

export function parseReportBody(body: unknown, nowMs: number): Parsed<ReportBody> {
  const r = reportSchema.safeParse(body ?? {});
  if (!r.success) return { ok: false, problems: zodProblems(r.error) };
  const w = parseWindow(r.data.since, r.data.until, nowMs);
  if (!w.ok) return w;
  // The history keeps the map's counts per minute: a report covers whole minutes, so the same range
  // always reads the same counts (a bound inside a minute would take in flows written after it).
  const window = { since: Math.floor(w.value.since / MINUTE) * MINUTE, until: Math.floor(w.value.until / MINUTE) * MINUTE };
  // Evidence is of what happened: a range that ends in the future would claim what was not observed yet,
  // and the same request would read different data later.
  if (w.value.until > nowMs) return { ok: false, problems: [{ param: 'until', message: 'is in the future: a report covers what has happened' }] };
  if (window.since >= window.until) return { ok: false, problems: [{ param: 'since', message: 'the range must cover at least one whole minute (reports cover whole minutes)' }] };
  const scope: ReportScope = r.data.namespaces ? { kind: 'namespaces', namespaces: [...new Set(r.data.namespaces)].sort() } : { kind: 'cluster' };
  return { ok: true, value: { window, scope } };
}
