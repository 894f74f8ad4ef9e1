/** Small builders for policy tests: a cluster snapshot from a few pods and manifests. */

import type { ClusterSnapshot, ContainerPort, Labels, PolicyObject } from '../../k8s/types';
import { normalizeObject } from '../../k8s/normalize';

export interface PodSpec {
  ns: string;
  name: string;
  labels?: Labels;
  ip: string;
  node?: string;
  ports?: ContainerPort[];
  hostNetwork?: boolean;
}

/** Turns a manifest into a PolicyObject through the same normalizer the sources use. */
export function policy(manifest: Record<string, unknown>): PolicyObject {
  const r = normalizeObject(manifest);
  if (!r.ok || !('manifest' in r.object.value)) throw new Error(`not a policy: ${JSON.stringify(manifest)}`);
  return r.object.value;
}

export const np = (ns: string, name: string, spec: Record<string, unknown>) =>
  policy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });

export const cnp = (ns: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
  policy({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) }, spec });

export const ccnp = (name: string, spec: Record<string, unknown>) =>
  policy({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });

/** A cluster with the given namespaces (labels), pods, nodes and policies. */
export function cluster(opts: { namespaces?: Record<string, Labels>; pods: PodSpec[]; policies?: PolicyObject[]; nodes?: { name: string; ip: string }[] }): ClusterSnapshot {
  const nsNames = new Set([...Object.keys(opts.namespaces ?? {}), ...opts.pods.map((p) => p.ns)]);
  return {
    namespaces: [...nsNames].map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name, ...(opts.namespaces?.[name] ?? {}) } })),
    pods: opts.pods.map((p) => ({
      namespace: p.ns,
      name: p.name,
      labels: p.labels ?? {},
      ip: p.ip,
      ips: [p.ip],
      node: p.node ?? 'node-a',
      hostNetwork: p.hostNetwork ?? false,
      containerPorts: p.ports ?? [],
    })),
    nodes: (opts.nodes ?? [{ name: 'node-a', ip: '10.224.0.4' }, { name: 'node-b', ip: '10.224.0.5' }]).map((n) => ({ name: n.name, ips: [n.ip], labels: {} })),
    policies: opts.policies ?? [],
  };
}
