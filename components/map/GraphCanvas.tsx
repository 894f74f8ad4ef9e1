'use client';

import cytoscape, { type Core, type ElementDefinition, type NodeSingular, type StylesheetJson } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { useEffect, useRef } from 'react';
import type { CyElement } from '@/lib/graph/cy-elements';
import { hashStrings, withSeededRandom } from '@/lib/util/seeded-random';
import { SEVERITY_HEX } from '../explain/severity-class';
import { forgetPositions, loadPositions, savePositions } from './layout-memory';
import { wheelZoomFactor } from './wheel-zoom';

cytoscape.use(fcose);

export const EDGE_STYLE = {
  allowed: { color: '#16a34a', line: 'solid' },
  denied: { color: '#dc2626', line: 'dashed' },
  mixed: { color: '#ea580c', line: 'dashed' },
  audit: { color: '#ca8a04', line: 'dotted' },
} as const;


const STYLE: StylesheetJson = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'min-zoomed-font-size': 7, 'text-valign': 'bottom', 'text-margin-y': 4, width: 26, height: 26, 'background-color': '#475569', color: '#0f172a', 'text-wrap': 'ellipsis', 'text-max-width': '130px' } },
  {
    selector: 'node.namespace',
    style: { shape: 'round-rectangle', 'background-color': '#e2e8f0', 'background-opacity': 0.55, 'border-color': '#94a3b8', 'border-width': 1, 'text-valign': 'top', 'text-halign': 'center', 'text-wrap': 'wrap', 'text-max-width': '320px', 'line-height': 1.3, 'font-size': 12, 'font-weight': 'bold', color: '#334155', padding: '14px' },
  },
  ...Object.entries(SEVERITY_HEX).map(([sev, color]) => ({ selector: `node.namespace.flags-${sev}`, style: { color } })),
  { selector: 'node.kind-workload', style: { shape: 'round-rectangle', 'background-color': '#2563eb' } },
  { selector: 'node.kind-kube-dns', style: { shape: 'round-rectangle', 'background-color': '#7c3aed' } },
  { selector: 'node.kind-world', style: { shape: 'diamond', 'background-color': '#0891b2' } },
  { selector: 'node.kind-host, node.kind-remote-node', style: { shape: 'hexagon', 'background-color': '#64748b' } },
  { selector: 'node.kind-kube-apiserver', style: { shape: 'star', 'background-color': '#0f766e' } },
  { selector: 'node.kind-unknown, node.kind-ingress', style: { shape: 'ellipse', 'background-color': '#94a3b8' } },
  { selector: 'node.flagged', style: { 'border-color': '#f97316', 'border-width': 4, 'border-style': 'double' } },
  { selector: 'node.namespace.flagged', style: { 'border-color': '#f97316', 'border-width': 3, 'border-style': 'dashed', 'background-color': '#ffedd5' } },
  {
    selector: 'edge',
    style: {
      width: 'data(weight)',
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.9,
      label: 'data(label)',
      'font-size': 10,
      'min-zoomed-font-size': 8,
      'text-rotation': 'autorotate',
      'text-margin-y': -7,
      color: '#334155',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
    },
  },
  ...Object.entries(EDGE_STYLE).map(([status, s]) => ({
    selector: `edge.status-${status}`,
    style: { 'line-color': s.color, 'target-arrow-color': s.color, 'line-style': s.line, ...(status === 'allowed' ? {} : { width: 'mapData(weight, 1, 6, 2.5, 7)' }) },
  })),
  { selector: 'edge.decided-azure', style: { color: '#b91c1c', 'font-weight': 'bold' } },
  { selector: ':selected', style: { 'overlay-color': '#0ea5e9', 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
] as StylesheetJson;

const FIT_PADDING = 30;
/** Margin kept around the selected element when the view pans to show it. */
const SHOW_MARGIN = 40;

declare global {
  interface Window {
    /** The live cytoscape instance, for debugging and the e2e tests' style checks. */
    __flowsightCy?: Core;
  }
}

function layoutOptions(cy: Core, randomize: boolean, fixed: { nodeId: string; position: { x: number; y: number } }[]): cytoscape.LayoutOptions {
  return {
    name: 'fcose',
    quality: cy.nodes().length > 1000 ? 'draft' : 'default',
    randomize,
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
    fit: false,
    ...(fixed.length ? { fixedNodeConstraint: fixed } : {}),
  } as cytoscape.LayoutOptions;
}

/** Leaf nodes (workloads and peers): compound namespace boxes follow their children. */
const leaves = (cy: Core) => cy.nodes().filter((n) => !n.isParent() && !n.hasClass('namespace'));

/** Pans just enough that the element is on screen (with a margin); no zoom change. */
function showElement(cy: Core, id: string): void {
  const el = cy.getElementById(id);
  if (el.empty()) return;
  const box = el.renderedBoundingBox({});
  const w = cy.width();
  const h = cy.height();
  let dx = 0;
  let dy = 0;
  if (box.x2 > w - SHOW_MARGIN) dx = w - SHOW_MARGIN - box.x2;
  if (box.x1 + dx < SHOW_MARGIN) dx = SHOW_MARGIN - box.x1;
  if (box.y2 > h - SHOW_MARGIN) dy = h - SHOW_MARGIN - box.y2;
  if (box.y1 + dy < SHOW_MARGIN) dy = SHOW_MARGIN - box.y1;
  if (dx || dy) cy.panBy({ x: dx, y: dy });
}

export interface GraphCanvasProps {
  elements: CyElement[];
  selected: string | null;
  onSelect(id: string | null): void;
  /** Bumped by "re-layout": forget remembered positions and lay the graph out afresh. */
  relayoutKey?: number;
}

export function GraphCanvas({ elements, selected, onSelect, relayoutKey = 0 }: GraphCanvasProps) {
  const outer = useRef<HTMLDivElement>(null);
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  /** True until the person zooms or pans: a resize then re-fits the whole graph. */
  const fittedRef = useRef(true);

  useEffect(() => {
    const cy = cytoscape({ container: container.current, style: STYLE, minZoom: 0.1, maxZoom: 3, boxSelectionEnabled: false });
    cy.on('tap', (ev) => {
      const target = ev.target;
      onSelectRef.current(target === cy ? null : target.id());
    });
    const save = () => savePositions(leaves(cy).map((n: NodeSingular) => [n.id(), n.position()] as const));
    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    const saveSoon = () => {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(save, 400);
    };
    cy.on('dragfree', 'node', saveSoon);
    cy.on('layoutstop', saveSoon);
    cy.on('scrollzoom pinchzoom dragpan', () => (fittedRef.current = false));
    cyRef.current = cy;
    window.__flowsightCy = cy;

    // Our own wheel zoom: cytoscape's is tuned for trackpads, a mouse notch barely moves it. Capture
    // on the wrapper runs before cytoscape's listener on the container, which then never sees it.
    const wrapper = outer.current!;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      e.stopPropagation();
      const rect = container.current!.getBoundingClientRect();
      const level = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * wheelZoomFactor(e.deltaY, e.deltaMode)));
      cy.zoom({ level, renderedPosition: { x: e.clientX - rect.left, y: e.clientY - rect.top } });
      fittedRef.current = false;
    };
    wrapper.addEventListener('wheel', onWheel, { capture: true, passive: false });

    // The side panel narrows the canvas: re-fit when the person has not moved the view, and keep
    // the selected element on screen either way.
    const resized = new ResizeObserver(() => {
      cy.resize();
      if (fittedRef.current && cy.nodes().length) cy.fit(undefined, FIT_PADDING);
      if (selectedRef.current) showElement(cy, selectedRef.current);
    });
    resized.observe(container.current!);
    return () => {
      resized.disconnect();
      wrapper.removeEventListener('wheel', onWheel, { capture: true });
      clearTimeout(saveTimer);
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
    let added = 0;
    const wasEmpty = cy.nodes().length === 0;
    cy.batch(() => {
      cy.elements().forEach((el) => {
        const w = wanted.get(el.id());
        if (!w || (w.group === 'nodes' && (el.data('parent') ?? undefined) !== (w.data.parent ?? undefined))) el.remove();
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
      added = nodes.length;
      cy.add(nodes);
      // An edge whose end is not drawn (yet) would only make cytoscape warn about invalid endpoints.
      cy.add(add.filter((a) => a.group === 'edges' && cy.getElementById(String(a.data.source)).nonempty() && cy.getElementById(String(a.data.target)).nonempty()));
    });
    if (!added || !cy.nodes().length) return;
    layOut(cy, wasEmpty);
    if (wasEmpty || fittedRef.current) cy.fit(undefined, FIT_PADDING);
    if (selectedRef.current) showElement(cy, selectedRef.current);
  }, [elements]);

  // "Re-layout": the remembered picture is dropped and the graph is laid out from its seed again.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || relayoutKey === 0 || !cy.nodes().length) return;
    forgetPositions();
    // From the state a first load starts in, so the result is that picture.
    const count = leaves(cy).length;
    leaves(cy).positions((n: NodeSingular) => startPosition(n.id(), count));
    runLayout(cy, true, []);
    fittedRef.current = true;
    cy.fit(undefined, FIT_PADDING);
  }, [relayoutKey]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.$(':selected').unselect();
    if (selected) {
      cy.getElementById(selected).select();
      showElement(cy, selected);
    }
  }, [selected, elements]);

  return (
    <div ref={outer} className="h-full w-full">
      <div ref={container} data-testid="graph-canvas" className="h-full w-full bg-white" />
    </div>
  );
}

