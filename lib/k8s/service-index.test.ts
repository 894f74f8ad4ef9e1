/**
 * Which backends a connection to a Service reaches, and on which port. Sources:
 * - kubernetes.io/docs/concepts/services-networking/service/ ("Defining a Service": a selector picks the
 *   pods; targetPort may name a container port, "even if there is a mixture of Pods in the Service using a
 *   single configured name, with the same network protocol available via different port numbers";
 *   "Services without selectors": EndpointSlices list the backends; "Headless Services": no cluster IP, no
 *   proxying, DNS returns the endpoints' addresses; "ExternalName").
 * - kubernetes.io/docs/concepts/services-networking/endpoint-slices/ (the kubernetes.io/service-name label;
 *   ready conditions; ports named like the Service's ports).
 */

import { describe, expect, it } from 'vitest';
import { normalizeObject } from './normalize';
import { isServiceLookupError, ServiceIndex, serviceIndexOf, type ServiceTarget } from './service-index';
import type { ClusterSnapshot, EndpointSlice, Pod, Service } from './types';

function service(namespace: string, name: string, spec: Record<string, unknown>): Service {
  const r = normalizeObject({ kind: 'Service', metadata: { name, namespace }, spec });
  if (!r.ok || r.object.kind !== 'Service') throw new Error(r.ok ? 'not a Service' : r.message);
  return r.object.value;
}

function slice(namespace: string, name: string, serviceName: string, body: Record<string, unknown>): EndpointSlice {
  const r = normalizeObject({ kind: 'EndpointSlice', metadata: { name, namespace, labels: { 'kubernetes.io/service-name': serviceName } }, ...body });
  if (!r.ok || r.object.kind !== 'EndpointSlice') throw new Error(r.ok ? 'not an EndpointSlice' : r.message);
  return r.object.value;
}

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string | undefined, ports: Pod['containerPorts'] = []): Pod => ({
  namespace,
  name,
  labels,
  ...(ip ? { ip } : {}),
  ips: ip ? [ip] : [],
  node: 'node-a',
  hostNetwork: false,
  containerPorts: ports,
});

const PODS: Pod[] = [
  pod('shop', 'web-1', { app: 'web' }, '10.244.0.11', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]),
  // The same port name on another number: each pod is reached on its own.
  pod('shop', 'web-2', { app: 'web' }, '10.244.0.12', [{ name: 'http', containerPort: 8081, protocol: 'TCP' }]),
  // Declares `http` only for UDP: not an endpoint of a TCP port named http.
  pod('shop', 'web-3', { app: 'web' }, '10.244.0.13', [{ name: 'http', containerPort: 8080, protocol: 'UDP' }]),
  pod('shop', 'web-pending', { app: 'web' }, undefined, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]),
  // Same labels, other namespace: a selector only looks in the Service's namespace.
  pod('other', 'web-9', { app: 'web' }, '10.244.0.19', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]),
  pod('shop', 'db-0', { app: 'db' }, '10.244.0.20', [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }]),
];

const SERVICES: Service[] = [
  service('shop', 'web', { clusterIP: '10.0.0.80', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'admin', port: 9000, targetPort: 9001 }] }),
  service('shop', 'db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] }),
  service('shop', 'legacy-db', { clusterIPs: ['10.0.0.90', 'fd00:10::90'], ports: [{ name: 'mssql', port: 1433, targetPort: 1433 }] }),
  service('shop', 'partner', { type: 'ExternalName', externalName: 'api.partner.example' }),
  service('shop', 'nothing', { clusterIP: '10.0.0.99', ports: [{ port: 80 }] }),
];

const SLICES: EndpointSlice[] = [
  slice('shop', 'legacy-db-v4', 'legacy-db', {
    addressType: 'IPv4',
    ports: [{ name: 'mssql', port: 1433 }],
    endpoints: [
      { addresses: ['10.225.4.20'] },
      { addresses: ['10.225.4.21'], conditions: { ready: false } },
      { addresses: ['10.244.0.20'], targetRef: { kind: 'Pod', name: 'db-0' } },
    ],
  }),
  slice('shop', 'legacy-db-v6', 'legacy-db', { addressType: 'IPv6', ports: [{ name: 'mssql', port: 1433 }], endpoints: [{ addresses: ['fd00:225::20'] }] }),
  // A slice whose port is named differently: it serves no port of the Service.
  slice('shop', 'legacy-db-x', 'legacy-db', { addressType: 'IPv4', ports: [{ name: 'other', port: 1433 }], endpoints: [{ addresses: ['10.225.4.30'] }] }),
];

const snapshot: ClusterSnapshot = { namespaces: [], nodes: [], policies: [], pods: PODS, services: SERVICES, endpointSlices: SLICES };
const index = new ServiceIndex(snapshot);

function target(key: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP', clusterIP?: string): ServiceTarget {
  const r = index.target(index.get(key)!, port, protocol, clusterIP);
  if (isServiceLookupError(r)) throw new Error(r.message);
  return r;
}

