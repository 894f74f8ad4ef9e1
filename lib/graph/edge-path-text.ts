/** Words for an edge's verdict over all layers, shared by the map, its side panel and its export. */

import type { EdgePath, PathLayer } from './types';

export const LAYER_NAME: Record<PathLayer, string> = { policy: 'network policy', nsg: 'Azure NSG', firewall: 'Azure Firewall' };

/** Short names drawn on a map edge next to its port when an Azure layer decided it. */
export const LAYER_SHORT: Record<PathLayer, string> = { policy: 'policy', nsg: 'NSG', firewall: 'firewall' };

/** `denied by Azure Firewall (rule)`, or the reason when no single layer decided. */
export function describeEdgePath(p: EdgePath): string {
  if (!p.decidedBy) return p.reason;
  const verb = p.status === 'audit' ? 'audited by' : p.status === 'mixed' ? 'partly denied by' : 'denied by';
  return `${verb} ${LAYER_NAME[p.decidedBy]}${p.rule ? ` (${p.rule})` : ''}`;
}
