/**
 * Services and EndpointSlices as the sources read them. Field semantics follow the API reference:
 * kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/ (ServiceSpec, ServicePort) and
 * .../endpoint-slice-v1/ (EndpointSlice, EndpointConditions).
 */

import { describe, expect, it } from 'vitest';
import { normalizeObject } from './normalize';
import { parseManifestText } from './parse-manifests';

const service = (spec: Record<string, unknown>, name = 'web') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', labels: { team: 'a' } }, spec });
const slice = (body: Record<string, unknown>) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'db-x1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } },
  ...body,
});

function value(raw: unknown) {
  const r = normalizeObject(raw);
  if (!r.ok) throw new Error(r.message);
  return r.object.value;
}

function problem(raw: unknown): string {
  const r = normalizeObject(raw);
  if (r.ok) throw new Error('expected an error');
  expect(r.code).toBe('invalid-object');
  return r.message;
}

describe('normalizeObject: Service', () => {
  it('keeps selector, ports and a named targetPort; type defaults to ClusterIP and protocol to TCP (ServiceSpec.type, ServicePort.protocol)', () => {
    expect(value(service({ clusterIP: '10.0.1.2', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }))).toEqual({
      namespace: 'shop',
      name: 'web',
      labels: { team: 'a' },
      type: 'ClusterIP',
      clusterIPs: ['10.0.1.2'],
      headless: false,
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }],
    });
  });

  it('targetPort defaults to port, also when 0 or empty (ServicePort.targetPort: "By default the value of the port field is used")', () => {
    const s = value(service({ ports: [{ port: 53, protocol: 'UDP' }, { port: 80, targetPort: 0 }, { port: 81, targetPort: '' }] }));
    expect(s).toMatchObject({ ports: [{ port: 53, protocol: 'UDP', targetPort: 53 }, { port: 80, targetPort: 80 }, { port: 81, targetPort: 81 }] });
  });

  it('a manifest without clusterIP (assigned by the API server) has no virtual IP but is no headless Service', () => {
    expect(value(service({ selector: { app: 'web' }, ports: [{ port: 80 }] }))).toMatchObject({ clusterIPs: [], headless: false });
  });

  it('clusterIP None is headless (Services, "Headless Services")', () => {
    expect(value(service({ clusterIP: 'None', selector: { app: 'db' } }))).toMatchObject({ clusterIPs: [], headless: true });
    expect(value(service({ clusterIPs: ['None'], selector: { app: 'db' } }))).toMatchObject({ headless: true });
  });

  it('spec.clusterIPs wins over spec.clusterIP and keeps both families, primary first (ServiceSpec.clusterIPs)', () => {
    expect(value(service({ clusterIP: '10.0.1.2', clusterIPs: ['10.0.1.2', 'fd00:10::12'], ports: [{ port: 80 }] }))).toMatchObject({ clusterIPs: ['10.0.1.2', 'fd00:10::12'] });
  });

  it('an empty selector means "no selector": the endpoints are managed elsewhere (ServiceSpec.selector)', () => {
    expect(value(service({ selector: {}, ports: [{ port: 80 }] }))).not.toHaveProperty('selector');
  });

  it('ExternalName: a DNS alias with no virtual IP and no selected backends (Services, "ExternalName")', () => {
    expect(value(service({ type: 'ExternalName', externalName: 'db.example.com', selector: { app: 'x' } }))).toMatchObject({
      type: 'ExternalName',
      clusterIPs: [],
      headless: false,
      externalName: 'db.example.com',
    });
    expect(value(service({ type: 'ExternalName', externalName: 'db.example.com' }))).not.toHaveProperty('selector');
  });

  it.each([
    ['a port that is no number', { ports: [{ port: 80 }, { port: 'http' }] }, 'Service shop/web: spec.ports[1].port: "http" is not a port number'],
    ['a port out of range', { ports: [{ port: 70000 }] }, 'spec.ports[0].port: 70000'],
    ['a targetPort string of digits (the API requires a name with a letter)', { ports: [{ port: 80, targetPort: '8080' }] }, 'spec.ports[0].targetPort: "8080" is neither a port number'],
    ['a targetPort name that is too long', { ports: [{ port: 80, targetPort: 'a-very-long-port-name' }] }, 'spec.ports[0].targetPort'],
    ['an unknown protocol', { ports: [{ port: 80, protocol: 'ICMP' }] }, 'spec.ports[0].protocol: "ICMP" is not TCP, UDP or SCTP'],
    ['an unknown type', { type: 'Ingress' }, 'spec.type: "Ingress"'],
    ['a clusterIP that is no address', { clusterIP: '10.0.0.300' }, 'spec.clusterIP: "10.0.0.300" is not an IP address'],
    ['a bad second clusterIPs entry', { clusterIPs: ['10.0.0.3', 'nope'] }, 'spec.clusterIPs[1]: "nope"'],
    ['ports that are no list', { ports: { port: 80 } }, 'spec.ports: not a list'],
  ])('reports %s with the object and the field', (_n, spec, message) => {
    expect(problem(service(spec))).toContain(message);
  });
});

