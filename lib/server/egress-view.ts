/**
 * Glue for the egress inventory (/egress, /api/egress): reads the live graph and the flows still in
 * memory from the hub, binds the three-layer evaluation to the loaded cluster and Azure snapshots,
 * and hands both to the pure `egressInventory`.
 */

import { hasAzureNetwork, type AzureSnapshot } from '../azure/types';

export { hasAzureNetwork };
import type { FlowRecord } from '../flows/flow-record';
import { fqdnOfWorldNode } from '../graph/graph-ids';
import type { GraphEdge } from '../graph/types';
import type { ClusterSnapshot, Pod } from '../k8s/types';
import type { PolicyEngine } from '../policy-engine/engine';
import { egressInventory, type EdgeSample, type EgressInventory } from './views/egress-inventory';
import { InternetSampler } from '../layers/edge-flow';
import { UNKNOWN_INTERNET_IP } from '../azure-rules/firewall-hits';
import { threeLayers, type ObservedFlow } from '../layers/three-layers';
import { clusterContext, observedFlowOf, podByWorkload } from './azure-view';
import type { Hub } from './hub';
import { runtime, type Runtime } from './runtime';

/** Recent flows scanned per request for each edge's newest flow and addresses (the hub's ring holds 5,000). */
const RECENT_SCAN = 5000;

export interface EgressViewInput {
  hub: Pick<Hub, 'graph' | 'latestFlows'>;
  cluster?: ClusterSnapshot;
  engine?: PolicyEngine;
  /** Absent when no Azure data is loaded: NSG and firewall cells are then unknown. */
  azure?: AzureSnapshot;
  maxRows?: number;
  now?: number;
}

/** The inventory of the hub's live graph, evaluated with whatever cluster and Azure data is given. */
export function egressView(input: EgressViewInput): EgressInventory {
  const { cluster, engine, azure } = input;
  const pods = podByWorkload(cluster);
  return egressInventory({
    edges: input.hub.graph.snapshot().edges,
    samples: sampleInternetFlows(input.hub),
    flowFromEdge: (edge) => flowFromEdge(edge, pods),
    evaluate: (flow) => threeLayers(flow, { cluster, engine, azure }),
    sources: { cluster: !!engine, azure: !!azure },
    ...(input.maxRows !== undefined ? { maxRows: input.maxRows } : {}),
    ...(input.now !== undefined ? { now: input.now } : {}),
  });
}

/** What /api/egress returns: the live graph with the process's cluster and Azure snapshots. */
export async function egressPageData(rt: Runtime = runtime()): Promise<EgressInventory> {
  const hub = await rt.hub();
  const [ctx, azure] = await Promise.all([clusterContext(rt), loadedAzure(rt)]);
  return egressView({ hub, cluster: ctx.cluster, engine: ctx.engine, azure });
}

/**
 * The Azure snapshot when it describes this cluster's network. An empty or failed load is "no Azure
 * data", not "nothing on the path"; and without Azure settings the demo's Azure model is loaded, which
 * describes the demo cluster only, not a real relay's.
 */
async function loadedAzure(rt: Runtime): Promise<AzureSnapshot | undefined> {
  try {
    const s = await rt.clusterAzure();
    return s && hasAzureNetwork(s) ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One pass over the flows in memory (newest first): the newest flow of each internet edge and the
 * internet addresses seen on it. The match callback collects and returns false, so nothing is copied.
 */
export function sampleInternetFlows(hub: Pick<Hub, 'latestFlows'>, scan = RECENT_SCAN): Map<string, EdgeSample> {
  const sampler = new InternetSampler();
  hub.latestFlows((f: FlowRecord, edgeId: string) => (sampler.add(f, edgeId), false), scan);
  return sampler.samples;
}

/**
 * A connection built from the edge alone, for edges whose flows have left the ring: a pod of the
 * client workload to the world node's DNS name (or an unknown internet address). The same rule as
 * azure-view's `flowOfEdge`, with the pod index built once instead of once per edge.
 */
function flowFromEdge(edge: GraphEdge, pods: Map<string, Pod>): ObservedFlow | undefined {
  const pod = pods.get(edge.source);
  if (!pod?.ip) return undefined;
  const fqdn = fqdnOfWorldNode(edge.target);
  return {
    source: { ip: pod.ip, port: 0, namespace: pod.namespace, pod: pod.name },
    destination: { ip: UNKNOWN_INTERNET_IP, port: edge.port },
    protocol: edge.protocol,
    isReply: false,
    ...(fqdn ? { fqdn } : {}),
  };
}
