'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Preset } from '@/lib/what-if/proposed-change';
import { namespaceNamesQuery } from '../api/queries';

type Direction = Preset['directions'][number];

/** Adds a preset to the change: default deny for a namespace, ingress and/or egress. */
export function PresetPicker({ onAdd }: { onAdd(p: Preset): void }) {
  const namespaces = useQuery(namespaceNamesQuery());
  const [namespace, setNamespace] = useState('');
  const [directions, setDirections] = useState<Direction[]>(['ingress', 'egress']);
  const toggle = (d: Direction) => setDirections((list) => (list.includes(d) ? list.filter((x) => x !== d) : [...list, d]));
  const ready = namespace !== '' && directions.length > 0;
  return (
    <fieldset data-testid="preset-picker" className="flex flex-wrap items-center gap-2 text-xs">
      <legend className="sr-only">Preset</legend>
      <span className="font-medium text-slate-700">Default deny</span>
      <select data-testid="preset-namespace" aria-label="Namespace of the default deny" value={namespace} onChange={(e) => setNamespace(e.target.value)} className="rounded border border-slate-300 px-1.5 py-1">
        <option value="">namespace…</option>
        {(namespaces.data ?? []).map((ns) => (
          <option key={ns} value={ns}>
            {ns}
          </option>
        ))}
      </select>
      {(['ingress', 'egress'] as const).map((d) => (
        <label key={d} className="flex items-center gap-1">
          <input type="checkbox" data-testid={`preset-${d}`} checked={directions.includes(d)} onChange={() => toggle(d)} />
          {d}
        </label>
      ))}
      <button
        type="button"
        data-testid="preset-add"
        disabled={!ready}
        onClick={() => onAdd({ preset: 'default-deny', namespace, directions: (['ingress', 'egress'] as const).filter((d) => directions.includes(d)) })}
        className="rounded border border-slate-300 bg-white px-2 py-1 hover:bg-slate-100 disabled:opacity-50"
      >
        Add
      </button>
      {namespaces.error && <span className="text-red-700">{namespaces.error.message}</span>}
    </fieldset>
  );
}
