'use client';

import type { RecommendAnswer } from '@/lib/server/what-if';
import { downloadText } from '../download';
import { LazyYamlEditor as YamlEditor } from './LazyYamlEditor';
import { DeployedDiffView } from './DeployedDiffView';
import { plural, policyWords } from './edge-words';
import { SimulationResultView } from './SimulationResultView';

/** A recommendation: its YAML (to download or edit in the simulator), notes, its simulation and the deployed diff. */
export function RecommendResult({ answer, onEdit }: { answer: RecommendAnswer; onEdit(): void }) {
  const rec = answer.recommendation;
  const scope = rec.scope.workload ? `${rec.scope.namespace}/${rec.scope.workload}` : rec.scope.namespace;
  const file = `recommended-${rec.scope.namespace}${rec.scope.workload ? `-${rec.scope.workload}` : ''}-${rec.flavour}.yaml`;
  return (
    <div data-testid="recommend-result" className="flex flex-col gap-4">
      <section className="flex flex-col gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="text-base font-semibold">
            Least-privilege policies for {scope} <span className="text-sm font-normal text-slate-600">({rec.flavour})</span>
          </h2>
          <button type="button" data-testid="recommend-edit" onClick={onEdit} className="rounded bg-slate-800 px-3 py-1 text-sm text-white hover:bg-slate-700">
            Edit in the simulator
          </button>
          <button type="button" data-testid="recommend-download" onClick={() => downloadText(file, 'application/yaml', rec.yaml)} className="rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100">
            Download YAML
          </button>
        </div>
        <p className="text-xs text-slate-600">
          Written from {plural(rec.basis.connections, 'allowed connection')} ({plural(rec.basis.flows, 'flow')}) of the window
          {rec.basis.droppedConnections > 0 ? `; ${plural(rec.basis.droppedConnections, 'connection')} dropped today left out` : ''}.
        </p>
        {answer.change.delete.length > 0 && (
          <p data-testid="recommend-replaces" className="text-xs text-slate-700">
            Put in place, it replaces the namespace&apos;s other policies: {answer.change.delete.map(policyWords).join(', ')}.
          </p>
        )}
        <YamlEditor value={rec.yaml} readOnly label={`Recommended policies for ${scope} (read-only)`} testId="recommend-yaml" heightClass="h-72" />
        {rec.notes.length > 0 && (
          <ul data-testid="recommend-notes" className="flex flex-col gap-0.5 rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900">
            {rec.notes.map((n) => (
              <li key={n}>⚠ {n}</li>
            ))}
          </ul>
        )}
      </section>
      <section className="flex flex-col gap-2">
        <h2 className="text-sm font-semibold">Its simulation over the same window</h2>
        <SimulationResultView result={answer.simulation} testId="recommend-simulation" />
      </section>
      <DeployedDiffView diff={answer.deployed} />
    </div>
  );
}
