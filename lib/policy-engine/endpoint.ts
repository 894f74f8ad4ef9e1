/**
 * The two sides of a connection as the policy engine sees them: a pod (with the labels Cilium derives
 * for it), or a reserved peer - the local node (`host`), another node, the API server, or the world.
 */

import type { ContainerPort, Labels, WorkloadRef } from '../k8s/types';
import { parseIp, type IpAddress } from '../net/ip';

export interface PodEndpoint {
  readonly kind: 'pod';
  /** Dense index, for per-pod tables in the engine. */
  readonly index: number;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly namespaceLabels: Labels;
  /** Labels as Cilium's selectors see them: pod labels plus namespace, namespace labels, service account. */
  readonly ciliumLabels: Labels;
  readonly containerPorts: readonly ContainerPort[];
  readonly node?: string;
  readonly ip?: string;
  readonly addr?: IpAddress;
  readonly workload?: WorkloadRef;
}

export type ReservedKind = 'host' | 'remote-node' | 'kube-apiserver' | 'world';

export interface ReservedEndpoint {
  readonly kind: ReservedKind;
  readonly ip?: string;
  readonly addr?: IpAddress;
  /** The node, for `host` and `remote-node`. */
  readonly node?: string;
  /** For kube-apiserver: served from outside the cluster (AKS), so it is also part of `world`. */
  readonly external: boolean;
  readonly ciliumLabels: Labels;
}

export type Endpoint = PodEndpoint | ReservedEndpoint;

/** Cilium's label for a pod's namespace, and the prefix it gives namespace labels. */
export const CILIUM_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
export const CILIUM_SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';

/** The label set Cilium attaches to a pod's identity (without the `k8s:` source prefix). */
export function ciliumPodLabels(namespace: string, labels: Labels, namespaceLabels: Labels, serviceAccount?: string): Labels {
  const out: Labels = { ...labels, [CILIUM_NAMESPACE_LABEL]: namespace };
  for (const [k, v] of Object.entries(namespaceLabels)) out[`${CILIUM_NAMESPACE_LABELS_PREFIX}${k}`] = v;
  out[CILIUM_SERVICE_ACCOUNT_LABEL] = serviceAccount ?? 'default';
  return out;
}

/** A reserved peer; `ip` is optional (e.g. "the world" in general). */
export function reservedEndpoint(kind: ReservedKind, options: { ip?: string; node?: string; external?: boolean } = {}): ReservedEndpoint {
  const addr = options.ip ? parseIp(options.ip) : undefined;
  return {
    kind,
    ...(options.ip ? { ip: options.ip } : {}),
    ...(addr ? { addr } : {}),
    ...(options.node ? { node: options.node } : {}),
    external: kind === 'world' || (kind === 'kube-apiserver' && (options.external ?? true)),
    ciliumLabels: { [`reserved:${kind}`]: '' },
  };
}

/**
 * Outside the cluster: the world, and an API server served from outside the cluster (AKS), which Cilium
 * gives a CIDR identity (so `world` and CIDR rules select it, as well as `kube-apiserver`).
 */
export function isOutsideCluster(e: Endpoint): boolean {
  return e.kind === 'world' || (e.kind === 'kube-apiserver' && e.external);
}

/** Human-readable name of an endpoint: `ns/pod`, `host`, `world (1.2.3.4)`. */
export function describeEndpoint(e: Endpoint): string {
  if (e.kind === 'pod') return `${e.namespace}/${e.name}`;
  return e.ip ? `${e.kind} (${e.ip})` : e.kind;
}
