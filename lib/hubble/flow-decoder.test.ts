import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeFlowResponse } from '../demo/flow-encoder';
import { FlowGenerator } from '../demo/flow-generator';
import { demoScenario } from '../demo/scenario';
import { decodeGetFlowsResponse } from './flow-decoder';
import { flowToWire, normalizeFlow } from './normalize';
import { observerTypes } from './proto';

/* eslint-disable @typescript-eslint/no-explicit-any */
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('decodeGetFlowsResponse', () => {
  const flows = new FlowGenerator(demoScenario(), 17).generate(4000, 1_795_000_000_000, 2);
  const t = observerTypes();

  it('decodes exactly what the generic decoder + normalizeFlow produce, for every demo flow', () => {
    for (const f of flows) {
      for (const bytes of [
        encodeFlowResponse(f),
        t.GetFlowsResponse.encode(t.GetFlowsResponse.fromObject({ flow: flowToWire(f), node_name: f.node })).finish(),
      ]) {
        const fast = decodeGetFlowsResponse(Buffer.from(bytes));
        const generic = normalizeFlow((t.GetFlowsResponse.decode(bytes) as any).flow);
        expect(fast.kind).toBe('flow');
        if (fast.kind === 'flow') expect(plain(fast.flow)).toEqual(plain(generic));
      }
    }
  });

  it('shares the label arrays of repeated endpoints and keeps them immutable', () => {
    const a = flows.find((f) => f.source.pod.startsWith('frontend'))!;
    const b = flows.filter((f) => f.source.pod === a.source.pod)[1];
    const da = decodeGetFlowsResponse(Buffer.from(encodeFlowResponse(a)));
    const db = decodeGetFlowsResponse(Buffer.from(encodeFlowResponse(b)));
    if (da.kind !== 'flow' || db.kind !== 'flow') throw new Error('not flows');
    expect(da.flow.source.labels).toBe(db.flow.source.labels);
    expect(Object.isFrozen(da.flow.source.labels)).toBe(true);
  });

  it('skips fields it does not use, as any protobuf reader must (newer Cilium fields)', () => {
    const f = flows[0];
    const w = protobuf.Writer.create();
    const inner = Buffer.from(encodeFlowResponse(f)).subarray(0); // GetFlowsResponse{flow, node_name}
    const decodedFlow = (t.GetFlowsResponse.decode(inner) as any).flow;
    const flowBytes = t.Flow.encode(decodedFlow).finish();
    // Append unknown Flow fields: ethernet (4, message), node_labels (37, string), socket_cookie (32, varint).
    const extra = protobuf.Writer.create();
    extra.uint32((4 << 3) | 2).fork().uint32((1 << 3) | 2).string('aa:bb').ldelim();
    extra.uint32((37 << 3) | 2).string('kubernetes.io/os=linux');
    extra.uint32((32 << 3) | 0).uint64(123456789);
    const withUnknown = Buffer.concat([Buffer.from(flowBytes), Buffer.from(extra.finish())]);
    w.uint32((1 << 3) | 2).bytes(withUnknown);
    w.uint32((1001 << 3) | 2).fork().uint32(8).int64(1).ldelim();
    const out = decodeGetFlowsResponse(Buffer.from(w.finish()));
    expect(out.kind).toBe('flow');
    if (out.kind === 'flow') expect(plain(out.flow)).toEqual(plain(normalizeFlow(decodedFlow)));
  });

  it('reports lost_events and node_status responses', () => {
    const lost = t.GetFlowsResponse.encode(t.GetFlowsResponse.fromObject({ lost_events: { source: 'OBSERVER_EVENTS_QUEUE', num_events_lost: 42 } })).finish();
    expect(decodeGetFlowsResponse(Buffer.from(lost))).toEqual({ kind: 'lost', source: 2, lost: 42 });
    const node = t.GetFlowsResponse.encode(t.GetFlowsResponse.fromObject({ node_status: { state_change: 'NODE_UNAVAILABLE', node_names: ['aks/n1'], message: 'gone' } })).finish();
    expect(decodeGetFlowsResponse(Buffer.from(node))).toEqual({ kind: 'node', state: 2, nodes: ['aks/n1'], message: 'gone' });
  });
});
