/** How callers name the two sides of a connection: a pod, an IP, a Service, or a reserved peer such as the node. */

import ipaddr from 'ipaddr.js';
import { normalizeDnsName } from '../match/dns-name';
import type { ReservedKind } from './endpoint';

export type PeerRef =
  | { pod: string } // "namespace/name"
  | { ip: string }
  | { service: string } // "namespace/name": evaluated against the Service's backends (service-connection.ts)
  | { entity: ReservedKind; ip?: string; node?: string };

/** The namespace of a pod reference (`ns/name`); undefined for anything else. */
export function podNamespaceOf(ref: PeerRef): string | undefined {
  return 'pod' in ref ? ref.pod.slice(0, ref.pod.indexOf('/')) : undefined;
}

const RESERVED: readonly ReservedKind[] = ['host', 'remote-node', 'kube-apiserver', 'world'];

/** A Service name is a DNS-1035 label, a namespace a DNS-1123 label; both at most 63 characters. */
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DOMAIN_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A Service's DNS name as pods use it: `name.namespace`, `name.namespace.svc`, or the full
 * `name.namespace.svc.cluster.local` (any cluster domain), with or without the final dot
 * (kubernetes.io/docs/concepts/services-networking/dns-pod-service/, "Services": A/AAAA records
 * `my-svc.my-namespace.svc.cluster-domain.example`; the pod's DNS search list completes the shorter forms).
 * Undefined when the text is not shaped like one (e.g. `api.stripe.com`).
 */
export function parseServiceDnsName(text: string): { namespace: string; name: string } | undefined {
  const labels = normalizeDnsName(text).split('.');
  if (labels.length < 2 || (labels.length > 2 && labels[2] !== 'svc')) return undefined;
  if (!labels.slice(3).every((l) => DOMAIN_LABEL.test(l))) return undefined;
  const [name, namespace] = labels;
  if (!SERVICE_NAME.test(name) || !NAMESPACE_NAME.test(namespace)) return undefined;
  return { namespace, name };
}

/**
 * Parses the CLI / API text form: `ns/pod`, an IP, a Service's DNS name (`name.ns`, `name.ns.svc`,
 * `name.ns.svc.cluster.local`), or `host`, `remote-node`, `kube-apiserver`, `world` (optionally
 * `world:1.2.3.4`, `reserved:host`). Returns an error message for anything else. A Service's ClusterIP
 * parses as an IP: the evaluation recognizes it (service-connection.ts).
 */
export function parsePeerRef(text: string): PeerRef | { error: string } {
  const t = text.trim();
  if (ipaddr.isValid(t)) return { ip: t };
  const reserved = t.startsWith('reserved:') ? t.slice('reserved:'.length) : t;
  const [entity, ip] = reserved.split(/:(.*)/s, 2);
  if ((RESERVED as readonly string[]).includes(entity)) {
    if (ip !== undefined && ip !== '' && !ipaddr.isValid(ip)) return { error: `${text}: ${ip} is not an IP address` };
    return { entity: entity as ReservedKind, ...(ip ? { ip } : {}) };
  }
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(t)) return { pod: t };
  const service = parseServiceDnsName(t);
  if (service) return { service: `${service.namespace}/${service.name}` };
  return { error: `${text}: expected namespace/pod, an IP address, a Service name (name.namespace.svc.cluster.local), or one of ${RESERVED.join(', ')}` };
}

/** The text form parsePeerRef reads back; a Service as `name.namespace.svc`. */
export function formatPeerRef(ref: PeerRef): string {
  if ('pod' in ref) return ref.pod;
  if ('service' in ref) {
    const slash = ref.service.indexOf('/');
    return `${ref.service.slice(slash + 1)}.${ref.service.slice(0, slash)}.svc`;
  }
  if ('entity' in ref) return ref.ip ? `${ref.entity}:${ref.ip}` : ref.entity;
  return ref.ip;
}
