import { describe, expect, it } from 'vitest';
import { parseNamespaceList, readReportForm, reportBody, writeReportForm, type ReportForm } from './report-form';

const read = (qs: string) => readReportForm(new URLSearchParams(qs));
const written = (form: ReportForm, start = '') => {
  const p = new URLSearchParams(start);
  writeReportForm(p, form);
  return p.toString();
};

describe('parseNamespaceList', () => {
  it('splits on commas and spaces, trims, lower-cases and drops duplicates', () => {
    expect(parseNamespaceList(' shop, Payments ,shop  web,,')).toEqual(['shop', 'payments', 'web']);
    expect(parseNamespaceList('')).toEqual([]);
  });
});

describe('readReportForm', () => {
  it('defaults to the last 24 h of the whole cluster', () => {
    expect(read('')).toEqual({ range: { kind: 'preset', preset: '24h' }, scope: 'cluster', namespaces: [] });
  });
  it('reads a preset, a custom range and a namespace scope', () => {
    expect(read('since=7d').range).toEqual({ kind: 'preset', preset: '7d' });
    expect(read('since=2025-03-04T05:00:00Z&until=2025-03-05T05:00:00Z').range).toEqual({ kind: 'custom', since: '2025-03-04T05:00:00Z', until: '2025-03-05T05:00:00Z' });
    // A duration the form has no button for is a custom range (shown as such, sent as is).
    expect(read('since=2h').range).toEqual({ kind: 'custom', since: '2h', until: '' });
    expect(read('scope=namespaces&ns=shop,web')).toMatchObject({ scope: 'namespaces', namespaces: ['shop', 'web'] });
    expect(read('ns=shop')).toMatchObject({ scope: 'namespaces', namespaces: ['shop'] });
    expect(read('scope=namespaces')).toMatchObject({ scope: 'namespaces', namespaces: [] });
  });
});

describe('writeReportForm', () => {
  it('leaves the defaults out of the URL and keeps other parameters', () => {
    expect(written({ range: { kind: 'preset', preset: '24h' }, scope: 'cluster', namespaces: ['kept-out'] }, 'since=1h&ns=a&x=1')).toBe('x=1');
  });
  it('round-trips through readReportForm', () => {
    const forms: ReportForm[] = [
      { range: { kind: 'preset', preset: '30d' }, scope: 'namespaces', namespaces: ['shop', 'web'] },
      { range: { kind: 'custom', since: '2025-03-04T05:00:00.000Z', until: '2025-03-05T05:00:00.000Z' }, scope: 'cluster', namespaces: [] },
      { range: { kind: 'preset', preset: '1h' }, scope: 'namespaces', namespaces: [] },
    ];
    for (const f of forms) expect(read(written(f))).toEqual(f);
  });
});

describe('reportBody', () => {
  it('sends a preset as a duration and a custom range as its bounds', () => {
    expect(reportBody({ range: { kind: 'preset', preset: '7d' }, scope: 'cluster', namespaces: [] })).toEqual({ ok: true, body: { since: '7d' } });
    expect(reportBody({ range: { kind: 'custom', since: '2025-03-04T05:00:00Z', until: '2025-03-05T05:00:00Z' }, scope: 'namespaces', namespaces: ['shop'] })).toEqual({
      ok: true,
      body: { since: '2025-03-04T05:00:00Z', until: '2025-03-05T05:00:00Z', namespaces: ['shop'] },
    });
  });
  it('takes durations and an open end in a custom range', () => {
    const now = Date.parse('2025-03-05T00:00:00Z');
    expect(reportBody({ range: { kind: 'custom', since: '2h', until: '' }, scope: 'cluster', namespaces: [] }, now)).toEqual({ ok: true, body: { since: '2h' } });
    expect(reportBody({ range: { kind: 'custom', since: '2025-03-04T05:00:00Z', until: '' }, scope: 'cluster', namespaces: [] }, now)).toEqual({ ok: true, body: { since: '2025-03-04T05:00:00Z' } });
  });
  it('says what to fix', () => {
    const now = Date.parse('2025-03-06T00:00:00Z');
    const custom = (since: string, until: string): ReportForm => ({ range: { kind: 'custom', since, until }, scope: 'cluster', namespaces: [] });
    expect(reportBody(custom('', '2025-03-05T05:00:00Z'), now)).toMatchObject({ ok: false, problem: expect.stringContaining('start') });
    expect(reportBody(custom('soon', ''), now)).toMatchObject({ ok: false, problem: expect.stringContaining('The start of the range: "soon"') });
    expect(reportBody(custom('2025-03-04T05:00:00Z', 'later'), now)).toMatchObject({ ok: false, problem: expect.stringContaining('The end of the range') });
    expect(reportBody(custom('2025-03-05T05:00:00Z', '2025-03-04T05:00:00Z'), now)).toMatchObject({ ok: false, problem: expect.stringContaining('before') });
    expect(reportBody({ range: { kind: 'preset', preset: '1h' }, scope: 'namespaces', namespaces: [] })).toMatchObject({ ok: false, problem: expect.stringContaining('at least one') });
    expect(reportBody({ range: { kind: 'preset', preset: '1h' }, scope: 'namespaces', namespaces: ['bad_name'] })).toMatchObject({ ok: false, problem: expect.stringContaining('bad_name') });
  });
});
