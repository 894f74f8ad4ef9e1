/**
 * Per graph edge, its newest flow and the server addresses seen on it, fed by the hub's flow
 * batches: the edge lookups of `/api/explain`, `/api/layers` and `/api/azure` read here instead of
 * scanning the hub's ring per request. Bounded: edges past the cap are forgotten oldest-updated
 * first, and each keeps a few addresses.
 */

import type { FlowRecord } from '../flows/flow-record';
import { DEFAULT_MAX_EDGES } from '../graph/flow-graph';
import type { FlowBatch } from './hub';

export interface EdgeFlowsOptions {
  /** Edges remembered at most (the graph's own cap by default). */
  maxEdges?: number;
  /** Server addresses kept per edge, newest first. */
  maxAddresses?: number;
}

interface EdgeEntry {
  latest: FlowRecord;
  addresses: string[];
}

/** The server end of a flow: its destination, or its source when the flow is a reply. */
export function serverAddressOf(f: FlowRecord): string {
  return f.isReply === true ? f.source.ip : f.destination.ip;
}

export class EdgeFlows {
  private readonly edges = new Map<string, EdgeEntry>();
  private readonly maxEdges: number;
  private readonly maxAddresses: number;
  /** The edge of the last flow noted: the last key of `edges` while it is there. */
  private lastNoted: string | null = null;

  constructor(opts: EdgeFlowsOptions = {}) {
    // As many as the map's graph holds: every edge drawn can be explained from its newest flow.
    this.maxEdges = opts.maxEdges ?? DEFAULT_MAX_EDGES;
    this.maxAddresses = opts.maxAddresses ?? 8;
  }

  /** Takes one hub batch (oldest first): the last flow of an edge in it becomes the edge's newest. */
  add(batch: FlowBatch): void {
    const { flows, edgeIds } = batch;
    for (let i = 0; i < flows.length; i++) this.note(edgeIds[i], flows[i]);
    while (this.edges.size > this.maxEdges) this.edges.delete(this.edges.keys().next().value!);
  }

  private note(edgeId: string, flow: FlowRecord): void {
    let entry = this.edges.get(edgeId);
    if (entry) {
      // Re-inserted so the map's order is the order of last update: the oldest is evicted first.
      // The edge noted last (a reply after its request) is last already.
      if (edgeId !== this.lastNoted) {
        this.edges.delete(edgeId);
        this.edges.set(edgeId, entry);
      }
      entry.latest = flow;
    } else {
      entry = { latest: flow, addresses: [] };
      this.edges.set(edgeId, entry);
    }
    this.lastNoted = edgeId;
    const ip = serverAddressOf(flow);
    if (!ip || entry.addresses[0] === ip) return;
    const at = entry.addresses.indexOf(ip);
    if (at >= 0) entry.addresses.splice(at, 1);
    entry.addresses.unshift(ip);
    if (entry.addresses.length > this.maxAddresses) entry.addresses.length = this.maxAddresses;
  }

  /** The newest flow seen on the edge, if it is remembered. */
  latest(edgeId: string): FlowRecord | undefined {
    return this.edges.get(edgeId)?.latest;
  }

  /** The server addresses seen on the edge, newest first (a copy). */
  addresses(edgeId: string): string[] {
    return [...(this.edges.get(edgeId)?.addresses ?? [])];
  }

  get size(): number {
    return this.edges.size;
  }
}
