'use client';

import { MAX_SEARCH_TEXT, type EgressFilter } from '@/lib/server/views/egress-inventory';

const VERDICT_OPTIONS = [
  ['', 'any verdict'],
  ['allowed', 'open at every layer'],
  ['audit', 'audit (gets out, would be denied)'],
  ['unknown', 'unknown'],
  ['denied', 'denied'],
] as const;

/** Namespace, combined verdict and a plain-text search over workload, destination and address. */
export function EgressFilters({ filter, namespaces, set }: { filter: EgressFilter; namespaces: string[]; set(key: 'ns' | 'verdict' | 'q', value: string): void }) {
  // A namespace from a shared link stays selectable even when it has no rows now.
  const options = filter.namespace && !namespaces.includes(filter.namespace) ? [...namespaces, filter.namespace] : namespaces;
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs">
      <label className="flex items-center gap-1">
        namespace
        <select data-testid="egress-filter-namespace" value={filter.namespace ?? ''} onChange={(e) => set('ns', e.target.value)} className="rounded border border-slate-300 px-1 py-0.5">
          <option value="">all</option>
          {options.map((ns) => (
            <option key={ns} value={ns}>
              {ns}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-1">
        verdict
        <select data-testid="egress-filter-verdict" value={filter.verdict ?? ''} onChange={(e) => set('verdict', e.target.value)} className="rounded border border-slate-300 px-1 py-0.5">
          {VERDICT_OPTIONS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <input
        data-testid="egress-search"
        type="search"
        placeholder="workload, name or address"
        maxLength={MAX_SEARCH_TEXT}
        value={filter.text ?? ''}
        onChange={(e) => set('q', e.target.value)}
        className="w-64 rounded border border-slate-300 px-2 py-0.5"
      />
    </div>
  );
}
