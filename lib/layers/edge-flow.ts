/**
 * A connection the three-layer evaluation can take, from a stored or live flow, or built from a graph
 * edge alone (a pod of each workload, or the world node's DNS name) when no flow is at hand. Pure: the
 * live views, the past map and the evidence report all build their connections here.
 */

import type { FlowRecord } from '../flows/flow-record';
import { edgeEnds, fqdnOfWorldNode, isWorkloadNode, isWorldNode } from '../graph/graph-ids';
import { workloadNodeIdOfPod } from '../graph/node-identity';
import type { GraphEdge } from '../graph/types';
import type { ClusterSnapshot, Pod } from '../k8s/types';
import { UNKNOWN_INTERNET_IP } from '../azure-rules/firewall-hits';
import type { ObservedFlow } from './three-layers';

/** The fields of a FlowRecord the three-layer strip needs. */
export function observedFlowOf(f: FlowRecord): ObservedFlow {
  const ep = (e: FlowRecord['source']) => ({ ip: e.ip, port: e.port, namespace: e.namespace, pod: e.pod, names: e.names });
  return { source: ep(f.source), destination: ep(f.destination), protocol: f.protocol, isReply: f.isReply, node: f.node, direction: f.direction };
}

/** The first pod with an address of each workload (`ns/name`), in snapshot order: one pass, then lookups per edge. */
export function podByWorkload(cluster: ClusterSnapshot | undefined): Map<string, Pod> {
  const out = new Map<string, Pod>();
  for (const p of cluster?.pods ?? []) {
    if (!p.ip) continue;
    const id = workloadNodeIdOfPod(p);
    if (!out.has(id)) out.set(id, p);
  }
  return out;
}

/**
 * A connection built from a graph edge itself, for an edge with no flow at hand: a pod of the
 * source workload, to a pod of the destination workload or the world node's DNS name.
 */
export function builtFlowOfEdge(edge: Pick<GraphEdge, 'source' | 'target' | 'port' | 'protocol'>, pods: ReadonlyMap<string, Pod>): ObservedFlow | undefined {
  const srcPod = pods.get(edge.source);
  const dstPod = pods.get(edge.target);
  const fqdn = fqdnOfWorldNode(edge.target);
  if (!dstPod && !fqdn) return undefined;
  // Without a pod on the client side there is no address to evaluate from.
  if (!srcPod) return undefined;
  return {
    source: { ip: srcPod.ip!, port: 0, namespace: srcPod.namespace, pod: srcPod.name },
    destination: dstPod ? { ip: dstPod.ip!, port: edge.port, namespace: dstPod.namespace, pod: dstPod.name } : { ip: UNKNOWN_INTERNET_IP, port: edge.port },
    protocol: edge.protocol,
    isReply: false,
    ...(fqdn ? { fqdn } : {}),
  };
}

/** Internet addresses kept per internet edge (a name can resolve to many). */
export const MAX_SAMPLE_ADDRESSES = 8;

/**
 * The newest flow of each internet edge and the internet addresses seen on it, from flows handed in
 * newest first (the hub's ring, or a range read from the history): each internet connection is then
 * evaluated with an address Cilium really saw, which a toFQDNs rule can match, not a made-up one.
 */
export class InternetSampler {
  readonly samples = new Map<string, { flow: ObservedFlow; addresses: string[] }>();
  private readonly seen = new Map<string, Set<string>>();

  add(f: FlowRecord, edgeId: string): void {
    if (!edgeId.includes('|world')) return; // cheap test first: most flows stay in the cluster
    const ends = edgeEnds(edgeId);
    if (!ends || !isWorkloadNode(ends.source) || !isWorldNode(ends.target)) return;
    const ip = f.isReply === true ? f.source.ip : f.destination.ip;
    let sample = this.samples.get(edgeId);
    if (!sample) {
      sample = { flow: observedFlowOf(f), addresses: [] };
      this.samples.set(edgeId, sample);
      this.seen.set(edgeId, new Set());
    }
    const ips = this.seen.get(edgeId)!;
    if (ip && !ips.has(ip) && ips.size < MAX_SAMPLE_ADDRESSES) {
      ips.add(ip);
      sample.addresses.push(ip);
    }
  }
}
