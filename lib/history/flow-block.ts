/**
 * Flows -> one ClickHouse Native block of `flows` rows (native-block.ts), the insert format both
 * engines take. Most of a row is its two endpoints (labels, workload, the map's node id) and they
 * repeat from flow to flow: each endpoint's columns are computed once, reused as one array while
 * the endpoint is the same, and so encoded once per block (FLOW_ROW_PARTS).
 */

import type { FlowEndpoint, FlowRecord } from '../flows/flow-record';
import { NativeBlockBuilder } from './native-block';
import type { Steps } from '../util/time-slices';
import { endpointValues, FLOW_COLUMNS, FLOW_ROW_PARTS, flowParts, type FlowRowParts } from './schema';

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
  values: readonly unknown[];
}

/** Keyed by the labels array: the decoder interns it per endpoint, the generator shares it. */
const endpoints = new WeakMap<readonly string[], EndpointEntry>();

// Loops, not every(): these run twice per stored flow.
function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameWorkloads(a: FlowEndpoint['workloads'], b: FlowEndpoint['workloads']): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || a[i].kind !== b[i].kind) return false;
  return true;
}

/** endpointValues, from the cache while the endpoint is the one cached for its labels. */
function cachedEndpointValues(ep: FlowEndpoint): readonly unknown[] {
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
    return hit.values;
  }
  const values = endpointValues(ep);
  endpoints.set(ep.labels, {
    ip: ep.ip,
    namespace: ep.namespace,
    pod: ep.pod,
    identity: ep.identity,
    service: ep.service,
    cluster: ep.cluster,
    names: [...ep.names],
    workloads: ep.workloads.map((w) => ({ ...w })),
    values,
  });
  return values;
}

/**
 * A block being filled flow by flow. Flows are encoded as they arrive, not held until a batch is
 * full: a held FlowRecord outlives the young generation and costs the collector more than
 * encoding it does.
 */
export class FlowBlockWriter {
  private readonly builder = new NativeBlockBuilder(FLOW_COLUMNS, FLOW_ROW_PARTS);
  /** Reused for every flow: the builder copies the flow's own parts out at once. */
  private readonly parts: FlowRowParts = FLOW_ROW_PARTS.map(() => []);

  add(f: FlowRecord): void {
    this.builder.addParts(flowParts(f, cachedEndpointValues, this.parts));
  }

  get rows(): number {
    return this.builder.rowCount;
  }

  /** The Native block of every flow added (`flows` columns, FLOW_COLUMNS order). */
  build(): Buffer {
    return this.builder.build();
  }

  /** build() in steps, a column each (NativeBlockBuilder.buildSteps). */
  buildSteps(): Steps<Buffer> {
    return this.builder.buildSteps();
  }

  /** Empty for the next block, keeping the columns' memory (the built block stays valid). */
  reset(): void {
    this.builder.reset();
  }
}

/** Flows as one Native block of `flows` columns (FLOW_COLUMNS, in order). */
export function flowBlock(flows: readonly FlowRecord[]): Buffer {
  const writer = new FlowBlockWriter();
  for (const f of flows) writer.add(f);
  return writer.build();
}
