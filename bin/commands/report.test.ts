import { describe, expect, it } from 'vitest';
import { UsageError } from './cluster-input';
import { reportBody } from './report';

const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('flowsight report input', () => {
  it('sends absolute bounds, so a server that takes a while to start reports the range asked for', () => {
    expect(reportBody({ since: '2h', namespace: [] }, NOW)).toEqual({ since: '2026-11-29T10:00:00.000Z', until: '2026-11-29T12:00:00.000Z' });
    expect(reportBody({ namespace: [] }, NOW).since).toBe('2026-11-28T12:00:00.000Z');
  });

  it('narrows to the namespaces named, once each and sorted', () => {
    expect(reportBody({ since: '1h', namespace: ['shop', 'legacy', 'shop'] }, NOW).namespaces).toEqual(['legacy', 'shop']);
  });

  it('refuses bad input naming the option (exit 2)', () => {
    expect(() => reportBody({ since: 'yesterday', namespace: [] }, NOW)).toThrow(UsageError);
    expect(() => reportBody({ since: 'yesterday', namespace: [] }, NOW)).toThrow(/--since/);
    expect(() => reportBody({ since: '1h', until: '2h', namespace: [] }, NOW)).toThrow(/--since: must be before until/);
    expect(() => reportBody({ namespace: ['Bad_Name'] }, NOW)).toThrow(/--namespace: must be a namespace name/);
  });
});
