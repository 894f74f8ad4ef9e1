/**
 * parseChange / applyChange: a proposed change read the way `kubectl apply` and the API server would
 * read it. Checked against kubernetes.io "Network Policies" (networking.k8s.io/v1 NetworkPolicy: a
 * namespaced object; label selector operators In, NotIn, Exists, DoesNotExist per "Labels and
 * Selectors"), docs.cilium.io "Policy Language" (cilium.io/v2 CiliumNetworkPolicy is namespaced,
 * CiliumClusterwideNetworkPolicy is not), and the YAML 1.2 spec (unique map keys, anchors and aliases).
 * Every problem must name where it is (1-based line and column) so the editor and the CLI can point at it.
 */

import { describe, expect, it } from 'vitest';
import { cluster, np } from '../policy-engine/testing/cluster-fixture';
import { applyChange, changeRunnable, fieldPath, MAX_CHANGE_CHARS, MAX_CHANGE_DOCUMENTS, parseChange, presetManifest } from './proposed-change';

const NP_HEAD = (name: string, ns = 'production') => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${ns}
`;

const ALLOW_DNS = `${NP_HEAD('allow-dns')}spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {}
          podSelector: {matchLabels: {k8s-app: kube-dns}}
      ports: [{protocol: UDP, port: 53}]
`;

const CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api-l7
  namespace: production
spec:
  endpointSelector: {matchLabels: {app: api-server}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: frontend}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: "/api/.*"}]}}]
`;

const CCNP = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: world-egress
spec:
  endpointSelector: {}
  egress:
    - toEntities: [world]
`;

/** 1-based line of the first line of `text` containing `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
/** 1-based column of `needle` in that line. */
const columnOf = (text: string, needle: string) => text.split('\n').find((l) => l.includes(needle))!.indexOf(needle) + 1;

describe('parseChange: valid documents', () => {
  it('reads NetworkPolicy, CiliumNetworkPolicy and a cluster-wide policy, each with its document index', () => {
    const c = parseChange({ yaml: `${ALLOW_DNS}---\n${CNP}---\n${CCNP}` });
    expect(c.problems).toEqual([]);
    expect(changeRunnable(c)).toBe(true);
    expect(c.apply.map((a) => [a.policy.kind, a.policy.namespace, a.policy.name, a.document])).toEqual([
      ['NetworkPolicy', 'production', 'allow-dns', 0],
      ['CiliumNetworkPolicy', 'production', 'api-l7', 1],
      ['CiliumClusterwideNetworkPolicy', undefined, 'world-egress', 2],
    ]);
  });

  it('skips empty documents (a leading or trailing ---, comments only) like kubectl does', () => {
    const c = parseChange({ yaml: `---\n# only a comment\n---\n${ALLOW_DNS}---\n---\n` });
    expect(c.problems).toEqual([]);
    expect(c.apply.map((a) => a.policy.name)).toEqual(['allow-dns']);
    expect(parseChange({ yaml: '' })).toEqual({ apply: [], delete: [], problems: [] });
  });

  it('unwraps a kind: List into its items (kubectl get -o yaml output)', () => {
    const list = `apiVersion: v1
kind: List
items:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: one, namespace: legacy}
    spec: {podSelector: {}, policyTypes: [Ingress]}
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: two, namespace: legacy}
    spec: {podSelector: {}, policyTypes: [Egress]}
`;
    const c = parseChange({ yaml: list });
    expect(c.problems).toEqual([]);
    expect(c.apply.map((a) => a.policy.name)).toEqual(['one', 'two']);
  });

  it('names the line of the bad item of a kind: List', () => {
    const list = `apiVersion: v1
kind: List
items:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: one, namespace: legacy}
    spec: {podSelector: {}}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: two, namespace: legacy}
`;
    const c = parseChange({ yaml: list });
    expect(c.apply.map((a) => a.policy.name)).toEqual(['one']);
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toMatchObject({ severity: 'error', field: 'kind', line: lineOf(list, 'kind: ConfigMap'), column: columnOf(list, 'ConfigMap') });
    expect(c.problems[0].message).toMatch(/kind ConfigMap is not a network policy/);
  });

  it('accepts JSON (a YAML subset)', () => {
    const json = JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'j', namespace: 'a' }, spec: { podSelector: {} } });
    const c = parseChange({ yaml: json });
    expect(c.problems).toEqual([]);
    expect(c.apply[0].policy.name).toBe('j');
  });
});

