/**
 * The /api/layers request: one flow by uuid, one map edge by id, or a flow spelled out (addresses,
 * ports, protocol, pods, node). Every parameter is checked; unknown parameters are rejected so a typo
 * does not silently evaluate a different connection.
 */

import { isIp } from '../net/ip';
import { z } from 'zod';
import type { ObservedFlow } from '../layers/three-layers';
import type { ParamProblem } from './problem';
import { singleValuedParams } from './request-params';

export type LayersQuery = { kind: 'uuid'; uuid: string } | { kind: 'edge'; edge: string } | { kind: 'flow'; flow: ObservedFlow };

const ip = z.string().max(45).refine((s) => isIp(s), 'must be an IPv4 or IPv6 address');
const port = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number')
  .transform(Number)
  .refine((n) => n <= 65535, 'must be at most 65535');
const dnsLabel = z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name');
const podName = z.string().max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name');
// Hubble names nodes `<cluster>/<node>`.
const nodeName = z.string().max(300).regex(/^([a-z0-9][-a-z0-9.]*\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a node name, optionally prefixed with its cluster');
const fqdn = z
  .string()
  .max(253)
  .regex(/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/, 'must be a DNS name');

const flowSchema = z
  .object({
    srcIp: ip,
    dstIp: ip,
    srcPort: port.optional(),
    dstPort: port,
    protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6', 'ICMP']),
    fqdn: fqdn.optional(),
    isReply: z.enum(['true', 'false']).optional(),
    srcNamespace: dnsLabel.optional(),
    srcPod: podName.optional(),
    dstNamespace: dnsLabel.optional(),
    dstPod: podName.optional(),
    node: nodeName.optional(),
    direction: z.enum(['INGRESS', 'EGRESS', 'UNKNOWN']).optional(),
  })
  .strict();

const uuidSchema = z.object({ uuid: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/, 'must be a flow uuid') }).strict();
const edgeSchema = z.object({ edge: z.string().min(3).max(600) }).strict();

/** Parses the search parameters; each problem names its parameter. */
export function parseLayersQuery(params: URLSearchParams): { ok: true; query: LayersQuery } | { ok: false; problems: ParamProblem[] } {
  const { values: raw, repeated } = singleValuedParams(params);
  if (repeated.length) return { ok: false, problems: repeated.map((param) => ({ param, message: 'given more than once' })) };
  const problems = (e: z.ZodError): ParamProblem[] =>
    e.issues.map((i) => ({ param: i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : '(query)'), message: i.code === 'unrecognized_keys' ? 'unknown parameter' : i.message }));
  if (Object.hasOwn(raw, 'uuid')) {
    const r = uuidSchema.safeParse(raw);
    return r.success ? { ok: true, query: { kind: 'uuid', uuid: r.data.uuid } } : { ok: false, problems: problems(r.error) };
  }
  if (Object.hasOwn(raw, 'edge')) {
    const r = edgeSchema.safeParse(raw);
    return r.success ? { ok: true, query: { kind: 'edge', edge: r.data.edge } } : { ok: false, problems: problems(r.error) };
  }
  const r = flowSchema.safeParse(raw);
  if (!r.success) return { ok: false, problems: problems(r.error) };
  const d = r.data;
  return {
    ok: true,
    query: {
      kind: 'flow',
      flow: {
        source: { ip: d.srcIp, port: d.srcPort ?? 0, ...(d.srcNamespace ? { namespace: d.srcNamespace } : {}), ...(d.srcPod ? { pod: d.srcPod } : {}) },
        destination: { ip: d.dstIp, port: d.dstPort, ...(d.dstNamespace ? { namespace: d.dstNamespace } : {}), ...(d.dstPod ? { pod: d.dstPod } : {}) },
        protocol: d.protocol,
        isReply: d.isReply === undefined ? null : d.isReply === 'true',
        ...(d.node ? { node: d.node } : {}),
        ...(d.direction ? { direction: d.direction } : {}),
        ...(d.fqdn ? { fqdn: d.fqdn } : {}),
      },
    },
  };
}

