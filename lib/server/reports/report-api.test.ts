import { describe, expect, it } from 'vitest';
import { mayRead } from './report-api';

describe('who may read an evidence report', () => {
  it('lets cluster-wide users read every report', () => {
    expect(mayRead('all', { kind: 'cluster' })).toBe(true);
    expect(mayRead('all', { kind: 'namespaces', namespaces: ['shop'] })).toBe(true);
  });

  it('gives a scoped user the reports of their namespaces only, never a cluster report', () => {
    const scope = new Set(['shop', 'payments']);
    expect(mayRead(scope, { kind: 'namespaces', namespaces: ['shop'] })).toBe(true);
    expect(mayRead(scope, { kind: 'namespaces', namespaces: ['payments', 'shop'] })).toBe(true);
    // One namespace they may not read is enough to withhold it: the report shows that namespace's findings.
    expect(mayRead(scope, { kind: 'namespaces', namespaces: ['shop', 'legacy'] })).toBe(false);
    expect(mayRead(scope, { kind: 'cluster' })).toBe(false);
    expect(mayRead(new Set(), { kind: 'namespaces', namespaces: ['shop'] })).toBe(false);
  });
});
