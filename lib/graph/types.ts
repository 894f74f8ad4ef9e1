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
  status: EdgeStatus;
  firstSeen: number;
  lastSeen: number;
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
