'use client';

import type { SourceHealth } from '@/lib/posture/posture-report';

/** Problems loading the cluster's objects (file, document, line) and compiling its policies (policy, field). */
export function SourceErrors({ source }: { source: SourceHealth }) {
  const skipped = source.skipped.total > 0 && (
    <p data-testid="skipped-kinds" className="text-xs text-slate-600">
      Skipped {source.skipped.total} document{source.skipped.total > 1 ? 's' : ''} of kinds Flowsight does not need: {source.skipped.text}.
    </p>
  );
  if (source.errorCount === 0 && source.policyErrorCount === 0) return skipped || null;
  return (
    <>
    {skipped}
    <section id="source-errors" data-testid="source-errors" className="rounded border border-red-200 bg-red-50 p-3 text-xs text-red-900">
      <h2 className="mb-1 text-sm font-semibold">Problems loading policies ({source.errorCount + source.policyErrorCount})</h2>
      <p className="mb-1 text-red-800">Everything else loaded; these objects are left out or evaluated without the named field.</p>
      <ul className="font-mono">
        {source.errors.map((e, i) => (
          <li key={`s${i}`} data-testid="source-error">
            {e.text}
          </li>
        ))}
        {source.policyErrors.map((e, i) => (
          <li key={`p${i}`} data-testid="policy-error">
            {e.where.kind} {e.where.namespace ? `${e.where.namespace}/` : ''}
            {e.where.name} {e.where.field}: {e.message} [{e.code}, {e.severity}]
          </li>
        ))}
      </ul>
      {source.errorCount > source.errors.length && <p>… and {source.errorCount - source.errors.length} more</p>}
    </section>
    </>
  );
}
