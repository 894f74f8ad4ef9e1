/** Turns raw API / manifest objects into the reduced shapes of types.ts, or says why it cannot. */

import type { ContainerPort, Labels, Namespace, Node, Pod, PolicyKind, PolicyObject, PortProtocol, WorkloadRef } from './types';
import { POLICY_KINDS } from './types';
import type { SourceErrorCode } from './source-error';

export type ClusterObject =
  | { kind: 'Namespace'; value: Namespace }
  | { kind: 'Pod'; value: Pod }
  | { kind: 'Node'; value: Node }
  | { kind: PolicyKind; value: PolicyObject };

export type ClusterObjectKind = ClusterObject['kind'];

export const CLUSTER_OBJECT_KINDS: readonly ClusterObjectKind[] = ['Namespace', 'Pod', 'Node', ...POLICY_KINDS];

export type NormalizeResult =
  | { ok: true; object: ClusterObject }
  | { ok: false; code: SourceErrorCode; message: string };

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(v: unknown): Labels {
  if (!isRecord(v)) return {};
  const out: Labels = {};
  for (const [k, val] of Object.entries(v)) if (val !== undefined && val !== null) out[k] = String(val);
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Normalizes one object whose `kind` Flowsight reads; `kind: List` is unwrapped by the caller. */
export function normalizeObject(raw: unknown, fallbackKind?: ClusterObjectKind): NormalizeResult {
  if (!isRecord(raw)) return { ok: false, code: 'invalid-object', message: 'document is not an object' };
  const kind = (str(raw.kind) ?? fallbackKind) as string | undefined;
  if (!kind) return { ok: false, code: 'unknown-kind', message: 'document has no kind' };
  if (!(CLUSTER_OBJECT_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, code: 'unknown-kind', message: `unknown kind ${kind} (Flowsight reads ${CLUSTER_OBJECT_KINDS.join(', ')})` };
  }
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  const name = str(metadata.name);
  if (!name) return { ok: false, code: 'invalid-object', message: `${kind} without metadata.name` };
  const namespace = str(metadata.namespace);
  const labels = stringMap(metadata.labels);
  switch (kind) {
    case 'Namespace':
      // The API server always sets this label (GA 1.22); manifests often omit it, so add it like the API would.
      return { ok: true, object: { kind, value: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } } };
    case 'Node':
      return { ok: true, object: { kind, value: normalizeNode(name, labels, raw) } };
    case 'Pod':
      return { ok: true, object: { kind, value: normalizePod(name, namespace ?? 'default', labels, metadata, raw) } };
    default: {
      const policyKind = kind as PolicyKind;
      const clusterwide = policyKind === 'CiliumClusterwideNetworkPolicy';
      const policy: PolicyObject = {
        kind: policyKind,
        ...(clusterwide ? {} : { namespace: namespace ?? 'default' }),
        name,
        labels,
        annotations: stringMap(metadata.annotations),
        manifest: raw,
      };
      return { ok: true, object: { kind: policyKind, value: policy } };
    }
  }
}

function normalizeNode(name: string, labels: Labels, raw: Raw): Node {
  const status = isRecord(raw.status) ? raw.status : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses : [];
  const ips = addresses
    .filter((a): a is Raw => isRecord(a) && (a.type === 'InternalIP' || a.type === 'ExternalIP'))
    .map((a) => String(a.address));
  return { name, labels, ips };
}

function normalizePod(name: string, namespace: string, labels: Labels, metadata: Raw, raw: Raw): Pod {
  const spec = isRecord(raw.spec) ? raw.spec : {};
  const status = isRecord(raw.status) ? raw.status : {};
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const containerPorts: ContainerPort[] = [];
  for (const c of containers) {
    if (!isRecord(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (!isRecord(p) || typeof p.containerPort !== 'number') continue;
      const protocol = (str(p.protocol) ?? 'TCP').toUpperCase() as PortProtocol;
      containerPorts.push({ ...(str(p.name) ? { name: str(p.name) } : {}), containerPort: p.containerPort, protocol });
    }
  }
  const podIps = Array.isArray(status.podIPs) ? status.podIPs.map((p) => (isRecord(p) ? str(p.ip) : undefined)).filter((ip): ip is string => !!ip) : [];
  const ip = str(status.podIP) ?? podIps[0];
  const ips = ip && !podIps.includes(ip) ? [ip, ...podIps] : podIps.length ? podIps : [];
  const workload = workloadOf(metadata, labels);
  return {
    namespace,
    name,
    labels,
    ...(ip ? { ip } : {}),
    ips,
    ...(str(spec.nodeName) ? { node: str(spec.nodeName) } : {}),
    hostNetwork: spec.hostNetwork === true,
    containerPorts,
    ...(workload ? { workload } : {}),
    ...(str(spec.serviceAccountName) ? { serviceAccount: str(spec.serviceAccountName) } : {}),
  };
}

/** The controlling owner, with ReplicaSets collapsed into their Deployment via the pod-template-hash label. */
function workloadOf(metadata: Raw, labels: Labels): WorkloadRef | undefined {
  const owners = Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences.filter(isRecord) : [];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  if (!owner || !str(owner.kind) || !str(owner.name)) return undefined;
  const kind = String(owner.kind);
  const name = String(owner.name);
  const hash = labels['pod-template-hash'];
  if (kind === 'ReplicaSet' && hash && name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: name.slice(0, -hash.length - 1) };
  }
  return { kind, name };
}
