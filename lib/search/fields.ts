/**
 * The search fields as a person meets them: the name, the aliases accepted for it (hubble observe's
 * long flag names, so `namespace:` works as well as `ns:`), a one-line description for completion,
 * and "did you mean" for a misspelt name.
 */

import { SEARCH_FIELDS, type SearchField } from './ast';

/** A field a person can type (`text` is a bare word, never typed as `text:`). */
export type TypedField = Exclude<SearchField, 'text'>;

export interface FieldInfo {
  name: TypedField;
  description: string;
  /** A value that works, shown beside the description. */
  example: string;
}

const INFO: Record<TypedField, Omit<FieldInfo, 'name'>> = {
  ns: { description: 'namespace of either side (glob)', example: 'shop' },
  'from-ns': { description: 'namespace of the source (glob)', example: 'shop' },
  'to-ns': { description: 'namespace of the destination (glob)', example: 'kube-system' },
  pod: { description: 'pod name prefix of either side, optionally namespace/prefix (glob)', example: 'shop/frontend-' },
  'from-pod': { description: 'pod name prefix of the source, optionally namespace/prefix', example: 'frontend-' },
  'to-pod': { description: 'pod name prefix of the destination, optionally namespace/prefix', example: 'payments/api-' },
  label: { description: 'label of either side: key=value or key (k8s:app=api)', example: 'app=api' },
  'from-label': { description: 'label of the source: key=value or key', example: 'app=frontend' },
  'to-label': { description: 'label of the destination: key=value or key', example: 'reserved:world' },
  workload: { description: 'workload of either side as the map shows it, optionally namespace/name (glob)', example: 'checkout' },
  'from-workload': { description: 'workload of the source (glob)', example: 'frontend' },
  'to-workload': { description: 'workload of the destination (glob)', example: 'shop/cart*' },
  verdict: { description: 'forwarded, dropped, audit, error, redirected, traced or translated (a|b for either)', example: 'dropped' },
  reason: { description: 'drop reason name (glob, any case)', example: 'POLICY_DENIED' },
  port: { description: 'port of either side: a number or a range', example: '443' },
  'from-port': { description: 'source port: a number or a range', example: '53' },
  'to-port': { description: 'destination port: a number or a range', example: '8000-8100' },
  proto: { description: 'tcp, udp, sctp, icmp, icmpv4, icmpv6, or the L7 kinds http, dns, kafka', example: 'tcp' },
  fqdn: { description: 'DNS name Cilium associated with either side (glob)', example: '*.example.com' },
  'from-fqdn': { description: 'DNS name of the source (glob)', example: '*.example.com' },
  'to-fqdn': { description: 'DNS name of the destination (glob)', example: 'api.stripe.com' },
  ip: { description: 'address of either side: an IP or a CIDR', example: '10.0.0.0/8' },
  'from-ip': { description: 'source address: an IP or a CIDR', example: '10.224.0.12' },
  'to-ip': { description: 'destination address: an IP or a CIDR', example: '0.0.0.0/0' },
  dns: { description: 'the name asked in a DNS request or answer (glob)', example: '*.svc.cluster.local' },
  'http-status': { description: 'HTTP status: 404, 5xx, or a range 500-504', example: '5xx' },
  'http-method': { description: 'HTTP method (a|b for either)', example: 'POST' },
  'http-path': { description: 'HTTP URL path (glob; * crosses /)', example: '/api/*' },
  policy: { description: 'policy that allowed or denied: name, namespace/name or kind/namespace/name (glob)', example: 'shop/default-deny' },
  node: { description: 'Cilium node name (glob, * stays within cluster/node)', example: 'aks-*' },
  identity: { description: 'security identity of either side: a number or a reserved name (world, host, ...)', example: 'world' },
  'from-identity': { description: 'security identity of the source', example: '12345' },
  'to-identity': { description: 'security identity of the destination', example: 'world' },
  reply: { description: 'true for replies, false for requests (and flows the relay could not tell)', example: 'false' },
  uuid: { description: 'one flow by its uuid', example: '0b6f8a8e-…' },
};

/** Every typed field with its description, in the order of SEARCH_FIELDS. */
export const FIELD_INFOS: readonly FieldInfo[] = SEARCH_FIELDS.filter((f): f is TypedField => f !== 'text').map((name) => ({ name, ...INFO[name] }));

/**
 * Other spellings accepted for a field: hubble observe's flag names (`--namespace`, `--protocol`,
 * `--drop-reason-desc`, `--node-name`) and the obvious long forms. Kept short on purpose: every alias
 * is a name a user can no longer search as text before a colon.
 */
export const FIELD_ALIASES: Readonly<Record<string, TypedField>> = {
  namespace: 'ns',
  'from-namespace': 'from-ns',
  'to-namespace': 'to-ns',
  protocol: 'proto',
  'drop-reason': 'reason',
  'drop-reason-desc': 'reason',
  'node-name': 'node',
  'http-code': 'http-status',
};

const BY_NAME = new Map<string, TypedField>([...FIELD_INFOS.map((f) => [f.name, f.name] as const), ...Object.entries(FIELD_ALIASES)]);

/** The field a typed name stands for (any case), or undefined. */
export function resolveField(name: string): TypedField | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every name a field may be typed as (canonical names first), for completion and suggestions. */
export function fieldNames(): string[] {
  return [...BY_NAME.keys()];
}

/** Edit distance, bounded by the short names involved (field names are under 20 characters). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest field name to a misspelt one, if one is close enough to be what was meant. */
export function suggestField(name: string): string | undefined {
  const n = name.toLowerCase().slice(0, 40);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of BY_NAME.keys()) {
    const d = candidate.startsWith(n) && n.length >= 2 ? 0.5 : distance(n, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(n.length / 3)) ? best : undefined;
}

export type Side = 'source' | 'destination';

/** Fields that test an endpoint: undirected ones match either side (hubble's left OR right filter). */
const ENDPOINT_FIELDS = new Set(['ns', 'pod', 'label', 'workload', 'port', 'fqdn', 'ip', 'identity']);

/**
 * Which endpoint(s) a field tests and the endpoint test it names: `from-pod` -> source `pod`,
 * `pod` -> either side `pod`; a flow-level field (verdict, dns, ...) has no sides.
 */
export function sidesOf(field: string): { base: string; sides: Side[] } {
  if (field.startsWith('from-') && ENDPOINT_FIELDS.has(field.slice(5))) return { base: field.slice(5), sides: ['source'] };
  if (field.startsWith('to-') && ENDPOINT_FIELDS.has(field.slice(3))) return { base: field.slice(3), sides: ['destination'] };
  if (ENDPOINT_FIELDS.has(field)) return { base: field, sides: ['source', 'destination'] };
  return { base: field, sides: [] };
}
