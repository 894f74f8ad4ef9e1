/** Ready-to-apply manifests that fix what the findings report (default deny, DNS egress, FQDN allow-lists). */

import { stringify } from 'yaml';

const toYaml = (docs: Record<string, unknown>[]) => docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');

type Direction = 'Ingress' | 'Egress';

/** The seed's default-deny NetworkPolicy, for the given directions. */
export function defaultDenyPolicy(namespace: string, directions: Direction[] = ['Ingress', 'Egress']): Record<string, unknown> {
  const suffix = directions.length === 2 ? 'all' : directions[0].toLowerCase();
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `default-deny-${suffix}`, namespace },
    spec: { podSelector: {}, policyTypes: directions },
  };
}

/** Egress to kube-dns on UDP and TCP 53, for every pod of the namespace (or those matching `podLabels`). */
export function dnsEgressPolicy(namespace: string, podLabels?: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-dns-egress', namespace },
    spec: {
      podSelector: podLabels ? { matchLabels: podLabels } : {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  };
}

/** A CNP that allows a workload only the internet names it was seen using (plus DNS so the proxy learns their IPs). */
export function fqdnEgressPolicy(namespace: string, name: string, podLabels: Record<string, string>, fqdns: string[]): Record<string, unknown> {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: `${name}-egress-allowlist`, namespace },
    spec: {
      endpointSelector: { matchLabels: podLabels },
      egress: [
        {
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
        },
        ...(fqdns.length ? [{ toFQDNs: fqdns.map((f) => ({ matchName: f })), toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] : []),
      ],
    },
  };
}

export function manifestsYaml(...docs: Record<string, unknown>[]): string {
  return toYaml(docs);
}
