'use client';

import { useEffect, useState } from 'react';

export const FLOW_FILTER_FIELDS = [
  { key: 'namespace', label: 'Namespace', placeholder: 'production' },
  { key: 'pod', label: 'Pod', placeholder: 'ns/pod-prefix' },
  { key: 'port', label: 'Port', placeholder: '5432' },
  { key: 'fqdn', label: 'FQDN', placeholder: '*.github.com' },
] as const;

export const VERDICT_CHOICES = ['', 'FORWARDED', 'DROPPED', 'AUDIT', 'ERROR'];
export const PROTOCOL_CHOICES = ['', 'tcp', 'udp', 'icmp', 'http', 'dns', 'kafka'];

/** The flows page's filters; applied as URL parameters on submit. */
export function FlowFilters({ values, onApply }: { values: Record<string, string>; onApply(v: Record<string, string>): void }) {
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);
  const set = (k: string, v: string) => setDraft((d) => ({ ...d, [k]: v }));
  return (
    <form
      className="flex flex-wrap items-end gap-2 border-b border-slate-200 bg-white px-3 py-2 text-xs"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      {FLOW_FILTER_FIELDS.map((f) => (
        <label key={f.key} className="flex flex-col">
          <span className="text-slate-500">{f.label}</span>
          <input
            name={f.key}
            data-testid={`filter-${f.key}`}
            value={draft[f.key] ?? ''}
            placeholder={f.placeholder}
            onChange={(e) => set(f.key, e.target.value)}
            className="w-36 rounded border border-slate-300 px-1.5 py-1"
          />
        </label>
      ))}
      <label className="flex flex-col">
        <span className="text-slate-500">Verdict</span>
        <select data-testid="filter-verdict" value={draft.verdict ?? ''} onChange={(e) => set('verdict', e.target.value)} className="rounded border border-slate-300 px-1.5 py-1">
          {VERDICT_CHOICES.map((v) => (
            <option key={v} value={v}>
              {v || 'any'}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col">
        <span className="text-slate-500">Protocol</span>
        <select data-testid="filter-protocol" value={draft.protocol ?? ''} onChange={(e) => set('protocol', e.target.value)} className="rounded border border-slate-300 px-1.5 py-1">
          {PROTOCOL_CHOICES.map((v) => (
            <option key={v} value={v}>
              {v || 'any'}
            </option>
          ))}
        </select>
      </label>
      <button data-testid="filter-apply" className="rounded bg-slate-800 px-3 py-1.5 text-white">
        Apply
      </button>
      <button type="button" className="rounded border border-slate-300 px-3 py-1.5" onClick={() => onApply({})}>
        Clear
      </button>
    </form>
  );
}
