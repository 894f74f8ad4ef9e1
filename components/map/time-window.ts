/**
 * The map's time window: live (no window) or a past window `since`..`until` kept in the URL, so a
 * link shows the same picture later. Presets and the scrubber write absolute RFC 3339 times (an
 * incident link must not drift); a pasted link may also say `since=1h`, read back from now.
 * Plain functions over URLSearchParams, tested without a browser.
 */

import { parseTimeBound } from '@/lib/search/time-bound';

/** A past window, epoch ms; `until` is exclusive. */
export interface MapWindow {
  since: number;
  until: number;
}

export const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const WINDOW_PRESETS = [
  { key: '15m', label: 'last 15 min', ms: 15 * MINUTE_MS },
  { key: '1h', label: 'last 1 h', ms: HOUR_MS },
  { key: '6h', label: 'last 6 h', ms: 6 * HOUR_MS },
  { key: '24h', label: 'last 24 h', ms: 24 * HOUR_MS },
] as const;
export type WindowPresetKey = (typeof WINDOW_PRESETS)[number]['key'];

/** How far back the scrubber's track reaches (it ends now). */
export const SCRUB_SPANS = [
  { key: '1h', label: '1 h', ms: HOUR_MS },
  { key: '6h', label: '6 h', ms: 6 * HOUR_MS },
  { key: '24h', label: '24 h', ms: 24 * HOUR_MS },
  { key: '7d', label: '7 days', ms: 7 * 24 * HOUR_MS },
] as const;
export const DEFAULT_SCRUB_SPAN_MS = 24 * HOUR_MS;

/** What the URL says: live, a window, or a window that does not parse (shown, and the map stays live). */
export type WindowState = { kind: 'live' } | { kind: 'past'; window: MapWindow } | { kind: 'invalid'; message: string };

/** The window in the URL's `since` / `until` (`until` absent: up to `now`). */
export function readWindow(params: URLSearchParams, now: number): WindowState {
  const sinceText = params.get('since')?.trim() ?? '';
  const untilText = params.get('until')?.trim() ?? '';
  if (!sinceText && !untilText) return { kind: 'live' };
  if (!sinceText) return { kind: 'invalid', message: 'until needs a since' };
  const since = parseTimeBound(sinceText, now);
  if (!since.ok) return { kind: 'invalid', message: `since: ${since.message}` };
  const until = untilText ? parseTimeBound(untilText, now) : { ok: true as const, ms: now };
  if (!until.ok) return { kind: 'invalid', message: `until: ${until.message}` };
  if (since.ms >= until.ms) return { kind: 'invalid', message: 'until must be later than since' };
  return { kind: 'past', window: { since: since.ms, until: until.ms } };
}

/** RFC 3339 to the second, in UTC: what a window bound looks like in a URL and in API requests. */
export function boundText(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Sets (or, for live, removes) `since` and `until`. */
export function writeWindow(params: URLSearchParams, w: MapWindow | null): void {
  if (!w) {
    params.delete('since');
    params.delete('until');
    return;
  }
  params.set('since', boundText(w.since));
  params.set('until', boundText(w.until));
}

/** The window a preset means at `now`. */
export function presetWindow(key: WindowPresetKey, now: number): MapWindow {
  const preset = WINDOW_PRESETS.find((p) => p.key === key)!;
  return { since: now - preset.ms, until: now };
}

/** The preset whose width the window has (the toolbar marks it), if any; a second of slack for rounding. */
export function presetOf(w: MapWindow): WindowPresetKey | null {
  const width = w.until - w.since;
  return WINDOW_PRESETS.find((p) => Math.abs(p.ms - width) <= 1000)?.key ?? null;
}

/** The same width, ending at `until` (the scrubber moves the window, never resizes it). */
export function windowEndingAt(w: MapWindow, until: number): MapWindow {
  return { since: until - (w.until - w.since), until };
}

/**
 * Where the scrubber can put the window's end: the track reaches `span` back from `end` (stretched to
 * hold the current window) and the whole window stays on it, so the end runs from start + width to end.
 */
export function scrubRange(w: MapWindow, end: number, span: number): { min: number; max: number } {
  const max = Math.max(end, w.until);
  const start = Math.min(max - span, w.since);
  return { min: start + (w.until - w.since), max };
}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const clock = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/** `2026-11-28 09:00:00` in local time. */
export function describeTime(ms: number): string {
  const d = new Date(ms);
  return `${day(d)} ${clock(d)}`;
}

/** `2026-11-28 09:00:00 – 09:15:00` in local time (the date again only when the window spans days). */
export function describeWindow(w: MapWindow): string {
  const a = new Date(w.since);
  const b = new Date(w.until);
  return `${describeTime(w.since)} – ${day(a) === day(b) ? clock(b) : describeTime(w.until)}`;
}

/** Local time as an `<input type="datetime-local">` value (to the minute). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${day(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An `<input type="datetime-local">` value (local time) -> epoch ms, or null when empty or malformed. */
export function fromLocalInput(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return null;
  const ms = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)).getTime();
  return Number.isFinite(ms) ? ms : null;
}
