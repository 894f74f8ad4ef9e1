/**
 * The time-range picker's vocabulary: presets as the durations the API takes (`since=1h` means
 * "the hour before now" whenever the link is opened), and the conversion between the custom
 * fields (`<input type="datetime-local">`, the person's local time) and RFC 3339 in the URL.
 */

export const RANGE_PRESETS = [
  { since: '15m', label: 'Last 15 min' },
  { since: '1h', label: 'Last 1 h' },
  { since: '6h', label: 'Last 6 h' },
  { since: '24h', label: 'Last 24 h' },
  { since: '7d', label: 'Last 7 d' },
] as const;

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms -> the value of a datetime-local input (local time, minute precision). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (local time) -> RFC 3339 in UTC, or null when it is not a time. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** A preset's label when `since` is one and `until` is open; null otherwise (a custom window). */
export function presetLabel(since: string, until: string): string | null {
  if (until) return null;
  return RANGE_PRESETS.find((p) => p.since === since)?.label ?? null;
}

// A fixed table, not toLocaleString: that builds a formatter per call, and the histogram labels 160 bars per render.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `28 Nov 10:05:30`, local time: short enough for the picker's button. */
export function shortTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
