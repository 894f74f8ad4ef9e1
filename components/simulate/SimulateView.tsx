'use client';

import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { POLICY_KINDS, type PolicyKind } from '@/lib/k8s/types';
import type { RecommendAnswer, SimulateAnswer } from '@/lib/server/what-if';
import type { PolicyId } from '@/lib/what-if/proposed-change';
import { statusQuery } from '../api/queries';
import { TimeRangePicker, type RangeChoice } from '../search/TimeRangePicker';
import { useUrlQuery } from '../use-url-query';
import { EMPTY_DRAFT, type ChangeDraft } from './change-draft';
import { ChangePanel } from './ChangePanel';
import { RecommendPanel } from './RecommendPanel';
import { readSimulateView, windowBody, writeSimulateView, type SimulateView as View } from './simulate-url';
import { useReplay } from './use-replay';

const isPolicyKind = (k: string): k is PolicyKind => (POLICY_KINDS as readonly string[]).includes(k);

/** The /simulate page: test a policy change against a window of observed traffic, or have one written from it. */
export function SimulateView() {
  const { query, update } = useUrlQuery();
  const view = useMemo(() => readSimulateView(new URLSearchParams(query)), [query]);
  const set = useCallback(
    (patch: Partial<View>) =>
      update((p) => {
        const next = writeSimulateView({ ...readSimulateView(p), ...patch });
        for (const k of [...p.keys()]) p.delete(k);
        for (const [k, v] of next) p.set(k, v);
      }),
    [update],
  );
  const [draft, setDraftState] = useState<ChangeDraft>(EMPTY_DRAFT);
  const setDraft = useCallback((f: (d: ChangeDraft) => ChangeDraft) => setDraftState(f), []);
  const simulation = useReplay<SimulateAnswer>('/api/simulate');
  const recommendation = useReplay<RecommendAnswer>('/api/recommend');
  const status = useQuery(statusQuery());
  const range = windowBody(view);
  const last = view.tab === 'change' ? simulation.state.result : recommendation.state.result?.simulation;
  const resolved = last ? { since: last.range.since, until: last.range.until } : null;

  const edit = (answer: RecommendAnswer) => {
    const deletes: PolicyId[] = answer.change.delete.flatMap((d) => (isPolicyKind(d.kind) ? [{ kind: d.kind, ...(d.namespace ? { namespace: d.namespace } : {}), name: d.name }] : []));
    setDraftState({ yaml: answer.change.yaml, presets: [], deletes });
    set({ tab: 'change' });
  };

  const tab = (id: View['tab'], label: string) => (
    <button
      type="button"
      role="tab"
      data-testid={`tab-${id}`}
      aria-selected={view.tab === id}
      onClick={() => set({ tab: id })}
      className={`rounded-t border-b-2 px-3 py-1.5 text-sm ${view.tab === id ? 'border-slate-800 font-semibold text-slate-900' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
    >
      {label}
    </button>
  );

  return (
    <div className="flex h-full flex-col gap-3 overflow-auto p-4">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="flex flex-col gap-1">
          <h1 className="text-lg font-semibold">Simulate</h1>
          <p className="max-w-3xl text-xs text-slate-600">
            Test before you enforce: a policy change is replayed against the traffic the history holds for the window, with and without it. See what would break (DNS first),
            what would go to audit and what it would newly allow, before anything reaches the cluster.
          </p>
        </div>
        <div className="flex flex-col items-end gap-1">
          <span className="text-xs text-slate-600">Traffic window</span>
          <TimeRangePicker value={{ live: false, since: view.since, until: view.until }} resolved={resolved} allowLive={false} onChange={(v: RangeChoice) => !v.live && set({ since: v.since, until: v.until })} />
        </div>
      </header>
      {status.data && status.data.history === null && (
        <p role="alert" data-testid="history-off" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          The flow history is off (FLOWSIGHT_HISTORY=off): a replay reads it, so nothing can run here.
        </p>
      )}
      <div role="tablist" className="flex gap-1 border-b border-slate-200">
        {tab('change', 'Test a change')}
        {tab('recommend', 'Recommend policies')}
      </div>
      {/* One panel at a time (their results live here, so switching keeps them). */}
      <div role="tabpanel" aria-label={view.tab === 'change' ? 'Test a change' : 'Recommend policies'}>
        {view.tab === 'change' ? (
          <ChangePanel draft={draft} setDraft={setDraft} replay={simulation} range={range} />
        ) : (
          <RecommendPanel view={view} set={set} replay={recommendation} range={range} onEdit={edit} />
        )}
      </div>
    </div>
  );
}
