/**
 * Where a connection to a Service goes. Kubernetes translates a connection to a Service's virtual IP into a
 * connection to one backend, on the backend's target port, before any network policy sees it (kube-proxy's
 * DNAT, or Cilium's eBPF load balancer): policies only ever judge backend pods. This index answers "which
 * backends, on which port" the way the EndpointSlice controller and kube-proxy do:
 *
 * - a Service with a selector is backed by the pods of its namespace whose labels match the selector; a
 *   numeric `targetPort` is the same for every pod, a named one is looked up in each pod's container ports
 *   (name and protocol, like the controller's FindPort) - a pod without it is not a backend for that port;
 * - a Service without a selector is backed by the EndpointSlices labelled `kubernetes.io/service-name`, whose
 *   ports are matched to the Service port by name; endpoints that are not ready receive no traffic;
 * - a headless Service (`clusterIP: None`) has no virtual IP: its DNS name resolves to the backends' own
 *   addresses and nothing translates the port, so the client's port is the backend's port;
 * - an ExternalName Service is a DNS alias for a name outside the cluster: it has no backends here.
 *
 * Sources: kubernetes.io/docs/concepts/services-networking/service/ ("Services without selectors",
 * "Headless Services", "Field spec.ports[*].targetPort"), .../endpoint-slices/, .../dns-pod-service/.
 */

import ipaddr from 'ipaddr.js';
import type { ClusterSnapshot, EndpointSlice, Pod, PortProtocol, Service, ServicePort } from './types';
import { objectKey } from './types';

/** A backend as the policy engine names it: a pod (`ns/name`), or an address that is no known pod. */
export type BackendTarget = { pod: string } | { ip: string };

export interface ServiceBackend {
  target: BackendTarget;
  /** The port the translated connection reaches the backend on. */
  port: number;
}

/** A would-be backend that receives no traffic for this port, and why. */
export interface SkippedBackend {
  /** The pod (`ns/name`) or the address as the EndpointSlice lists it. */
  backend: string;
  reason: string;
}

export interface ServiceTarget {
  service: Service;
  /** The Service port the connection matched; absent for headless Services (no translation). */
  servicePort?: ServicePort;
  /** The virtual IP the connection was addressed to, when it named one. */
  clusterIP?: string;
  /** Where the connection may land: one of these, chosen per connection by the load balancer. */
  backends: ServiceBackend[];
  skipped: SkippedBackend[];
}

export type ServiceLookupErrorCode = 'unknown-service' | 'no-service-port' | 'external-name';

export interface ServiceLookupError {
  code: ServiceLookupErrorCode;
  message: string;
}

export function isServiceLookupError(r: ServiceTarget | ServiceLookupError): r is ServiceLookupError {
  return 'code' in r;
}

/** `80/TCP` or `80/TCP (http)`. */
export function describeServicePort(p: ServicePort): string {
  return `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`;
}

/** The one text form of an address, so `fd00::0:a` and `fd00::a` find the same Service. */
function canonicalIp(ip: string): string | undefined {
  try {
    return ipaddr.parse(ip).toString();
  } catch {
    return undefined;
  }
}

const familyOf = (ip: string): 'IPv4' | 'IPv6' | undefined => {
  try {
    return ipaddr.parse(ip).kind() === 'ipv4' ? 'IPv4' : 'IPv6';
  } catch {
    return undefined;
  }
};

const targetKey = (t: BackendTarget) => ('pod' in t ? `pod:${t.pod}` : `ip:${canonicalIp(t.ip) ?? t.ip}`);

/** The Services by `namespace/name` and by virtual IP (every spelling the snapshot gives, and the canonical one). */
interface ServiceLookup {
  byKey: Map<string, Service>;
  byVip: Map<string, Service>;
}

/**
 * Per Services array: a fix check or a what-if replay compiles the cluster with its policies (and
 * pods) changed but its Services as they are, and building this part again - an address parsed per
 * virtual IP - was 30-50 ms of each such compile at 5,000 workloads, in one step of the posture.
 */
const serviceLookups = new WeakMap<readonly Service[], ServiceLookup>();
/** EndpointSlices by their Service's `namespace/name`, per EndpointSlices array (same reason). */
const slicesByServiceOf = new WeakMap<readonly EndpointSlice[], Map<string, EndpointSlice[]>>();

