/** Small builders for policy tests: a cluster snapshot from a few pods and manifests. */

import type { ClusterSnapshot, ContainerPort, EndpointSlice, Labels, PolicyObject, Service } from '../../k8s/types';
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

/** A cluster with the given namespaces (labels), pods, nodes, policies, Services and EndpointSlices. */
export function cluster(opts: {
  namespaces?: Record<string, Labels>;
  pods: PodSpec[];
  policies?: PolicyObject[];
  nodes?: { name: string; ip: string }[];
  services?: Service[];
  endpointSlices?: EndpointSlice[];
}): ClusterSnapshot {
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
    services: opts.services ?? [],
    endpointSlices: opts.endpointSlices ?? [],
  };
}

/** A Service through the same normalizer the sources use (so its manifest is validated like a real one). */
export function service(manifest: { metadata: { name: string; namespace?: string }; spec: Record<string, unknown> }): Service {
  const r = normalizeObject({ apiVersion: 'v1', kind: 'Service', ...manifest });
  if (!r.ok || r.object.kind !== 'Service') throw new Error(r.ok ? 'not a Service' : r.message);
  return r.object.value;
}

/** An EndpointSlice through the same normalizer the sources use. */
export function endpointSlice(manifest: Record<string, unknown>): EndpointSlice {
  const r = normalizeObject({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...manifest });
  if (!r.ok || r.object.kind !== 'EndpointSlice') throw new Error(r.ok ? 'not an EndpointSlice' : r.message);
  return r.object.value;
}
