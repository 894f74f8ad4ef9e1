import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, parseTimeBound } from './time-bound';

const NOW = Date.parse('2026-11-28T12:00:00Z');

function ms(text: string): number {
  const t = parseTimeBound(text, NOW);
  if (!t.ok) throw new Error(`${text}: ${t.message}`);
  return t.ms;
}

function message(text: string): string {
  const t = parseTimeBound(text, NOW);
  if (t.ok) throw new Error(`${text} was accepted`);
  return t.message;
}

describe('parseTimeBound: durations back from now', () => {
  it.each([
    ['30s', 30_000], ['15m', 900_000], ['1h', 3_600_000], ['7d', 7 * 86_400_000], ['2h30m', 9_000_000], ['1h43m10s', 6_190_000],
    ['500ms', 500], ['1.5h', 5_400_000], ['1w', 7 * 86_400_000], ['  15M ', 900_000], ['0s', 0],
  ])('%s', (text, back) => {
    expect(ms(text)).toBe(NOW - back);
  });

  it('reads now as now', () => {
    expect(ms('now')).toBe(NOW);
    expect(ms('NOW')).toBe(NOW);
  });

  it.each([
    ['', 'expected a duration like 30s'],
    ['15', 'needs a unit after 15'],
    ['1h30', 'needs a unit after 30'],
    ['5y', '"y" in "5y" is not a unit'],
    ['1 h', '" h" in "1 h" is not a unit'],
    ['-1h', 'is not a duration like 30s'],
    ['h', 'is not a duration like 30s'],
    ['yesterday', 'is not a duration like 30s'],
    ['1.h', '"1.h" needs a unit after 1.h'],
  ])('refuses %j', (text, why) => {
    expect(message(text)).toContain(why);
  });

  it('refuses durations past ten years and overly long text', () => {
    expect(message(`${MAX_DURATION_MS / 86_400_000 + 1}d`)).toContain('more than ten years');
    expect(ms(`${MAX_DURATION_MS / 86_400_000}d`)).toBe(NOW - MAX_DURATION_MS);
    expect(message('1s'.repeat(40))).toContain('longer than 64 characters');
  });
});

describe('parseTimeBound: RFC 3339', () => {
  it.each([
    ['2026-11-28T10:00:00Z', '2026-11-28T10:00:00.000Z'],
    ['2026-11-28t10:00:00z', '2026-11-28T10:00:00.000Z'],
    ['2026-11-28 10:00:00Z', '2026-11-28T10:00:00.000Z'],
    ['2026-11-28T10:00:00.123Z', '2026-11-28T10:00:00.123Z'],
    ['2026-11-28T12:00:00+02:00', '2026-11-28T10:00:00.000Z'],
    ['2026-11-28T05:30:00-04:30', '2026-11-28T10:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2026-12-31T23:59:60Z', '2027-01-01T00:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(new Date(ms(text)).toISOString()).toBe(iso);
  });

  it('keeps microseconds as a fraction of a millisecond', () => {
    expect(ms('2026-11-28T10:00:00.123456Z') - Date.parse('2026-11-28T10:00:00.123Z')).toBeCloseTo(0.456, 3);
    expect(ms('2026-11-28T10:00:00.123456789Z') - Date.parse('2026-11-28T10:00:00.123Z')).toBeCloseTo(0.457, 3);
  });

  it.each([
    ['2026-11-28T10:00:00', 'add Z or an offset'],
    ['2026-11-28', 'a time and a zone must follow the date'],
    ['2026-13-01T00:00:00Z', 'there is no month 13'],
    ['2026-02-29T00:00:00Z', 'there is no day 29 in that month'],
    ['2026-11-31T00:00:00Z', 'there is no day 31'],
    ['2026-11-28T24:00:00Z', 'the time is out of range'],
    ['2026-11-28T10:00Z', 'the time is HH:MM:SS'],
    ['2026-11-28X10:00:00Z', 'T separates the date and the time'],
    ['2026-11-28T10:00:00.Z', 'digits must follow the decimal point'],
    ['2026-11-28T10:00:00+2:00', 'the offset is ±HH:MM'],
    ['2026-11-28T10:00:00+02:00x', 'unexpected "x" at the end'],
    ['2026-1-28T10:00:00Z', 'the date is YYYY-MM-DD'],
  ])('refuses %s', (text, why) => {
    const m = message(text);
    expect(m).toContain(why);
    expect(m).toContain('expected e.g. 2026-11-28T10:00:00Z');
  });
});
