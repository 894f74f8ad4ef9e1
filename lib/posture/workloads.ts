/**
 * Pods grouped into the workloads people name (`namespace/name`), and the labels that select exactly a
 * workload's pods: what findings report and what generated fixes select by.
 */

import { workloadNodeId } from '../graph/graph-ids';
import { workloadNodeIdOfPod } from '../graph/node-identity';
import type { Labels } from '../k8s/types';
import type { ObjectRef } from './finding';
import type { PodEndpoint } from '../policy-engine/endpoint';

export interface Workload {
  namespace: string;
  name: string;
  kind: string;
  pods: PodEndpoint[];
}

/**
 * `namespace/name` of a workload of the cluster snapshot (a bare pod is its own workload): what fixes
 * select and fix checks compare. Written in the graph's id format.
 */
export const workloadKey = (w: { namespace: string; name: string }): string => workloadNodeId(w.namespace, w.name);

/** The workload key of a pod (the pod's own name when no controller is known). */
export const workloadKeyOfPod = (p: PodEndpoint): string => workloadNodeId(p.namespace, p.workload?.name ?? p.name);

/**
 * The map node of a workload, which is what flow counters are keyed by: the same as its key, except for a
 * bare pod, whose flows carry no workload, so the graph names its node after the pod name's stem.
 */
export const nodeIdOfWorkload = (w: Pick<Workload, 'namespace' | 'name' | 'pods'>): string => (w.pods[0] ? workloadNodeIdOfPod(w.pods[0]) : workloadKey(w));

/** Groups pods by workload, in the order pods come. */
export function workloadsOf(pods: readonly PodEndpoint[]): Workload[] {
  const byKey = new Map<string, Workload>();
  for (const p of pods) {
    const name = p.workload?.name ?? p.name;
    const key = workloadKey({ namespace: p.namespace, name });
    let w = byKey.get(key);
    if (!w) byKey.set(key, (w = { namespace: p.namespace, name, kind: p.workload?.kind ?? 'Pod', pods: [] }));
    w.pods.push(p);
  }
  return [...byKey.values()];
}

export const workloadRef = (w: Workload): ObjectRef => ({ kind: w.kind, namespace: w.namespace, name: w.name });

// Labels the controllers stamp per revision, per pod or per Job run: selecting by them would miss the next rollout.
const PER_POD_LABELS: ReadonlySet<string> = new Set(['pod-template-hash', 'statefulset.kubernetes.io/pod-name', 'controller-revision-hash', 'pod-template-generation', 'apps.kubernetes.io/pod-index', 'batch.kubernetes.io/controller-uid', 'controller-uid', 'batch.kubernetes.io/job-name', 'job-name']);

/** A label a controller stamps per revision, per pod or per Job run (never a selector for policies). */
export const isPerPodLabel = (key: string): boolean => PER_POD_LABELS.has(key);

/** Labels shared by all pods of a workload minus per-pod and per-revision ones: a selector for fixes. */
export function stableLabels(w: { pods: readonly { labels: Labels }[] }): Labels {
  const [first, ...rest] = w.pods;
  const out: Labels = {};
  if (!first) return out;
  for (const [k, v] of Object.entries(first.labels)) {
    if (PER_POD_LABELS.has(k)) continue;
    if (rest.every((p) => p.labels[k] === v)) out[k] = v;
  }
  return out;
}
