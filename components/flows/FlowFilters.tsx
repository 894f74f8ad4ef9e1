'use client';

import { useEffect, useState } from 'react';
import { ENDPOINT_FIELDS, sideKey, type EndpointField, type Side } from '@/lib/flows/filter-explanation';

/** The fields that describe one end of a flow, as `hubble observe` names them. */
export const FLOW_FILTER_FIELDS: { key: EndpointField; label: string; placeholder: string }[] = [
  { key: 'namespace', label: 'Namespace', placeholder: 'production' },
  { key: 'pod', label: 'Pod', placeholder: 'ns/pod-prefix' },
  { key: 'label', label: 'Label', placeholder: 'k8s:app=api' },
  { key: 'ip', label: 'IP', placeholder: '10.244.0.0/16' },
  { key: 'fqdn', label: 'FQDN', placeholder: '*.github.com' },
  { key: 'port', label: 'Port', placeholder: '5432' },
];

export const VERDICT_CHOICES = ['', 'FORWARDED', 'DROPPED', 'AUDIT', 'ERROR'];
export const PROTOCOL_CHOICES = ['', 'tcp', 'udp', 'icmp', 'http', 'dns', 'kafka'];

const SIDE_ROWS: { side: Side; title: string; hint: string }[] = [
  { side: 'either', title: 'Either end', hint: 'all fields of this row must match the same end: the source, or the destination' },
  { side: 'from', title: 'From (source)', hint: 'all fields of this row must match the source' },
  { side: 'to', title: 'To (destination)', hint: 'all fields of this row must match the destination' },
];

const hasDirected = (values: Record<string, string>) =>
  ENDPOINT_FIELDS.some((f) => values[sideKey('from', f)]?.trim() || values[sideKey('to', f)]?.trim());

/**
 * The flows page's filters, applied as URL parameters on submit. One row per end, as
 * `hubble observe`: "either end" fields (`--namespace`) match the source or the destination,
 * "from" fields (`--from-namespace`) the source, "to" fields the destination. The from/to rows fold
 * away so the form stays one line at 1440 px; they open by themselves when the URL uses them.
 * Comma-separated values are alternatives (OR).
 */
export function FlowFilters({ values, onApply }: { values: Record<string, string>; onApply(v: Record<string, string>): void }) {
  const [draft, setDraft] = useState(values);
  const [sidesOpen, setSidesOpen] = useState(() => hasDirected(values));
  useEffect(() => {
    setDraft(values);
    if (hasDirected(values)) setSidesOpen(true);
  }, [values]);
  const set = (k: string, v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const directedInUse = ENDPOINT_FIELDS.filter((f) => draft[sideKey('from', f)]?.trim()).length + ENDPOINT_FIELDS.filter((f) => draft[sideKey('to', f)]?.trim()).length;
  const rows = sidesOpen ? SIDE_ROWS : SIDE_ROWS.slice(0, 1);

  return (
    <form
      data-testid="flow-filters"
      className="flex flex-col gap-1 border-b border-slate-200 bg-white px-3 py-2 text-xs"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      {rows.map(({ side, title, hint }, rowIndex) => (
        <div key={side} className="flex items-end gap-2" data-testid={`filter-row-${side}`}>
          <span title={hint} className="w-24 shrink-0 pb-1.5 font-medium text-slate-600">
            {title}
          </span>
          {FLOW_FILTER_FIELDS.map((f) => {
            const key = sideKey(side, f.key);
            const input = (
              <input
                name={key}
                data-testid={`filter-${key}`}
                aria-label={side === 'either' ? `${f.label} (either end)` : `${side} ${f.label}`}
                value={draft[key] ?? ''}
                placeholder={f.placeholder}
                onChange={(e) => set(key, e.target.value)}
                className="w-28 rounded border border-slate-300 px-1.5 py-1"
              />
            );
            return rowIndex === 0 ? (
              <label key={key} className="flex flex-col">
                <span className="text-slate-500">{f.label}</span>
                {input}
              </label>
            ) : (
              <span key={key}>{input}</span>
            );
          })}
          {rowIndex === 0 && (
            <>
              <label className="ml-2 flex flex-col">
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
              <button
                type="button"
                data-testid="filter-sides-toggle"
                aria-expanded={sidesOpen}
                onClick={() => setSidesOpen((o) => !o)}
                className="rounded border border-slate-300 px-2 py-1.5 text-slate-700"
              >
                {sidesOpen ? '▾' : '▸'} from / to{directedInUse ? ` (${directedInUse})` : ''}
              </button>
              <button data-testid="filter-apply" className="rounded bg-slate-800 px-3 py-1.5 text-white">
                Apply
              </button>
              <button type="button" data-testid="filter-clear" className="rounded border border-slate-300 px-3 py-1.5" onClick={() => onApply({})}>
                Clear
              </button>
            </>
          )}
        </div>
      ))}
    </form>
  );
}
