/**
 * The /reports form's state as URL parameters, so a link opens the same request: `since` (a preset
 * duration, or RFC 3339 with `until` for a custom range), `scope=namespaces` and `ns=a,b`. Plain
 * functions over URLSearchParams; `reportBody` turns the form into the POST body, or says what is missing.
 */

import { parseTimeBound } from '@/lib/search/time-bound';
import type { ReportRequestBody } from '../api/reports';

export const REPORT_PRESETS = [
  { key: '1h', label: '1 h' },
  { key: '24h', label: '24 h' },
  { key: '7d', label: '7 d' },
  { key: '30d', label: '30 d' },
] as const;
export type ReportPreset = (typeof REPORT_PRESETS)[number]['key'];
export const DEFAULT_PRESET: ReportPreset = '24h';

/** Namespaces one request may name (the server's MAX_REPORT_NAMESPACES). */
export const MAX_FORM_NAMESPACES = 100;

export type FormRange = { kind: 'preset'; preset: ReportPreset } | { kind: 'custom'; since: string; until: string };

export interface ReportForm {
  range: FormRange;
  scope: 'cluster' | 'namespaces';
  namespaces: string[];
}

const isPreset = (s: string): s is ReportPreset => REPORT_PRESETS.some((p) => p.key === s);

/** A comma (or space) separated list of namespaces, trimmed, lower-cased, without duplicates, in the order given. */
export function parseNamespaceList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\s,]+/)) {
    const ns = part.trim().toLowerCase();
    if (ns && !out.includes(ns)) out.push(ns);
  }
  return out;
}

export function readReportForm(params: URLSearchParams): ReportForm {
  const since = params.get('since')?.trim() ?? '';
  const until = params.get('until')?.trim() ?? '';
  const range: FormRange = !since && !until ? { kind: 'preset', preset: DEFAULT_PRESET } : isPreset(since) && !until ? { kind: 'preset', preset: since } : { kind: 'custom', since, until };
  const namespaces = parseNamespaceList(params.get('ns') ?? '');
  const scope = params.get('scope') === 'namespaces' || (params.get('scope') === null && namespaces.length > 0) ? 'namespaces' : 'cluster';
  return { range, scope, namespaces };
}

/** Writes the form into `params` (the default preset and the cluster scope leave no parameter). */
export function writeReportForm(params: URLSearchParams, form: ReportForm): void {
  params.delete('since');
  params.delete('until');
  if (form.range.kind === 'preset') {
    if (form.range.preset !== DEFAULT_PRESET) params.set('since', form.range.preset);
  } else {
    if (form.range.since) params.set('since', form.range.since);
    if (form.range.until) params.set('until', form.range.until);
  }
  if (form.scope === 'namespaces') params.set('scope', 'namespaces');
  else params.delete('scope');
  if (form.scope === 'namespaces' && form.namespaces.length) params.set('ns', form.namespaces.join(','));
  else params.delete('ns');
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The POST body of the form, or the first thing to fix in words. A custom range's bounds are RFC 3339
 * times or durations back from `now` (a pasted link may say `since=2h`); an empty end means now.
 */
export function reportBody(form: ReportForm, now = Date.now()): { ok: true; body: ReportRequestBody } | { ok: false; problem: string } {
  const body: ReportRequestBody = {};
  if (form.range.kind === 'preset') body.since = form.range.preset;
  else {
    if (!form.range.since) return { ok: false, problem: 'Enter the start of the range.' };
    const since = parseTimeBound(form.range.since, now);
    if (!since.ok) return { ok: false, problem: `The start of the range: ${since.message}.` };
    const until = form.range.until ? parseTimeBound(form.range.until, now) : ({ ok: true, ms: now } as const);
    if (!until.ok) return { ok: false, problem: `The end of the range: ${until.message}.` };
    if (since.ms >= until.ms) return { ok: false, problem: 'The start of the range must be before its end.' };
    body.since = form.range.since;
    if (form.range.until) body.until = form.range.until;
  }
  if (form.scope === 'namespaces') {
    if (form.namespaces.length === 0) return { ok: false, problem: 'Choose at least one namespace, or report on the whole cluster.' };
    if (form.namespaces.length > MAX_FORM_NAMESPACES) return { ok: false, problem: `A report names at most ${MAX_FORM_NAMESPACES} namespaces; report on the whole cluster instead.` };
    const bad = form.namespaces.find((ns) => !NAME.test(ns) || ns.length > 253);
    if (bad) return { ok: false, problem: `"${bad}" is not a namespace name (lowercase letters, digits, - and .).` };
    body.namespaces = [...form.namespaces];
  }
  return { ok: true, body };
}
