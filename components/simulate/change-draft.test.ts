import { describe, expect, it } from 'vitest';
import { changeRunnable, parseChange } from '@/lib/what-if/proposed-change';
import { appendDocument, draftIsEmpty, EMPTY_DRAFT, presetWords, proposedChange, withDelete, withoutDelete, withoutPreset, withPreset } from './change-draft';

const NP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: a\n  namespace: legacy\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n';

describe('the change draft', () => {
  it('sends only the parts that hold something', () => {
    expect(draftIsEmpty(EMPTY_DRAFT)).toBe(true);
    expect(draftIsEmpty({ ...EMPTY_DRAFT, yaml: '  \n' })).toBe(true);
    expect(proposedChange({ ...EMPTY_DRAFT, yaml: ' \n' })).toEqual({});
    const d = withDelete(withPreset(EMPTY_DRAFT, { preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] }), { kind: 'NetworkPolicy', namespace: 'production', name: 'x' });
    expect(proposedChange(d)).toEqual({ delete: [{ kind: 'NetworkPolicy', namespace: 'production', name: 'x' }], presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] }] });
  });

  it('keeps one preset per namespace and no duplicate deletions', () => {
    let d = withPreset(EMPTY_DRAFT, { preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] });
    d = withPreset(d, { preset: 'default-deny', namespace: 'legacy', directions: ['egress'] });
    expect(d.presets.map(presetWords)).toEqual(['default deny egress in legacy']);
    expect(withoutPreset(d, 'legacy').presets).toEqual([]);
    const id = { kind: 'NetworkPolicy' as const, namespace: 'production', name: 'x' };
    d = withDelete(withDelete(d, id), { ...id });
    expect(d.deletes).toHaveLength(1);
    expect(withoutDelete(d, id).deletes).toEqual([]);
  });

  it('appends a copied policy as its own document, and the result parses', () => {
    expect(appendDocument('', NP)).toBe(NP);
    const two = appendDocument(NP, NP.replace('name: a', 'name: b'));
    expect(two.split('\n---\n')).toHaveLength(2);
    const parsed = parseChange({ yaml: two });
    expect(changeRunnable(parsed)).toBe(true);
    expect(parsed.apply.map((a) => a.policy.name)).toEqual(['a', 'b']);
  });
});
