/**
 * The browser's side of the /api/layers request for one flow (parsed by ./layers-request.ts). Kept
 * apart from the parser so the browser bundle does not carry zod.
 */

import type { FlowRecord } from '../flows/flow-record';
import { normalizeDnsName } from '../match/dns-name';

/**
 * The request for one flow spelled out (the browser's side of `parseLayersQuery`): the flow may be
 * gone from the server's memory by the time it is asked about, so its fields travel, not its uuid.
 */
export function layersParamsOfFlow(flow: FlowRecord): URLSearchParams {
  const p = new URLSearchParams();
  p.set('srcIp', flow.source.ip);
  p.set('dstIp', flow.destination.ip);
  p.set('srcPort', String(flow.source.port));
  p.set('dstPort', String(flow.destination.port));
  p.set('protocol', flow.protocol || 'TCP');
  if (flow.isReply !== null) p.set('isReply', String(flow.isReply));
  if (flow.source.namespace) p.set('srcNamespace', flow.source.namespace);
  if (flow.source.pod) p.set('srcPod', flow.source.pod);
  if (flow.destination.namespace) p.set('dstNamespace', flow.destination.namespace);
  if (flow.destination.pod) p.set('dstPod', flow.destination.pod);
  if (flow.node) p.set('node', flow.node);
  if (flow.direction) p.set('direction', flow.direction);
  // The server's name: the destination's, or the source's for a reply.
  const server = flow.isReply ? flow.source : flow.destination;
  const name = server.names[0] ? normalizeDnsName(server.names[0]) : undefined;
  if (name) p.set('fqdn', name);
  return p;
}
