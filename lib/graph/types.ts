/** The aggregated pod-communication graph, as the server keeps it and the browser draws it. */

export type NodeKind = 'workload' | 'kube-dns' | 'world' | 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' | 'unknown';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** Empty for cluster-external and node-level peers. */
  namespace: string;
  label: string;
  /** Deployment, StatefulSet, DaemonSet, ... when known. */
  workloadKind: string;
  /** A few pod names of the workload (capped), and how many distinct pods were seen. */
  pods: string[];
  podCount: number;
  /** `app` / `k8s-app` / `app.kubernetes.io/name` label value, for visual filters. */
  app: string;
  /** DNS name of a world peer, when Cilium knew it. */
  dnsName: string;
  firstSeen: number;
  lastSeen: number;
}

export type EdgeStatus = 'allowed' | 'denied' | 'mixed' | 'audit';

export interface VerdictCounts {
  forwarded: number;
  dropped: number;
  audit: number;
  error: number;
  /** REDIRECTED, TRACED, TRANSLATED, UNKNOWN. */
  other: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  port: number;
  protocol: string;
  counts: VerdictCounts;
  total: number;
  replies: number;
  dropReasons: Record<string, number>;
  /** Policy names (kind/namespace/name) Cilium reported as allowing / denying, capped. */
  allowedBy: string[];
  deniedBy: string[];
  l7: { http: number; dns: number; kafka: number };
  /** What Cilium observed: the network-policy layer's verdict on the flows of this edge. */
  status: EdgeStatus;
  /**
   * The verdict over every layer on the path (Cilium, then the Azure NSG, then the Azure Firewall),
   * added by the server once the Azure layers are evaluated; absent until then.
   */
  path?: EdgePath;
  firstSeen: number;
  lastSeen: number;
}

export type PathLayer = 'policy' | 'nsg' | 'firewall';
export type PathCellVerdict = 'allowed' | 'denied' | 'audit' | 'not-on-path' | 'unknown';

export interface EdgePath {
  /** The combined status: denied when any layer on the path denies what Cilium let through. */
  status: EdgeStatus;
  /** The layer whose verdict decided `status`; absent when every layer allowed. */
  decidedBy?: PathLayer;
  /** The deciding rule or policy in words. */
  rule?: string;
  /** One sentence: how the layers combined. */
  reason: string;
  /** Each layer's verdict; `policy` is what Cilium observed, `nsg` and `firewall` are evaluated. */
  layers: Record<PathLayer, PathCellVerdict>;
}

/** The status a person should see: the combined verdict of every layer when known, else Cilium's. */
export function effectiveStatus(e: Pick<GraphEdge, 'status' | 'path'>): EdgeStatus {
  return e.path?.status ?? e.status;
}

export interface GraphSnapshot {
  seq: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphDelta {
  /** Applies on top of the state at seq - 1. */
  seq: number;
  upsertNodes: GraphNode[];
  upsertEdges: GraphEdge[];
  removeNodes: string[];
  removeEdges: string[];
}
