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

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

/** One `spec.ports[]` entry: what clients connect to (`port`) and where the backends listen (`targetPort`). */
export interface ServicePort {
  name?: string;
  port: number;
  protocol: PortProtocol;
  /** A container port number, or the name of a container port on each backend pod. Defaults to `port`. */
  targetPort: number | string;
}

/**
 * A Service: a stable name and virtual IP in front of a set of backends. Connections to the virtual IP are
 * translated to one backend (kube-proxy, or Cilium's load balancer) before any policy sees them.
 */
export interface Service {
  namespace: string;
  name: string;
  labels: Labels;
  type: ServiceType;
  /** Virtual IPs (`spec.clusterIPs`, primary first); empty for headless and ExternalName services. */
  clusterIPs: string[];
  /** `clusterIP: None`: DNS names resolve straight to the backends' addresses, with no translation. */
  headless: boolean;
  /** Pods backing the service; absent (or empty) when its EndpointSlices are managed by something else. */
  selector?: Labels;
  ports: ServicePort[];
  /** For ExternalName services: the DNS name the service is an alias for. */
  externalName?: string;
}

export type EndpointAddressType = 'IPv4' | 'IPv6' | 'FQDN';

export interface EndpointSlicePort {
  name?: string;
  /** Absent: "all ports" (EndpointSlices not derived from a Service port). */
  port?: number;
  protocol: PortProtocol;
}

export interface EndpointSliceEndpoint {
  /** Fungible addresses of one backend; consumers use the first (discovery.k8s.io/v1 Endpoint.addresses). */
  addresses: string[];
  /** `conditions.ready`; an absent condition means ready (discovery.k8s.io/v1 EndpointConditions). */
  ready: boolean;
  targetRef?: { kind: string; namespace?: string; name: string };
  nodeName?: string;
}

/** A slice of a Service's backends; the `kubernetes.io/service-name` label names the Service. */
export interface EndpointSlice {
  namespace: string;
  name: string;
  serviceName?: string;
  addressType: EndpointAddressType;
  ports: EndpointSlicePort[];
  endpoints: EndpointSliceEndpoint[];
}

/** Everything the policy engine needs to know about the cluster at one moment. */
export interface ClusterSnapshot {
  namespaces: Namespace[];
  pods: Pod[];
  nodes: Node[];
  policies: PolicyObject[];
  /** Services and EndpointSlices: connections to a Service are evaluated against its backends. */
  services: Service[];
  endpointSlices: EndpointSlice[];
}

/** `ns/name` or just `name` for cluster-scoped objects. */
export function objectKey(obj: { namespace?: string; name: string }): string {
  return obj.namespace ? `${obj.namespace}/${obj.name}` : obj.name;
}

export function emptySnapshot(): ClusterSnapshot {
  return { namespaces: [], pods: [], nodes: [], policies: [], services: [], endpointSlices: [] };
}
