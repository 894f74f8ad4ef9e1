'use client';

/**
 * Finding badges drawn on the map at each namespace box (unprotected, no default deny, DNS missing,
 * open egress). Follows the live cytoscape instance: repositioned on pan, zoom, layout and graph changes.
 */

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { Core } from 'cytoscape';
import { NAMESPACE_PREFIX } from '@/lib/graph/cy-elements';
import type { NamespaceBadge } from '@/lib/policy/posture-overlay';
import { SEVERITY_CLASS } from '../explain/severity-class';

interface Placed {
  ns: string;
  x: number;
  y: number;
}

/** Where each namespace box is on screen (top-left corner), for the namespaces that have badges. */
function placements(cy: Core, namespaces: string[]): Placed[] {
  const out: Placed[] = [];
  for (const ns of namespaces) {
    const node = cy.getElementById(`${NAMESPACE_PREFIX}${ns}`);
    if (node.empty()) continue;
    const box = node.renderedBoundingBox({ includeLabels: false });
    // Above the namespace's name, which cytoscape draws over the box's top edge (12px font, scaled).
    out.push({ ns, x: box.x1, y: box.y1 - 20 * cy.zoom() - 2 });
  }
  return out;
}

export function NamespaceBadges({ badges }: { badges: Record<string, NamespaceBadge[]> }) {
  const [placed, setPlaced] = useState<Placed[]>([]);
  const namespaces = Object.keys(badges).join(',');

  useEffect(() => {
    const list = namespaces ? namespaces.split(',') : [];
    let cy: Core | undefined;
    let frame = 0;
    const update = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => cy && setPlaced(placements(cy, list)));
    };
    // The canvas creates its cytoscape instance in its own effect: wait for it.
    const attach = () => {
      const current = window.__flowsightCy;
      if (current === cy) return;
      cy?.off('render', update);
      cy = current;
      cy?.on('render', update);
      update();
    };
    attach();
    const timer = setInterval(attach, 500);
    return () => {
      clearInterval(timer);
      cancelAnimationFrame(frame);
      cy?.off('render', update);
    };
  }, [namespaces]);

  return (
    <div className="pointer-events-none absolute inset-0 z-10 overflow-hidden" data-testid="namespace-badges">
      {placed.map(({ ns, x, y }) => (
        <div key={ns} data-testid={`ns-badges-${ns}`} className="pointer-events-auto absolute flex -translate-y-full gap-1 pb-0.5" style={{ left: Math.max(0, x), top: Math.max(18, y) }}>
          {(badges[ns] ?? []).map((b) => (
            <Link
              key={b.kind}
              href={`/#posture-${ns}`}
              data-testid={`ns-badge-${ns}-${b.kind}`}
              title={`${b.findingKeys.length} finding${b.findingKeys.length === 1 ? '' : 's'}: ${b.findingKeys.join(', ')}`}
              className={`whitespace-nowrap rounded px-1.5 py-px text-[10px] font-semibold shadow-sm ${SEVERITY_CLASS[b.severity]}`}
            >
              {b.label}
            </Link>
          ))}
        </div>
      ))}
    </div>
  );
}
