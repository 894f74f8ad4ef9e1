import type { NodeSingular } from 'cytoscape';
import type { Box } from '@/lib/graph/island-layout';

/**
 * A node's box without its label, as centre and size in model coordinates: what placement keeps
 * clear (a selected node's overlay included) and where an aggregated edge ends (`overlays: false`,
 * so a selection does not move the line's ends).
 */
export function labelFreeBox(n: NodeSingular, opts: { overlays?: boolean } = {}): Box {
  const bb = n.boundingBox({ includeLabels: false, includeOverlays: opts.overlays ?? true });
  return { x: (bb.x1 + bb.x2) / 2, y: (bb.y1 + bb.y2) / 2, width: bb.w, height: bb.h };
}
