'use client';

import { useState, type RefObject } from 'react';
import type { GraphNode } from '@/lib/graph/types';
import type { MapCanvas } from './map-canvas';

/**
 * Finds any workload or peer on the map by part of its name and brings it into view: its island
 * opens if it is in one, the view centres on it, and it is selected (its side panel opens).
 */
export function MapSearch({ canvasRef, onFound }: { canvasRef: RefObject<MapCanvas | null>; onFound(id: string): void }) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<GraphNode[]>([]);
  const [active, setActive] = useState(0);
  const [missing, setMissing] = useState(false);

  const find = (value: string) => {
    setText(value);
    setActive(0);
    setMissing(false);
    setResults(value.trim() ? (canvasRef.current?.search(value) ?? []) : []);
  };
  const choose = (n: GraphNode | undefined) => {
    if (!n) {
      setMissing(text.trim() !== '');
      return;
    }
    if (canvasRef.current?.focus(n.id)) onFound(n.id);
    else setMissing(true);
    setResults([]);
    setText(n.id);
  };

  return (
    <div className="relative w-72" role="search">
      <input
        type="search"
        role="combobox"
        data-testid="map-search"
        aria-label="Find a workload on the map"
        aria-autocomplete="list"
        aria-expanded={results.length > 0}
        aria-controls={results.length > 0 ? 'map-search-results' : undefined}
        aria-activedescendant={results[active] ? `map-search-${active}` : undefined}
        placeholder="Find a workload…"
        value={text}
        onChange={(e) => find(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter') choose(results[active]);
          else if (e.key === 'Escape') find('');
          else return;
          e.preventDefault();
        }}
        className="w-full rounded border border-slate-300 bg-white/95 px-2 py-1 text-sm shadow-sm"
      />
      {missing && (
        <p role="status" data-testid="map-search-missing" className="mt-1 rounded bg-white/95 px-2 py-1 text-xs text-slate-600 shadow-sm">
          Nothing on the map is called that (the view&apos;s filters may hide it).
        </p>
      )}
      {results.length > 0 && (
        <ul id="map-search-results" role="listbox" data-testid="map-search-results" className="absolute z-20 mt-1 max-h-80 w-full overflow-auto rounded border border-slate-200 bg-white text-sm shadow">
          {results.map((n, i) => (
            <li key={n.id} id={`map-search-${i}`} role="option" aria-selected={i === active}>
              <button
                type="button"
                data-testid="map-search-result"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(n)}
                className={`flex w-full justify-between gap-2 px-2 py-1 text-left ${i === active ? 'bg-sky-100' : 'hover:bg-slate-100'}`}
              >
                <span className="truncate">{n.label}</span>
                <span className="shrink-0 text-xs text-slate-500">{n.namespace || n.kind}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
