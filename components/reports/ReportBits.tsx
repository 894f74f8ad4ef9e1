/**
 * Small pieces of the printed evidence report: section frame, severity tag, badges, notes. Server-renderable
 * (no hooks, no browser APIs); text sizes are at least 11px (8.25pt) so the PDF stays readable.
 */

import { Fragment, type ReactNode } from 'react';
import type { Severity } from '@/lib/posture/finding';
import { SEVERITY_CLASS } from '../explain/severity-class';
import { SEVERITIES } from './report-format';

export function SeverityTag({ s }: { s: Severity }) {
  return <span className={`ev-badge inline-block whitespace-nowrap rounded px-1.5 py-px text-[11px] font-semibold uppercase leading-4 ${SEVERITY_CLASS[s]}`}>{s}</span>;
}

/** The five severities with their counts (zeros greyed, not hidden: an auditor reads the absence too). */
export function SeverityCounts({ counts, testId }: { counts: Record<Severity, number>; testId?: string }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-x-3 gap-y-1" data-testid={testId}>
      {SEVERITIES.map((s) => (
        <span key={s} className={`inline-flex items-center gap-1 ${counts[s] ? '' : 'opacity-50'}`} data-severity={s} data-count={counts[s] ?? 0}>
          <SeverityTag s={s} />
          <b className="font-mono">{counts[s] ?? 0}</b>
        </span>
      ))}
    </span>
  );
}

export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'muted';

const TONE: Record<Tone, string> = {
  good: 'bg-green-100 text-green-800',
  warn: 'bg-amber-100 text-amber-900',
  bad: 'bg-red-100 text-red-800',
  neutral: 'bg-slate-100 text-slate-700',
  muted: 'bg-slate-50 text-slate-500',
};

export function Badge({ tone, children, testId, title }: { tone: Tone; children: ReactNode; testId?: string; title?: string }) {
  return (
    <span data-testid={testId} title={title} className={`ev-badge inline-block whitespace-nowrap rounded px-1.5 py-px text-[11px] font-semibold leading-4 ${TONE[tone]}`}>
      {children}
    </span>
  );
}

/** One numbered part of the report: an <h2> with an id (the contents link to it) and a test id. */
export function Section({ id, title, count, intro, pageBreak, children }: { id: string; title: string; count?: ReactNode; intro?: ReactNode; pageBreak?: boolean; children: ReactNode }) {
  return (
    <section aria-labelledby={id} data-testid={`section-${id}`} className={`mt-8 ${pageBreak ? 'ev-page-break' : ''}`}>
      <h2 id={id} data-testid={`heading-${id}`} className="ev-heading mb-3 scroll-mt-4 border-b-2 border-slate-800 pb-1 text-lg font-semibold text-slate-900">
        {title}
        {count !== undefined && <span className="ml-2 text-sm font-normal text-slate-500">{count}</span>}
      </h2>
      {intro && <p className="ev-heading mb-2 text-xs text-slate-600">{intro}</p>}
      {children}
    </section>
  );
}

/** Why a list is empty, said as a fact (never a blank space an auditor has to interpret). */
export function EmptyNote({ children, testId, tone = 'neutral' }: { children: ReactNode; testId?: string; tone?: 'neutral' | 'warn' }) {
  return (
    <p data-testid={testId} className={`ev-avoid rounded border px-3 py-2 text-sm ${tone === 'warn' ? 'border-amber-300 bg-amber-50 text-amber-900' : 'border-slate-200 bg-slate-50 text-slate-600'}`}>
      {children}
    </p>
  );
}

/** Table cell and header classes shared by every table of the report. */
export const TH = 'px-2 py-1 text-left align-bottom font-semibold';
export const TD = 'px-2 py-1 align-top';
export const TABLE = 'ev-table w-full table-fixed border-collapse text-left text-xs';
export const THEAD = 'border-b border-slate-300 bg-slate-100 text-[11px] uppercase text-slate-600';
export const TR = 'ev-row border-t border-slate-200';

/**
 * A long name (`kube-system/metrics-server`, `world:api.github.com`, a rule path) that may wrap after its
 * separators rather than anywhere: <wbr> marks the places, so a copied name stays as it was.
 */
export function Wrap({ text }: { text: string }) {
  const parts = text.split(/(?<=[/:.>|›,_=])/);
  if (parts.length === 1) return <span className="break-words">{text}</span>;
  return (
    <span className="break-words">
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {p}
        </Fragment>
      ))}
    </span>
  );
}
