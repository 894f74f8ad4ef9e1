/**
 * The flow filters people type (URL parameters, CLI flags) -> Hubble FlowFilters, with the
 * semantics of `hubble observe`: `--from-*`/`--to-*` constrain one side; undirected flags
 * (`--namespace`, `--pod`, `--ip`, `--fqdn`, `--label`, `--port`) match either side, which takes
 * two filters OR-ed (source side, destination side); different flags AND; repeats OR.
 */

import { z } from 'zod';
import { VERDICTS, type Verdict } from '../flows/flow-record';
import { compileFilters, FilterError, type FlowFilter } from './flow-filter';

export interface FlowQuery {
  namespace?: string[];
  fromNamespace?: string[];
  toNamespace?: string[];
  pod?: string[];
  fromPod?: string[];
  toPod?: string[];
  ip?: string[];
  fromIp?: string[];
  toIp?: string[];
  label?: string[];
  fromLabel?: string[];
  toLabel?: string[];
  fqdn?: string[];
  fromFqdn?: string[];
  toFqdn?: string[];
  port?: string[];
  fromPort?: string[];
  toPort?: string[];
  verdict?: Verdict[];
  protocol?: string[];
  dropReason?: string[];
  httpStatus?: string[];
  httpMethod?: string[];
  node?: string[];
  uuid?: string[];
  direction?: ('INGRESS' | 'EGRESS')[];
}

type Side = 'source' | 'destination';

export function podValues(namespaces: string[] | undefined, pods: string[] | undefined): string[] | undefined {
  if (pods?.length) {
    if (!namespaces?.length) return pods;
    return namespaces.flatMap((ns) => pods.map((p) => (p.includes('/') ? p : `${ns}/${p}`)));
  }
  if (namespaces?.length) return namespaces.map((ns) => `${ns}/`);
  return undefined;
}

function sideFields(f: FlowFilter, side: Side, v: { pods?: string[]; ips?: string[]; labels?: string[]; fqdns?: string[]; ports?: string[] }): void {
  const s = side === 'source' ? 'source' : 'destination';
  if (v.pods?.length) (f as Record<string, unknown>)[`${s}_pod`] = [...(((f as Record<string, unknown>)[`${s}_pod`] as string[]) ?? []), ...v.pods];
  if (v.ips?.length) (f as Record<string, unknown>)[`${s}_ip`] = v.ips;
  if (v.labels?.length) (f as Record<string, unknown>)[`${s}_label`] = v.labels;
  if (v.fqdns?.length) (f as Record<string, unknown>)[`${s}_fqdn`] = v.fqdns;
  if (v.ports?.length) (f as Record<string, unknown>)[`${s}_port`] = v.ports;
}

