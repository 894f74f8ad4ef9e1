import type { Verdict } from '@/lib/flows/flow-record';

const TONE: Record<string, string> = {
  FORWARDED: 'bg-green-100 text-green-800',
  DROPPED: 'bg-red-100 text-red-800',
  AUDIT: 'bg-amber-100 text-amber-800',
  ERROR: 'bg-red-200 text-red-900',
};

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return <span className={`rounded px-1.5 py-0.5 text-[10px] font-semibold ${TONE[verdict] ?? 'bg-slate-100 text-slate-700'}`}>{verdict}</span>;
}
