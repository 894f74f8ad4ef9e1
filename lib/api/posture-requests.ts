/**
 * Strict validation of the posture API's query parameters (policies page, explain): unknown parameters,
 * repeated parameters, oversized values and malformed peers are rejected, each problem naming its parameter.
 */

import { isIp } from '../net/ip';
import { z } from 'zod';
import { POLICY_KINDS } from '../k8s/types';
import type { ConnectionQuery } from '../server/views/explain-connection';
import type { CatalogQuery } from '../server/views/policy-catalog';
import { parsePeerRef, type PeerRef } from '../policy-engine/peer-ref';
import type { ParamProblem } from './problem';
import { singleValuedParams, type Parsed } from './request-params';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const VERDICT = ['FORWARDED', 'DROPPED', 'AUDIT', 'ERROR', 'REDIRECTED', 'TRACED', 'TRANSLATED', 'UNKNOWN'] as const;

const intText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer from ${min} to ${max}`);

const ipText = z.string().max(64).refine((v) => isIp(v), 'must be an IP address');

const catalogSchema = z.strictObject({
  ns: z.string().max(63).regex(DNS_LABEL, 'must be a namespace name (lowercase letters, digits, -)'),
  kind: z.enum(POLICY_KINDS, { message: `must be one of ${POLICY_KINDS.join(', ')}` }),
  q: z.string().max(200, 'at most 200 characters'),
  offset: intText(0, 100_000),
  limit: intText(1, 100),
  // View-only parameters the page keeps in its URL; accepted and ignored.
  select: z.string().max(400),
}).partial();

const explainSchema = z.strictObject({
  edge: z.string().min(5).max(600, 'at most 600 characters'),
  from: z.string().min(1).max(320),
  to: z.string().min(1).max(320),
  fromIp: ipText,
  toIp: ipText,
  fromNode: z.string().max(253).regex(NODE_NAME, 'must be a node name'),
  toNode: z.string().max(253).regex(NODE_NAME, 'must be a node name'),
  port: intText(0, 65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ICMP'], { message: 'must be TCP, UDP, SCTP or ICMP' }),
  method: z.string().max(16).regex(/^[A-Z]+$/, 'must be an HTTP method in capitals'),
  path: z.string().max(2048).startsWith('/', 'must start with /'),
  dnsQuery: z.string().max(253).regex(/^[A-Za-z0-9_.*-]+$/, 'must be a DNS name'),
  verdict: z.enum(VERDICT, { message: `must be one of ${VERDICT.join(', ')}` }),
  reply: z.enum(['0', '1'], { message: 'must be 0 or 1' }),
}).partial();

/** Single-valued parameters only: a repeated one is a problem, not a silent pick. */
function single(params: URLSearchParams): { values: Record<string, string>; problems: ParamProblem[] } {
  const { values, repeated } = singleValuedParams(params);
  for (const key of Object.keys(values)) if (values[key] === '') delete values[key];
  return { values, problems: repeated.map((param) => ({ param, message: 'given more than once' })) };
}

function issues(error: z.ZodError, known: readonly string[]): ParamProblem[] {
  return error.issues.map((i) =>
    i.code === 'unrecognized_keys'
      ? { param: i.keys.join(', '), message: `unknown parameter (known: ${known.join(', ')})` }
      : { param: String(i.path[0] ?? ''), message: i.message },
  );
}

const postureSchema = z.strictObject({
  ns: z.string().max(63).regex(DNS_LABEL, 'must be a namespace name (lowercase letters, digits, -)'),
}).partial();

/** What `/api/posture` narrows to: one namespace's scores, findings, badges and AUDIT flows (the map's namespace panel). */
export interface PostureRequest {
  namespace?: string;
}

/** `/api/posture` parameters: `ns`, or none (the whole report). */
export function parsePostureRequest(params: URLSearchParams): Parsed<PostureRequest> {
  const { values, problems } = single(params);
  if (problems.length) return { ok: false, problems };
  const r = postureSchema.safeParse(values);
  if (!r.success) return { ok: false, problems: issues(r.error, Object.keys(postureSchema.shape)) };
  return { ok: true, value: r.data.ns ? { namespace: r.data.ns } : {} };
}

/** `/api/policies` parameters. */
export function parseCatalogQuery(params: URLSearchParams): Parsed<CatalogQuery> {
  const { values, problems } = single(params);
  if (problems.length) return { ok: false, problems };
  const r = catalogSchema.safeParse(values);
  if (!r.success) return { ok: false, problems: issues(r.error, Object.keys(catalogSchema.shape)) };
  const d = r.data;
  return {
    ok: true,
    value: {
      ...(d.ns ? { namespace: d.ns } : {}),
      ...(d.kind ? { kind: d.kind } : {}),
      ...(d.q?.trim() ? { q: d.q.trim() } : {}),
      ...(d.offset !== undefined ? { offset: d.offset } : {}),
      ...(d.limit !== undefined ? { limit: d.limit } : {}),
    },
  };
}

export type ExplainRequest = { kind: 'edge'; edge: string } | { kind: 'connection'; query: ConnectionQuery; reply: boolean };

function peer(text: string, node: string | undefined, param: string, problems: ParamProblem[]): PeerRef | undefined {
  const ref = parsePeerRef(text);
  if ('error' in ref) {
    problems.push({ param, message: ref.error });
    return undefined;
  }
  return node && 'entity' in ref ? { ...ref, node } : ref;
}

/** `/api/explain` parameters: either `edge`, or a connection (`from`, `to`, `port`, `protocol`, ...). */
export function parseExplainRequest(params: URLSearchParams): Parsed<ExplainRequest> {
  const { values, problems } = single(params);
  if (problems.length) return { ok: false, problems };
  const r = explainSchema.safeParse(values);
  if (!r.success) return { ok: false, problems: issues(r.error, Object.keys(explainSchema.shape)) };
  const d = r.data;
  if (d.edge !== undefined) {
    const others = Object.keys(d).filter((k) => k !== 'edge');
    if (others.length) return { ok: false, problems: [{ param: others.join(', '), message: 'not allowed together with edge' }] };
    return { ok: true, value: { kind: 'edge', edge: d.edge } };
  }
  for (const k of ['from', 'to', 'port', 'protocol'] as const) if (d[k] === undefined) problems.push({ param: k, message: 'required (or give edge)' });
  if ((d.method === undefined) !== (d.path === undefined)) problems.push({ param: d.method === undefined ? 'method' : 'path', message: 'method and path go together' });
  const from = d.from !== undefined ? peer(d.from, d.fromNode, 'from', problems) : undefined;
  const to = d.to !== undefined ? peer(d.to, d.toNode, 'to', problems) : undefined;
  if (problems.length || !from || !to || d.port === undefined || !d.protocol) return { ok: false, problems };
  const l7 = d.method && d.path ? { http: { method: d.method, path: d.path } } : d.dnsQuery ? { dns: { query: d.dnsQuery } } : undefined;
  return {
    ok: true,
    value: {
      kind: 'connection',
      reply: d.reply === '1',
      query: {
        from,
        to,
        port: d.port,
        protocol: d.protocol,
        ...(l7 ? { l7 } : {}),
        ...(d.fromIp ? { fromIp: d.fromIp } : {}),
        ...(d.toIp ? { toIp: d.toIp } : {}),
        ...(d.verdict ? { observedVerdict: d.verdict } : {}),
      },
    },
  };
}