function serviceLookupOf(services: readonly Service[]): ServiceLookup {
  let lookup = serviceLookups.get(services);
  if (lookup) return lookup;
  lookup = { byKey: new Map(), byVip: new Map() };
  for (const s of services) {
    lookup.byKey.set(objectKey(s), s);
    for (const ip of s.clusterIPs) {
      lookup.byVip.set(ip, s);
      const key = canonicalIp(ip);
      if (key) lookup.byVip.set(key, s);
    }
  }
  serviceLookups.set(services, lookup);
  return lookup;
}

function slicesByService(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  let byService = slicesByServiceOf.get(slices);
  if (byService) return byService;
  byService = new Map();
  for (const slice of slices) {
    if (!slice.serviceName) continue;
    const key = `${slice.namespace}/${slice.serviceName}`;
    let list = byService.get(key);
    if (!list) byService.set(key, (list = []));
    list.push(slice);
  }
  slicesByServiceOf.set(slices, byService);
  return byService;
}

const NO_SERVICES: readonly Service[] = [];
const NO_SLICES: readonly EndpointSlice[] = [];

export class ServiceIndex {
  private readonly byKey: ReadonlyMap<string, Service>;
  private readonly byVip: ReadonlyMap<string, Service>;
  private readonly podsByNamespace = new Map<string, Pod[]>();
  private readonly podKeys = new Set<string>();
  private readonly slicesByService: ReadonlyMap<string, EndpointSlice[]>;

  constructor(snapshot: Pick<ClusterSnapshot, 'services' | 'endpointSlices' | 'pods'>) {
    // `?? []`: snapshots built by hand before Services were read may lack them.
    ({ byKey: this.byKey, byVip: this.byVip } = serviceLookupOf(snapshot.services ?? NO_SERVICES));
    this.slicesByService = slicesByService(snapshot.endpointSlices ?? NO_SLICES);
    for (const p of snapshot.pods) {
      this.podKeys.add(objectKey(p));
      let list = this.podsByNamespace.get(p.namespace);
      if (!list) this.podsByNamespace.set(p.namespace, (list = []));
      list.push(p);
    }
  }

  /** The Service `namespace/name`. */
  get(key: string): Service | undefined {
    return this.byKey.get(key);
  }

  /** The Service whose virtual IP this is (any family). */
  byClusterIp(ip: string): Service | undefined {
    if (this.byVip.size === 0) return undefined;
    const exact = this.byVip.get(ip);
    if (exact || !ip.includes(':')) return exact;
    // IPv6 has many spellings of one address: compare the canonical one.
    const key = canonicalIp(ip);
    return key ? this.byVip.get(key) : undefined;
  }

  services(): IterableIterator<Service> {
    return this.byKey.values();
  }

  /**
   * Where a connection to `service` on `port`/`protocol` lands. `clusterIP` is the virtual IP it was
   * addressed to (it picks the address family of EndpointSlice backends); without it, the primary family.
   */
  target(service: Service, port: number, protocol: PortProtocol, clusterIP?: string): ServiceTarget | ServiceLookupError {
    const name = objectKey(service);
    if (service.type === 'ExternalName') {
      return {
        code: 'external-name',
        message: `Service ${name} is an ExternalName alias for ${service.externalName ?? 'an external name'}: it has no backends in the cluster; evaluate the address that name resolves to`,
      };
    }
    let servicePort: ServicePort | undefined;
    if (!service.headless) {
      servicePort = service.ports.find((p) => p.port === port && p.protocol === protocol);
      if (!servicePort) {
        const offered = service.ports.length ? service.ports.map(describeServicePort).join(', ') : 'none';
        return { code: 'no-service-port', message: `Service ${name} has no port ${port}/${protocol} (its ports: ${offered}): nothing forwards this connection` };
      }
    }
    const backends: ServiceBackend[] = [];
    const skipped: SkippedBackend[] = [];
    const seen = new Set<string>();
    const add = (target: BackendTarget, backendPort: number) => {
      const key = `${targetKey(target)}|${backendPort}`;
      if (seen.has(key)) return;
      seen.add(key);
      backends.push({ target, port: backendPort });
    };
    if (service.selector) this.selectedBackends(service, servicePort, port, protocol, add, skipped);
    else this.sliceBackends(service, servicePort, port, clusterIP, add, skipped);
    return { service, ...(servicePort ? { servicePort } : {}), ...(clusterIP ? { clusterIP } : {}), backends, skipped };
  }