/**
 * Places the nodes: remembered positions first (the picture people saw before a reload), then a
 * seeded layout for the rest, with the placed nodes held still. The seed is the graph's ids, so
 * the same graph always gives the same picture.
 */
function layOut(cy: Core, firstTime: boolean): void {
  const remembered = firstTime ? loadPositions() : new Map<string, { x: number; y: number }>();
  const placed: { nodeId: string; position: { x: number; y: number } }[] = [];
  let unplaced = 0;
  const count = leaves(cy).length;
  leaves(cy).forEach((n: NodeSingular) => {
    const saved = remembered.get(n.id());
    if (firstTime && saved) n.position(saved);
    if (firstTime ? saved : n.data('placed')) {
      placed.push({ nodeId: n.id(), position: { ...n.position() } });
      return;
    }
    unplaced++;
    // New nodes start next to a placed neighbour (or at their own seeded spot), never all at the
    // origin: nodes on top of each other give edges no length, which cytoscape warns about.
    const neighbour = n.neighborhood('node').filter((m: NodeSingular) => !!m.data('placed') && !m.isParent()).first() as unknown as NodeSingular;
    const own = startPosition(n.id(), count);
    n.position(neighbour.nonempty() ? { x: neighbour.position('x') + (own.x % 60) + 30, y: neighbour.position('y') + (own.y % 60) + 30 } : own);
  });
  if (unplaced === 0) {
    leaves(cy).forEach((n: NodeSingular) => void n.data('placed', true));
    return;
  }
  // Nothing placed yet: a full (spectral + force) layout; otherwise new nodes settle around the fixed ones.
  runLayout(cy, placed.length === 0, placed);
}

/** A node's own starting point: spread over an area that grows with the graph, the same on every load. */
function startPosition(id: string, count: number): { x: number; y: number } {
  const side = 120 * Math.ceil(Math.sqrt(Math.max(1, count)));
  const h = hashStrings([id]);
  return { x: (h % 10007) / 10007 * side, y: ((h >>> 8) % 10009) / 10009 * side };
}

function runLayout(cy: Core, randomize: boolean, fixed: { nodeId: string; position: { x: number; y: number } }[]): void {
  const seed = hashStrings(cy.elements().map((e) => e.id()).sort());
  try {
    withSeededRandom(seed, () => cy.layout(layoutOptions(cy, randomize, fixed)).run());
  } catch {
    // A constraint fcose cannot satisfy (e.g. fixed nodes in a changed compound): lay out without it.
    withSeededRandom(seed, () => cy.layout(layoutOptions(cy, randomize, [])).run());
  }
  leaves(cy).forEach((n: NodeSingular) => void n.data('placed', true));
}