describe('normalizeObject: EndpointSlice', () => {
  it('ties the slice to its Service by the kubernetes.io/service-name label; an absent ready condition means ready (EndpointConditions.ready)', () => {
    expect(
      value(
        slice({
          addressType: 'IPv4',
          ports: [{ name: 'pg', port: 5432 }],
          endpoints: [
            { addresses: ['10.30.0.4'], targetRef: { kind: 'Pod', namespace: 'shop', name: 'db-0' }, nodeName: 'node-a' },
            { addresses: ['10.30.0.5'], conditions: { ready: false } },
          ],
        }),
      ),
    ).toEqual({
      namespace: 'shop',
      name: 'db-x1',
      serviceName: 'db',
      addressType: 'IPv4',
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.30.0.4'], ready: true, targetRef: { kind: 'Pod', namespace: 'shop', name: 'db-0' }, nodeName: 'node-a' },
        { addresses: ['10.30.0.5'], ready: false },
      ],
    });
  });

  it('a port without a number means "all ports" and is kept without one (EndpointPort.port)', () => {
    expect(value(slice({ addressType: 'IPv4', ports: [{ name: '' }], endpoints: [] }))).toMatchObject({ ports: [{ protocol: 'TCP' }] });
  });

  it.each([
    ['no addressType (required)', { endpoints: [] }, 'EndpointSlice shop/db-x1: addressType: undefined'],
    ['an IPv4 slice with an IPv6 address', { addressType: 'IPv4', endpoints: [{ addresses: ['fd00::1'] }] }, 'endpoints[0].addresses[0]: "fd00::1" is not an IPv4 address'],
    ['an endpoint without addresses', { addressType: 'IPv4', endpoints: [{ addresses: [] }] }, 'endpoints[0].addresses: an endpoint needs at least one address'],
    ['a port out of range', { addressType: 'IPv4', ports: [{ port: 0 }], endpoints: [] }, 'ports[0].port: 0'],
  ])('reports %s with the object and the field', (_n, body, message) => {
    expect(problem(slice(body))).toContain(message);
  });
});

describe('manifests with Services', () => {
  it('a Service and an EndpointSlice document load like any object (not an unknown kind); a broken one names its file and line', () => {
    const text = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]',
      'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: db-1, namespace: shop, labels: {kubernetes.io/service-name: db}}\naddressType: IPv4\nendpoints: [{addresses: [10.30.0.4]}]',
      'apiVersion: v1\nkind: Service\nmetadata: {name: bad, namespace: shop}\nspec:\n  ports: [{port: 99999}]',
    ].join('\n---\n');
    const r = parseManifestText(text, 'svc.yaml');
    expect(r.objects.map((o) => `${o.kind}/${o.value.name}`)).toEqual(['Service/web', 'EndpointSlice/db-1']);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'invalid-object', message: expect.stringContaining('spec.ports[0].port: 99999'), where: expect.objectContaining({ file: 'svc.yaml', documentIndex: 2, line: 14 }) })]);
  });
});
