'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { RecommendAnswer } from '@/lib/server/what-if';
import { namespaceNamesQuery } from '../api/queries';
import { RecommendResult } from './RecommendResult';
import { ReplayStatus } from './ReplayStatus';
import { FLAVOUR_CHOICES, type Flavour, type SimulateView } from './simulate-url';
import type { Replay } from './use-replay';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The question (namespace, optional workload, flavour), Run with progress and Cancel, and the answer. */
export function RecommendPanel({
  view,
  set,
  replay,
  range,
  onEdit,
}: {
  view: SimulateView;
  set(patch: Partial<SimulateView>): void;
  replay: Replay<RecommendAnswer>;
  range: { since?: string; until?: string };
  onEdit(answer: RecommendAnswer): void;
}) {
  const namespaces = useQuery(namespaceNamesQuery());
  // The workload box is typed in; the URL gets it once it is a name.
  const [workload, setWorkload] = useState(view.workload);
  useEffect(() => setWorkload(view.workload), [view.workload]);
  const workloadOk = workload === '' || NAME.test(workload);
  const { state } = replay;
  const runnable = view.namespace !== '' && workloadOk && !state.running;

  const run = () => {
    if (!runnable) return;
    replay.run({ namespace: view.namespace, ...(workload ? { workload } : {}), ...(view.flavour !== 'auto' ? { flavour: view.flavour } : {}), ...range });
  };

  return (
    <div className="flex flex-col gap-3">
      <form
        data-testid="recommend-form"
        className="flex flex-wrap items-end gap-3 text-xs"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <label className="flex flex-col gap-1">
          <span className="text-slate-600">Namespace</span>
          <select data-testid="recommend-namespace" value={view.namespace} onChange={(e) => set({ namespace: e.target.value })} className="rounded border border-slate-300 px-1.5 py-1">
            <option value="">choose…</option>
            {(namespaces.data ?? []).map((ns) => (
              <option key={ns} value={ns}>
                {ns}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-slate-600">Workload (optional)</span>
          <input
            data-testid="recommend-workload"
            value={workload}
            placeholder="every workload"
            aria-invalid={!workloadOk}
            onChange={(e) => {
              const w = e.target.value.trim();
              setWorkload(w);
              if (w === '' || NAME.test(w)) set({ workload: w });
            }}
            className={`w-48 rounded border px-1.5 py-1 ${workloadOk ? 'border-slate-300' : 'border-red-500'}`}
          />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-slate-600">Flavour</span>
          <select data-testid="recommend-flavour" value={view.flavour} onChange={(e) => set({ flavour: e.target.value as Flavour })} className="rounded border border-slate-300 px-1.5 py-1">
            {FLAVOUR_CHOICES.map((f) => (
              <option key={f} value={f}>
                {f === 'auto' ? 'auto (the cluster’s datapath)' : f === 'cilium' ? 'CiliumNetworkPolicy (FQDN rules)' : 'NetworkPolicy (addresses)'}
              </option>
            ))}
          </select>
        </label>
        <button data-testid="recommend-run" disabled={!runnable} className="rounded bg-slate-800 px-4 py-1.5 text-sm text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-50">
          Recommend
        </button>
        {!workloadOk && <span className="text-red-700">a workload name is lowercase letters, digits, - and .</span>}
        {namespaces.error && <span className="text-red-700">{namespaces.error.message}</span>}
      </form>
      <p className="text-xs text-slate-600">
        Writes default deny plus the allow rules the window&apos;s allowed traffic used (stable labels, the ports seen, DNS to kube-dns), simulates them over the same window, and compares
        them with what is deployed.
      </p>
      <ReplayStatus state={state} onCancel={replay.cancel} label="Recommending" />
      {state.result && (
        <div className={state.running ? 'opacity-50' : ''}>
          <RecommendResult answer={state.result} onEdit={() => onEdit(state.result!)} />
        </div>
      )}
    </div>
  );
}
