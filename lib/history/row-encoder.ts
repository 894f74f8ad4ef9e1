/**
 * Flows -> the JSONCompactEachRow bytes the engine inserts, byte for byte what
 * `JSON.stringify(flowToRow(f))` gives, but cheap enough for the thread that serves the live view.
 * Most of a row is its two endpoints (labels, workload, the map's node id) and they repeat from flow
 * to flow: each endpoint's columns are encoded once and reused while the endpoint is the same, and
 * the L7 columns of a flow without L7 data are one constant.
 */

import type { FlowEndpoint, FlowRecord } from '../flows/flow-record';
import { endpointValues, l7Values, policyText, timeText } from './schema';

interface EndpointEntry {
  /** Outside the cluster the map's node can depend on the address (`unknown:<ip>`). */
  ip: string;
  namespace: string;
  pod: string;
  identity: number;
  service: string;
  cluster: string;
  names: readonly string[];
  workloads: FlowEndpoint['workloads'];
  /** The columns from `identity` to `app`, as JSON without brackets. */
  json: string;
}

/** Keyed by the labels array: the decoder interns it per endpoint, the generator shares it. */
const endpoints = new WeakMap<readonly string[], EndpointEntry>();

const sameStrings = (a: readonly string[], b: readonly string[]): boolean => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
const sameWorkloads = (a: FlowEndpoint['workloads'], b: FlowEndpoint['workloads']): boolean =>
  a === b || (a.length === b.length && a.every((w, i) => w.name === b[i].name && w.kind === b[i].kind));

function endpointJson(ep: FlowEndpoint): string {
  const hit = endpoints.get(ep.labels);
  if (
    hit &&
    (ep.namespace !== '' || hit.ip === ep.ip) &&
    hit.pod === ep.pod &&
    hit.namespace === ep.namespace &&
    hit.identity === ep.identity &&
    hit.service === ep.service &&
    hit.cluster === ep.cluster &&
    sameStrings(hit.names, ep.names) &&
    sameWorkloads(hit.workloads, ep.workloads)
  ) {
    return `${JSON.stringify(ep.ip)},${ep.port},${hit.json}`;
  }
  const all = JSON.stringify(endpointValues(ep));
  const rest = JSON.stringify(endpointValues(ep).slice(2)).slice(1, -1);
  endpoints.set(ep.labels, { ip: ep.ip, namespace: ep.namespace, pod: ep.pod, identity: ep.identity, service: ep.service, cluster: ep.cluster, names: [...ep.names], workloads: ep.workloads.map((w) => ({ ...w })), json: rest });
  return all.slice(1, -1);
}

/** The L7 columns (`l7_type` ... `kafka_correlation_id`) of a flow without L7 data: one constant. */
const NO_L7 = JSON.stringify(l7Values(undefined)).slice(1, -1);

/** The L7 columns of a flow, as flowToRow lays them out. */
function l7Json(f: FlowRecord): string {
  return f.l7 ? JSON.stringify(l7Values(f.l7)).slice(1, -1) : NO_L7;
}

const policies = (list: FlowRecord['egressAllowedBy']): string => (list.length === 0 ? '[]' : JSON.stringify(list.map(policyText)));

/** One flow's row as JSON text. */
export function encodeRow(f: FlowRecord): string {
  const head = JSON.stringify([
    timeText(f.time),
    f.uuid,
    f.verdict,
    f.dropReason,
    f.direction,
    f.isReply === null ? -1 : f.isReply ? 1 : 0,
    f.protocol,
    f.tcpFlags,
    f.icmp ? f.icmp.type : -1,
    f.icmp ? f.icmp.code : -1,
    f.node,
    f.type,
    f.eventType,
  ]).slice(0, -1);
  return `${head},${endpointJson(f.source)},${endpointJson(f.destination)},${l7Json(f)},${policies(f.egressAllowedBy)},${policies(f.ingressAllowedBy)},${policies(f.egressDeniedBy)},${policies(f.ingressDeniedBy)},${JSON.stringify(f.summary)}]`;
}

/** Flows as JSONCompactEachRow lines in FLOW_COLUMNS order. */
export function encodeRows(flows: readonly FlowRecord[]): Buffer {
  const lines = new Array<string>(flows.length);
  for (let i = 0; i < flows.length; i++) lines[i] = encodeRow(flows[i]);
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Rows encoded between two yields to the event loop: a few milliseconds of work at a time. */
const SLICE = 1000;

/** encodeRows in slices, yielding between them, so a big batch never stalls the thread serving requests. */
export async function encodeRowsSliced(flows: readonly FlowRecord[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < flows.length; i += SLICE) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    parts.push(encodeRows(flows.slice(i, i + SLICE)));
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
