import { describe, expect, it } from 'vitest';
import { captureRatio, isoWithOffset, pageSlug, screenshotFileName } from './screenshot-name';

// 2025-03-07 13:05:09.456 UTC
const AT = new Date(Date.UTC(2025, 2, 7, 13, 5, 9, 456));

describe('isoWithOffset', () => {
  it('writes the wall-clock time at the offset, with the offset', () => {
    expect(isoWithOffset(AT, 60)).toBe('2025-03-07T14:05:09+01:00');
    expect(isoWithOffset(AT, 0)).toBe('2025-03-07T13:05:09+00:00');
    expect(isoWithOffset(AT, 330)).toBe('2025-03-07T18:35:09+05:30');
  });

  it('handles offsets west of UTC and the date rolling back', () => {
    expect(isoWithOffset(new Date(Date.UTC(2025, 0, 1, 2, 0, 0)), -300)).toBe('2024-12-31T21:00:00-05:00');
    expect(isoWithOffset(AT, -150)).toBe('2025-03-07T10:35:09-02:30');
  });

  it('defaults to the local offset, so it names the same instant', () => {
    const s = isoWithOffset(AT);
    expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(new Date(s).getTime()).toBe(Math.floor(AT.getTime() / 1000) * 1000);
  });
});

describe('pageSlug', () => {
  it('names the page from its path', () => {
    expect(pageSlug('/')).toBe('overview');
    expect(pageSlug('')).toBe('overview');
    expect(pageSlug('/flows')).toBe('flows');
    expect(pageSlug('/azure/nsg/Prod Rules')).toBe('azure-nsg-prod-rules');
    expect(pageSlug('/map/')).toBe('map');
    expect(pageSlug('/%2e%2e/x')).toBe('2e-2e-x');
  });
});

describe('screenshotFileName', () => {
  it('is flowsight-<page>-<YYYYMMDD-HHmmss>.png in the given offset', () => {
    expect(screenshotFileName('/flows', AT, 60)).toBe('flowsight-flows-20250307-140509.png');
    expect(screenshotFileName('/', AT, -780)).toBe('flowsight-overview-20250307-000509.png');
  });
});

describe('captureRatio', () => {
  it('is 1 unless the screen is denser, and never over 2', () => {
    expect(captureRatio(1)).toBe(1);
    expect(captureRatio(0.8)).toBe(1);
    expect(captureRatio(undefined)).toBe(1);
    expect(captureRatio(Number.NaN)).toBe(1);
    expect(captureRatio(1.5)).toBe(1.5);
    expect(captureRatio(2)).toBe(2);
    expect(captureRatio(3)).toBe(2);
  });
});
