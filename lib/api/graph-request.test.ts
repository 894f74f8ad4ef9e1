import { describe, expect, it } from 'vitest';
import { parseGraphRequest } from './graph-request';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const parse = (qs: string) => parseGraphRequest(new URLSearchParams(qs), NOW);

describe('parseGraphRequest', () => {
  it('asks for the live graph without a window', () => {
    expect(parse('')).toEqual({ ok: true, value: { range: null } });
  });

  it('reads an RFC 3339 window', () => {
    expect(parse('since=2026-11-28T09:00:00Z&until=2026-11-28T09:15:00Z')).toEqual({
      ok: true,
      value: { range: { since: Date.parse('2026-11-28T09:00:00Z'), until: Date.parse('2026-11-28T09:15:00Z') } },
    });
  });

  it('reads durations back from now, and an open end as up to now', () => {
    expect(parse('since=15m')).toEqual({ ok: true, value: { range: { since: NOW - 15 * 60_000 } } });
    expect(parse('since=2h&until=1h')).toEqual({ ok: true, value: { range: { since: NOW - 7_200_000, until: NOW - 3_600_000 } } });
  });

  it('needs a start for an end, and an end after the start', () => {
    expect(parse('until=1h')).toEqual({ ok: false, problems: [{ param: 'since', message: expect.stringContaining('required') }] });
    expect(parse('since=1h&until=2h')).toEqual({ ok: false, problems: [{ param: 'until', message: 'must be later than since' }] });
  });

  it('names each bad, repeated or unknown parameter', () => {
    const r = parse('since=yesterday&until=1h&until=2h&edge=x');
    expect(r.ok).toBe(false);
    const params = r.ok ? [] : r.problems.map((p) => p.param).sort();
    expect(params).toEqual(['edge', 'since', 'until']);
    expect(parse('constructor=1')).toMatchObject({ ok: false, problems: [{ param: 'constructor' }] });
    expect(parse(`since=${'1'.repeat(100)}`)).toMatchObject({ ok: false, problems: [{ param: 'since', message: expect.stringContaining('longer than 64 characters') }] });
  });
});
