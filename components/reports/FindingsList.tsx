/** The findings of an evidence report, most severe first, grouped by severity; each with its evidence and fix. */

import type { EvidenceFinding, EvidenceLayer } from '@/lib/server/views/evidence-report';
import { Badge, EmptyNote, SeverityTag, Wrap } from './ReportBits';
import { findingAnchor, SEVERITIES } from './report-format';

export const LAYER_SHORT: Record<EvidenceLayer, string> = { nsg: 'NSG', 'network-policy': 'Network policy', egress: 'Egress' };

const CHECK_LABEL: Record<string, { text: string; tone: 'good' | 'warn' }> = {
  verified: { text: 'fix checked by the engine', tone: 'good' },
  narrowed: { text: 'fix narrowed by the engine', tone: 'good' },
  refused: { text: 'fix withheld by the engine', tone: 'warn' },
  pending: { text: 'fix not checked', tone: 'warn' },
};

function FindingItem({ f }: { f: EvidenceFinding }) {
  const check = f.fix.check ? (CHECK_LABEL[f.fix.check] ?? { text: `fix ${f.fix.check}`, tone: 'warn' as const }) : undefined;
  return (
    <li id={findingAnchor(f.key)} data-testid="evidence-finding" data-key={f.key} data-severity={f.severity} className="ev-avoid border-t border-slate-200 py-2 first:border-t-0">
      <div className="flex items-start gap-2">
        <SeverityTag s={f.severity} />
        <div className="min-w-0 flex-1">
          <p className="text-sm font-medium leading-snug">{f.title}</p>
          <p className="mt-0.5 flex flex-wrap items-center gap-x-3 gap-y-0.5 text-[11px] text-slate-600">
            <span className="font-mono text-slate-700" data-testid="finding-key">
              <Wrap text={f.key} />
            </span>
            <span>
              layer: <b className="font-semibold">{LAYER_SHORT[f.layer]}</b>
            </span>
            {f.namespace && (
              <span>
                namespace: <b className="font-mono font-semibold">{f.namespace}</b>
              </span>
            )}
            {f.mitigatedBy && (
              <Badge tone="good" testId="finding-mitigated">
                mitigated by {f.mitigatedBy}
              </Badge>
            )}
          </p>
          {f.objects.length > 0 && (
            <p className="mt-1 text-[11px] text-slate-600">
              objects: <span className="text-slate-800">{f.objects.join(', ')}</span>
            </p>
          )}
          {f.evidence.length > 0 && (
            <ul className="mt-1 list-disc pl-4 text-xs text-slate-800" data-testid="finding-evidence">
              {f.evidence.map((e, i) => (
                <li key={i} className="break-words">
                  {e}
                </li>
              ))}
            </ul>
          )}
          <div className="mt-1 rounded border-l-4 border-sky-300 bg-sky-50 px-2 py-1 text-xs text-slate-800" data-testid="finding-fix">
            <b className="font-semibold">Fix:</b> <span className="break-words">{f.fix.text}</span>
            {check && (
              <span className="ml-2">
                <Badge tone={check.tone}>{check.text}</Badge>
              </span>
            )}
          </div>
        </div>
      </div>
    </li>
  );
}

/** Grouped by severity (the report lists them most severe first already); `total` counts those cut at the limit too. */
export function FindingsList({ findings, total }: { findings: EvidenceFinding[]; total: number }) {
  if (findings.length === 0) return <EmptyNote testId="findings-empty">No findings in this scope: no check of the evaluated layers found a gap over the range.</EmptyNote>;
  return (
    <div data-testid="findings-list">
      {SEVERITIES.map((s) => {
        const list = findings.filter((f) => f.severity === s);
        if (list.length === 0) return null;
        return (
          <div key={s} className="mt-3" data-testid={`findings-${s}`}>
            <h3 className="ev-heading mb-1 flex items-center gap-2 text-sm font-semibold capitalize text-slate-700">
              <SeverityTag s={s} /> {s} <span className="font-normal text-slate-500">({list.length})</span>
            </h3>
            <ol className="pl-1">
              {list.map((f) => (
                <FindingItem key={f.key} f={f} />
              ))}
            </ol>
          </div>
        );
      })}
      {total > findings.length && <p className="mt-2 text-xs text-slate-600">Showing {findings.length} of {total} findings (the rest are counted in the summary; see Truncated lists).</p>}
    </div>
  );
}
