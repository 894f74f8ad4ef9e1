import type { VerdictKey } from './histogram-geometry';

/**
 * The verdict colours of the histogram: the map's edge colours (components/map/map-style.ts
 * EDGE_STYLE: allowed green-600, denied red-600, audit yellow-600) and, for ERROR, the red-900 of
 * its badge (components/VerdictBadge.tsx). Spelled out here because importing the map's module
 * would pull cytoscape into this page.
 */
export const VERDICT_COLOR: Record<VerdictKey, string> = {
  forwarded: '#16a34a',
  dropped: '#dc2626',
  audit: '#ca8a04',
  error: '#7f1d1d',
  other: '#94a3b8',
};

export const VERDICT_LABEL: Record<VerdictKey, string> = {
  forwarded: 'forwarded',
  dropped: 'dropped',
  audit: 'audit',
  error: 'error',
  other: 'other',
};
