'use client';

import Link from 'next/link';
import { AUDIT_PHRASE } from '@/lib/flows/audit-verdict';
import type { ExplainedDirection, ExplainedRule, Explanation } from '@/lib/server/views/explain-connection';
import type { PolicyRef } from '@/lib/policy-engine/compiled-policy';

/** Link to one policy on the policies page (its card is found by namespace and name). */
export function policyHref(p: Pick<PolicyRef, 'namespace' | 'name'> & { kind: string }): string {
  const q = new URLSearchParams({ ...(p.namespace ? { ns: p.namespace } : {}), q: p.name, select: `${p.kind}/${p.namespace ?? ''}/${p.name}` });
  return `/policies?${q}`;
}

function PolicyLink({ p, children }: { p: PolicyRef; children?: React.ReactNode }) {
  return (
    <Link prefetch={false} href={policyHref(p)} className="font-mono text-sky-700 hover:underline" data-testid="why-policy">
      {children ?? `${p.namespace ? `${p.namespace}/` : ''}${p.name}`}
    </Link>
  );
}

function Rule({ r }: { r: ExplainedRule }) {
  return (
    <li className="mt-1">
      <span className={r.action === 'deny' ? 'text-red-700' : 'text-green-700'}>{r.action}</span> <PolicyLink p={r} /> <span className="text-slate-500">({r.kind})</span>{' '}
      <span className="font-mono">
        {r.spec !== undefined ? `specs[${r.spec}].` : ''}
        {r.section}[{r.rule}]{r.l7Rule !== undefined ? ` · L7 rule ${r.l7Rule}` : ''}
      </span>
      {r.yaml && (
        <details className="mt-0.5">
          <summary className="cursor-pointer text-slate-500">rule as written</summary>
          <pre className="overflow-x-auto rounded bg-slate-900 p-1.5 text-[10px] text-slate-100">{r.yaml}</pre>
        </details>
      )}
    </li>
  );
}

function Side({ d }: { d: ExplainedDirection }) {
  const state = d.allowed ? (d.audit ? 'audit' : 'allowed') : d.audit ? `audit: ${AUDIT_PHRASE}` : 'denied';
  return (
    <div data-testid={`why-${d.direction}`} className="rounded border border-slate-200 p-2">
      <div className="flex items-baseline justify-between gap-2">
        <h4 className="font-semibold">
          {d.direction === 'egress' ? 'Egress of' : 'Ingress of'} <span className="font-mono">{d.subject}</span>
        </h4>
        <span data-testid={`why-${d.direction}-state`} className={d.allowed ? 'text-green-700' : d.audit ? 'text-amber-700' : 'text-red-700'}>
          {state}
        </span>
      </div>
      <p className="mt-1 text-slate-700" data-testid={`why-${d.direction}-text`}>{d.text}</p>
      {d.rules.length > 0 && <ul>{d.rules.map((r) => <Rule key={`${r.kind}/${r.namespace}/${r.name}/${r.section}/${r.rule}/${r.spec ?? ''}`} r={r} />)}</ul>}
      {d.unmatchedRules.length > 0 && (
        <details className="mt-1" data-testid={`why-${d.direction}-unmatched`}>
          <summary className="cursor-pointer text-slate-600">
            {d.unmatchedRules.length} allow rule{d.unmatchedRules.length === 1 ? '' : 's'} apply to {d.subject} here; none matches this connection
          </summary>
          <ul>{d.unmatchedRules.map((r) => <Rule key={`${r.kind}/${r.namespace}/${r.name}/${r.section}/${r.rule}/${r.spec ?? ''}`} r={r} />)}</ul>
        </details>
      )}
      {d.isolatedBy.length > 0 && (d.reason === 'default-deny' || d.reason === 'host-always-allowed') && (
        <p className="mt-1 text-slate-600" data-testid={`why-${d.direction}-isolated-by`}>
          isolated for {d.direction} by{' '}
          {d.isolatedBy.map((p, i) => (
            <span key={`${p.kind}/${p.namespace}/${p.name}`}>
              {i > 0 && ', '}
              <PolicyLink p={p} />
            </span>
          ))}
        </p>
      )}
    </div>
  );
}

/** "Why allowed / why denied": the engine's verdict, each side's deciding rule, and how it compares with Cilium. */
export function WhyPanel({ explanation: e, title = 'Why (policy engine)' }: { explanation: Explanation; title?: string }) {
  const verdictClass = e.verdict === 'FORWARDED' ? 'text-green-700' : e.verdict === 'AUDIT' ? 'text-amber-700' : 'text-red-700';
  return (
    <section data-testid="why-panel" className="flex flex-col gap-1.5 text-xs">
      <h3 className="font-semibold text-slate-700">
        {title}: <span className={verdictClass} data-testid="why-verdict">{e.verdict === 'FORWARDED' ? 'allowed' : e.verdict === 'AUDIT' ? `audit: ${AUDIT_PHRASE}` : 'denied'}</span>
      </h3>
      <p data-testid="why-summary">{e.summary}</p>
      {e.observed && !e.observed.agrees && (
        <p className="rounded bg-amber-50 p-1.5 text-amber-800" data-testid="why-disagrees">
          Cilium reported {e.observed.verdict}; the policies give {e.verdict}.
        </p>
      )}
      <Side d={e.egress} />
      <Side d={e.ingress} />
      {e.notes.length > 0 && (
        <ul className="list-disc pl-4 text-slate-500">
          {e.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <p className="text-[10px] text-slate-400">
        evaluated: <span className="font-mono">{e.connection.from} → {e.connection.to} {e.connection.protocol === 'ICMP' ? 'ICMP' : `${e.connection.port}/${e.connection.protocol}`}</span>
      </p>
    </section>
  );
}

/** Loading and error states shared by the edge and flow panels. */
export function WhyState({ isLoading, error }: { isLoading: boolean; error: Error | null }) {
  if (isLoading) return <p className="text-xs text-slate-500">evaluating policies…</p>;
  if (error) return <p className="text-xs text-slate-500" data-testid="why-error">Why: {error.message}</p>;
  return null;
}
