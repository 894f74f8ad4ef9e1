'use client';

import { useState } from 'react';

/** Namespaces shown as chips up to this many; past it, a list to filter (a large cluster has hundreds). */
const MAX_CHIPS = 12;

function Chip({ ns, on, onToggle }: { ns: string; on: boolean; onToggle(ns: string): void }) {
  return (
    <button
      type="button"
      data-testid={`ns-chip-${ns}`}
      aria-pressed={on}
      onClick={() => onToggle(ns)}
      className={`rounded-full border px-2 py-0.5 ${on ? 'border-sky-600 bg-sky-600 text-white' : 'border-slate-300 hover:bg-slate-100'}`}
    >
      {ns}
    </button>
  );
}

/** Which namespaces the map shows: chips for a few, a filterable list for many (the chosen ones stay as chips). */
export function NamespacePicker({ namespaces, chosen, onChange }: { namespaces: string[]; chosen: string[]; onChange(ns: string[]): void }) {
  const [text, setText] = useState('');
  const selected = new Set(chosen);
  const toggle = (ns: string) => onChange(selected.has(ns) ? chosen.filter((n) => n !== ns) : [...chosen, ns]);
  const all = (
    <button type="button" onClick={() => onChange([])} className={`rounded-full border px-2 py-0.5 ${chosen.length === 0 ? 'border-sky-600 bg-sky-600 text-white' : 'border-slate-300'}`}>
      all
    </button>
  );
  if (namespaces.length <= MAX_CHIPS) {
    return (
      <>
        {all}
        {namespaces.map((ns) => (
          <Chip key={ns} ns={ns} on={selected.has(ns)} onToggle={toggle} />
        ))}
      </>
    );
  }
  const q = text.trim().toLowerCase();
  const matches = namespaces.filter((ns) => !q || ns.includes(q));
  return (
    <>
      {all}
      {chosen.map((ns) => (
        <Chip key={ns} ns={ns} on onToggle={toggle} />
      ))}
      <details data-testid="ns-picker" className="relative">
        <summary className="cursor-pointer rounded-full border border-slate-300 px-2 py-0.5 hover:bg-slate-100">{namespaces.length} namespaces…</summary>
        <div className="absolute z-30 mt-1 w-64 rounded border border-slate-200 bg-white p-2 shadow">
          <input type="search" data-testid="ns-picker-filter" aria-label="Filter namespaces" placeholder="Filter…" value={text} onChange={(e) => setText(e.target.value)} className="mb-1 w-full rounded border border-slate-300 px-2 py-0.5" />
          <ul className="max-h-64 overflow-auto">
            {matches.map((ns) => (
              <li key={ns}>
                <label className="flex items-center gap-2 px-1 py-0.5 hover:bg-slate-50">
                  <input type="checkbox" data-testid={`ns-pick-${ns}`} checked={selected.has(ns)} onChange={() => toggle(ns)} />
                  {ns}
                </label>
              </li>
            ))}
            {!matches.length && <li className="px-1 text-slate-500">No namespace matches.</li>}
          </ul>
        </div>
      </details>
    </>
  );
}
