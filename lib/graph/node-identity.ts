/**
 * Which graph node a flow endpoint belongs to: pods fold into their owning workload (replicas
 * become one node), Cilium's reserved identities become the special peers hubble-ui users know
 * (world by DNS name, host, remote-node, kube-apiserver), and cluster DNS is marked as kube-dns.
 * Traffic from the node itself is the host peer, never an unknown pod. The id format is graph-ids.ts's.
 */

import type { FlowEndpoint } from '../flows/flow-record';
import { normalizeDnsName } from '../match/dns-name';
import { HOST_NODE_ID, INGRESS_NODE_ID, KUBE_APISERVER_NODE_ID, REMOTE_NODE_ID, unknownNodeId, workloadNodeId, worldNodeId } from './graph-ids';
import type { NodeKind } from './types';

export interface EndpointNode {
  id: string;
  kind: NodeKind;
  namespace: string;
  label: string;
  workloadKind: string;
  app: string;
  dnsName: string;
}

const DEPLOYMENT_POD = /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/;
const DAEMONSET_POD = /^(.+)-[a-z0-9]{5}$/;
const STATEFULSET_POD = /^(.+)-\d+$/;

/** Owning workload name of a pod when Cilium did not report one. */
export function workloadFromPodName(pod: string): { name: string; kind: string } {
  let m = DEPLOYMENT_POD.exec(pod);
  if (m) return { name: m[1], kind: 'Deployment' };
  m = STATEFULSET_POD.exec(pod);
  if (m) return { name: m[1], kind: 'StatefulSet' };
  m = DAEMONSET_POD.exec(pod);
  if (m) return { name: m[1], kind: 'DaemonSet' };
  return { name: pod, kind: '' };
}

function reservedOf(labels: readonly string[]): string {
  for (const l of labels) if (l.startsWith('reserved:')) return l.slice(9);
  return '';
}

function appOf(labels: readonly string[]): string {
  let found = '';
  for (const l of labels) {
    if (!l.startsWith('k8s:')) continue;
    const eq = l.indexOf('=');
    const key = l.slice(4, eq);
    if (key === 'app' || key === 'app.kubernetes.io/name') return l.slice(eq + 1);
    if (key === 'k8s-app' && !found) found = l.slice(eq + 1);
  }
  return found;
}

function isKubeDns(labels: readonly string[]): boolean {
  for (const l of labels) if (l === 'k8s:k8s-app=kube-dns') return true;
  return false;
}

const WORLD_IDENTITIES = new Set([2, 9, 10]);

/**
 * Pod endpoints decoded by the relay client share one frozen label array per distinct endpoint, and
 * for a pod the node depends only on that endpoint: remember the answer per array (ingest hot path).
 */
const podNodeCache = new WeakMap<readonly string[], { pod: string; node: EndpointNode }>();

/**
 * The workload a pod of a flow belongs to: the one Cilium reported, else guessed from the pod name,
 * else the pod's app label. The graph and the flow counters behind findings share this rule.
 */
export function workloadOfEndpoint(ep: Pick<FlowEndpoint, 'workloads' | 'pod' | 'labels'>): { name: string; kind: string } {
  return ep.workloads.length ? ep.workloads[0] : ep.pod ? workloadFromPodName(ep.pod) : { name: appOf(ep.labels) || 'unknown', kind: '' };
}

/** The workload node id of a pod endpoint (undefined outside the cluster), whatever Cilium's identity says. */
export function workloadNodeIdOfEndpoint(ep: FlowEndpoint): string | undefined {
  return ep.namespace ? workloadNodeId(ep.namespace, workloadOfEndpoint(ep).name) : undefined;
}

/**
 * The workload node id of a pod of the cluster snapshot: its controller, else (a bare pod) the name the
 * graph derives from the pod name, because Cilium reports no workload for such a pod either.
 */
export function workloadNodeIdOfPod(pod: { namespace: string; name: string; workload?: { name: string } }): string {
  return workloadNodeId(pod.namespace, pod.workload?.name ?? workloadFromPodName(pod.name).name);
}

/** The graph node of an endpoint. */
export function nodeOfEndpoint(ep: FlowEndpoint): EndpointNode {
  if (ep.namespace && Object.isFrozen(ep.labels)) {
    const hit = podNodeCache.get(ep.labels);
    if (hit && hit.pod === ep.pod) return hit.node;
    const node = computeNode(ep);
    podNodeCache.set(ep.labels, { pod: ep.pod, node });
    return node;
  }
  return computeNode(ep);
}

function computeNode(ep: FlowEndpoint): EndpointNode {
  const reserved = reservedOf(ep.labels);
  if (reserved === 'world' || (!ep.namespace && WORLD_IDENTITIES.has(ep.identity))) {
    const name = ep.names.length ? normalizeDnsName(ep.names[0]) : '';
    return name
      ? { id: worldNodeId(name), kind: 'world', namespace: '', label: name, workloadKind: '', app: '', dnsName: name }
      : { id: worldNodeId(), kind: 'world', namespace: '', label: 'world (no DNS name)', workloadKind: '', app: '', dnsName: '' };
  }
  if (reserved === 'host' || reserved === 'health' || (!ep.namespace && ep.identity === 1)) {
    return { id: HOST_NODE_ID, kind: 'host', namespace: '', label: 'host (node)', workloadKind: '', app: '', dnsName: '' };
  }
  if (reserved === 'remote-node' || (!ep.namespace && ep.identity === 6)) {
    return { id: REMOTE_NODE_ID, kind: 'remote-node', namespace: '', label: 'remote-node', workloadKind: '', app: '', dnsName: '' };
  }
  if (reserved === 'kube-apiserver' || (!ep.namespace && ep.identity === 7)) {
    return { id: KUBE_APISERVER_NODE_ID, kind: 'kube-apiserver', namespace: '', label: 'kube-apiserver', workloadKind: '', app: '', dnsName: '' };
  }
  if (reserved === 'ingress' || (!ep.namespace && ep.identity === 8)) {
    return { id: INGRESS_NODE_ID, kind: 'ingress', namespace: '', label: 'cilium ingress', workloadKind: '', app: '', dnsName: '' };
  }
  if (ep.namespace) {
    const w = workloadOfEndpoint(ep);
    return {
      id: workloadNodeId(ep.namespace, w.name),
      kind: isKubeDns(ep.labels) ? 'kube-dns' : 'workload',
      namespace: ep.namespace,
      label: w.name,
      workloadKind: w.kind,
      app: appOf(ep.labels),
      dnsName: '',
    };
  }
  return { id: unknownNodeId(ep.ip), kind: 'unknown', namespace: '', label: ep.ip || 'unknown', workloadKind: '', app: '', dnsName: '' };
}
