'use client';

import { useCallback, useMemo } from 'react';
import type { SimulateAnswer } from '@/lib/server/what-if';
import { changeRunnable, MAX_API_CHANGE_CHARS, parseChange, type ChangeProblem } from '@/lib/what-if/proposed-change';
import { downloadText } from '../download';
import { appendDocument, draftIsEmpty, presetWords, proposedChange, withDelete, withoutDelete, withoutPreset, withPreset, type ChangeDraft } from './change-draft';
import { ChangeProblems } from './ChangeProblems';
import { LazyYamlEditor as YamlEditor } from './LazyYamlEditor';
import { policyWords } from './edge-words';
import { PolicyPicker } from './PolicyPicker';
import { PresetPicker } from './PresetPicker';
import { ReplayStatus } from './ReplayStatus';
import { SimulationResultView } from './SimulationResultView';
import type { Replay } from './use-replay';

const PLACEHOLDER = `# NetworkPolicy / CiliumNetworkPolicy documents to add or replace, e.g.
# apiVersion: networking.k8s.io/v1
# kind: NetworkPolicy
# metadata: { name: default-deny, namespace: legacy }
# spec: { podSelector: {}, policyTypes: [Ingress, Egress] }`;

// The API's limit, not the CLI's: what is sent must fit the request body cap.
const lintYaml = (text: string): readonly ChangeProblem[] => parseChange({ yaml: text }, { maxChars: MAX_API_CHANGE_CHARS }).problems;

const chip = 'flex items-center gap-1 rounded-full border border-slate-300 bg-white px-2 py-0.5 text-xs';

/** The change (YAML, presets, deletions), Run with progress and Cancel, and the result of the last run. */
export function ChangePanel({ draft, setDraft, replay, range }: { draft: ChangeDraft; setDraft(update: (d: ChangeDraft) => ChangeDraft): void; replay: Replay<SimulateAnswer>; range: { since?: string; until?: string } }) {
  const parsed = useMemo(() => parseChange(proposedChange(draft), { maxChars: MAX_API_CHANGE_CHARS }), [draft]);
  const runnable = changeRunnable(parsed) && !draftIsEmpty(draft);
  const { state } = replay;
  const why = draftIsEmpty(draft) ? 'Write a policy, add a preset or pick a policy to delete first' : !changeRunnable(parsed) ? 'Fix the errors listed under the editor first' : undefined;
  const setYaml = useCallback((yaml: string) => setDraft((d) => (d.yaml === yaml ? d : { ...d, yaml })), [setDraft]);

  const body = { change: proposedChange(draft), ...range };
  const bodyKey = JSON.stringify(body);
  // The shown result is for the last run's change and window: once either is edited, or a later run failed, it is not this one's.
  const stale = !!state.result && (replay.lastBody !== bodyKey || !!state.error || state.cancelled);
  const run = () => {
    if (!runnable) return;
    replay.run(body);
  };

  return (
    <div className="flex flex-col gap-3">
      <section className="flex flex-col gap-2">
        <h2 className="text-sm font-semibold">Proposed change</h2>
        <YamlEditor value={draft.yaml} onChange={setYaml} lint={lintYaml} label="Proposed policy change (YAML)" placeholderText={PLACEHOLDER} testId="change-editor" />
        <ChangeProblems problems={parsed.problems} />
        <PresetPicker onAdd={(p) => setDraft((d) => withPreset(d, p))} />
        <PolicyPicker onDelete={(p) => setDraft((d) => withDelete(d, p))} onCopy={(yaml) => setDraft((d) => ({ ...d, yaml: appendDocument(d.yaml, yaml) }))} />
        {(draft.presets.length > 0 || draft.deletes.length > 0) && (
          <ul data-testid="change-parts" className="flex flex-wrap gap-2">
            {draft.presets.map((p) => (
              <li key={`preset:${p.namespace}`} data-testid="change-preset" data-namespace={p.namespace} className={chip}>
                {presetWords(p)}
                <button type="button" aria-label={`Remove ${presetWords(p)}`} onClick={() => setDraft((d) => withoutPreset(d, p.namespace))} className="text-slate-500 hover:text-red-700">
                  ×
                </button>
              </li>
            ))}
            {draft.deletes.map((p) => (
              <li key={`delete:${policyWords(p)}`} data-testid="change-delete" className={chip}>
                delete {policyWords(p)}
                <button type="button" aria-label={`Keep ${policyWords(p)}`} onClick={() => setDraft((d) => withoutDelete(d, p))} className="text-slate-500 hover:text-red-700">
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="flex items-center gap-2">
          <button type="button" data-testid="simulate-run" disabled={!runnable || state.running} title={why} onClick={run} className="rounded bg-slate-800 px-4 py-1.5 text-sm text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-50">
            Run
          </button>
          <button
            type="button"
            data-testid="download-yaml"
            disabled={!draft.yaml.trim()}
            onClick={() => downloadText('policy-change.yaml', 'application/yaml', draft.yaml)}
            className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50"
          >
            Download YAML
          </button>
          {why && !state.running && <span className="text-xs text-slate-500">{why}.</span>}
        </div>
        <ReplayStatus state={state} onCancel={replay.cancel} label="Simulating" />
      </section>
      {state.result && (
        <div data-testid="simulation-stale" data-stale={stale ? 'true' : 'false'} className={state.running || stale ? 'opacity-50' : ''}>
          {stale && !state.running && <p className="mb-2 rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900">This result is for an earlier change or window{state.error || state.cancelled ? ' (the last run did not finish)' : ''}: run again to see what this one does.</p>}
          <SimulationResultView result={state.result} problems={state.result.problems} />
        </div>
      )}
    </div>
  );
}
