'use client';

import Link from 'next/link';
import { AUDIT_PHRASE, auditDenialHow, auditPolicyName, type AuditDenial } from '@/lib/flows/audit-verdict';
import { policyHref } from './WhyPanel';

/**
 * "AUDIT: would be denied when enforced by <policy> (default deny at egress)", the policies linked to the
 * policies page. `loading`: the policy engine has not answered yet (the policy may still be named).
 */
export function AuditDenialNote({ denial, loading = false, testId = 'audit-denial' }: { denial: AuditDenial; loading?: boolean; testId?: string }) {
  const how = auditDenialHow(denial);
  return (
    <p data-testid={testId} className="rounded bg-amber-50 px-1.5 py-1 text-xs text-amber-900">
      <b>AUDIT</b>: {AUDIT_PHRASE}
      {denial.policies.length > 0 && ' by '}
      {denial.policies.map((p, i) => (
        <span key={`${p.kind}/${p.namespace ?? ''}/${p.name}`}>
          {i > 0 && ', '}
          <Link prefetch={false} href={policyHref(p)} className="font-mono text-sky-700 hover:underline" data-testid="audit-policy">
            {auditPolicyName(p)}
          </Link>
        </span>
      ))}
      {how && ` (${how})`}
      {loading && denial.policies.length === 0 && <span className="text-amber-700"> · finding the policy…</span>}
      <span className="text-amber-700"> — the traffic passes while the policy runs in audit mode.</span>
    </p>
  );
}
