/**
 * How the map draws: node kinds, edge statuses (colour and dash, so the statuses read in print and
 * for colour-blind people too), posture flags, and the namespace islands of large clusters.
 */

import type { StylesheetJson } from 'cytoscape';
import { SEVERITY_HEX } from '../explain/severity-class';

export const EDGE_STYLE = {
  allowed: { color: '#16a34a', line: 'solid' },
  denied: { color: '#dc2626', line: 'dashed' },
  mixed: { color: '#ea580c', line: 'dashed' },
  audit: { color: '#ca8a04', line: 'dotted' },
} as const;


export const MAP_STYLE: StylesheetJson = [
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
  // Namespace islands (past the island threshold): one node per namespace, drawn the size of the
  // box it opens into, its name large enough to read when the whole cluster is on screen.
  {
    selector: 'node.namespace.island',
    style: {
      width: 'data(width)',
      height: 'data(height)',
      'text-valign': 'center',
      'font-size': 'mapData(height, 80, 1200, 28, 72)',
      'min-zoomed-font-size': 4,
      'text-max-width': 'data(width)',
      'background-opacity': 0.8,
      'border-width': 2,
    },
  },
  { selector: 'node.namespace.internet', style: { 'background-color': '#cffafe', 'border-color': '#0891b2', color: '#155e75' } },
  { selector: 'node.namespace.island.inside-denied', style: { 'border-color': '#dc2626', 'border-style': 'dashed', 'border-width': 4 } },
  // Aggregated edges between islands are not cytoscape edges: they are drawn on a layer of their own
  // (aggregate-layer.ts) with EDGE_STYLE's colours and dashes.
  { selector: ':selected', style: { 'overlay-color': '#0ea5e9', 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
] as StylesheetJson;
