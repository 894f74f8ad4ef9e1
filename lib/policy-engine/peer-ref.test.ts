/**
 * The text forms of peers. Service names follow kubernetes.io/docs/concepts/services-networking/dns-pod-service/
 * ("Services": `my-svc.my-namespace.svc.cluster-domain.example`; a pod's DNS search list also resolves
 * `my-svc.my-namespace` and `my-svc.my-namespace.svc`). A Service name is a DNS-1035 label (starts with a letter).
 */

import { describe, expect, it } from 'vitest';
import { formatPeerRef, parsePeerRef, parseServiceDnsName } from './peer-ref';

describe('parsePeerRef: Services by DNS name', () => {
  it.each([
    ['kube-dns.kube-system', { service: 'kube-system/kube-dns' }],
    ['kube-dns.kube-system.svc', { service: 'kube-system/kube-dns' }],
    ['kube-dns.kube-system.svc.cluster.local', { service: 'kube-system/kube-dns' }],
    ['kube-dns.kube-system.svc.cluster.local.', { service: 'kube-system/kube-dns' }],
    // Another cluster domain (--cluster-domain) is still a Service name.
    ['api.shop.svc.prod.example', { service: 'shop/api' }],
    // DNS is case-insensitive.
    ['API.Shop.SVC.cluster.local', { service: 'shop/api' }],
  ])('%s', (text, expected) => expect(parsePeerRef(text)).toEqual(expected));

  it.each([
    // Three labels without `svc`: an internet name, not a Service.
    'api.stripe.com',
    // A Service name starts with a letter (DNS-1035).
    '1api.shop',
    'api..svc',
    'api.shop.svc..local',
    'api.shop.pod.cluster.local',
  ])('rejects %j with the forms it accepts', (text) => {
    const r = parsePeerRef(text);
    expect(r).toHaveProperty('error');
    expect((r as { error: string }).error).toContain('a Service name (name.namespace.svc.cluster.local)');
  });

  it('pods, IPs and reserved peers keep their forms (a pod ref has a slash, never dots only)', () => {
    expect(parsePeerRef('shop/api-1')).toEqual({ pod: 'shop/api-1' });
    expect(parsePeerRef('shop/web.v2')).toEqual({ pod: 'shop/web.v2' });
    expect(parsePeerRef('10.0.0.10')).toEqual({ ip: '10.0.0.10' });
    expect(parsePeerRef('host')).toEqual({ entity: 'host' });
  });

  it('formats a Service so it parses back (the explain URL round trip)', () => {
    expect(formatPeerRef({ service: 'kube-system/kube-dns' })).toBe('kube-dns.kube-system.svc');
    expect(parsePeerRef(formatPeerRef({ service: 'kube-system/kube-dns' }))).toEqual({ service: 'kube-system/kube-dns' });
  });

  it('parseServiceDnsName splits name and namespace', () => {
    expect(parseServiceDnsName('web.shop.svc.cluster.local')).toEqual({ namespace: 'shop', name: 'web' });
    expect(parseServiceDnsName('web')).toBeUndefined();
  });
});
