/** Turns raw API / manifest objects into the reduced shapes of types.ts, or says why it cannot. */

import ipaddr from 'ipaddr.js';
import type {
  ContainerPort,
  EndpointAddressType,
  EndpointSlice,
  EndpointSliceEndpoint,
  EndpointSlicePort,
  Labels,
  Namespace,
  Node,
  Pod,
  PolicyKind,
  PolicyObject,
  PortProtocol,
  Service,
  ServicePort,
  ServiceType,
  WorkloadRef,
} from './types';
import { POLICY_KINDS } from './types';
import type { SourceErrorCode } from './source-error';

export type ClusterObject =
  | { kind: 'Namespace'; value: Namespace }
  | { kind: 'Pod'; value: Pod }
  | { kind: 'Node'; value: Node }
  | { kind: 'Service'; value: Service }
  | { kind: 'EndpointSlice'; value: EndpointSlice }
  | { kind: PolicyKind; value: PolicyObject };

export type ClusterObjectKind = ClusterObject['kind'];

export const CLUSTER_OBJECT_KINDS: readonly ClusterObjectKind[] = ['Namespace', 'Pod', 'Node', 'Service', 'EndpointSlice', ...POLICY_KINDS];

/**
 * Workloads whose pod template says which pods will run. Repositories hold these, not Pods: each
 * becomes one pod per template (labels, namespace, ports, hostNetwork; no IP), so a namespace whose
 * workloads no policy selects is found before it is deployed.
 */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const;

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
  if ((WORKLOAD_KINDS as readonly string[]).includes(kind)) return normalizeWorkload(kind, raw);
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
    case 'Service': {
      const r = normalizeService(name, namespace ?? 'default', labels, raw);
      return 'problem' in r ? invalid(`Service ${namespace ?? 'default'}/${name}: ${r.problem}`) : { ok: true, object: { kind, value: r.value } };
    }
    case 'EndpointSlice': {
      const r = normalizeEndpointSlice(name, namespace ?? 'default', labels, raw);
      return 'problem' in r ? invalid(`EndpointSlice ${namespace ?? 'default'}/${name}: ${r.problem}`) : { ok: true, object: { kind, value: r.value } };
    }
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

/** The pod a workload's template describes (CronJob: spec.jobTemplate.spec.template). */
function normalizeWorkload(kind: string, raw: Raw): NormalizeResult {
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  const name = str(metadata.name);
  if (!name) return invalid(`${kind} without metadata.name`);
  const namespace = str(metadata.namespace) ?? 'default';
  const spec = isRecord(raw.spec) ? raw.spec : {};
  const jobSpec = kind === 'CronJob' && isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec) ? spec.jobTemplate.spec : spec;
  const template = jobSpec.template;
  const field = kind === 'CronJob' ? 'spec.jobTemplate.spec.template' : 'spec.template';
  if (!isRecord(template)) return invalid(`${kind} ${namespace}/${name}: ${field} is missing`);
  const templateMeta = isRecord(template.metadata) ? template.metadata : {};
  const pod = normalizePod(name, namespace, stringMap(templateMeta.labels), {}, { spec: template.spec });
  return { ok: true, object: { kind: 'Pod', value: { ...pod, workload: { kind, name } } } };
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

const invalid = (message: string): NormalizeResult => ({ ok: false, code: 'invalid-object', message });

type Checked<T> = { value: T } | { problem: string };

const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS: readonly PortProtocol[] = ['TCP', 'UDP', 'SCTP'];
const ADDRESS_TYPES: readonly EndpointAddressType[] = ['IPv4', 'IPv6', 'FQDN'];
/** The label that ties an EndpointSlice to its Service (discovery.k8s.io/v1). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const isPortNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

/** IANA_SVC_NAME as the API validates a port name: 1-15 lowercase letters, digits and inner single hyphens, at least one letter. */
function isPortName(v: string): boolean {
  return v.length <= 15 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(v) && /[a-z]/.test(v);
}

function protocolOf(v: unknown, field: string): Checked<PortProtocol> {
  if (v === undefined || v === null || v === '') return { value: 'TCP' };
  const p = typeof v === 'string' ? v.toUpperCase() : '';
  return (PROTOCOLS as readonly string[]).includes(p) ? { value: p as PortProtocol } : { problem: `${field}: ${JSON.stringify(v)} is not TCP, UDP or SCTP` };
}

