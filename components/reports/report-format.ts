/**
 * Words and addresses for evidence reports, shared by the printed document (a server component) and the
 * reports page: times in UTC (a printed report must read the same wherever it is opened), ranges with their
 * length, the scope, file links, anchors. Plain functions, no React, no browser APIs.
 */

import type { ReportScope } from '@/lib/server/views/evidence-report';
import type { Severity } from '@/lib/posture/finding';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** The files of a bundle, in the order the page links them, with their link words. */
export const REPORT_FILES = [
  { name: 'report.pdf', label: 'PDF' },
  { name: 'map.png', label: 'PNG' },
  { name: 'report.json', label: 'JSON' },
  { name: 'manifest.json', label: 'Manifest' },
] as const;
export type ReportFileName = (typeof REPORT_FILES)[number]['name'];

/** `/api/reports/<id>/<file>`, with `?download=1` to save it rather than open it. */
export function reportFileUrl(id: string, file: ReportFileName, download = false): string {
  return `/api/reports/${encodeURIComponent(id)}/${file}${download ? '?download=1' : ''}`;
}

/** The print view of a report. */
export const reportViewUrl = (id: string) => `/reports/${encodeURIComponent(id)}/print`;

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-01-02 10:05:30 UTC` (seconds left out when `seconds` is false); the input as is when it is not a time. */
export function utcText(iso: string, seconds = true): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds ? `:${pad(d.getUTCSeconds())}` : ''}`;
  return `${date} ${time} UTC`;
}

/** A length of time in the largest whole-ish unit: `45 s`, `10 min`, `1 h 30 min`, `24 h`, `7 d`, `2 d 6 h`. */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const restMin = min % 60;
  if (h < 48) return restMin ? `${h} h ${restMin} min` : `${h} h`;
  const d = Math.floor(h / 24);
  const restH = h % 24;
  return restH ? `${d} d ${restH} h` : `${d} d`;
}

/** `2025-01-02 10:05:30 → 10:07:00 UTC`: two times, a shared date written once. */
export function spanText(since: string, until: string): string {
  const a = utcText(since);
  const b = utcText(until);
  const sameDay = /^\d{4}-/.test(a) && a.slice(0, 10) === b.slice(0, 10);
  return `${a.replace(/ UTC$/, '')} → ${sameDay ? b.slice(11) : b}`;
}

/** `2025-01-02 10:05:30 → 2025-01-03 10:05:30 UTC (24 h)`: a range with its length. */
export function rangeText(since: string, until: string): string {
  const length = durationText(Date.parse(until) - Date.parse(since));
  return `${spanText(since, until)}${length ? ` (${length})` : ''}`;
}

/** `whole cluster`, or `namespaces a, b`. */
export function scopeText(scope: ReportScope): string {
  if (scope.kind === 'cluster') return 'whole cluster';
  return `${scope.namespaces.length === 1 ? 'namespace' : 'namespaces'} ${scope.namespaces.join(', ')}`;
}

/** The element id of a finding (keys hold `:` and `/`: fine in an id, awkward in a link). */
export const findingAnchor = (key: string) => `finding-${key.replace(/[^A-Za-z0-9_-]+/g, '-')}`;

/** Findings counted over every severity. */
export const totalFindings = (counts: Record<Severity, number> | null | undefined): number => (counts ? SEVERITIES.reduce((n, s) => n + (counts[s] ?? 0), 0) : 0);

/** `1 pod`, `3 pods`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Score colours as the overview's posture score uses them. */
export function scoreClass(score: number): string {
  if (score >= 90) return 'text-green-700';
  if (score >= 70) return 'text-amber-600';
  return 'text-red-700';
}
