'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { useLive, useLiveStore } from '../live/use-live';
import { EmptyExplanation } from './EmptyExplanation';
import { FlowDetail } from './FlowDetail';
import { FlowExport } from './FlowExport';
import { FlowFilters } from './FlowFilters';
import { FlowTable } from './FlowTable';

export function FlowsView() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = params.toString();
  const live = useLive(query, { flows: true });
  const store = useLiveStore();
  const [selected, setSelected] = useState<FlowRecord | null>(null);
  // A parameter given twice (a hand-written link) shows as one comma list: the same alternatives.
  const values = useMemo(() => Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.getAll(k).join(',')])), [params]);

  const apply = (v: Record<string, string>) => {
    const next = new URLSearchParams();
    for (const [k, val] of Object.entries(v)) if (val.trim()) next.set(k, val.trim());
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };

  const explanation = live.filterExplanation;
  const explainEmpty = !live.filterError && live.flows.length === 0 && explanation && explanation.combination.length > 0;

  return (
    <div className="flex h-full flex-col">
      <FlowFilters values={values} onApply={apply} />
      <div className="flex items-center gap-3 border-b border-slate-200 bg-slate-50 px-3 py-1 text-xs text-slate-600">
        <button type="button" data-testid="pause" onClick={() => store.setPaused(!live.paused)} className="rounded border border-slate-300 bg-white px-2 py-0.5">
          {live.paused ? '▶ resume' : '⏸ pause'}
        </button>
        <span data-testid="flow-count">{live.flows.length} flows</span>
        <span>live sample of matching flows (the browser keeps the newest 2,000)</span>
        {live.flowsDroppedWhilePaused > 0 && <span className="text-amber-700">{live.flowsDroppedWhilePaused} skipped while paused</span>}
        {/* The table lists newest first; the export keeps that order. */}
        <FlowExport flows={() => [...live.flows].reverse()} filter={query} />
      </div>
      {live.filterError && (
        <div role="alert" data-testid="filter-error" className="border-b border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {live.filterError}
        </div>
      )}
      {explainEmpty && <EmptyExplanation explanation={explanation} onApply={apply} />}
      <div className="flex min-h-0 flex-1">
        <FlowTable flows={live.flows} onSelect={setSelected} selected={selected?.uuid ?? null} />
        {selected && <FlowDetail flow={selected} onClose={() => setSelected(null)} />}
      </div>
    </div>
  );
}