/** Reads a Service as the API validates it; a field it would reject is reported with its path. */
function normalizeService(name: string, namespace: string, labels: Labels, raw: Raw): Checked<Service> {
  const spec = isRecord(raw.spec) ? raw.spec : {};
  const type = spec.type === undefined ? 'ClusterIP' : spec.type;
  if (!(SERVICE_TYPES as readonly unknown[]).includes(type)) return { problem: `spec.type: ${JSON.stringify(type)} is not one of ${SERVICE_TYPES.join(', ')}` };
  // spec.clusterIPs holds every family's address (primary first) and agrees with spec.clusterIP when both are set.
  const listed = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : str(spec.clusterIP) ? [spec.clusterIP] : [];
  const field = Array.isArray(spec.clusterIPs) ? 'spec.clusterIPs' : 'spec.clusterIP';
  const headless = listed[0] === 'None';
  const clusterIPs: string[] = [];
  if (!headless) {
    for (const [i, ip] of listed.entries()) {
      if (typeof ip !== 'string' || !ipaddr.isValid(ip)) return { problem: `${field}${field === 'spec.clusterIPs' ? `[${i}]` : ''}: ${JSON.stringify(ip)} is not an IP address (or None)` };
      clusterIPs.push(ip);
    }
  }
  const ports: ServicePort[] = [];
  const rawPorts = spec.ports === undefined || spec.ports === null ? [] : spec.ports;
  if (!Array.isArray(rawPorts)) return { problem: 'spec.ports: not a list' };
  for (const [i, p] of rawPorts.entries()) {
    const at = `spec.ports[${i}]`;
    if (!isRecord(p)) return { problem: `${at}: not an object` };
    if (!isPortNumber(p.port)) return { problem: `${at}.port: ${JSON.stringify(p.port)} is not a port number (1-65535)` };
    const protocol = protocolOf(p.protocol, `${at}.protocol`);
    if ('problem' in protocol) return protocol;
    let targetPort: number | string = p.port;
    if (p.targetPort !== undefined && p.targetPort !== null && p.targetPort !== 0 && p.targetPort !== '') {
      if (isPortNumber(p.targetPort)) targetPort = p.targetPort;
      else if (typeof p.targetPort === 'string' && isPortName(p.targetPort)) targetPort = p.targetPort;
      else return { problem: `${at}.targetPort: ${JSON.stringify(p.targetPort)} is neither a port number (1-65535) nor a container port name` };
    }
    ports.push({ ...(str(p.name) ? { name: str(p.name) } : {}), port: p.port, protocol: protocol.value, targetPort });
  }
  const selector = stringMap(spec.selector);
  const externalName = str(spec.externalName);
  return {
    value: {
      namespace,
      name,
      labels,
      type: type as ServiceType,
      // An ExternalName service is a DNS alias: no virtual IP and no backends in the cluster.
      clusterIPs: type === 'ExternalName' ? [] : clusterIPs,
      headless: type !== 'ExternalName' && headless,
      ...(Object.keys(selector).length && type !== 'ExternalName' ? { selector } : {}),
      ports,
      ...(type === 'ExternalName' && externalName ? { externalName } : {}),
    },
  };
}

/** Reads an EndpointSlice (discovery.k8s.io/v1); `addressType` is required by the API. */
function normalizeEndpointSlice(name: string, namespace: string, labels: Labels, raw: Raw): Checked<EndpointSlice> {
  const addressType = raw.addressType;
  if (!(ADDRESS_TYPES as readonly unknown[]).includes(addressType)) return { problem: `addressType: ${JSON.stringify(addressType)} is not one of ${ADDRESS_TYPES.join(', ')}` };
  const ports: EndpointSlicePort[] = [];
  const rawPorts = raw.ports === undefined || raw.ports === null ? [] : raw.ports;
  if (!Array.isArray(rawPorts)) return { problem: 'ports: not a list' };
  for (const [i, p] of rawPorts.entries()) {
    const at = `ports[${i}]`;
    if (!isRecord(p)) return { problem: `${at}: not an object` };
    if (p.port !== undefined && p.port !== null && !isPortNumber(p.port)) return { problem: `${at}.port: ${JSON.stringify(p.port)} is not a port number (1-65535)` };
    const protocol = protocolOf(p.protocol, `${at}.protocol`);
    if ('problem' in protocol) return protocol;
    ports.push({ ...(str(p.name) ? { name: str(p.name) } : {}), ...(isPortNumber(p.port) ? { port: p.port } : {}), protocol: protocol.value });
  }
  const endpoints: EndpointSliceEndpoint[] = [];
  const rawEndpoints = raw.endpoints === undefined || raw.endpoints === null ? [] : raw.endpoints;
  if (!Array.isArray(rawEndpoints)) return { problem: 'endpoints: not a list' };
  for (const [i, e] of rawEndpoints.entries()) {
    const at = `endpoints[${i}]`;
    if (!isRecord(e)) return { problem: `${at}: not an object` };
    const addresses = Array.isArray(e.addresses) ? e.addresses : [];
    if (addresses.length === 0) return { problem: `${at}.addresses: an endpoint needs at least one address` };
    for (const [j, a] of addresses.entries()) {
      const ok = typeof a === 'string' && (addressType === 'FQDN' ? a !== '' : ipaddr.isValid(a) && ipaddr.parse(a).kind() === (addressType === 'IPv4' ? 'ipv4' : 'ipv6'));
      if (!ok) return { problem: `${at}.addresses[${j}]: ${JSON.stringify(a)} is not ${addressType === 'FQDN' ? 'a name' : `an ${addressType} address`}` };
    }
    const conditions = isRecord(e.conditions) ? e.conditions : {};
    const ref = isRecord(e.targetRef) ? e.targetRef : undefined;
    const targetRef = ref && str(ref.kind) && str(ref.name) ? { kind: String(ref.kind), ...(str(ref.namespace) ? { namespace: str(ref.namespace) } : {}), name: String(ref.name) } : undefined;
    endpoints.push({
      addresses: addresses as string[],
      // "nil should be interpreted as true" (EndpointConditions.ready).
      ready: conditions.ready !== false,
      ...(targetRef ? { targetRef } : {}),
      ...(str(e.nodeName) ? { nodeName: str(e.nodeName) } : {}),
    });
  }
  const serviceName = labels[SERVICE_NAME_LABEL];
  return { value: { namespace, name, ...(serviceName ? { serviceName } : {}), addressType: addressType as EndpointAddressType, ports, endpoints } };
}
