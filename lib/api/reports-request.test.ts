import { describe, expect, it } from 'vitest';
import { MAX_REPORT_NAMESPACES, parseReportBody } from './reports-request';

const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('POST /api/reports body', () => {
  it('defaults to the whole cluster over the last day', () => {
    expect(parseReportBody({}, NOW)).toEqual({ ok: true, value: { window: { since: NOW - 86_400_000, until: NOW }, scope: { kind: 'cluster' } } });
    expect(parseReportBody(undefined, NOW).ok).toBe(true);
  });

  it('reads durations and RFC 3339 bounds, and a namespace scope (deduplicated, sorted)', () => {
    const r = parseReportBody({ since: '2026-11-29T10:00:00Z', until: '1h', namespaces: ['shop', 'legacy', 'shop'] }, NOW);
    expect(r).toEqual({ ok: true, value: { window: { since: Date.parse('2026-11-29T10:00:00Z'), until: NOW - 3_600_000 }, scope: { kind: 'namespaces', namespaces: ['legacy', 'shop'] } } });
  });

  it('covers whole minutes: each bound is rounded down to its minute', () => {
    const r = parseReportBody({ since: '2026-11-29T10:00:42.5Z', until: '2026-11-29T11:30:59Z' }, NOW);
    expect(r.ok && r.value.window).toEqual({ since: Date.parse('2026-11-29T10:00:00Z'), until: Date.parse('2026-11-29T11:30:00Z') });
    const tooShort = parseReportBody({ since: '2026-11-29T10:00:10Z', until: '2026-11-29T10:00:50Z' }, NOW);
    expect(tooShort.ok ? [] : tooShort.problems.map((p) => p.message)).toEqual([expect.stringContaining('at least one whole minute')]);
  });

  it('names the field of every problem', () => {
    const fields = (body: unknown) => {
      const r = parseReportBody(body, NOW);
      return r.ok ? [] : r.problems.map((p) => p.param);
    };
    expect(fields({ since: 'soon' })).toEqual(['since']);
    expect(fields({ since: '1h', until: '2h' })).toEqual(['since']);
    expect(fields({ until: '2026-11-29T12:05:00Z' })).toEqual(['until']);
    expect(fields({ namespaces: [] })).toEqual(['namespaces']);
    expect(fields({ namespaces: ['ok', 'Not_OK'] })).toEqual(['namespaces.1']);
    expect(fields({ namespaces: Array.from({ length: MAX_REPORT_NAMESPACES + 1 }, (_, i) => `ns${i}`) })).toEqual(['namespaces']);
    expect(fields({ scope: 'cluster' })).toEqual(['body']);
    expect(fields([1])).toEqual(['body']);
  });
});
