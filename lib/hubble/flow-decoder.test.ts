import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeFlowResponse } from '../demo/flow-encoder';
import { FlowGenerator } from '../demo/flow-generator';
import { demoScenario } from '../demo/scenario';
import { flow, pod } from '../testing/flow-fixtures';
import { decodeGetFlowsResponse, hashBytes, hashEndpointBytes } from './flow-decoder';
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

  it('never answers with an interned endpoint that differs only outside the bytes it hashes (labels, workloads)', () => {
    // Same identity, namespace and pod name: the same hash bucket; the labels and workload tell them apart.
    const one = pod('shop', 'cart-7d9f8b6c4-x7k2p', { identity: 4242, labels: ['k8s:app=cart', 'k8s:tier=a'] });
    const two = { ...one, labels: ['k8s:app=cart', 'k8s:tier=b'] };
    // A labels array of its own: the demo encoder caches an endpoint's bytes per labels array.
    const three = { ...one, labels: [...one.labels], workloads: [{ name: 'cart', kind: 'Deployment' }] };
    const dst = pod('shop', 'db-0', { port: 5432 });
    const decode = (src: typeof one) => {
      const out = decodeGetFlowsResponse(Buffer.from(encodeFlowResponse(flow(src, dst))));
      if (out.kind !== 'flow') throw new Error('not a flow');
      return out.flow.source;
    };
    for (let round = 0; round < 2; round++) {
      expect(decode(one)).toMatchObject({ labels: one.labels, workloads: [] });
      expect(decode(two)).toMatchObject({ labels: two.labels, workloads: [] });
      expect(decode(three)).toMatchObject({ labels: one.labels, workloads: three.workloads });
    }
  });

  it('hashes an endpoint by its length, identity, namespace and pod name, and any other bytes whole', () => {
    const bytes = (src: ReturnType<typeof pod>) => {
      const wire = (t.GetFlowsResponse.decode(encodeFlowResponse(flow(src, pod('shop', 'db-0')))) as any).flow.source;
      return t.root.lookupType('flow.Endpoint').encode(wire).finish();
    };
    const a = bytes(pod('shop', 'cart-1', { identity: 7, labels: ['k8s:x=1'] }));
    const b = bytes(pod('shop', 'cart-1', { identity: 7, labels: ['k8s:x=2'] }));
    const c = bytes(pod('shop', 'cart-2', { identity: 7, labels: ['k8s:x=1'] }));
    const h = (x: Uint8Array) => hashEndpointBytes(x, 0, x.length);
    expect(h(a)).toBe(h(b));
    expect(h(a)).not.toBe(h(c));
    // Not a protobuf message (a truncated tag): every byte counts.
    const junk = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(hashEndpointBytes(junk, 0, junk.length)).toBe(hashBytes(junk, 0, junk.length));
  });

  it('keeps the key order of ICMP and L7 flows (icmp after tcpFlags, l7 after eventType)', () => {
    const icmp = flows.find((f) => f.icmp) ?? { ...flows[0], protocol: 'ICMPv4' as const, icmp: { type: 8, code: 0 } };
    const l7 = flows.find((f) => f.l7)!;
    for (const f of [icmp, l7, flows.find((x) => !x.icmp && !x.l7)!]) {
      const out = decodeGetFlowsResponse(Buffer.from(encodeFlowResponse(f)));
      if (out.kind !== 'flow') throw new Error('not a flow');
      const generic = normalizeFlow((t.GetFlowsResponse.decode(encodeFlowResponse(f)) as any).flow);
      expect(Object.keys(out.flow)).toEqual(Object.keys(generic));
    }
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
