/**
 * One card per control layer of an evidence report. A layer that was not evaluated (no data source, or
 * out of the report's scope) says so in words and shows no counts: a blank layer must never read as a clean one.
 */

import type { LayerSummary } from '@/lib/server/views/evidence-report';
import { Badge, SeverityCounts } from './ReportBits';

const STATUS: Record<LayerSummary['status'], { word: string; card: string; tone: 'good' | 'warn' | 'neutral' }> = {
  evaluated: { word: 'evaluated', card: 'border border-slate-300 bg-white', tone: 'good' },
  'no-source': { word: 'NOT EVALUATED: no data source', card: 'border-2 border-dashed border-amber-500 bg-amber-50', tone: 'warn' },
  'out-of-scope': { word: 'NOT EVALUATED: out of scope', card: 'border-2 border-dashed border-slate-400 bg-slate-50', tone: 'neutral' },
};

function LayerCard({ l }: { l: LayerSummary }) {
  const s = STATUS[l.status];
  const evaluated = l.status === 'evaluated';
  return (
    <div className={`ev-card ev-avoid flex flex-col gap-1.5 rounded p-3 ${s.card}`} data-testid="layer-card" data-layer={l.layer} data-status={l.status}>
      <h3 className="text-sm font-semibold leading-snug">{l.title}</h3>
      <div>
        <Badge tone={s.tone} testId="layer-status">
          {s.word}
        </Badge>
      </div>
      {evaluated ? (
        <>
          <p className="break-words text-[11px] text-slate-600">source: {l.source}</p>
          <SeverityCounts counts={l.findings} testId="layer-findings" />
          <dl className="mt-1 grid grid-cols-[1fr_auto] gap-x-2 text-xs">
            {l.facts.map((f) => (
              <div key={f.label} className="contents">
                <dt className="text-slate-600">{f.label}</dt>
                <dd className="text-right font-mono font-semibold">{f.value}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : (
        <p className="text-xs font-medium text-slate-800" data-testid="layer-not-evaluated">
          Nothing is claimed about this layer: {l.source}.
        </p>
      )}
    </div>
  );
}

export function LayerCards({ layers }: { layers: LayerSummary[] }) {
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-3 print:grid-cols-3" data-testid="layer-cards">
      {layers.map((l) => (
        <LayerCard key={l.layer} l={l} />
      ))}
    </div>
  );
}
