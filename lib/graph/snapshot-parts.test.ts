import { describe, expect, it } from 'vitest';
import { scaledScenario } from '../demo/scaled-scenario';
import { demoFlows } from '../posture/testing/demo-flows';
import { applySnapshotPart, stateFromSnapshot } from './apply-delta';
import { FlowGraph } from './flow-graph';
import { MapModel } from './map-model';
import { snapshotParts, snapshotPartsSteps } from './snapshot-parts';
import type { GraphSnapshot } from './types';

// Issue 13: "a snapshot sized for the view (the collapsed islands first)". The first part of a
// large snapshot must be enough for the islands picture the whole graph gives.

function scaledSnapshot(workloads: number): GraphSnapshot {
  const g = new FlowGraph();
  for (const f of demoFlows(scaledScenario(workloads))) g.add(f);
  g.takeDelta();
  const s = g.snapshot();
  // Some connections the Azure layers deny though Cilium let them through: the map draws those as
  // denied, so the islands picture must see them in the first part too.
  for (const e of s.edges.filter((_, i) => i % 97 === 0)) e.path = { status: 'denied', decidedBy: 'nsg', reason: 'denied by the NSG', layers: { policy: 'allowed', nsg: 'denied', firewall: 'not-on-path' } };
  return s;
}

/** What the map draws from a graph: each element's id and look, at the level the model picks. */
function drawn(s: Pick<GraphSnapshot, 'nodes' | 'edges'>): Map<string, string> {
  const m = new MapModel();
  const patch = m.setGraph({ nodes: new Map(s.nodes.map((n) => [n.id, n])), edges: new Map(s.edges.map((e) => [e.id, e])) });
  // Nodes with their labels (an island's says how many workloads it holds); edges by their look
  // alone: an aggregate's connection count and width fill in as the parts come.
  return new Map(patch.add.map((el) => [String(el.data.id), `${el.classes ?? ''}${el.group === 'nodes' ? ` ${String(el.data.label ?? '')}` : ''}`]));
}

describe('snapshot parts: the islands picture first', () => {
  const full = scaledSnapshot(600);

  it('leaves a graph that fits in one part whole', () => {
    const { head, rest } = snapshotParts(full, full.edges.length);
    expect(head).toBe(full);
    expect(rest).toEqual([]);
  });

  it('splits a large graph: every edge exactly once, parts no larger than asked, every node in the head', () => {
    const { head, rest } = snapshotParts(full, 500);
    expect(head.nodes).toBe(full.nodes);
    expect(head.seq).toBe(full.seq);
    expect(rest.length).toBeGreaterThan(1);
    for (const part of rest) expect(part.length).toBeLessThanOrEqual(500);
    const ids = [...head.edges, ...rest.flat()].map((e) => e.id);
    expect(ids.sort()).toEqual(full.edges.map((e) => e.id).sort());
    // The head is much smaller than the graph...
    expect(head.edges.length * 2).toBeLessThan(full.edges.length);
    // ... yet every node has a connection in it, so every workload counts on its island.
    const ends = new Set(head.edges.flatMap((e) => [e.source, e.target]));
    for (const n of full.nodes) expect(ends.has(n.id), n.id).toBe(true);
  });

  it('draws from the head alone the islands picture of the whole graph: the same islands, aggregates and statuses', () => {
    const whole = drawn(full);
    expect([...whole.keys()].some((id) => id.startsWith('agg>'))).toBe(true); // 600 workloads: islands
    expect(drawn(snapshotParts(full, 500).head)).toEqual(whole);
  });

  it('gives back the whole graph once the parts are added to the head, and ignores a part of another snapshot', () => {
    const { head, rest } = snapshotParts(full, 500);
    let state = stateFromSnapshot(head);
    const stale = applySnapshotPart(state, { seq: full.seq + 1, upsertNodes: [], upsertEdges: rest[0], removeNodes: [], removeEdges: [] });
    expect(stale).toBe(state);
    for (const part of rest) state = applySnapshotPart(state, { seq: full.seq, upsertNodes: [], upsertEdges: part, removeNodes: [], removeEdges: [] });
    expect([...state.edges.keys()].sort()).toEqual(full.edges.map((e) => e.id).sort());
    expect(state.seq).toBe(full.seq);
  });

  it('splits in steps for the sliced server: a pause every so many edges, and the same parts as in one go', () => {
    const steps = snapshotPartsSteps(full, 500, 100);
    let pauses = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) pauses++;
    // A pause before each step of 100 edges after the first.
    expect(pauses).toBe(Math.ceil(full.edges.length / 100) - 1);
    const whole = snapshotParts(full, 500);
    expect(r.value.head.edges.map((e) => e.id)).toEqual(whole.head.edges.map((e) => e.id));
    expect(r.value.rest.map((part) => part.map((e) => e.id))).toEqual(whole.rest.map((part) => part.map((e) => e.id)));
  });
});
