/**
 * Glue between the process-wide services (hub, posture, Azure) and the pure Azure/three-layer
 * functions: turns graph edges and recent flows into the observations those functions take.
 */

import type { FlowRecord } from '../flows/flow-record';
import { FlowGraph } from '../graph/flow-graph';
import { workloadFromPodName } from '../graph/node-identity';
import type { ClusterSnapshot, Pod } from '../k8s/types';
import { azureOverview, type AzureOverview } from '../policy/azure-overview';
import { clusterFindingsOptions } from '../policy/azure-findings';
import type { PolicyEngine } from '../policy/engine';
import { UNKNOWN_INTERNET_IP, type WorldObservation } from '../policy/firewall-hits';
import { threeLayers, type ObservedFlow, type ThreeLayers } from '../policy/three-layers';
import { getAzure } from './global-azure';
import { getHub } from './global-hub';
import { getPosture } from './global-posture';
import type { Hub } from './hub';
import { loadConfig } from './config';
import { EdgePathAnnotator } from './edge-paths';

/** World edges evaluated for hit counts at most (the graph caps edges too; this bounds one request). */
const MAX_WORLD_EDGES = 2000;
/** Recent flows scanned for the internet address of world edges. */
const RECENT_SCAN = 5000;

export interface ClusterContext {
  cluster?: ClusterSnapshot;
  engine?: PolicyEngine;
}

/** The cluster snapshot and policy engine, or nothing when the cluster source cannot start. */
export async function clusterContext(): Promise<ClusterContext> {
  try {
    const { source, posture } = await getPosture();
    return { cluster: source.snapshot(), engine: posture.engine() };
  } catch {
    // The Azure layers still answer without the cluster; the policy cell then says "unknown".
    return {};
  }
}

/** The fields of a FlowRecord the three-layer strip needs. */
export function observedFlowOf(f: FlowRecord): ObservedFlow {
  const ep = (e: FlowRecord['source']) => ({ ip: e.ip, port: e.port, namespace: e.namespace, pod: e.pod, names: e.names });
  return { source: ep(f.source), destination: ep(f.destination), protocol: f.protocol, isReply: f.isReply, node: f.node, direction: f.direction };
}

/** The first pod with an address of each workload (`ns/name`), in snapshot order: one pass, then lookups per edge. */
function podByWorkload(cluster: ClusterSnapshot | undefined): Map<string, Pod> {
  const out = new Map<string, Pod>();
  for (const p of cluster?.pods ?? []) {
    if (!p.ip) continue;
    const id = `${p.namespace}/${p.workload?.name ?? workloadFromPodName(p.name).name}`;
    if (!out.has(id)) out.set(id, p);
  }
  return out;
}

/**
 * A representative flow of a graph edge: the newest flow of the edge still in memory, or else one
 * built from the edge itself (a pod of the source workload, the world node's DNS name).
 */
export function flowOfEdge(hub: Hub, edgeId: string, cluster: ClusterSnapshot | undefined): ObservedFlow | undefined {
  const recent = hub.latestFlows((_f, e) => e === edgeId, 1)[0];
  if (recent) return observedFlowOf(recent);
  const edge = hub.graph.edge(edgeId);
  if (!edge) return undefined;
  const pods = podByWorkload(cluster);
  const srcPod = pods.get(edge.source);
  const dstPod = pods.get(edge.target);
  if (!dstPod && !edge.target.startsWith('world:')) return undefined;
  // Without a pod on the client side there is no address to evaluate from.
  if (!srcPod) return undefined;
  const fqdn = edge.target.startsWith('world:') ? edge.target.slice('world:'.length) : undefined;
  return {
    source: { ip: srcPod.ip!, port: 0, namespace: srcPod.namespace, pod: srcPod.name },
    destination: dstPod ? { ip: dstPod.ip!, port: edge.port, namespace: dstPod.namespace, pod: dstPod.name } : { ip: UNKNOWN_INTERNET_IP, port: edge.port },
    protocol: edge.protocol,
    isReply: false,
    ...(fqdn ? { fqdn } : {}),
  };
}