/** Builds the allow list for a query (empty list = everything). */
export function flowQueryToFilters(q: FlowQuery): FlowFilter[] {
  const common: FlowFilter = {};
  if (q.verdict?.length) common.verdict = q.verdict;
  if (q.protocol?.length) common.protocol = q.protocol.map((p) => p.toLowerCase());
  if (q.dropReason?.length) common.drop_reason_desc = q.dropReason;
  if (q.httpStatus?.length) common.http_status_code = q.httpStatus;
  if (q.httpMethod?.length) common.http_method = q.httpMethod;
  if (q.node?.length) common.node_name = q.node;
  if (q.uuid?.length) common.uuid = q.uuid;
  if (q.direction?.length) common.traffic_direction = q.direction;

  const directed = (f: FlowFilter) => {
    sideFields(f, 'source', { pods: podValues(q.fromNamespace, q.fromPod), ips: q.fromIp, labels: q.fromLabel, fqdns: q.fromFqdn, ports: q.fromPort });
    sideFields(f, 'destination', { pods: podValues(q.toNamespace, q.toPod), ips: q.toIp, labels: q.toLabel, fqdns: q.toFqdn, ports: q.toPort });
    return f;
  };
  const undirected = { pods: podValues(q.namespace, q.pod), ips: q.ip, labels: q.label, fqdns: q.fqdn, ports: q.port };
  const hasUndirected = Object.values(undirected).some((v) => v && v.length);
  if (!hasUndirected) {
    const only = directed({ ...common });
    return Object.keys(only).length ? [only] : [];
  }
  const left = directed({ ...common });
  const right = directed({ ...common });
  sideFields(left, 'source', undirected);
  sideFields(right, 'destination', undirected);
  return [left, right];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const list = (item: z.ZodType<string>) => z.array(item).max(20, 'at most 20 values');
const text = (max = 253) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

const portText = () => text(5).refine((v) => /^\d+$/.test(v) && Number(v) <= 65535, 'must be a port number (0-65535)');

const querySchema = z.strictObject({
  namespace: list(text(63).regex(DNS_LABEL, 'must be a namespace name (lowercase letters, digits, -)')),
  fromNamespace: list(text(63).regex(DNS_LABEL, 'must be a namespace name (lowercase letters, digits, -)')),
  toNamespace: list(text(63).regex(DNS_LABEL, 'must be a namespace name (lowercase letters, digits, -)')),
  pod: list(text().regex(/^[a-z0-9.\-/]+$/, 'must be a pod name prefix, optionally namespace/prefix')),
  fromPod: list(text().regex(/^[a-z0-9.\-/]+$/, 'must be a pod name prefix, optionally namespace/prefix')),
  toPod: list(text().regex(/^[a-z0-9.\-/]+$/, 'must be a pod name prefix, optionally namespace/prefix')),
  ip: list(text(64)),
  fromIp: list(text(64)),
  toIp: list(text(64)),
  label: list(text()),
  fromLabel: list(text()),
  toLabel: list(text()),
  fqdn: list(text()),
  fromFqdn: list(text()),
  toFqdn: list(text()),
  port: list(portText()),
  fromPort: list(portText()),
  toPort: list(portText()),
  verdict: z.array(z.enum(VERDICTS, { message: `must be one of ${VERDICTS.join(', ')}` })).max(8),
  protocol: list(text(8)),
  dropReason: list(text(64)),
  httpStatus: list(text(3)),
  httpMethod: list(text(10).regex(/^[A-Za-z]+$/, 'must be an HTTP method')),
  node: list(text()),
  uuid: list(text(64)),
  direction: z.array(z.enum(['INGRESS', 'EGRESS'], { message: 'must be INGRESS or EGRESS' })).max(2),
}).partial();

export const FLOW_QUERY_KEYS = Object.keys(querySchema.shape) as (keyof FlowQuery)[];

export interface QueryProblem {
  /** The parameter as the user wrote it (`verdict`, `fromPod`, ...). */
  param: string;
  message: string;
}

export type ParseResult = { ok: true; query: FlowQuery; filters: FlowFilter[] } | { ok: false; problems: QueryProblem[] };

/**
 * Validates raw parameters (URL search params or CLI options: each a string, a comma list, or
 * an array) and checks the resulting filters compile; every problem names its parameter.
 */
export function parseFlowQuery(raw: Record<string, string | string[] | undefined>, ignore: string[] = []): ParseResult {
  // No prototype: a parameter named `constructor` or `toString` is an unknown filter, not a member.
  const input: Record<string, string[]> = Object.create(null);
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined || ignore.includes(key)) continue;
    const values = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) continue;
    input[key] = key === 'verdict' || key === 'direction' || key === 'httpMethod' ? values.map((v) => v.toUpperCase()) : values;
  }
  const parsed = querySchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => {
        const param = i.code === 'unrecognized_keys' ? i.keys.join(', ') : String(i.path[0] ?? '');
        const message = i.code === 'unrecognized_keys' ? `unknown filter (known: ${FLOW_QUERY_KEYS.join(', ')})` : i.message;
        return { param, message };
      }),
    };
  }
  const query = parsed.data as FlowQuery;
  // Each parameter compiled on its own first, so a bad `fromIp` is reported as `fromIp` (the
  // compiled filter only knows `source_ip`, which `ip` and `fromIp` both become) and every bad
  // parameter is named, not just the first.
  const problems: QueryProblem[] = [];
  for (const [key, values] of Object.entries(query)) {
    try {
      compileFilters(flowQueryToFilters({ [key]: values }));
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      problems.push({ param: key, message: e.message.replace(/^[a-z_]+: /, '') });
    }
  }
  if (problems.length) return { ok: false, problems };
  const filters = flowQueryToFilters(query);
  try {
    compileFilters(filters);
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, problems: [{ param: paramOfField(e.field), message: e.message.replace(/^[a-z_]+: /, '') }] };
    throw e;
  }
  return { ok: true, query, filters };
}

function paramOfField(field: string): string {
  const map: Record<string, string> = {
    source_ip: 'ip', destination_ip: 'ip', source_fqdn: 'fqdn', destination_fqdn: 'fqdn', source_label: 'label', destination_label: 'label',
    source_port: 'port', destination_port: 'port', drop_reason_desc: 'dropReason', http_status_code: 'httpStatus', node_name: 'node',
  };
  return map[field] ?? field;
}

/** Problems as one line each, for CLI errors and HTTP 400 bodies. */
export function describeProblems(problems: QueryProblem[]): string {
  return problems.map((p) => `invalid filter "${p.param}": ${p.message}`).join('\n');
}
