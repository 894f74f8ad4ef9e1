'use client';

import cytoscape, { type Core, type StylesheetJson } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { useEffect, useMemo, useRef } from 'react';
import { hashStrings, withSeededRandom } from '@/lib/util/seeded-random';
import type { Outcome, SimulationResult } from '@/lib/what-if/replay';
import { OUTCOME_MAP_MAX_EDGES, OUTCOME_STYLE, outcomeMap } from './outcome-map';

cytoscape.use(fcose);

declare global {
  interface Window {
    /** The what-if map's cytoscape instance, for the e2e tests' style checks (like __flowsightCy). */
    __flowsightOutcomeCy?: Core;
  }
}

const OUTCOMES = Object.keys(OUTCOME_STYLE) as Outcome[];

const STYLE: StylesheetJson = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3, width: 20, height: 20, 'background-color': '#475569', color: '#0f172a', 'text-wrap': 'ellipsis', 'text-max-width': '120px' } },
  { selector: 'node.namespace', style: { shape: 'round-rectangle', 'background-color': '#e2e8f0', 'background-opacity': 0.55, 'border-color': '#94a3b8', 'border-width': 1, 'text-valign': 'top', 'font-size': 11, 'font-weight': 'bold', color: '#334155', padding: '10px' } },
  { selector: 'node.kind-workload', style: { shape: 'round-rectangle', 'background-color': '#2563eb' } },
  { selector: 'node.kind-kube-dns', style: { shape: 'round-rectangle', 'background-color': '#7c3aed' } },
  { selector: 'node.kind-world', style: { shape: 'diamond', 'background-color': '#0891b2' } },
  { selector: 'node.kind-host, node.kind-remote-node', style: { shape: 'hexagon', 'background-color': '#64748b' } },
  { selector: 'node.kind-kube-apiserver', style: { shape: 'star', 'background-color': '#0f766e' } },
  {
    selector: 'edge',
    style: { width: 'data(weight)', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.8, label: 'data(label)', 'font-size': 9, 'text-rotation': 'autorotate', 'text-margin-y': -6, color: '#334155', 'text-background-color': '#ffffff', 'text-background-opacity': 0.85 },
  },
  ...OUTCOMES.map((o) => ({ selector: `edge.outcome-${o}`, style: { 'line-color': OUTCOME_STYLE[o].color, 'target-arrow-color': OUTCOME_STYLE[o].color, 'line-style': OUTCOME_STYLE[o].line, ...(o === 'unchanged' ? {} : { width: 'mapData(weight, 1, 6, 2.5, 6)' }) } })),
  { selector: 'edge.dns.outcome-breaks', style: { 'font-weight': 'bold', color: '#b91c1c' } },
] as StylesheetJson;

/** The replayed edges drawn by outcome, with a legend; `data-*` attributes count what is drawn per outcome. */
export function OutcomeMap({ result }: { result: Pick<SimulationResult, 'edges' | 'touched'> }) {
  const container = useRef<HTMLDivElement>(null);
  const map = useMemo(() => outcomeMap(result), [result]);

  useEffect(() => {
    if (!map.elements.length) return;
    const cy = cytoscape({ container: container.current, style: STYLE, elements: map.elements, minZoom: 0.2, maxZoom: 2.5, boxSelectionEnabled: false, autoungrabify: false });
    const seed = hashStrings(map.elements.map((e) => String(e.data.id)));
    withSeededRandom(seed, () =>
      cy.layout({ name: 'fcose', randomize: true, animate: false, nodeRepulsion: () => 20_000, idealEdgeLength: () => 90, nodeSeparation: 90, packComponents: true, fit: true, padding: 20 } as cytoscape.LayoutOptions).run(),
    );
    window.__flowsightOutcomeCy = cy;
    const resized = new ResizeObserver(() => {
      cy.resize();
      cy.fit(undefined, 20);
    });
    resized.observe(container.current!);
    return () => {
      resized.disconnect();
      cy.destroy();
      if (window.__flowsightOutcomeCy === cy) delete window.__flowsightOutcomeCy;
    };
  }, [map]);

  const drawn = map.elements.filter((e) => e.group === 'edges').length;
  return (
    <section className="flex flex-col rounded border border-slate-200 bg-white" aria-label="Map of the replayed edges">
      {/* cytoscape makes its container position: relative, so the container fills the box and the message overlays it. */}
      <div className="relative h-80 w-full">
        <div
          ref={container}
          data-testid="outcome-map"
          data-edges={drawn}
          data-breaks={map.counts.breaks}
          data-audit={map.counts.audit}
          data-opens={map.counts.opens}
          data-unchanged={map.counts.unchanged}
          className="h-full w-full"
        />
        {drawn === 0 && <p className="absolute inset-0 p-4 text-sm text-slate-500">No edge of the window involves the workloads this change touches.</p>}
      </div>
      <div data-testid="outcome-legend" className="flex flex-wrap items-center gap-x-4 gap-y-1 border-t border-slate-200 px-3 py-1.5 text-xs">
        {OUTCOMES.map((o) => (
          <span key={o} className="flex items-center gap-2">
            <svg width="30" height="8" aria-hidden>
              <line x1="0" y1="4" x2="30" y2="4" stroke={OUTCOME_STYLE[o].color} strokeWidth={3} strokeDasharray={OUTCOME_STYLE[o].line === 'dashed' ? '6 4' : OUTCOME_STYLE[o].line === 'dotted' ? '2 3' : undefined} />
            </svg>
            {OUTCOME_STYLE[o].label} ({map.counts[o]})
          </span>
        ))}
        {map.hidden > 0 && <span className="text-slate-500">{map.hidden.toLocaleString('en-US')} edge(s) not drawn: unchanged ones away from the change, and any over {OUTCOME_MAP_MAX_EDGES}</span>}
      </div>
    </section>
  );
}
