/**
 * Kubernetes label selectors (matchLabels + matchExpressions), compiled once into flat arrays so that
 * matching is a few property lookups. Cilium selectors use the same shape with source-prefixed keys.
 */

import type { Labels } from '../k8s/types';
import type { PolicyErrorSink } from './policy-error';

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

interface Requirement {
  key: string;
  op: Operator;
  values: ReadonlySet<string>;
}

export interface LabelSelector {
  /** The selector selects everything (`{}`). */
  readonly matchesAll: boolean;
  matches(labels: Labels): boolean;
  /** Keys it constrains (after key normalization); e.g. to see whether a Cilium selector names a namespace. */
  readonly keys: readonly string[];
  /** Value demanded for `key` by matchLabels or a single-value In, if any. */
  requiredValue(key: string): string | undefined;
}

const OPERATORS: readonly Operator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

class CompiledSelector implements LabelSelector {
  readonly matchesAll: boolean;
  readonly keys: readonly string[];

  constructor(
    private readonly equals: readonly (readonly [string, string])[],
    private readonly requirements: readonly Requirement[],
  ) {
    this.matchesAll = equals.length === 0 && requirements.length === 0;
    this.keys = [...new Set([...equals.map(([k]) => k), ...requirements.map((r) => r.key)])];
  }

  matches(labels: Labels): boolean {
    for (let i = 0; i < this.equals.length; i++) {
      const [k, v] = this.equals[i];
      if (labels[k] !== v) return false;
    }
    for (let i = 0; i < this.requirements.length; i++) {
      const r = this.requirements[i];
      const value = labels[r.key];
      switch (r.op) {
        case 'In':
          if (value === undefined || !r.values.has(value)) return false;
          break;
        case 'NotIn':
          if (value !== undefined && r.values.has(value)) return false;
          break;
        case 'Exists':
          if (value === undefined) return false;
          break;
        case 'DoesNotExist':
          if (value !== undefined) return false;
          break;
      }
    }
    return true;
  }

  requiredValue(key: string): string | undefined {
    const eq = this.equals.find(([k]) => k === key);
    if (eq) return eq[1];
    const inReq = this.requirements.find((r) => r.key === key && r.op === 'In' && r.values.size === 1);
    return inReq ? [...inReq.values][0] : undefined;
  }
}

export const MATCH_ALL: LabelSelector = new CompiledSelector([], []);

/**
 * Compiles a selector object. `normalizeKey` rewrites keys (Cilium: drop the `k8s:` source prefix).
 * Returns undefined (and reports at `field`) when the selector is invalid: the API server would reject it.
 */
export function compileSelector(
  raw: unknown,
  field: string,
  errors: PolicyErrorSink,
  normalizeKey: (key: string) => string = (k) => k,
): LabelSelector | undefined {
  if (raw === undefined || raw === null) return MATCH_ALL;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.error('invalid-selector', field, 'a label selector must be an object with matchLabels / matchExpressions');
    return undefined;
  }
  const sel = raw as { matchLabels?: unknown; matchExpressions?: unknown };
  const equals: [string, string][] = [];
  if (sel.matchLabels !== undefined && sel.matchLabels !== null) {
    if (typeof sel.matchLabels !== 'object' || Array.isArray(sel.matchLabels)) {
      errors.error('invalid-selector', `${field}.matchLabels`, 'matchLabels must be a map of key: value');
      return undefined;
    }
    for (const [k, v] of Object.entries(sel.matchLabels as Record<string, unknown>)) {
      if (typeof v === 'object' && v !== null) {
        errors.error('invalid-selector', `${field}.matchLabels.${k}`, 'label values must be strings');
        return undefined;
      }
      equals.push([normalizeKey(k), v === null || v === undefined ? '' : String(v)]);
    }
  }
  const requirements: Requirement[] = [];
  if (sel.matchExpressions !== undefined && sel.matchExpressions !== null) {
    if (!Array.isArray(sel.matchExpressions)) {
      errors.error('invalid-selector', `${field}.matchExpressions`, 'matchExpressions must be a list');
      return undefined;
    }
    for (let i = 0; i < sel.matchExpressions.length; i++) {
      const e = sel.matchExpressions[i] as { key?: unknown; operator?: unknown; values?: unknown };
      const where = `${field}.matchExpressions[${i}]`;
      if (typeof e !== 'object' || e === null || typeof e.key !== 'string' || e.key === '') {
        errors.error('invalid-selector', where, 'each expression needs a key');
        return undefined;
      }
      const op = e.operator as Operator;
      if (!OPERATORS.includes(op)) {
        errors.error('invalid-selector', `${where}.operator`, `operator must be one of ${OPERATORS.join(', ')}, not ${String(e.operator)}`);
        return undefined;
      }
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      if ((op === 'In' || op === 'NotIn') && values.length === 0) {
        errors.error('invalid-selector', `${where}.values`, `${op} needs at least one value`);
        return undefined;
      }
      if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
        errors.error('invalid-selector', `${where}.values`, `${op} takes no values`);
        return undefined;
      }
      requirements.push({ key: normalizeKey(e.key), op, values: new Set(values) });
    }
  }
  return new CompiledSelector(equals, requirements);
}