describe('ServiceIndex: Services with a selector', () => {
  it('a named targetPort is looked up in each selected pod, so one Service port may reach different pod ports', () => {
    const t = target('shop/web', 80);
    expect(t.servicePort).toMatchObject({ name: 'http', port: 80 });
    expect(t.backends).toEqual([
      { target: { pod: 'shop/web-1' }, port: 8080 },
      { target: { pod: 'shop/web-2' }, port: 8081 },
    ]);
  });

  it('a pod whose named port has another protocol, and a pending pod without an IP, are no endpoints (and say why)', () => {
    const t = target('shop/web', 80);
    expect(t.skipped).toEqual([
      { backend: 'shop/web-3', reason: expect.stringContaining('declares no TCP container port named http') },
      { backend: 'shop/web-pending', reason: expect.stringContaining('no IP address') },
    ]);
  });

  it('a numeric targetPort is the same on every selected pod, whatever ports it declares', () => {
    expect(target('shop/web', 9000).backends.map((b) => b.port)).toEqual([9001, 9001, 9001]);
  });

  it('pods of another namespace are never backends', () => {
    expect(target('shop/web', 80).backends.map((b) => b.target)).not.toContainEqual({ pod: 'other/web-9' });
  });

  it('a port the Service does not expose is an error naming the ports it has (nothing forwards it)', () => {
    const r = index.target(index.get('shop/web')!, 8080, 'TCP');
    expect(r).toEqual({ code: 'no-service-port', message: expect.stringContaining('has no port 8080/TCP (its ports: 80/TCP (http), 9000/TCP (admin))') });
    expect(index.target(index.get('shop/web')!, 80, 'UDP')).toMatchObject({ code: 'no-service-port' });
  });
});

describe('ServiceIndex: headless and ExternalName Services', () => {
  it('headless: the backends are reached on the port the client chose (no translation, any port)', () => {
    const t = target('shop/db', 5432);
    expect(t.servicePort).toBeUndefined();
    expect(t.backends).toEqual([{ target: { pod: 'shop/db-0' }, port: 5432 }]);
    expect(target('shop/db', 9187).backends).toEqual([{ target: { pod: 'shop/db-0' }, port: 9187 }]);
  });

  it('ExternalName has no backends in the cluster: an error saying what it aliases', () => {
    expect(index.target(index.get('shop/partner')!, 443, 'TCP')).toEqual({ code: 'external-name', message: expect.stringContaining('api.partner.example') });
  });
});

describe('ServiceIndex: Services without a selector (EndpointSlices)', () => {
  it('backends are the ready endpoints of the slices labelled with the Service name, on the slice port named like the Service port', () => {
    const t = target('shop/legacy-db', 1433);
    expect(t.backends).toEqual([
      { target: { ip: '10.225.4.20' }, port: 1433 },
      // targetRef to a known pod: named as the pod.
      { target: { pod: 'shop/db-0' }, port: 1433 },
    ]);
    expect(t.skipped).toEqual([
      { backend: '10.225.4.21', reason: expect.stringContaining('is not ready') },
      { backend: '10.225.4.30', reason: expect.stringContaining('has no TCP port named "mssql"') },
    ]);
  });

  it('a connection to the IPv6 ClusterIP goes to the IPv6 endpoints (the address family of the virtual IP)', () => {
    expect(target('shop/legacy-db', 1433, 'TCP', 'fd00:10::90').backends).toEqual([{ target: { ip: 'fd00:225::20' }, port: 1433 }]);
  });

  it('no slices at all: no backends (the connection reaches nothing)', () => {
    expect(target('shop/nothing', 80)).toMatchObject({ backends: [], skipped: [] });
  });
});

describe('ServiceIndex lookups', () => {
  it('finds a Service by any of its ClusterIPs, whatever the IPv6 spelling', () => {
    expect(index.byClusterIp('10.0.0.80')?.name).toBe('web');
    expect(index.byClusterIp('fd00:10:0::90')?.name).toBe('legacy-db');
    expect(index.byClusterIp('fd00:0010::0090')?.name).toBe('legacy-db');
    expect(index.byClusterIp('10.0.0.81')).toBeUndefined();
  });

  it('is built once per snapshot object', () => {
    expect(serviceIndexOf(snapshot)).toBe(serviceIndexOf(snapshot));
    expect(serviceIndexOf({ ...snapshot })).not.toBe(serviceIndexOf(snapshot));
  });

  it('a snapshot sharing the Services and slices but not the pods (a fix check, a what-if) names its own pods', () => {
    // The Service and EndpointSlice lookups are kept per array and shared; which backend is a known pod is not.
    const withoutDb = new ServiceIndex({ ...snapshot, pods: PODS.filter((p) => p.name !== 'db-0') });
    const r = withoutDb.target(withoutDb.get('shop/legacy-db')!, 1433, 'TCP');
    if (isServiceLookupError(r)) throw new Error(r.message);
    expect(r.backends).toEqual([
      { target: { ip: '10.225.4.20' }, port: 1433 },
      { target: { ip: '10.244.0.20' }, port: 1433 },
    ]);
    expect(withoutDb.byClusterIp('fd00:0010::0090')?.name).toBe('legacy-db');
    // And the first index is unchanged by the second.
    expect(target('shop/legacy-db', 1433).backends).toContainEqual({ target: { pod: 'shop/db-0' }, port: 1433 });
    // A snapshot with other Services finds only its own.
    const other = new ServiceIndex({ ...snapshot, services: SERVICES.filter((s) => s.name !== 'web') });
    expect(other.byClusterIp('10.0.0.80')).toBeUndefined();
    expect(other.byClusterIp('fd00:10:0::90')?.name).toBe('legacy-db');
  });
});
