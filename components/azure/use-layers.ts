'use client';

import { useQuery } from '@tanstack/react-query';
import type { FlowRecord } from '@/lib/flows/flow-record';
import type { ThreeLayers } from '@/lib/policy/three-layers';

async function fetchLayers(qs: string): Promise<ThreeLayers> {
  const res = await fetch(`/api/layers?${qs}`);
  const body = (await res.json().catch(() => ({}))) as ThreeLayers & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `layers: HTTP ${res.status}`);
  return body;
}

/** Query string for /api/layers spelling out one flow (it may be gone from the server's memory). */
export function flowLayersQuery(flow: FlowRecord): string {
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
  const name = server.names[0]?.replace(/\.$/, '');
  if (name) p.set('fqdn', name);
  return p.toString();
}

export function useFlowLayers(flow: FlowRecord) {
  const qs = flow.source.ip && flow.destination.ip ? flowLayersQuery(flow) : '';
  return useQuery({ queryKey: ['layers', 'flow', qs], queryFn: () => fetchLayers(qs), enabled: qs !== '', staleTime: 30_000, retry: false });
}

export function useEdgeLayers(edgeId: string) {
  return useQuery({ queryKey: ['layers', 'edge', edgeId], queryFn: () => fetchLayers(new URLSearchParams({ edge: edgeId }).toString()), staleTime: 30_000, retry: false });
}
