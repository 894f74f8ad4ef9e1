/** How callers name the two sides of a connection: a pod, an IP, or a reserved peer such as the node. */

import ipaddr from 'ipaddr.js';
import type { ReservedKind } from './endpoint';

export type PeerRef =
  | { pod: string } // "namespace/name"
  | { ip: string }
  | { entity: ReservedKind; ip?: string; node?: string };

const RESERVED: readonly ReservedKind[] = ['host', 'remote-node', 'kube-apiserver', 'world'];

/**
 * Parses the CLI / API text form: `ns/pod`, an IP, or `host`, `remote-node`, `kube-apiserver`, `world`
 * (optionally `world:1.2.3.4`, `reserved:host`). Returns an error message for anything else.
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
  return { error: `${text}: expected namespace/pod, an IP address, or one of ${RESERVED.join(', ')}` };
}

export function formatPeerRef(ref: PeerRef): string {
  if ('pod' in ref) return ref.pod;
  if ('entity' in ref) return ref.ip ? `${ref.entity}:${ref.ip}` : ref.entity;
  return ref.ip;
}
