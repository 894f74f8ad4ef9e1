import { describe, expect, it } from 'vitest';
import { dnsRuleToKubeDns, egressAllowlistNetworkPolicy, selectorForWorkloads, withSelector } from './fix-manifests';

describe('fix manifests', () => {
  it('one selector for several workloads when one label key tells them apart, none when no key does', () => {
    expect(selectorForWorkloads([{ labels: { app: 'api', tier: 'backend' } }])).toEqual({ matchLabels: { app: 'api', tier: 'backend' } });
    expect(selectorForWorkloads([{ labels: { app: 'b', team: 'x' } }, { labels: { app: 'a', team: 'x' } }])).toEqual({ matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] });
    expect(selectorForWorkloads([{ labels: { app: 'a' } }, { labels: { component: 'b' } }])).toBeUndefined();
    // A workload without labels cannot be selected alone: an empty selector would select the whole namespace.
    expect(selectorForWorkloads([{ labels: {} }])).toBeUndefined();
  });

  it('withSelector replaces podSelector (NetworkPolicy) or endpointSelector (Cilium), optionally renaming', () => {
    const np = { kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'n' }, spec: { podSelector: {} } };
    expect(withSelector(np, { matchLabels: { app: 'a' } }, 'Web_1')).toEqual({ kind: 'NetworkPolicy', metadata: { name: 'p-web-1', namespace: 'n' }, spec: { podSelector: { matchLabels: { app: 'a' } } } });
    expect(np.spec.podSelector).toEqual({});
    expect(withSelector({ kind: 'CiliumNetworkPolicy', spec: {} }, { matchLabels: { app: 'a' } }).spec).toEqual({ endpointSelector: { matchLabels: { app: 'a' } } });
  });

  it('a Cilium rule with DNS and other ports keeps the other ports for its peers and sends DNS to kube-dns', () => {
    const cnp = { kind: 'CiliumNetworkPolicy', spec: { egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '443', protocol: 'TCP' }] }] }] } };
    expect(dnsRuleToKubeDns(cnp, { kind: 'CiliumNetworkPolicy', name: 'x', section: 'egress', rule: 0 })?.spec).toEqual({
      egress: [
        { toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
      ],
    });
    expect(dnsRuleToKubeDns(cnp, { kind: 'CiliumNetworkPolicy', name: 'x', section: 'ingress', rule: 0 })).toBeUndefined();
  });

  it('the NetworkPolicy allow-list (no FQDN rules) uses the addresses seen for names and entities', () => {
    const p = egressAllowlistNetworkPolicy('shop', 'web', { app: 'web' }, [
      { kind: 'fqdn', name: 'api.github.com', port: 443, protocol: 'TCP', ips: ['140.82.121.6'] },
      { kind: 'entity', entity: 'kube-apiserver', port: 443, protocol: 'TCP', ip: '20.50.12.7' },
      { kind: 'workload', namespace: 'pay', labels: { app: 'api' }, port: 8443, protocol: 'TCP' },
    ]) as { spec: { egress: unknown[] } };
    expect(p.spec.egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: '140.82.121.6/32' } }, { ipBlock: { cidr: '20.50.12.7/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'pay' } }, podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8443 }] },
    ]);
  });
});
