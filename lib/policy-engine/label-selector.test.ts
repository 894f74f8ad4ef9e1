import { describe, expect, it } from 'vitest';
import { compileSelector } from './label-selector';
import { PolicyErrorSink } from './policy-error';

const sink = () => new PolicyErrorSink({ kind: 'NetworkPolicy', namespace: 'ns', name: 'p' });

describe('compileSelector', () => {
  const cases: [string, unknown, Record<string, string>, boolean][] = [
    ['empty selector selects everything', {}, { any: 'thing' }, true],
    ['matchLabels equal', { matchLabels: { app: 'db' } }, { app: 'db', tier: 'x' }, true],
    ['matchLabels different value', { matchLabels: { app: 'db' } }, { app: 'web' }, false],
    ['matchLabels missing key', { matchLabels: { app: 'db' } }, {}, false],
    ['matchLabels all keys must match', { matchLabels: { app: 'db', tier: 'data' } }, { app: 'db' }, false],
    ['In', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] }, { env: 'stage' }, true],
    ['In with absent key', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, {}, false],
    ['NotIn with other value', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, { env: 'dev' }, true],
    ['NotIn with absent key matches', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, {}, true],
    ['NotIn with listed value', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, { env: 'prod' }, false],
    ['Exists', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, { team: '' }, true],
    ['Exists absent', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, {}, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, { app: 'x' }, true],
    ['labels and expressions are ANDed', { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, { app: 'db', env: 'dev' }, false],
  ];
  it.each(cases)('%s', (_name, raw, labels, expected) => {
    const errors = sink();
    const sel = compileSelector(raw, 'spec.podSelector', errors);
    expect(errors.errors).toEqual([]);
    expect(sel?.matches(labels)).toBe(expected);
  });

  it('normalizes keys (Cilium source prefixes) when asked', () => {
    const sel = compileSelector({ matchLabels: { 'k8s:app': 'db' } }, 'f', sink(), (k) => k.replace(/^k8s:/, ''));
    expect(sel?.matches({ app: 'db' })).toBe(true);
    expect(sel?.keys).toEqual(['app']);
  });

  const invalid: [string, unknown, string][] = [
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, 'spec.podSelector.matchExpressions[0].operator'],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, 'spec.podSelector.matchExpressions[0].values'],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'spec.podSelector.matchExpressions[0].values'],
    ['matchLabels as a list', { matchLabels: ['a'] }, 'spec.podSelector.matchLabels'],
    ['not an object', 'app=db', 'spec.podSelector'],
  ];
  it.each(invalid)('reports %s with the field', (_name, raw, field) => {
    const errors = sink();
    expect(compileSelector(raw, 'spec.podSelector', errors)).toBeUndefined();
    expect(errors.errors).toEqual([expect.objectContaining({ code: 'invalid-selector', severity: 'error', where: { kind: 'NetworkPolicy', namespace: 'ns', name: 'p', field } })]);
  });
});
