/**
 * The Kubernetes objects Flowsight reads, reduced to what the policy engine and the map need.
 * Every source (live cluster, manifests, demo) produces these same shapes.
 */

export type Labels = Record<string, string>;

export interface Namespace {
  name: string;
  labels: Labels;
}

export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: PortProtocol;
}

/** The controller a pod belongs to, collapsed to the user-facing workload (ReplicaSet -> Deployment). */
export interface WorkloadRef {
  kind: string;
  name: string;
}

export interface Pod {
  namespace: string;
  name: string;
  labels: Labels;
  /** Primary pod IP; absent while the pod is pending. */
  ip?: string;
  /** All pod IPs (dual stack), primary first. */
  ips: string[];
  node?: string;
  /** Host-network pods share the node's IP: the network sees them as the `host` peer, not as a pod. */
  hostNetwork: boolean;
  containerPorts: ContainerPort[];
  workload?: WorkloadRef;
  serviceAccount?: string;
}

export interface Node {
  name: string;
  /** InternalIP / ExternalIP addresses of the node. */
  ips: string[];
  labels: Labels;
}

export const POLICY_KINDS = ['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/**
 * A policy object as the API returns it. The spec stays the raw manifest: the policy compiler in
 * lib/policy validates it field by field, so a bad selector is reported with the policy and field.
 */
export interface PolicyObject {
  kind: PolicyKind;
  /** Absent for cluster-wide policies. */
  namespace?: string;
  name: string;
  labels: Labels;
  annotations: Labels;
  /** The full manifest (apiVersion, kind, metadata, spec / specs). */
  manifest: Record<string, unknown>;
}

/** Everything the policy engine needs to know about the cluster at one moment. */
export interface ClusterSnapshot {
  namespaces: Namespace[];
  pods: Pod[];
  nodes: Node[];
  policies: PolicyObject[];
}

/** `ns/name` or just `name` for cluster-scoped objects. */
export function objectKey(obj: { namespace?: string; name: string }): string {
  return obj.namespace ? `${obj.namespace}/${obj.name}` : obj.name;
}

export function emptySnapshot(): ClusterSnapshot {
  return { namespaces: [], pods: [], nodes: [], policies: [] };
}
