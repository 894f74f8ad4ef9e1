/**
 * One end of a time range as people type it, the way `hubble observe --since/--until` reads it: an
 * RFC 3339 timestamp (with `Z` or an offset, so it means one instant wherever it is read) or a
 * duration back from now (`30s`, `15m`, `1h`, `7d`, `2h30m`), plus `now`. Hand-scanned: no regex
 * backtracking on what a user typed, and garbage is refused with what was expected.
 */

export type TimeBound = { ok: true; ms: number } | { ok: false; message: string };

/** Longer than any timestamp or sensible duration: refuse before scanning. */
export const MAX_TIME_BOUND_LENGTH = 64;
/** Durations reach back at most this far (ten years): a bigger number is a typo. */
export const MAX_DURATION_MS = 3650 * 86_400_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

const DURATION_HELP = 'a duration like 30s, 15m, 1h, 7d or 2h30m, an RFC 3339 time like 2026-11-28T10:00:00Z, or now';

/** A duration (`2h30m`, `1.5h`) in ms, or a message. */
function parseDuration(text: string): TimeBound {
  let total = 0;
  let i = 0;
  while (i < text.length) {
    const start = i;
    while (isDigit(text[i])) i++;
    if (text[i] === '.' && isDigit(text[i + 1])) {
      i++;
      while (isDigit(text[i])) i++;
    }
    if (i === start) return { ok: false, message: `"${text}" is not ${DURATION_HELP}` };
    const amount = Number(text.slice(start, i));
    const unitStart = i;
    while (i < text.length && !isDigit(text[i]) && text[i] !== '.') i++;
    const unit = text.slice(unitStart, i).toLowerCase();
    if (!unit) return { ok: false, message: `"${text}" needs a unit after ${text.slice(start)} (ms, s, m, h, d or w)` };
    const ms = UNIT_MS[unit];
    if (ms === undefined) return { ok: false, message: `"${unit}" in "${text}" is not a unit (ms, s, m, h, d or w)` };
    total += amount * ms;
  }
  if (total > MAX_DURATION_MS) return { ok: false, message: `"${text}" reaches back more than ten years` };
  return { ok: true, ms: total };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, checked field by field (RFC 3339 section 5.6). */
function parseRfc3339(text: string): TimeBound {
  const bad = (why: string): TimeBound => ({ ok: false, message: `"${text}" is not an RFC 3339 time (${why}); expected e.g. 2026-11-28T10:00:00Z` });
  const num = (from: number, len: number): number | null => {
    for (let i = from; i < from + len; i++) if (!isDigit(text[i])) return null;
    return Number(text.slice(from, from + len));
  };
  const year = num(0, 4);
  const month = num(5, 2);
  const day = num(8, 2);
  if (year === null || month === null || day === null || text[4] !== '-' || text[7] !== '-') return bad('the date is YYYY-MM-DD');
  if (month < 1 || month > 12) return bad(`there is no month ${month}`);
  if (day < 1 || day > daysIn(year, month)) return bad(`there is no day ${day} in that month`);
  const sep = text[10];
  if (sep === undefined) return bad('a time and a zone must follow the date');
  if (sep !== 'T' && sep !== 't' && sep !== ' ') return bad('T separates the date and the time');
  const hour = num(11, 2);
  const minute = num(14, 2);
  const second = num(17, 2);
  if (hour === null || minute === null || second === null || text[13] !== ':' || text[16] !== ':') return bad('the time is HH:MM:SS');
  if (hour > 23 || minute > 59 || second > 60) return bad('the time is out of range');
  let i = 19;
  let fraction = 0;
  if (text[i] === '.') {
    const start = ++i;
    while (isDigit(text[i])) i++;
    if (i === start) return bad('digits must follow the decimal point');
    fraction = Number(`0.${text.slice(start, i)}`);
  }
  let offsetMinutes = 0;
  const zone = text[i];
  if (zone === 'Z' || zone === 'z') {
    i++;
  } else if (zone === '+' || zone === '-') {
    const oh = num(i + 1, 2);
    const om = num(i + 4, 2);
    if (oh === null || om === null || text[i + 3] !== ':' || oh > 23 || om > 59) return bad('the offset is ±HH:MM');
    offsetMinutes = (zone === '+' ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else {
    return bad('add Z or an offset like +02:00, so the time means one instant');
  }
  if (i !== text.length) return bad(`unexpected "${text.slice(i)}" at the end`);
  // A leap second (:60) is the instant after :59.999…, as Date.UTC rolls it over.
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) + Math.round(fraction * 1e6) / 1e3 - offsetMinutes * 60_000;
  return { ok: true, ms };
}

/** A time bound as epoch ms: RFC 3339, a duration meaning now minus that, or `now`. */
export function parseTimeBound(text: string, nowMs: number): TimeBound {
  const t = text.trim();
  if (t === '') return { ok: false, message: `expected ${DURATION_HELP}` };
  if (t.length > MAX_TIME_BOUND_LENGTH) return { ok: false, message: `longer than ${MAX_TIME_BOUND_LENGTH} characters; expected ${DURATION_HELP}` };
  if (t.toLowerCase() === 'now') return { ok: true, ms: nowMs };
  // A date starts with four digits and a dash; anything else is read as a duration.
  if (t.length >= 5 && isDigit(t[0]) && isDigit(t[1]) && isDigit(t[2]) && isDigit(t[3]) && t[4] === '-') return parseRfc3339(t);
  const d = parseDuration(t);
  return d.ok ? { ok: true, ms: nowMs - d.ms } : d;
}
