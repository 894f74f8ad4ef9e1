/** Problems found while compiling a policy: a value naming the policy and the field, never a throw. */

import type { PolicyKind } from '../k8s/types';

export type PolicyErrorCode =
  | 'invalid-selector' // bad operator, values where none are allowed, not an object
  | 'invalid-port' // not a number / name, out of range, endPort without numeric port
  | 'invalid-cidr' // not a CIDR, or an except outside its cidr
  | 'invalid-rule' // a rule of the wrong shape
  | 'unsupported-field'; // a field Flowsight does not evaluate (the rule is kept without it, and said so)

export interface PolicyError {
  code: PolicyErrorCode;
  message: string;
  where: { kind: PolicyKind; namespace?: string; name: string; field: string };
  /** Warnings do not drop the policy; errors do (the API server would have rejected it). */
  severity: 'error' | 'warning';
}

/** Collects errors for one policy while its fields are compiled. */
export class PolicyErrorSink {
  readonly errors: PolicyError[] = [];

  private readonly policy: { kind: PolicyKind; namespace?: string; name: string };

  constructor(policy: { kind: PolicyKind; namespace?: string; name: string }) {
    // Only the identity: callers often pass the whole PolicyObject, whose manifest must not leak into errors.
    this.policy = { kind: policy.kind, ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}), name: policy.name };
  }

  error(code: PolicyErrorCode, field: string, message: string): void {
    this.errors.push({ code, message, where: { ...this.policy, field }, severity: 'error' });
  }

  warn(code: PolicyErrorCode, field: string, message: string): void {
    this.errors.push({ code, message, where: { ...this.policy, field }, severity: 'warning' });
  }

  get failed(): boolean {
    return this.errors.some((e) => e.severity === 'error');
  }
}
