import { AUDIT_PHRASE, AUDIT_SHORT } from '@/lib/flows/audit-verdict';
import type { Verdict } from '@/lib/flows/flow-record';

const TONE: Record<string, string> = {
  FORWARDED: 'bg-green-100 text-green-800',
  DROPPED: 'bg-red-100 text-red-800',
  AUDIT: 'bg-amber-100 text-amber-800',
  ERROR: 'bg-red-200 text-red-900',
};

/**
 * A flow's verdict. AUDIT reads "audit: would be denied" (the traffic passes; the policy runs in audit mode);
 * `detail` is its tooltip when the caller knows more (the policy that would deny it).
 */
export function VerdictBadge({ verdict, detail }: { verdict: Verdict; detail?: string }) {
  const audit = verdict === 'AUDIT';
  const title = audit ? `AUDIT: ${detail ?? AUDIT_PHRASE}. The traffic passes: the policy runs in audit mode.` : detail;
  return (
    <span data-testid="verdict-badge" title={title} className={`whitespace-nowrap rounded px-1.5 py-0.5 text-[10px] font-semibold ${TONE[verdict] ?? 'bg-slate-100 text-slate-700'}`}>
      {audit ? AUDIT_SHORT : verdict}
    </span>
  );
}
