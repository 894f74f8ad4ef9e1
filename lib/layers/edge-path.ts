/**
 * The verdict of a map edge over every layer on its path. Cilium's observed verdict is the
 * network-policy layer (it is what the datapath enforced); a flow Cilium forwarded then meets the
 * Azure NSG of the node's subnet and, for traffic routed through it, the Azure Firewall, which
 * Hubble cannot see. So an edge Hubble reports as forwarded is still denied when the NSG or the
 * firewall on its path denies it — the map must not draw it green.
 *
 * Order along an egress path (AKS docs, "Control egress traffic using Azure Firewall"): pod ->
 * Cilium (network policy) -> node NIC / subnet NSG -> user-defined route -> Azure Firewall.
 */

import { AUDIT_PHRASE } from '../flows/audit-verdict';
import { LAYER_NAME } from '../graph/edge-path-text';
import type { EdgePath, EdgeStatus, GraphEdge, PathCellVerdict, PathLayer } from '../graph/types';
import type { LayerCell } from './three-layers';

type ObservedEdge = Pick<GraphEdge, 'status' | 'deniedBy' | 'allowedBy' | 'dropReasons'>;

/** The Azure cells of a connection (from `threeLayers`), or undefined when they were not evaluated. */
export interface AzureCells {
  nsg: Pick<LayerCell, 'verdict' | 'rule' | 'reason'>;
  firewall: Pick<LayerCell, 'verdict' | 'rule' | 'reason'>;
}

function policyRule(e: ObservedEdge): string | undefined {
  if (e.deniedBy.length) return e.deniedBy.join(', ');
  const reasons = Object.entries(e.dropReasons).sort((a, b) => b[1] - a[1]);
  return reasons.length ? `dropped: ${reasons[0][0]}` : undefined;
}

function observedCell(status: EdgeStatus): PathCellVerdict {
  return status === 'allowed' ? 'allowed' : status === 'audit' ? 'audit' : 'denied';
}

/** Combines Cilium's observed status with the evaluated Azure layers into one status and the deciding layer. */
export function edgePath(edge: ObservedEdge, azure: AzureCells | undefined): EdgePath {
  const layers: Record<PathLayer, PathCellVerdict> = {
    policy: observedCell(edge.status),
    nsg: azure?.nsg.verdict ?? 'unknown',
    firewall: azure?.firewall.verdict ?? 'unknown',
  };
  if (edge.status === 'denied') {
    // Every flow was dropped by Cilium: nothing reached the Azure layers.
    const rule = policyRule(edge);
    return { status: 'denied', decidedBy: 'policy', ...(rule ? { rule } : {}), reason: 'Cilium dropped every flow of this connection (network policy)', layers };
  }
  for (const layer of ['nsg', 'firewall'] as const) {
    const cell = azure?.[layer];
    if (cell?.verdict !== 'denied') continue;
    const passed = edge.status === 'mixed' ? 'the flows Cilium forwarded' : edge.status === 'audit' ? 'flows the policy only audits' : 'flows Cilium forwarded';
    return {
      status: 'denied',
      decidedBy: layer,
      ...(cell.rule ? { rule: cell.rule } : {}),
      reason: `${LAYER_NAME[layer]} denies ${passed}: ${cell.reason}`,
      layers,
    };
  }
  const unknown = (['nsg', 'firewall'] as const).filter((l) => layers[l] === 'unknown').map((l) => LAYER_NAME[l]);
  const caveat = unknown.length ? `; ${unknown.join(' and ')} could not be evaluated` : '';
  if (edge.status === 'mixed') {
    const rule = policyRule(edge);
    return { status: 'mixed', decidedBy: 'policy', ...(rule ? { rule } : {}), reason: `Cilium dropped some flows of this connection and forwarded others${caveat}`, layers };
  }
  if (edge.status === 'audit') {
    return { status: 'audit', decidedBy: 'policy', reason: `a network policy runs in audit mode: this connection ${AUDIT_PHRASE}${caveat}`, layers };
  }
  return { status: 'allowed', reason: unknown.length ? `allowed by network policy${caveat}` : 'allowed by every layer on the path', layers };
}