/** Three layers of one observed flow, with whatever cluster and Azure data is loaded. */
export async function layersOf(flow: ObservedFlow, ctx?: ClusterContext): Promise<ThreeLayers> {
  const { cluster, engine } = ctx ?? (await clusterContext());
  const azure = (await getAzure()).snapshot();
  return threeLayers(flow, { cluster, engine, azure });
}

/** How often a cluster source that failed to start is asked again, for the edges' node addresses. */
const POSTURE_RETRY_MS = 30_000;

/**
 * Gives the hub's edges their verdict over all layers once the Azure data is loaded. The cluster
 * snapshot (pods' nodes, hence the addresses Azure sees) joins when its source is up; without it the
 * Azure layers are still evaluated on the addresses Hubble reported.
 */
export async function attachEdgePaths(hub: Hub): Promise<void> {
  const azure = await getAzure();
  // Without Azure settings the demo's Azure model is loaded; it describes the demo cluster only.
  const describesCluster = loadConfig(process.env, { checkPaths: false }).relay.mode === 'demo' || azure.source.kind !== 'demo';
  let cluster: (() => ClusterSnapshot) | undefined;
  hub.setEdgePaths(new EdgePathAnnotator(() => ({ ...(describesCluster ? { azure: azure.snapshot() } : {}), cluster: cluster?.() })));
  const joinCluster = () => {
    getPosture()
      .then(({ source }) => (cluster = () => source.snapshot()))
      .catch(() => setTimeout(joinCluster, POSTURE_RETRY_MS).unref?.());
  };
  joinCluster();
}

/** Internet-bound edges of the live graph as firewall observations (client node IP, DNS name, address). */
export function worldObservations(hub: Hub, cluster: ClusterSnapshot | undefined): WorldObservation[] {
  const destinationIp = new Map<string, string>();
  for (const f of hub.latestFlows((_f, e) => e.includes('|world:'), RECENT_SCAN)) {
    const id = FlowGraph.edgeIdOf(f);
    if (!destinationIp.has(id)) destinationIp.set(id, f.isReply ? f.source.ip : f.destination.ip);
  }
  const nodeIp = new Map(cluster?.nodes.map((n) => [n.name, n.ips[0]]) ?? []);
  const pods = podByWorkload(cluster);
  const out: WorldObservation[] = [];
  for (const e of hub.graph.snapshot().edges) {
    if (!e.target.startsWith('world:')) continue;
    if (out.length >= MAX_WORLD_EDGES) break;
    // Flows the cluster dropped never reached the firewall: count only those that left the pod.
    const passed = e.total - e.counts.dropped - e.counts.error;
    if (passed <= 0) continue;
    const pod = pods.get(e.source);
    const ip = destinationIp.get(e.id);
    const node = pod?.node ? nodeIp.get(pod.node) : undefined;
    out.push({
      workload: e.source,
      fqdn: e.target.slice('world:'.length),
      destinationPort: e.port,
      protocol: e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6' ? 'ICMP' : e.protocol,
      flows: passed,
      ...(node ? { sourceNodeIp: node } : {}),
      ...(ip ? { destinationIp: ip } : {}),
    });
  }
  return out;
}

export interface AzurePageData extends AzureOverview {
  loadedAt: number;
}

/** Everything the /azure page shows, from the current Azure snapshot, cluster and live graph. */
export async function azurePageData(): Promise<AzurePageData> {
  const azure = await getAzure();
  const snapshot = azure.snapshot();
  const { cluster } = await clusterContext();
  const hub = await getHub();
  const overview = azureOverview(snapshot, worldObservations(hub, cluster), clusterFindingsOptions(snapshot, cluster));
  return { ...overview, loadedAt: azure.loadedAt() };
}