describe('parseChange: problems with where they are', () => {
  it('a YAML syntax error names its line and column and nothing of that document is applied', () => {
    const text = `${ALLOW_DNS}---\n${NP_HEAD('broken')}spec:\n  podSelector: {matchLabels: {app: x}\n  policyTypes: [Ingress]\n`;
    const c = parseChange({ yaml: text });
    expect(changeRunnable(c)).toBe(false);
    const errors = c.problems.filter((p) => p.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((p) => p.document === 1)).toBe(true);
    // The error lies in the second document: its line counts from the start of the whole text.
    const first = errors[0];
    expect(first.line).toBeGreaterThanOrEqual(lineOf(text, 'podSelector: {matchLabels: {app: x}'));
    expect(first.column).toBeGreaterThanOrEqual(1);
    expect(c.apply.map((a) => a.policy.name)).toEqual(['allow-dns']);
  });

  it('duplicate keys are an error (YAML 1.2: keys of a mapping are unique)', () => {
    const text = `${NP_HEAD('dup')}spec:\n  podSelector: {}\n  podSelector: {matchLabels: {a: b}}\n`;
    const c = parseChange({ yaml: text });
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toMatchObject({ severity: 'error', document: 0 });
    expect(c.problems[0].message).toMatch(/unique/i);
    expect(c.problems[0].line).toBe(text.split('\n').lastIndexOf('  podSelector: {matchLabels: {a: b}}') + 1);
    expect(c.apply).toEqual([]);
  });

  it('a document that is not an object is refused at its start', () => {
    const c = parseChange({ yaml: `${ALLOW_DNS}---\n- a\n- b\n` });
    expect(c.problems).toEqual([expect.objectContaining({ severity: 'error', document: 1, line: lineOf(`${ALLOW_DNS}---\n- a\n`, '- a'), column: 1 })]);
    expect(c.problems[0].message).toMatch(/must be an object/);
  });

  it('a kind that is not a network policy, or no kind, points at the kind', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: b}\n';
    const c = parseChange({ yaml: pod });
    expect(c.problems).toEqual([expect.objectContaining({ field: 'kind', line: 2, column: 7 })]);
    expect(c.problems[0].message).toContain('kind Pod is not a network policy (NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy)');
    const none = parseChange({ yaml: 'apiVersion: v1\nmetadata: {name: a}\n' });
    expect(none.problems).toEqual([expect.objectContaining({ field: 'kind', message: 'the document has no kind' })]);
    // A typo in the kind is not silently skipped (a skipped policy would make the replay lie).
    expect(changeRunnable(parseChange({ yaml: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicies\nmetadata: {name: a, namespace: b}\n' }))).toBe(false);
  });

  it('the wrong apiVersion for the kind points at the apiVersion value', () => {
    const text = 'kind: NetworkPolicy\napiVersion: cilium.io/v2\nmetadata: {name: a, namespace: b}\nspec: {podSelector: {}}\n';
    const c = parseChange({ yaml: text });
    expect(c.problems).toEqual([expect.objectContaining({ severity: 'error', field: 'apiVersion', line: 2, column: 13 })]);
    expect(c.problems[0].message).toBe('apiVersion of a NetworkPolicy is networking.k8s.io/v1, not cilium.io/v2');
    const cnp = parseChange({ yaml: CNP.replace('cilium.io/v2', 'networking.k8s.io/v1') });
    expect(cnp.problems[0]).toMatchObject({ field: 'apiVersion', line: 1 });
    expect(cnp.problems[0].message).toContain('apiVersion of a CiliumNetworkPolicy is cilium.io/v2');
    expect(parseChange({ yaml: 'kind: NetworkPolicy\nmetadata: {name: a, namespace: b}\n' }).problems[0].message).toBe('apiVersion of a NetworkPolicy is networking.k8s.io/v1');
  });

  it('a namespaced policy without metadata.namespace is an error at metadata (the change does not guess one); a CCNP needs none', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: a\nspec: {podSelector: {}}\n';
    const c = parseChange({ yaml: text });
    expect(c.problems).toEqual([expect.objectContaining({ severity: 'error', field: 'metadata.namespace', line: 3, column: 1 })]);
    expect(c.apply).toEqual([]);
    const cnp = parseChange({ yaml: CNP.replace('  namespace: production\n', '') });
    expect(cnp.problems.map((p) => p.field)).toEqual(['metadata.namespace']);
    expect(parseChange({ yaml: CCNP }).problems).toEqual([]);
  });

  it('a policy without a name is an error', () => {
    const c = parseChange({ yaml: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: a\nspec: {podSelector: {}}\n' });
    expect(changeRunnable(c)).toBe(false);
    expect(c.problems[0]).toMatchObject({ field: 'metadata.name', line: 3 });
  });

  it('the same policy twice in one change is an error naming the earlier document, at the later name', () => {
    const text = `${ALLOW_DNS}---\n${ALLOW_DNS}`;
    const c = parseChange({ yaml: text });
    expect(c.apply).toHaveLength(1);
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toMatchObject({ severity: 'error', document: 1, field: 'metadata.name' });
    expect(c.problems[0].message).toBe('NetworkPolicy production/allow-dns is also in document 1: the later one would replace it');
    const secondName = text.split('\n').lastIndexOf('  name: allow-dns') + 1;
    expect(c.problems[0].line).toBe(secondName);
    expect(c.problems[0].column).toBe(9);
    // Same name in another namespace, or another kind with the same name: not a duplicate.
    expect(parseChange({ yaml: `${ALLOW_DNS}---\n${ALLOW_DNS.replace('namespace: production', 'namespace: legacy')}` }).problems).toEqual([]);
  });

  it('a field error from the policy compiler is located at its line and column (bad selector operator)', () => {
    const text = `${NP_HEAD('bad-op')}spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchExpressions:
              - key: app
                operator: Maybe
                values: [a]
`;
    const c = parseChange({ yaml: `${ALLOW_DNS}---\n${text}` });
    expect(changeRunnable(c)).toBe(false);
    expect(c.problems).toHaveLength(1);
    const p = c.problems[0];
    expect(p.field).toBe('spec.ingress[0].from[0].podSelector.matchExpressions[0].operator');
    expect(p.document).toBe(1);
    expect(p.message).toContain('NetworkPolicy production/bad-op: spec.ingress[0].from[0].podSelector.matchExpressions[0].operator');
    expect(p.message).toMatch(/In, NotIn, Exists, DoesNotExist/);
    const whole = `${ALLOW_DNS}---\n${text}`;
    expect(p.line).toBe(lineOf(whole, 'operator: Maybe'));
    expect(p.column).toBe(columnOf(whole, 'Maybe'));
    // The bad policy is not applied; the good one is.
    expect(c.apply.map((a) => a.policy.name)).toEqual(['allow-dns']);
  });

  it('a field error points at the deepest part of the path that exists (the key of a map or list)', () => {
    const text = `${NP_HEAD('bad-types')}spec:\n  podSelector: {}\n  policyTypes:\n    - Sideways\n`;
    const c = parseChange({ yaml: text });
    expect(c.problems).toEqual([expect.objectContaining({ severity: 'error', field: 'spec.policyTypes', line: lineOf(text, 'policyTypes:'), column: 3 })]);
  });

  it('an alias bomb is refused, not expanded', () => {
    const lol = (n: string, of: string) => `  ${n}: &${n} [${Array(9).fill(of).join(',')}]\n`;
    const bomb = `${NP_HEAD('bomb')}x:\n${lol('a', '"lol"')}${['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n, i) => lol(n, `*${'abcdefg'[i]}`)).join('')}spec: {podSelector: {}}\n`;
    const started = Date.now();
    const c = parseChange({ yaml: bomb });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(changeRunnable(c)).toBe(false);
    expect(c.apply).toEqual([]);
    expect(c.problems[0].message).toMatch(/alias/i);
    expect(c.problems[0]).toMatchObject({ document: 0, line: 1, column: 1 });
  });

  it('a few aliases (a shared selector) are fine', () => {
    const text = `${NP_HEAD('anchored')}spec:
  podSelector: &sel {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: *sel}]
`;
    const c = parseChange({ yaml: text });
    expect(c.problems).toEqual([]);
    expect(c.apply).toHaveLength(1);
  });

  it('an undefined alias is an error of its document (located at the document: the YAML library names no position)', () => {
    const text = `${ALLOW_DNS}---\n${NP_HEAD('u')}spec:\n  podSelector: *nope\n`;
    const c = parseChange({ yaml: text });
    expect(changeRunnable(c)).toBe(false);
    expect(c.problems).toEqual([expect.objectContaining({ severity: 'error', document: 1, line: text.split('\n').indexOf('---') + 2, column: 1 })]);
    expect(c.problems[0].message).toMatch(/nope/);
  });

  it('oversized text is refused before it is parsed', () => {
    const big = `# ${'x'.repeat(MAX_CHANGE_CHARS)}\n${ALLOW_DNS}`;
    const c = parseChange({ yaml: big });
    expect(c.apply).toEqual([]);
    expect(c.problems).toEqual([{ severity: 'error', message: `the change is ${big.length} characters; at most ${MAX_CHANGE_CHARS} are read` }]);
  });

  it('too many documents are refused', () => {
    const c = parseChange({ yaml: Array(MAX_CHANGE_DOCUMENTS + 1).fill('a: 1').join('\n---\n') });
    expect(c.apply).toEqual([]);
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0].message).toContain(`at most ${MAX_CHANGE_DOCUMENTS}`);
  });
});

describe('parseChange: presets and deletions', () => {
  it('a default-deny preset is a NetworkPolicy for the namespace, both ways unless one is named', () => {
    const c = parseChange({ presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] }, { preset: 'default-deny', namespace: 'payments', directions: ['ingress'] }] });
    expect(c.problems).toEqual([]);
    expect(c.apply.map((a) => [a.policy.kind, a.policy.namespace, a.policy.name, a.preset])).toEqual([
      ['NetworkPolicy', 'legacy', 'default-deny-all', 'default-deny ingress+egress in legacy'],
      ['NetworkPolicy', 'payments', 'default-deny-ingress', 'default-deny ingress in payments'],
    ]);
    expect((c.apply[1].policy.manifest.spec as { policyTypes: string[] }).policyTypes).toEqual(['Ingress']);
    // An empty podSelector selects every pod of the namespace (kubernetes.io, "Default policies").
    expect(presetManifest({ preset: 'default-deny', namespace: 'x', directions: [] })).toMatchObject({ spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
  });

  it('deleting a policy the change also applies is an error', () => {
    const c = parseChange({ yaml: ALLOW_DNS, delete: [{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-dns' }, { kind: 'NetworkPolicy', namespace: 'production', name: 'other' }] });
    expect(changeRunnable(c)).toBe(false);
    expect(c.problems).toEqual([{ severity: 'error', message: 'NetworkPolicy production/allow-dns is both applied and deleted by the change' }]);
    expect(c.delete).toEqual([{ kind: 'NetworkPolicy', namespace: 'production', name: 'other' }]);
    // The same for a preset's policy.
    const p = parseChange({ presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] }], delete: [{ kind: 'NetworkPolicy', namespace: 'legacy', name: 'default-deny-all' }] });
    expect(changeRunnable(p)).toBe(false);
    // Another kind with the same name is another policy.
    expect(changeRunnable(parseChange({ yaml: ALLOW_DNS, delete: [{ kind: 'CiliumNetworkPolicy', namespace: 'production', name: 'allow-dns' }] }))).toBe(true);
  });
});

describe('fieldPath', () => {
  it('splits a compiler field into keys and indexes', () => {
    expect(fieldPath('spec.ingress[0].from[12].podSelector')).toEqual(['spec', 'ingress', 0, 'from', 12, 'podSelector']);
    expect(fieldPath('specs[1].egress[0]')).toEqual(['specs', 1, 'egress', 0]);
    expect(fieldPath(undefined)).toEqual([]);
  });
});

describe('applyChange', () => {
  const base = cluster({
    pods: [{ ns: 'production', name: 'api-0', labels: { app: 'api' }, ip: '10.0.0.1' }],
    policies: [np('production', 'allow-dns', { podSelector: {}, policyTypes: ['Egress'] }), np('production', 'keep', { podSelector: {} }), np('legacy', 'old', { podSelector: {} })],
  });

  it('replaces a policy with the same kind, namespace and name, adds new ones, deletes, and names deletions that matched nothing', () => {
    const change = parseChange({
      yaml: `${ALLOW_DNS}---\n${NP_HEAD('brand-new')}spec: {podSelector: {}}\n`,
      delete: [
        { kind: 'NetworkPolicy', namespace: 'legacy', name: 'old' },
        { kind: 'NetworkPolicy', namespace: 'legacy', name: 'never-deployed' },
        { kind: 'CiliumNetworkPolicy', namespace: 'production', name: 'keep' },
      ],
    });
    expect(changeRunnable(change)).toBe(true);
    const r = applyChange(base, change);
    expect(r.replaced).toEqual([{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-dns' }]);
    expect(r.added).toEqual([{ kind: 'NetworkPolicy', namespace: 'production', name: 'brand-new' }]);
    expect(r.deleted).toEqual([{ kind: 'NetworkPolicy', namespace: 'legacy', name: 'old' }]);
    expect(r.missing).toEqual([
      { kind: 'NetworkPolicy', namespace: 'legacy', name: 'never-deployed' },
      { kind: 'CiliumNetworkPolicy', namespace: 'production', name: 'keep' },
    ]);
    const names = r.snapshot.policies.map((p) => `${p.namespace}/${p.name}`).sort();
    expect(names).toEqual(['production/allow-dns', 'production/brand-new', 'production/keep']);
    // The replacement is the change's version (it has the egress rule), not the deployed one.
    const replaced = r.snapshot.policies.find((p) => p.name === 'allow-dns')!;
    expect((replaced.manifest.spec as { egress?: unknown[] }).egress).toHaveLength(1);
    // The input snapshot is not modified.
    expect(base.policies.map((p) => p.name)).toEqual(['allow-dns', 'keep', 'old']);
    expect(r.snapshot.pods).toBe(base.pods);
  });

  it('an empty change returns the same policies', () => {
    const r = applyChange(base, parseChange({}));
    expect(r.snapshot.policies).toEqual(base.policies);
    expect([r.added, r.replaced, r.deleted, r.missing]).toEqual([[], [], [], []]);
  });
});
