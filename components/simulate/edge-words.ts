/** How the what-if views name edges, policies and counts (shared by the table, the DNS box and the notes). */

import type { ReplayEdge } from '@/lib/what-if/replay';

export const count = (n: number) => n.toLocaleString('en-US');

export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** `legacy/legacy-app → kube-system/coredns 53/UDP`. */
export function edgeWords(e: Pick<ReplayEdge, 'source' | 'target' | 'port' | 'protocol'>): string {
  const port = e.protocol.startsWith('ICMP') ? e.protocol : `${e.port}/${e.protocol}`;
  return `${e.source} → ${e.target} ${port}`;
}

/** `NetworkPolicy production/allow-frontend-egress` (a cluster-wide policy has no namespace). */
export function policyWords(p: { kind: string; namespace?: string; name: string }): string {
  return `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
}

/** Flows an edge carried that the change affects (every flow of an unchanged edge). */
export function changedFlows(e: ReplayEdge): number {
  return e.outcome === 'unchanged' ? e.flows.unchanged : e.flows.breaks + e.flows.audit + e.flows.opens;
}