  private selectedBackends(
    service: Service,
    servicePort: ServicePort | undefined,
    port: number,
    protocol: PortProtocol,
    add: (t: BackendTarget, port: number) => void,
    skipped: SkippedBackend[],
  ): void {
    const selector = service.selector ?? {};
    for (const pod of this.podsByNamespace.get(service.namespace) ?? []) {
      if (!Object.entries(selector).every(([k, v]) => pod.labels[k] === v)) continue;
      const target = { pod: objectKey(pod) };
      // A pod without an address (pending) is in no EndpointSlice: it receives nothing.
      if (!pod.ip && pod.ips.length === 0) {
        skipped.push({ backend: target.pod, reason: 'has no IP address yet (pending): not an endpoint' });
        continue;
      }
      if (!servicePort) {
        add(target, port);
        continue;
      }
      const tp = servicePort.targetPort;
      if (typeof tp === 'number') {
        add(target, tp);
        continue;
      }
      const named = pod.containerPorts.find((c) => c.name === tp && c.protocol === protocol);
      if (named) add(target, named.containerPort);
      else skipped.push({ backend: target.pod, reason: `declares no ${protocol} container port named ${tp}: not an endpoint for ${describeServicePort(servicePort)}` });
    }
  }

  private sliceBackends(
    service: Service,
    servicePort: ServicePort | undefined,
    port: number,
    clusterIP: string | undefined,
    add: (t: BackendTarget, port: number) => void,
    skipped: SkippedBackend[],
  ): void {
    const slices = this.slicesByService.get(objectKey(service)) ?? [];
    // A connection to an IPv4 virtual IP is forwarded to IPv4 endpoints (and IPv6 to IPv6).
    const wanted =
      (clusterIP && familyOf(clusterIP)) ||
      (service.clusterIPs[0] && familyOf(service.clusterIPs[0])) ||
      (slices.some((s) => s.addressType === 'IPv4') ? 'IPv4' : 'IPv6');
    for (const slice of slices) {
      if (slice.addressType === 'FQDN') {
        for (const e of slice.endpoints) skipped.push({ backend: e.addresses[0], reason: `is an FQDN endpoint (EndpointSlice ${slice.namespace}/${slice.name}): kube-proxy forwards to IPv4 and IPv6 endpoints only` });
        continue;
      }
      if (slice.addressType !== wanted) continue;
      let backendPort = port;
      if (servicePort) {
        // EndpointSlice ports carry the Service port's name (EndpointPort.name).
        const sp = slice.ports.find((p) => (p.name ?? '') === (servicePort.name ?? '') && p.protocol === servicePort.protocol);
        if (!sp || sp.port === undefined) {
          const why = !sp ? `has no ${servicePort.protocol} port named ${JSON.stringify(servicePort.name ?? '')}` : 'gives no port number for it';
          for (const e of slice.endpoints) skipped.push({ backend: e.addresses[0], reason: `EndpointSlice ${slice.namespace}/${slice.name} ${why}: not an endpoint for ${describeServicePort(servicePort)}` });
          continue;
        }
        backendPort = sp.port;
      }
      for (const e of slice.endpoints) {
        const ref = e.targetRef;
        const podKey = ref?.kind === 'Pod' ? `${ref.namespace ?? slice.namespace}/${ref.name}` : undefined;
        const target: BackendTarget = podKey && this.podKeys.has(podKey) ? { pod: podKey } : { ip: e.addresses[0] };
        if (!e.ready) skipped.push({ backend: 'pod' in target ? target.pod : target.ip, reason: `is not ready (EndpointSlice ${slice.namespace}/${slice.name}): receives no new connections` });
        else add(target, backendPort);
      }
    }
  }
}

const cache = new WeakMap<object, ServiceIndex>();

/** The index of a snapshot, built once per snapshot object (snapshots are immutable). */
export function serviceIndexOf(snapshot: Pick<ClusterSnapshot, 'services' | 'endpointSlices' | 'pods'>): ServiceIndex {
  let index = cache.get(snapshot);
  if (!index) cache.set(snapshot, (index = new ServiceIndex(snapshot)));
  return index;
}
