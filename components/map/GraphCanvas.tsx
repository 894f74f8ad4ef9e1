'use client';

import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { useEffect, useRef } from 'react';
import type { CyElement } from '@/lib/graph/cy-elements';

cytoscape.use(fcose);

export const EDGE_STYLE = {
  allowed: { color: '#16a34a', line: 'solid' },
  denied: { color: '#dc2626', line: 'dashed' },
  mixed: { color: '#ea580c', line: 'dashed' },
  audit: { color: '#ca8a04', line: 'dotted' },
} as const;

const STYLE: StylesheetJson = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 4, width: 26, height: 26, 'background-color': '#475569', color: '#0f172a', 'text-wrap': 'ellipsis', 'text-max-width': '120px' } },
  { selector: 'node.namespace', style: { shape: 'round-rectangle', 'background-color': '#e2e8f0', 'background-opacity': 0.55, 'border-color': '#94a3b8', 'border-width': 1, 'text-valign': 'top', 'text-halign': 'center', 'font-size': 12, 'font-weight': 'bold', color: '#334155', padding: '14px' } },
  { selector: 'node.kind-workload', style: { shape: 'round-rectangle', 'background-color': '#2563eb' } },
  { selector: 'node.kind-kube-dns', style: { shape: 'round-rectangle', 'background-color': '#7c3aed' } },
  { selector: 'node.kind-world', style: { shape: 'diamond', 'background-color': '#0891b2' } },
  { selector: 'node.kind-host, node.kind-remote-node', style: { shape: 'hexagon', 'background-color': '#64748b' } },
  { selector: 'node.kind-kube-apiserver', style: { shape: 'star', 'background-color': '#0f766e' } },
  { selector: 'node.kind-unknown, node.kind-ingress', style: { shape: 'ellipse', 'background-color': '#94a3b8' } },
  { selector: 'node.flagged', style: { 'border-color': '#f97316', 'border-width': 4, 'border-style': 'double' } },
  { selector: 'node.namespace.flagged', style: { 'border-color': '#f97316', 'border-width': 3, 'border-style': 'dashed', 'background-color': '#ffedd5' } },
  { selector: 'edge', style: { width: 'data(weight)', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.9, label: 'data(label)', 'font-size': 8, color: '#334155', 'text-background-color': '#ffffff', 'text-background-opacity': 0.8, 'text-background-padding': '1px' } },
  ...Object.entries(EDGE_STYLE).map(([status, s]) => ({
    selector: `edge.status-${status}`,
    style: { 'line-color': s.color, 'target-arrow-color': s.color, 'line-style': s.line, ...(status === 'allowed' ? {} : { width: 'mapData(weight, 1, 6, 2.5, 7)' }) },
  })),
  { selector: ':selected', style: { 'overlay-color': '#0ea5e9', 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
] as StylesheetJson;

declare global {
  interface Window {
    /** The live cytoscape instance, for debugging and the e2e tests' style checks. */
    __flowsightCy?: Core;
  }
}

export function GraphCanvas({ elements, selected, onSelect }: { elements: CyElement[]; selected: string | null; onSelect(id: string | null): void }) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    const cy = cytoscape({ container: container.current, style: STYLE, wheelSensitivity: 0.3, minZoom: 0.1, maxZoom: 3, boxSelectionEnabled: false });
    cy.on('tap', (ev) => {
      const target = ev.target;
      if (target === cy || target.hasClass?.('namespace')) onSelectRef.current(null);
      else onSelectRef.current(target.id());
    });
    cyRef.current = cy;
    window.__flowsightCy = cy;
    return () => {
      cy.destroy();
      cyRef.current = null;
      if (window.__flowsightCy === cy) delete window.__flowsightCy;
    };
  }, []);

  // Incremental update: keep positions, change data/classes in place, lay out only when the topology changed.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const wanted = new Map(elements.map((e) => [String(e.data.id), e]));
    let topologyChanged = false;
    const wasEmpty = cy.nodes().length === 0;
    cy.batch(() => {
      cy.elements().forEach((el) => {
        const w = wanted.get(el.id());
        if (!w || (w.group === 'nodes' && (el.data('parent') ?? undefined) !== (w.data.parent ?? undefined))) {
          el.remove();
          topologyChanged = true;
        }
      });
      const add: ElementDefinition[] = [];
      for (const [id, e] of wanted) {
        const el = cy.getElementById(id);
        if (el.nonempty()) {
          el.data(e.data);
          if (el.classes().join(' ') !== e.classes) el.classes(e.classes);
        } else {
          add.push({ group: e.group, data: e.data as ElementDefinition['data'], classes: e.classes });
        }
      }
      const nodes = add.filter((a) => a.group === 'nodes');
      if (nodes.length) topologyChanged = true;
      cy.add(nodes);
      cy.add(add.filter((a) => a.group === 'edges'));
    });
    if (topologyChanged && cy.nodes().length) {
      cy.layout({
        name: 'fcose',
        quality: cy.nodes().length > 1000 ? 'draft' : 'default',
        // Incremental after the first layout so nodes stay where people have seen them.
        randomize: wasEmpty,
        animate: false,
        nodeRepulsion: () => 30_000,
        idealEdgeLength: () => 110,
        edgeElasticity: () => 0.2,
        nestingFactor: 0.2,
        gravity: 0.3,
        gravityCompound: 1.5,
        gravityRangeCompound: 2.0,
        nodeSeparation: 120,
        tilingPaddingVertical: 40,
        tilingPaddingHorizontal: 40,
        numIter: 4000,
        packComponents: true,
        fit: true,
        padding: 30,
      } as cytoscape.LayoutOptions).run();
    }
  }, [elements]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.$(':selected').unselect();
    if (selected) cy.getElementById(selected).select();
  }, [selected, elements]);

  return <div ref={container} data-testid="graph-canvas" className="h-full w-full bg-white" />;
}
