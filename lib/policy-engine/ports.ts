/**
 * Port matching for NetworkPolicy `ports` and Cilium `toPorts`: numbers, ranges (endPort), named ports
 * resolved against the destination pod's container ports, and protocols (NP defaults to TCP, Cilium to ANY).
 */

import type { ContainerPort } from '../k8s/types';
import type { PolicyErrorSink } from './policy-error';

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP';
export type PortProtocol = Protocol | 'ANY';

export interface PortSpec {
  protocol: PortProtocol;
  /** First port; 0 means every port of the protocol. */
  port: number;
  /** Last port of a range (inclusive); equals `port` for a single port. */
  endPort: number;
  /** A named port, resolved per destination pod. */
  name?: string;
}

/** Does `spec` admit `port`/`protocol` on a destination with `destinationPorts` (undefined: not a pod)? */
export function portMatches(spec: PortSpec, port: number, protocol: Protocol, destinationPorts: readonly ContainerPort[] | undefined): boolean {
  if (spec.protocol !== 'ANY' && spec.protocol !== protocol) return false;
  if (spec.name !== undefined) {
    // A named port only exists on a pod: it never matches traffic to an IP outside the cluster.
    if (!destinationPorts) return false;
    for (let i = 0; i < destinationPorts.length; i++) {
      const cp = destinationPorts[i];
      if (cp.name === spec.name && cp.containerPort === port && (spec.protocol === 'ANY' || cp.protocol === protocol)) return true;
    }
    return false;
  }
  if (spec.port === 0) return true;
  return port >= spec.port && port <= spec.endPort;
}

const PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];

/**
 * Compiles one port entry. NetworkPolicy: `{protocol?, port?, endPort?}` with TCP default; Cilium:
 * `{port: "80", endPort?, protocol?}` with ANY default.
 */
export function compilePort(raw: unknown, field: string, errors: PolicyErrorSink, flavor: 'kubernetes' | 'cilium'): PortSpec | undefined {
  if (typeof raw !== 'object' || raw === null) {
    errors.error('invalid-port', field, 'a port entry must be an object');
    return undefined;
  }
  const p = raw as { protocol?: unknown; port?: unknown; endPort?: unknown };
  const rawProtocol = p.protocol === undefined || p.protocol === '' ? (flavor === 'kubernetes' ? 'TCP' : 'ANY') : String(p.protocol).toUpperCase();
  const allowed = flavor === 'kubernetes' ? PROTOCOLS : [...PROTOCOLS, 'ANY', 'ICMP'];
  if (!allowed.includes(rawProtocol)) {
    errors.error('invalid-port', `${field}.protocol`, `protocol must be one of ${allowed.join(', ')}, not ${String(p.protocol)}`);
    return undefined;
  }
  const protocol = rawProtocol as PortProtocol;
  if (p.port === undefined || p.port === null || p.port === '') {
    if (p.endPort !== undefined) {
      errors.error('invalid-port', `${field}.endPort`, 'endPort needs a numeric port');
      return undefined;
    }
    return { protocol, port: 0, endPort: 65535 };
  }
  const asNumber = typeof p.port === 'number' ? p.port : /^\d+$/.test(String(p.port)) ? Number(p.port) : undefined;
  if (asNumber === undefined) {
    const name = String(p.port);
    // IANA_SVC_NAME: at most 15 lowercase alphanumerics or '-', with a letter.
    if (!/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(name) || !/[a-z]/.test(name)) {
      errors.error('invalid-port', `${field}.port`, `${name} is neither a port number nor a valid port name`);
      return undefined;
    }
    if (p.endPort !== undefined) {
      errors.error('invalid-port', `${field}.endPort`, 'endPort cannot be used with a named port');
      return undefined;
    }
    return { protocol, port: 0, endPort: 0, name };
  }
  if (!Number.isInteger(asNumber) || asNumber < 0 || asNumber > 65535 || (flavor === 'kubernetes' && asNumber === 0)) {
    errors.error('invalid-port', `${field}.port`, `${String(p.port)} is not a port between 1 and 65535`);
    return undefined;
  }
  let endPort = asNumber;
  if (p.endPort !== undefined && p.endPort !== null) {
    const e = Number(p.endPort);
    if (!Number.isInteger(e) || e < asNumber || e > 65535) {
      errors.error('invalid-port', `${field}.endPort`, `endPort ${String(p.endPort)} must be a port >= ${asNumber}`);
      return undefined;
    }
    endPort = e;
  }
  return { protocol, port: asNumber, endPort: asNumber === 0 ? 65535 : endPort };
}
