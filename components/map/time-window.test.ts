import { describe, expect, it } from 'vitest';
import { boundText, describeWindow, fromLocalInput, presetOf, presetWindow, readWindow, scrubRange, toLocalInput, windowEndingAt, writeWindow } from './time-window';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const MIN = 60_000;
const read = (qs: string) => readWindow(new URLSearchParams(qs), NOW);

describe('the map window in the URL', () => {
  it('is live without since/until', () => {
    expect(read('ns=production&select=x')).toEqual({ kind: 'live' });
  });

  it('round-trips a window through the URL, to the second', () => {
    const params = new URLSearchParams('ns=production');
    const w = { since: NOW - 15 * MIN + 123, until: NOW + 456 };
    writeWindow(params, w);
    expect(params.get('since')).toBe('2026-11-28T09:45:00Z');
    expect(params.get('until')).toBe('2026-11-28T10:00:00Z');
    expect(read(params.toString())).toEqual({ kind: 'past', window: { since: NOW - 15 * MIN, until: NOW } });
    writeWindow(params, null);
    expect(params.toString()).toBe('ns=production');
  });

  it('reads a pasted relative window back from now, open ends up to now', () => {
    expect(read('since=1h')).toEqual({ kind: 'past', window: { since: NOW - 60 * MIN, until: NOW } });
    expect(read('since=2h&until=1h')).toEqual({ kind: 'past', window: { since: NOW - 120 * MIN, until: NOW - 60 * MIN } });
  });

  it('says what is wrong with a window it cannot read', () => {
    expect(read('until=1h')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('since') });
    expect(read('since=1h&until=2h')).toMatchObject({ kind: 'invalid', message: 'until must be later than since' });
    expect(read('since=last-tuesday')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^since: /) });
  });
});

describe('presets and the scrubber', () => {
  it('a preset ends now and is recognised by its width', () => {
    const w = presetWindow('6h', NOW);
    expect(w).toEqual({ since: NOW - 360 * MIN, until: NOW });
    expect(presetOf(w)).toBe('6h');
    expect(presetOf({ since: NOW - 17 * MIN, until: NOW })).toBeNull();
  });

  it('moves the window without resizing it', () => {
    expect(windowEndingAt({ since: NOW - 15 * MIN, until: NOW }, NOW - 60 * MIN)).toEqual({ since: NOW - 75 * MIN, until: NOW - 60 * MIN });
  });

  it('keeps the whole window on the track, and stretches the track to hold an older window', () => {
    const w = { since: NOW - 15 * MIN, until: NOW };
    expect(scrubRange(w, NOW, 60 * MIN)).toEqual({ min: NOW - 45 * MIN, max: NOW });
    const old = { since: NOW - 48 * 60 * MIN, until: NOW - 47 * 60 * MIN };
    expect(scrubRange(old, NOW, 24 * 60 * MIN)).toEqual({ min: old.until, max: NOW });
  });
});

describe('words and inputs', () => {
  it('writes the window in local time, the date once when it stays within a day', () => {
    const since = new Date(2026, 10, 28, 9, 0, 0).getTime();
    expect(describeWindow({ since, until: since + 15 * MIN })).toBe('2026-11-28 09:00:00 – 09:15:00');
    expect(describeWindow({ since, until: since + 24 * 60 * MIN })).toBe('2026-11-28 09:00:00 – 2026-11-29 09:00:00');
  });

  it('converts datetime-local values both ways', () => {
    const ms = new Date(2026, 10, 28, 9, 5).getTime();
    expect(toLocalInput(ms + 30_000)).toBe('2026-11-28T09:05');
    expect(fromLocalInput('2026-11-28T09:05')).toBe(ms);
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('yesterday')).toBeNull();
  });

  it('writes bounds as RFC 3339 in UTC', () => {
    expect(boundText(NOW + 999)).toBe('2026-11-28T10:00:00Z');
  });
});
