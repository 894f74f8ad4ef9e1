'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { POLICY_KINDS } from '@/lib/k8s/types';
import { policiesQuery } from '../api/queries';
import { SourceHealthBanner } from '../explain/SourceHealthBanner';
import { PolicyCard } from './PolicyCard';
import { SourceErrors } from './SourceErrors';
import { apiParams, PAGE_SIZE, usePoliciesView } from './use-policies-view';

export function PoliciesView() {
  const { view, set } = usePoliciesView();
  const [text, setText] = useState(view.q);
  useEffect(() => setText(view.q), [view.q]);
  // Search as you type, without a request per key stroke.
  useEffect(() => {
    if (text === view.q) return;
    const t = setTimeout(() => set({ q: text }), 250);
    return () => clearTimeout(t);
  }, [text, view.q, set]);
  const q = useQuery(policiesQuery(apiParams(view)));
  const data = q.data;

  useEffect(() => {
    if (!view.select || !data) return;
    document.querySelector(`[data-key="${CSS.escape(view.select)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [view.select, data]);

  return (
    <div className="flex h-full flex-col">
      <SourceHealthBanner source={data?.source} showErrorsLink={false} />
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2 text-sm">
        <input
          type="search"
          data-testid="policies-search"
          value={text}
          onChange={(e) => setText(e.target.value.slice(0, 200))}
          placeholder="search name, labels, ports, FQDNs…"
          className="w-72 rounded border border-slate-300 px-2 py-0.5"
        />
        <label className="flex items-center gap-1">
          namespace
          <select data-testid="policies-filter-ns" value={view.ns} onChange={(e) => set({ ns: e.target.value })} className="rounded border border-slate-300 px-1 py-0.5">
            <option value="">all</option>
            {(data?.facets.namespaces ?? (view.ns ? [view.ns] : [])).map((ns) => (
              <option key={ns} value={ns}>
                {ns}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          kind
          <select data-testid="policies-filter-kind" value={view.kind} onChange={(e) => set({ kind: e.target.value })} className="rounded border border-slate-300 px-1 py-0.5">
            <option value="">all</option>
            {POLICY_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
                {data ? ` (${data.facets.kinds[k]})` : ''}
              </option>
            ))}
          </select>
        </label>
        {data && (
          <span className="text-xs text-slate-500" data-testid="policies-datapath" title={data.datapath.reason}>
            datapath: <span className="font-mono text-slate-700">{data.datapath.datapath}</span> ({data.datapath.source})
          </span>
        )}
        <span className="ml-auto text-xs text-slate-500" data-testid="policies-count">
          {data ? `${data.total} ${data.total === 1 ? 'policy' : 'policies'}` : ''}
        </span>
      </div>
      <div className="flex-1 overflow-y-auto p-3">
        <div className="mx-auto flex max-w-6xl flex-col gap-3">
          {data && <SourceErrors source={data.source} />}
          {q.error && <p className="text-sm text-red-700">{q.error.message}</p>}
          {q.isLoading && <p className="text-sm text-slate-500">Loading policies…</p>}
          {data && data.policies.length === 0 && <p className="text-sm text-slate-500" data-testid="policies-empty">No policy matches these filters.</p>}
          {data?.policies.map((p) => (
            <PolicyCard key={p.key} entry={p} selected={p.key === view.select} onSelect={(key) => set({ select: key, offset: view.offset })} />
          ))}
          {data && data.total > PAGE_SIZE && (
            <div className="flex items-center justify-center gap-3 text-sm">
              <button type="button" disabled={view.offset === 0} onClick={() => set({ offset: Math.max(0, view.offset - PAGE_SIZE) })} className="rounded border px-2 disabled:opacity-40">
                previous
              </button>
              <span>
                {view.offset + 1}–{Math.min(data.total, view.offset + PAGE_SIZE)} of {data.total}
              </span>
              <button type="button" disabled={view.offset + PAGE_SIZE >= data.total} onClick={() => set({ offset: view.offset + PAGE_SIZE })} className="rounded border px-2 disabled:opacity-40">
                next
              </button>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
