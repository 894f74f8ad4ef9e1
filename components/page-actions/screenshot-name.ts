/**
 * Names and stamps for a page screenshot. Both use the viewer's local time, so the file name and
 * the footer's timestamp read the same; the offset is a parameter only so tests can pin it.
 */

interface LocalParts {
  year: string;
  month: string;
  day: string;
  hours: string;
  minutes: string;
  seconds: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function localParts(at: Date, offsetMinutes: number): LocalParts {
  // Shift the instant by the offset and read it as UTC: the wall-clock time at that offset.
  const t = new Date(at.getTime() + offsetMinutes * 60_000);
  return {
    year: pad(t.getUTCFullYear(), 4),
    month: pad(t.getUTCMonth() + 1),
    day: pad(t.getUTCDate()),
    hours: pad(t.getUTCHours()),
    minutes: pad(t.getUTCMinutes()),
    seconds: pad(t.getUTCSeconds()),
  };
}

/** Minutes east of UTC, as ISO 8601 counts them (Date#getTimezoneOffset counts the other way). */
export function localOffsetMinutes(at: Date): number {
  return -at.getTimezoneOffset();
}

/** `2025-03-07T14:05:09+01:00`: the instant with the offset it was seen at, not converted to UTC. */
export function isoWithOffset(at: Date, offsetMinutes = localOffsetMinutes(at)): string {
  const p = localParts(at, offsetMinutes);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${p.year}-${p.month}-${p.day}T${p.hours}:${p.minutes}:${p.seconds}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The page part of a file name: `/` is the overview, nested paths join with `-`, anything odd goes. */
export function pageSlug(pathname: string): string {
  const slug = pathname
    .split('/')
    .map((s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('-');
  return slug || 'overview';
}

/** `flowsight-<page>-<YYYYMMDD-HHmmss>.png` */
export function screenshotFileName(pathname: string, at: Date, offsetMinutes = localOffsetMinutes(at)): string {
  const p = localParts(at, offsetMinutes);
  return `flowsight-${pageSlug(pathname)}-${p.year}${p.month}${p.day}-${p.hours}${p.minutes}${p.seconds}.png`;
}

/**
 * Device pixels per CSS pixel for the capture: sharp on HiDPI screens, but capped at 2 because a
 * 3x capture of a full page is a large file for little gain.
 */
export function captureRatio(devicePixelRatio: number | undefined): number {
  return devicePixelRatio !== undefined && Number.isFinite(devicePixelRatio) && devicePixelRatio > 1 ? Math.min(devicePixelRatio, 2) : 1;
}
