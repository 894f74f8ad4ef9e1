/**
 * Glue between the runtime's services (hub, posture, Azure, edge flows) and the pure
 * Azure/three-layer functions: turns graph edges and their flows into the observations those
 * functions take.
 */

import { emptySnapshot } from '../azure/types';
import type { FlowRecord } from '../flows/flow-record';
import { fqdnOfWorldNode } from '../graph/graph-ids';
import type { ClusterSnapshot } from '../k8s/types';
import type { GraphEdge } from '../graph/types';
import { azureOverview, type AzurePageData } from './views/azure-overview';
import { clusterFindingsOptions } from '../posture/azure-findings';
import type { PolicyEngine } from '../policy-engine/engine';
import type { WorldObservation } from '../azure-rules/firewall-hits';
import { threeLayers, type ObservedFlow, type ThreeLayers } from '../layers/three-layers';
import { builtFlowOfEdge, observedFlowOf, podByWorkload } from '../layers/edge-flow';

export { builtFlowOfEdge, observedFlowOf, podByWorkload };
import type { EdgeFlows } from './edge-flows';
import type { Hub } from './hub';
import { runtime, type Runtime } from './runtime';

/** World edges evaluated for hit counts at most (the graph caps edges too; this bounds one request). */
const MAX_WORLD_EDGES = 2000;

export interface ClusterContext {
  cluster?: ClusterSnapshot;
  engine?: PolicyEngine;
}

/** The cluster snapshot and policy engine, or nothing when the cluster source cannot start. */
export async function clusterContext(rt: Runtime = runtime()): Promise<ClusterContext> {
  try {
    const { source, posture } = await rt.posture();
    return { cluster: source.snapshot(), engine: posture.engine() };
  } catch {
    // The Azure layers still answer without the cluster; the policy cell then says "unknown".
    return {};
  }
}

/**
 * A representative flow of a graph edge: the newest flow seen on it, or else one built from the
 * edge itself (a pod of the source workload, the world node's DNS name).
 */
export function flowOfEdge(hub: Pick<Hub, 'graph'>, edgeFlows: Pick<EdgeFlows, 'latest'>, edgeId: string, cluster: ClusterSnapshot | undefined): ObservedFlow | undefined {
  const recent = edgeFlows.latest(edgeId);
  if (recent) return observedFlowOf(recent);
  const edge = hub.graph.edge(edgeId);
  return edge ? builtFlowOfEdge(edge, podByWorkload(cluster)) : undefined;
}

/** Three layers of one observed flow, with whatever cluster and Azure data is loaded. */
export async function layersOf(flow: ObservedFlow, ctx?: ClusterContext, rt: Runtime = runtime()): Promise<ThreeLayers> {
  const { cluster, engine } = ctx ?? (await clusterContext(rt));
  const azure = await rt.clusterAzure();
  return threeLayers(flow, { cluster, engine, ...(azure ? { azure } : {}) });
}

/**
 * Internet-bound edges of the live graph as firewall observations (client node IP, DNS name, and
 * the server address of the edge's newest flow).
 */
export function worldObservations(hub: Pick<Hub, 'graph'>, edgeFlows: Pick<EdgeFlows, 'addresses'>, cluster: ClusterSnapshot | undefined): WorldObservation[] {
  const nodeIp = new Map(cluster?.nodes.map((n) => [n.name, n.ips[0]]) ?? []);
  const pods = podByWorkload(cluster);
  const out: WorldObservation[] = [];
  for (const e of hub.graph.snapshot().edges) {
    const fqdn = fqdnOfWorldNode(e.target);
    if (!fqdn) continue;
    if (out.length >= MAX_WORLD_EDGES) break;
    // Flows the cluster dropped never reached the firewall: count only those that left the pod.
    const passed = e.total - e.counts.dropped - e.counts.error;
    if (passed <= 0) continue;
    const pod = pods.get(e.source);
    const ip = edgeFlows.addresses(e.id)[0];
    const node = pod?.node ? nodeIp.get(pod.node) : undefined;
    out.push({
      workload: e.source,
      fqdn,
      destinationPort: e.port,
      protocol: e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6' ? 'ICMP' : e.protocol,
      flows: passed,
      ...(node ? { sourceNodeIp: node } : {}),
      ...(ip ? { destinationIp: ip } : {}),
    });
  }
  return out;
}

export const NO_AZURE_SOURCE = 'no Azure source is configured for this cluster: set FLOWSIGHT_AZURE_DIR (az exports) or FLOWSIGHT_AZURE_SUBSCRIPTION (live ARM)';

/** Everything the /azure page shows, from the current Azure snapshot, cluster and live graph. */
export async function azurePageData(rt: Runtime = runtime()): Promise<AzurePageData> {
  const azure = await rt.azure();
  // The demo's Azure model (no Azure settings) is not shown as a real cluster's network.
  const snapshot = rt.azureDescribesCluster(azure) ? azure.snapshot() : emptySnapshot(azure.source.kind, NO_AZURE_SOURCE);
  const { cluster } = await clusterContext(rt);
  const hub = await rt.hub();
  const overview = azureOverview(snapshot, worldObservations(hub, rt.edgeFlows, cluster), clusterFindingsOptions(snapshot, cluster));
  return { ...overview, loadedAt: azure.loadedAt() };
}
