import { describe, expect, it } from 'vitest';
import { durationText, findingAnchor, rangeText, spanText, reportFileUrl, reportViewUrl, scopeText, totalFindings, utcText } from './report-format';

describe('utcText', () => {
  it('writes an RFC 3339 time in UTC, with or without seconds', () => {
    expect(utcText('2025-03-04T05:06:07.890Z')).toBe('2025-03-04 05:06:07 UTC');
    expect(utcText('2025-03-04T07:06:07+02:00', false)).toBe('2025-03-04 05:06 UTC');
  });
  it('leaves what is not a time as it is', () => {
    expect(utcText('yesterday')).toBe('yesterday');
  });
});

describe('durationText', () => {
  it('uses the largest sensible unit', () => {
    expect(durationText(45_000)).toBe('45 s');
    expect(durationText(10 * 60_000)).toBe('10 min');
    expect(durationText(90 * 60_000)).toBe('1 h 30 min');
    expect(durationText(24 * 3_600_000)).toBe('24 h');
    expect(durationText(7 * 24 * 3_600_000)).toBe('7 d');
    expect(durationText(54 * 3_600_000)).toBe('2 d 6 h');
  });
  it('is empty for a negative or unknown length', () => {
    expect(durationText(-1)).toBe('');
    expect(durationText(Number.NaN)).toBe('');
  });
});

describe('rangeText', () => {
  it('writes a shared date once and adds the length', () => {
    expect(rangeText('2025-03-04T05:00:00Z', '2025-03-04T06:00:00Z')).toBe('2025-03-04 05:00:00 → 06:00:00 UTC (1 h)');
  });
  it('writes both dates when they differ', () => {
    expect(rangeText('2025-03-04T05:00:00Z', '2025-03-05T05:00:00Z')).toBe('2025-03-04 05:00:00 → 2025-03-05 05:00:00 UTC (24 h)');
  });
});

describe('scopeText', () => {
  it('names the whole cluster or the namespaces', () => {
    expect(scopeText({ kind: 'cluster' })).toBe('whole cluster');
    expect(scopeText({ kind: 'namespaces', namespaces: ['shop'] })).toBe('namespace shop');
    expect(scopeText({ kind: 'namespaces', namespaces: ['a', 'b'] })).toBe('namespaces a, b');
  });
});

describe('links and anchors', () => {
  it('addresses a bundle file, for download when asked', () => {
    expect(reportFileUrl('20250304-050607-0a1b2c3d', 'report.pdf')).toBe('/api/reports/20250304-050607-0a1b2c3d/report.pdf');
    expect(reportFileUrl('20250304-050607-0a1b2c3d', 'manifest.json', true)).toBe('/api/reports/20250304-050607-0a1b2c3d/manifest.json?download=1');
    expect(reportViewUrl('20250304-050607-0a1b2c3d')).toBe('/reports/20250304-050607-0a1b2c3d/print');
  });
  it('turns a finding key into an element id', () => {
    expect(findingAnchor('open-egress:shop/cart')).toBe('finding-open-egress-shop-cart');
  });
  it('counts findings over the severities', () => {
    expect(totalFindings({ critical: 1, high: 2, medium: 0, low: 3, info: 4 })).toBe(10);
    expect(totalFindings(null)).toBe(0);
  });
});

describe('spanText', () => {
  it('writes two times without the length', () => {
    expect(spanText('2025-03-04T05:00:00Z', '2025-03-04T05:01:30Z')).toBe('2025-03-04 05:00:00 → 05:01:30 UTC');
  });
});
