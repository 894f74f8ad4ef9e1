import { describe, expect, it } from 'vitest';
import { flow, pod, world } from '../testing/flow-fixtures';
import { applyDelta, applySnapshotPart, stateFromSnapshot, type GraphState } from './apply-delta';
import type { CyElement } from './cy-elements';
import { namespaceBoxId } from './graph-ids';
import { FlowGraph } from './flow-graph';
import { CELL_HEIGHT, CELL_WIDTH, freeCell, freeSpot, gridPositions, islandFootprint } from './island-layout';
import { aggregateEdgeId, combinedStatus, MapModel, type RenderPatch } from './map-model';
import { snapshotParts } from './snapshot-parts';
import { DEFAULT_VISUAL_FILTERS, type ViewOptions } from './view-filter';

// Issue 13: the map at 5,000 workloads. The model turns the graph into what cytoscape draws, level
// of detail included, and each delta into the few element changes it causes.

const w = (ns: string, name: string, port = 8080) => pod(ns, `${name}-5f6d7c8b9-x7k2p`, { port });

/** A graph of `namespaces` namespaces with `perNs` workloads each: a ring inside each, and one call to the next namespace. */
function cluster(namespaces: number, perNs: number): FlowGraph {
  const g = new FlowGraph();
  for (let i = 0; i < namespaces; i++) {
    for (let j = 0; j < perNs; j++) {
      g.add(flow(w(`ns${i}`, `app${j}`), w(`ns${i}`, `app${(j + 1) % perNs}`)));
    }
    g.add(flow(w(`ns${i}`, 'app0'), w(`ns${(i + 1) % namespaces}`, 'app1', 443), { verdict: i === 0 ? 'DROPPED' : 'FORWARDED' }));
  }
  return g;
}

function stateOf(g: FlowGraph): GraphState {
  g.takeDelta();
  return stateFromSnapshot(g.snapshot());
}

/** What the canvas holds after applying patches in order (the test's stand-in for cytoscape). */
class FakeCanvas {
  readonly els = new Map<string, CyElement>();
  apply(p: RenderPatch): this {
    for (const id of p.remove) this.remove(id);
    for (const el of p.add) {
      expect(this.els.has(String(el.data.id)), `added twice: ${el.data.id}`).toBe(false);
      if (el.data.parent) expect(this.els.has(String(el.data.parent)), `parent of ${el.data.id} drawn first`).toBe(true);
      if (el.group === 'edges') expect(this.els.has(String(el.data.source)) && this.els.has(String(el.data.target)), `ends of ${el.data.id}`).toBe(true);
      this.els.set(String(el.data.id), el);
    }
    for (const el of [...p.update, ...p.widths]) {
      expect(this.els.has(String(el.data.id)), `updated before added: ${el.data.id}`).toBe(true);
      this.els.set(String(el.data.id), el);
    }
    return this;
  }
  /** As the canvas removes (map-canvas.ts): a box's children move to the top level, a node's edges go with it. */
  private remove(id: string): void {
    const el = this.els.get(id);
    if (!el) return;
    this.els.delete(id);
    if (el.group === 'edges') return;
    for (const [other, e] of this.els) {
      if (e.group === 'nodes' && e.data.parent === id) this.els.set(other, { ...e, data: { ...e.data, parent: undefined } });
      if (e.group === 'edges' && (e.data.source === id || e.data.target === id)) this.els.delete(other);
    }
  }
  ids(group?: 'nodes' | 'edges'): string[] {
    return [...this.els.values()].filter((e) => !group || e.group === group).map((e) => String(e.data.id)).sort();
  }
}

const view = (patch: Partial<ViewOptions> = {}): ViewOptions => ({ namespaces: [], statuses: [], visual: { ...DEFAULT_VISUAL_FILTERS }, ...patch });

describe('MapModel below the island threshold', () => {
  it('draws every workload in its namespace box and every connection on its own, as the map always did', () => {
    const m = new MapModel(100);
    const canvas = new FakeCanvas().apply(m.setGraph(stateOf(cluster(2, 3))));
    expect(m.currentLevel).toBe('workloads');
    expect(canvas.ids('nodes')).toEqual(['ns0/app0', 'ns0/app1', 'ns0/app2', 'ns1/app0', 'ns1/app1', 'ns1/app2', 'ns:ns0', 'ns:ns1']);
    expect(canvas.els.get('ns0/app0')!.data.parent).toBe('ns:ns0');
    expect(canvas.ids('edges')).toHaveLength(8);
    expect(canvas.els.get('ns0/app0|ns1/app1|443|TCP')!.classes).toBe('status-denied');
  });
});

describe('MapModel past the island threshold (namespace islands)', () => {
  it('collapses each namespace into one island sized for its workloads, with one aggregated edge per pair of islands', () => {
    const m = new MapModel(5);
    const canvas = new FakeCanvas().apply(m.setGraph(stateOf(cluster(3, 4))));
    expect(m.currentLevel).toBe('islands');
    expect(canvas.ids('nodes')).toEqual(['ns:ns0', 'ns:ns1', 'ns:ns2']);
    const island = canvas.els.get('ns:ns1')!;
    expect(island.classes).toContain('island');
    expect(island.data).toMatchObject({ label: 'ns1 · 4 workloads', workloads: 4, ...islandFootprint(4) });
    // The ring inside it: four connections the island stands for (asked of the model, not drawn).
    expect(m.membersOf(`in>${'ns:ns1'}`)).toHaveLength(4);
    // The ring inside a namespace is the island's inside, not an edge.
    expect(canvas.ids('edges')).toEqual([aggregateEdgeId('ns:ns0', 'ns:ns1'), aggregateEdgeId('ns:ns1', 'ns:ns2'), aggregateEdgeId('ns:ns2', 'ns:ns0')].sort());
    // Only what is drawn: its ends, status and width (how many connections it stands for is asked of the model).
    expect(canvas.els.get(aggregateEdgeId('ns:ns0', 'ns:ns1'))!.data).toEqual({ id: aggregateEdgeId('ns:ns0', 'ns:ns1'), source: 'ns:ns0', target: 'ns:ns1', status: 'denied', weight: 1.25 });
    expect(m.membersOf(aggregateEdgeId('ns:ns0', 'ns:ns1')).map((e) => `${e.port}/${e.protocol}`)).toEqual(['443/TCP']);
  });

  it('combines statuses: one if all agree, mixed when something is denied, audit when only audit and allowed', () => {
    expect(combinedStatus(['allowed', 'allowed'])).toBe('allowed');
    expect(combinedStatus(['denied', 'denied'])).toBe('denied');
    expect(combinedStatus(['allowed', 'denied'])).toBe('mixed');
    expect(combinedStatus(['audit', 'mixed'])).toBe('mixed');
    expect(combinedStatus(['allowed', 'audit'])).toBe('audit');
  });

  it('counts the connections an aggregate stands for and turns it mixed when one of them is denied', () => {
    const g = cluster(3, 4);
    const m = new MapModel(5);
    let state = stateOf(g);
    const canvas = new FakeCanvas().apply(m.setGraph(state));
    g.add(flow(w('ns1', 'app2'), w('ns2', 'app3', 5432), { verdict: 'DROPPED' }));
    const d = g.takeDelta()!;
    state = applyDelta(state, d);
    const patch = m.applyDelta(d, state);
    canvas.apply(patch);
    expect(patch.add).toEqual([]);
    expect(patch.update.map((e) => e.data.id)).toEqual([aggregateEdgeId('ns:ns1', 'ns:ns2')]);
    expect(canvas.els.get(aggregateEdgeId('ns:ns1', 'ns:ns2'))!.data).toMatchObject({ status: 'mixed' });
    expect(m.membersOf(aggregateEdgeId('ns:ns1', 'ns:ns2')).map((e) => e.port).sort()).toEqual([443, 5432]);
  });

  it('sends nothing to the canvas when a busy connection only counts more flows (same status, same width step)', () => {
    const g = cluster(3, 4);
    for (let i = 0; i < 4; i++) g.add(flow(w('ns1', 'app0'), w('ns2', 'app1', 443)));
    const m = new MapModel(5);
    let state = stateOf(g);
    m.setGraph(state);
    g.add(flow(w('ns1', 'app0'), w('ns2', 'app1', 443)));
    const d = g.takeDelta()!;
    state = applyDelta(state, d);
    const patch = m.applyDelta(d, state);
    expect(patch.add.length + patch.update.length + patch.widths.length + patch.remove.length).toBe(0);
    // The probe still learns the connection's new state reached the page.
    expect(patch.touchedEdges.map((e) => e.total)).toEqual([6]);
  });

  it('hands an edge whose flow count crossed a width step over as a width change alone, which a canvas may draw later', () => {
    const g = cluster(3, 4);
    const m = new MapModel(5);
    let state = stateOf(g);
    const canvas = new FakeCanvas().apply(m.setGraph(state));
    const rid = aggregateEdgeId('ns:ns1', 'ns:ns2');
    const before = canvas.els.get(rid)!;
    // 1 flow -> 30 flows on the one connection behind it: a wider edge, same status, same ends.
    for (let i = 0; i < 29; i++) g.add(flow(w('ns1', 'app0'), w('ns2', 'app1', 443)));
    let d = g.takeDelta()!;
    state = applyDelta(state, d);
    let patch = m.applyDelta(d, state);
    expect(patch.update).toEqual([]);
    expect(patch.widths.map((e) => e.data.id)).toEqual([rid]);
    expect(Number(patch.widths[0].data.weight)).toBeGreaterThan(Number(before.data.weight));
    canvas.apply(patch);
    // A denied flow on it changes its status (and its width with it): an update, drawn at once.
    g.add(flow(w('ns1', 'app0'), w('ns2', 'app1', 443), { verdict: 'DROPPED' }));
    d = g.takeDelta()!;
    state = applyDelta(state, d);
    patch = m.applyDelta(d, state);
    expect(patch.widths).toEqual([]);
    expect(patch.update.map((e) => [e.data.id, e.data.status])).toEqual([[rid, 'mixed']]);
  });

  it('times only connections a delta brings newer flows for, not one it carries again for its verdict path', () => {
    const g = cluster(3, 4);
    const m = new MapModel(5);
    let state = stateOf(g);
    m.setGraph(state);
    // The hub re-sends a known connection with its verdict over every layer (edge-paths.ts): same flows.
    const known = [...state.edges.values()][0];
    const annotated = { ...known, paths: [] };
    let d = { seq: 2, upsertNodes: [], upsertEdges: [annotated], removeNodes: [], removeEdges: [] };
    state = applyDelta(state, d);
    expect(m.applyDelta(d, state).touchedEdges).toEqual([]);
    // A newer flow on it is news.
    const busier = { ...annotated, total: annotated.total + 1, lastSeen: annotated.lastSeen + 1000 };
    d = { ...d, seq: 3, upsertEdges: [busier] };
    state = applyDelta(state, d);
    expect(m.applyDelta(d, state).touchedEdges.map((e) => e.id)).toEqual([known.id]);
  });

  it('opens an island into its box: workloads on their own, their connections to other islands aggregated per workload', () => {
    const m = new MapModel(5);
    const canvas = new FakeCanvas().apply(m.setGraph(stateOf(cluster(3, 4))));
    canvas.apply(m.expand('ns1'));
    expect(canvas.els.get('ns:ns1')!.classes).not.toContain('island');
    expect(canvas.ids('nodes')).toEqual(['ns1/app0', 'ns1/app1', 'ns1/app2', 'ns1/app3', 'ns:ns0', 'ns:ns1', 'ns:ns2']);
    expect(canvas.els.get('ns1/app2')!.data.parent).toBe('ns:ns1');
    expect(canvas.ids('edges')).toEqual(
      [
        'ns1/app0|ns1/app1|8080|TCP',
        'ns1/app1|ns1/app2|8080|TCP',
        'ns1/app2|ns1/app3|8080|TCP',
        'ns1/app3|ns1/app0|8080|TCP',
        aggregateEdgeId('ns:ns0', 'ns1/app1'),
        aggregateEdgeId('ns1/app0', 'ns:ns2'),
        aggregateEdgeId('ns:ns2', 'ns:ns0'),
      ].sort(),
    );
    expect(m.stats().expanded).toEqual(['ns1']);
    canvas.apply(m.collapse('ns1'));
    expect(canvas.ids('nodes')).toEqual(['ns:ns0', 'ns:ns1', 'ns:ns2']);
  });

  it('gathers internet peers into one internet island, which opens like a namespace; at the workloads level they stand alone', () => {
    const g = cluster(3, 4);
    for (let i = 0; i < 6; i++) g.add(flow(w(`ns${i % 3}`, `app${i % 4}`), world(`api${i}.example.com`)));
    const state = stateOf(g);
    const m = new MapModel(5);
    const canvas = new FakeCanvas().apply(m.setGraph(state));
    expect(canvas.els.get('ns:(internet)')!.data.label).toBe('internet · 6 destinations');
    expect(canvas.ids('nodes').filter((id) => id.startsWith('world'))).toEqual([]);
    expect(canvas.ids('edges').filter((id) => id.endsWith('>ns:(internet)'))).toHaveLength(3);
    expect(m.stats()).toMatchObject({ namespaces: 3, visibleWorkloads: 12 });
    canvas.apply(m.expand('(internet)'));
    expect(canvas.els.get('world:api0.example.com')!.data.parent).toBe('ns:(internet)');
    // Back to workloads with the internet island open: its box goes, its peers and their edges stay.
    canvas.apply(m.setLevelChoice('workloads'));
    const fresh = new FakeCanvas().apply(new MapModel(100).setGraph(state));
    expect(canvas.ids()).toEqual(fresh.ids());
    expect(canvas.ids('edges').filter((id) => id.includes('world:'))).toHaveLength(6);
    const small = new FakeCanvas().apply(new MapModel(100).setGraph(state));
    expect(small.els.has('ns:(internet)')).toBe(false);
    expect(small.els.get('world:api0.example.com')!.data.parent).toBeUndefined();
  });

  it('reveals a searched workload by opening its island', () => {
    const m = new MapModel(5);
    const canvas = new FakeCanvas().apply(m.setGraph(stateOf(cluster(3, 4))));
    expect(m.drawnAs('ns2/app3')).toBe('ns:ns2');
    const { patch, found } = m.reveal('ns2/app3');
    canvas.apply(patch);
    expect(found).toBe(true);
    expect(m.drawnAs('ns2/app3')).toBe('ns2/app3');
    expect(canvas.els.has('ns2/app3')).toBe(true);
    expect(m.reveal('ns9/nothing').found).toBe(false);
  });

  it('finds workloads by part of their name: exact names first, then prefixes, at most the limit', () => {
    const m = new MapModel(5);
    m.setGraph(stateOf(cluster(12, 4)));
    expect(m.search('app3', 3).map((n) => n.id)).toEqual(['ns0/app3', 'ns1/app3', 'ns10/app3']);
    expect(m.search('ns11/app', 50).map((n) => n.id)).toEqual(['ns11/app0', 'ns11/app1', 'ns11/app2', 'ns11/app3']);
    expect(m.search('.*', 5)).toEqual([]); // text, never a pattern
    expect(m.search('  ')).toEqual([]);
  });

  it('does not flip back to workloads until well below the threshold', () => {
    const g = new FlowGraph({ windowMs: 1000 });
    for (let i = 0; i < 12; i++) g.add(flow(w('a', `x${i}`), w('b', `y${i}`), { time: 1000 }));
    const m = new MapModel(20);
    let state = stateOf(g);
    new FakeCanvas().apply(m.setGraph(state));
    expect(m.currentLevel).toBe('islands'); // 24 workloads > 20
    // Half the connections expire: 18 workloads left, above 80 % of the threshold.
    for (let i = 0; i < 9; i++) g.add(flow(w('a', `x${i}`), w('b', `y${i}`), { time: 2500 }));
    let d = g.takeDelta()!;
    state = applyDelta(state, d);
    expect(m.applyDelta(d, state).levelChanged).toBe(false);
    expect(m.currentLevel).toBe('islands');
    for (let i = 0; i < 5; i++) g.add(flow(w('a', `x${i}`), w('b', `y${i}`), { time: 4000 }));
    d = g.takeDelta()!;
    state = applyDelta(state, d);
    const patch = m.applyDelta(d, state);
    expect(patch.levelChanged).toBe(true);
    expect(m.currentLevel).toBe('workloads');
  });

  it('decides the level of a whole graph at the threshold exactly, counting no further than it needs', () => {
    const graphOf = (pairs: number) => {
      const g = new FlowGraph({ windowMs: 60_000 });
      for (let i = 0; i < pairs; i++) g.add(flow(w('a', `x${i}`), w('b', `y${i}`), { time: 1000 }));
      return stateOf(g);
    };
    const m = new MapModel(20);
    m.setGraph(graphOf(10)); // 20 workloads: not past the threshold
    expect(m.currentLevel).toBe('workloads');
    m.setGraph(graphOf(11)); // 22
    expect(m.currentLevel).toBe('islands');
    m.setGraph(graphOf(500)); // far past it: the count stops early, the level is the same
    expect(m.currentLevel).toBe('islands');
    // From islands, a whole graph goes back only below 80 % of the threshold (16 workloads).
    m.setGraph(graphOf(8));
    expect(m.currentLevel).toBe('islands');
    m.setGraph(graphOf(7));
    expect(m.currentLevel).toBe('workloads');
  });

  it('keeps the person’s level choice whatever the size', () => {
    const m = new MapModel(5);
    m.setGraph(stateOf(cluster(3, 4)));
    expect(m.setLevelChoice('workloads').levelChanged).toBe(true);
    expect(m.currentLevel).toBe('workloads');
    m.setLevelChoice('auto');
    expect(m.currentLevel).toBe('islands');
  });

  it('applies the view: a namespace filter keeps the connections touching it, islands included', () => {
    const m = new MapModel(5);
    const canvas = new FakeCanvas().apply(m.setGraph(stateOf(cluster(3, 4))));
    canvas.apply(m.setView(view({ namespaces: ['ns0'] })));
    // 4 inside ns0 + one out + one in: 6 connections, 4 + 1 + 1 workloads: islands still (> 5).
    expect(m.stats()).toMatchObject({ visibleEdges: 6, visibleWorkloads: 6, level: 'islands' });
    expect(canvas.ids('nodes')).toEqual(['ns:ns0', 'ns:ns1', 'ns:ns2']);
    expect(canvas.els.get('ns:ns1')!.data.workloads).toBe(1);
  });
});

describe('MapModel applied delta by delta draws what a fresh model draws', () => {
  it.each([
    ['workloads', 1000],
    ['islands', 4],
  ])('at the %s level, through adds, expiry and eviction', (_level, threshold) => {
    const g = new FlowGraph({ windowMs: 40, maxEdges: 30, maxDeltaEdges: 7 });
    const m = new MapModel(threshold);
    let state = stateOf(g);
    const canvas = new FakeCanvas().apply(m.setGraph(state));
    let opened = false;
    for (let i = 0; i < 600; i++) {
      const a = w(`ns${i % 4}`, `app${(i * 7) % 9}`);
      const b = i % 11 === 0 ? world(`host${i % 3}.example.com`) : w(`ns${(i * 3) % 5}`, `app${(i * 5) % 9}`, 8000 + (i % 3));
      g.add(flow(a, b, { time: i, verdict: i % 6 === 0 ? 'DROPPED' : i % 17 === 0 ? 'AUDIT' : 'FORWARDED' }));
      if (i % 9 === 0) {
        const d = g.takeDelta();
        if (!d) continue;
        state = applyDelta(state, d);
        canvas.apply(m.applyDelta(d, state));
      }
      if (i === 300 && m.currentLevel === 'islands') {
        canvas.apply(m.expand('ns2'));
        canvas.apply(m.expand('(internet)'));
        opened = true;
      }
      // A filter narrowing the map below the threshold and back: the level flips with islands open.
      // The level flips with islands open, the internet's included (its peers stay drawn, their box goes).
      if (i === 450) {
        canvas.apply(m.setLevelChoice('workloads'));
        expect(m.currentLevel).toBe('workloads');
      }
      if (i === 470) canvas.apply(m.setLevelChoice('auto'));
      if (i === 500) {
        canvas.apply(m.setView(view({ statuses: ['audit'] })));
        if (threshold === 4) expect(m.currentLevel).toBe('workloads');
      }
      if (i === 530) canvas.apply(m.setView(view()));
    }
    for (let d = g.takeDelta(); d; d = g.takeDelta()) {
      state = applyDelta(state, d);
      canvas.apply(m.applyDelta(d, state));
    }
    if (threshold === 4) expect(opened).toBe(true);
    const fresh = new MapModel(threshold);
    const expected = new FakeCanvas().apply(fresh.setGraph(state));
    expect(canvas.ids()).toEqual(expected.ids());
    for (const [id, el] of expected.els) expect(canvas.els.get(id), id).toEqual(el);
    expect(canvas.els).toEqual(new Map(m.elements));
  });
});

/** Each workload calls `fan` others in its namespace and the same one in the next, some of them denied: most connections are not needed for the islands picture. */
function busyCluster(namespaces: number, perNs: number, fan: number): FlowGraph {
  const g = new FlowGraph();
  for (let i = 0; i < namespaces; i++) {
    for (let j = 0; j < perNs; j++) {
      for (let k = 1; k <= fan; k++) g.add(flow(w(`ns${i}`, `app${j}`), w(`ns${i}`, `app${(j + k) % perNs}`), { verdict: (i + j + k) % 13 === 0 ? 'DROPPED' : 'FORWARDED' }));
      g.add(flow(w(`ns${i}`, `app${j}`), w(`ns${(i + 1) % namespaces}`, `app${j}`, 443)));
    }
  }
  return g;
}

/** The graph's snapshot split into parts, and a model and canvas that drew its head. */
function drawnHead(g: FlowGraph, partEdges: number) {
  const whole = stateOf(g);
  const { head, rest } = snapshotParts({ seq: whole.seq, nodes: [...whole.nodes.values()], edges: [...whole.edges.values()] }, partEdges);
  const m = new MapModel();
  const state = stateFromSnapshot(head);
  return { rest, m, state, canvas: new FakeCanvas().apply(m.setGraph(state)) };
}

describe('MapModel: a large snapshot absorbed part by part', () => {
  it('draws with the last part what a fresh model draws from the whole graph, in one patch, whichever level the parts lead to', () => {
    const { rest, m, canvas, ...start } = drawnHead(busyCluster(12, 40, 5), 200);
    let state = start.state;
    expect(rest.length).toBeGreaterThan(3);
    const headElements = new Map(m.elements);
    rest.forEach((edges, i) => {
      const part = { seq: state.seq, upsertNodes: [], upsertEdges: edges, removeNodes: [], removeEdges: [] };
      state = applySnapshotPart(state, part);
      if (i < rest.length - 1) m.absorb(part, state);
      else canvas.apply(m.applyDelta(part, state));
      // Nothing is drawn before the last part: the picture is the head's until then.
      if (i < rest.length - 1) expect(new Map(m.elements)).toEqual(headElements);
    });
    const expected = new FakeCanvas().apply(new MapModel().setGraph(state));
    expect(canvas.els).toEqual(expected.els);
    const fresh = new MapModel();
    fresh.setGraph(state);
    expect(m.stats()).toEqual(fresh.stats());
  });

  it('places a held head and its parts as they come, computes nothing until released, then draws the whole picture in one patch', () => {
    // What the canvas does with a large snapshot (map-canvas.ts): hold, head, parts, release. Over a
    // picture already drawn (a reconnect), at another level, with a decoration that came meanwhile.
    const m = new MapModel(100);
    const canvas = new FakeCanvas().apply(m.setGraph(stateOf(cluster(2, 3))));
    const whole = stateOf(busyCluster(12, 40, 5));
    const { head, rest } = snapshotParts({ seq: whole.seq, nodes: [...whole.nodes.values()], edges: [...whole.edges.values()] }, 200);
    expect(rest.length).toBeGreaterThan(3);
    const drawnBefore = new Map(m.elements);
    const none = (p: RenderPatch) => expect([p.add, p.update, p.widths, p.remove, p.levelChanged]).toEqual([[], [], [], [], false]);
    m.hold();
    let state = stateFromSnapshot(head);
    none(m.setGraph(state));
    const decor = { flaggedNodes: new Set<string>(), flaggedNamespaces: new Set(['ns3']), namespaceFlags: { ns3: [{ label: 'no default deny', severity: 'high' as const }] } };
    none(m.setDecor(decor));
    for (const edges of rest) {
      const part = { seq: state.seq, upsertNodes: [], upsertEdges: edges, removeNodes: [], removeEdges: [] };
      state = applySnapshotPart(state, part);
      m.absorb(part, state);
    }
    expect(new Map(m.elements)).toEqual(drawnBefore);
    m.release();
    const patch = m.pending();
    expect(patch.levelChanged).toBe(true);
    canvas.apply(patch);
    const fresh = new MapModel(100);
    fresh.setDecor(decor);
    expect(canvas.els).toEqual(new FakeCanvas().apply(fresh.setGraph(state)).els);
    expect(m.stats()).toEqual(fresh.stats());
    expect(canvas.els.get(namespaceBoxId('ns3'))?.classes).toContain('flagged');
    // Nothing is left over for the next patch.
    const after = m.pending();
    expect([after.add, after.update, after.widths, after.remove]).toEqual([[], [], [], []]);
  });

  it('times, after a held snapshot, only connections with newer flows than it brought, and one that left and came back', () => {
    const m = new MapModel(100);
    const whole = stateOf(busyCluster(12, 40, 5));
    const { head, rest } = snapshotParts({ seq: whole.seq, nodes: [...whole.nodes.values()], edges: [...whole.edges.values()] }, 200);
    m.hold();
    let state = stateFromSnapshot(head);
    m.setGraph(state);
    // As the store applies them: the parts after the first into the same map, in place.
    let partsEdges: GraphState['edges'] | null = null;
    for (const edges of rest) {
      const part = { seq: state.seq, upsertNodes: [], upsertEdges: edges, removeNodes: [], removeEdges: [] };
      state = applySnapshotPart(state, part, { inPlace: state.edges === partsEdges });
      partsEdges = state.edges;
      expect(m.absorb(part, state)).toBeUndefined();
    }
    m.release();
    expect(m.pending().touchedEdges.length).toBeGreaterThan(0);
    const [fromHead, fromPart, other] = [head.edges[0], rest[1][0], rest[2][0]];
    // Sent again as they were (their verdict path, say): no news. A newer flow on another: news.
    const busier = { ...other, total: other.total + 1, lastSeen: other.lastSeen + 1 };
    let d = { seq: state.seq + 1, upsertNodes: [], upsertEdges: [fromHead, fromPart, busier], removeNodes: [], removeEdges: [] as string[] };
    state = applyDelta(state, d);
    expect(m.applyDelta(d, state).touchedEdges.map((e) => e.id)).toEqual([other.id]);
    // Evicted, then seen again with the same figures: news, as any connection new to the map.
    d = { ...d, seq: state.seq + 1, upsertEdges: [], removeEdges: [fromHead.id, fromPart.id] };
    state = applyDelta(state, d);
    m.applyDelta(d, state);
    d = { ...d, seq: state.seq + 1, upsertEdges: [fromHead, fromPart], removeEdges: [] };
    state = applyDelta(state, d);
    expect(m.applyDelta(d, state).touchedEdges.map((e) => e.id).sort()).toEqual([fromHead.id, fromPart.id].sort());
  });

  it('draws what the parts absorbed so far changed when asked before the last (a stream cut between parts)', () => {
    const { rest, m, canvas, ...start } = drawnHead(busyCluster(8, 30, 4), 100);
    let state = start.state;
    expect(rest.length).toBeGreaterThan(2);
    for (const edges of rest.slice(0, 2)) {
      const part = { seq: state.seq, upsertNodes: [], upsertEdges: edges, removeNodes: [], removeEdges: [] };
      state = applySnapshotPart(state, part);
      m.absorb(part, state);
    }
    canvas.apply(m.pending());
    const expected = new FakeCanvas().apply(new MapModel().setGraph(state));
    expect(canvas.els).toEqual(expected.els);
    // Nothing is left over for the next patch.
    const after = m.pending();
    expect([after.add, after.update, after.widths, after.remove]).toEqual([[], [], [], []]);
  });
});

describe('island layout', () => {
  it('sizes an island for the grid it opens into, roughly square', () => {
    expect(islandFootprint(1)).toEqual({ width: CELL_WIDTH, height: CELL_HEIGHT });
    const big = islandFootprint(50);
    expect(big.width * big.height).toBeGreaterThanOrEqual(50 * CELL_WIDTH * CELL_HEIGHT);
    expect(big.width / big.height).toBeGreaterThan(0.6);
    expect(big.width / big.height).toBeLessThan(1.7);
  });

  it('puts each workload of an opened island in its own cell inside the footprint, centred on the island', () => {
    const ids = Array.from({ length: 23 }, (_, i) => `ns/w${String(i).padStart(2, '0')}`);
    const cells = gridPositions(ids, { x: 1000, y: -500 });
    const { width, height } = islandFootprint(23);
    const points = [...cells.values()];
    expect(new Set(points.map((p) => `${p.x},${p.y}`)).size).toBe(23);
    for (const p of points) {
      expect(Math.abs(p.x - 1000)).toBeLessThanOrEqual(width / 2);
      expect(Math.abs(p.y + 500)).toBeLessThanOrEqual(height / 2);
    }
    // Same ids, same picture.
    expect(gridPositions(ids, { x: 1000, y: -500 })).toEqual(cells);
  });

  it('gives a workload that appears in an open island a free cell, moving nobody', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const cells = gridPositions(ids, { x: 0, y: 0 });
    const taken = [...cells.values()];
    const next = freeCell(taken, { x: 0, y: 0 }, 4);
    expect(taken.some((p) => Math.abs(p.x - next.x) < CELL_WIDTH / 2 && Math.abs(p.y - next.y) < CELL_HEIGHT / 2)).toBe(false);
    const withGap = freeCell([taken[0], taken[2], taken[3]], { x: 0, y: 0 }, 4);
    expect(withGap).toEqual(taken[1]);
  });

  it('places a newcomer next to its neighbour without covering anything already placed', () => {
    const placed = [
      { x: 0, y: 0, width: 400, height: 300 },
      { x: 500, y: 0, width: 200, height: 200 },
    ];
    const spot = freeSpot({ x: 0, y: 0 }, { width: 150, height: 80 }, placed);
    for (const b of placed) expect(Math.abs(spot.x - b.x) * 2 >= 150 + b.width || Math.abs(spot.y - b.y) * 2 >= 80 + b.height).toBe(true);
    // Near: within a few rings of where it was asked for.
    expect(Math.hypot(spot.x, spot.y)).toBeLessThan(800);
    expect(freeSpot({ x: 0, y: 0 }, { width: 150, height: 80 }, placed)).toEqual(spot);
    // An empty neighbourhood: right there.
    expect(freeSpot({ x: 3000, y: 3000 }, { width: 150, height: 80 }, placed)).toEqual({ x: 3000, y: 3000 });
  });
});

describe('MapModel: elements kept up to date delta by delta', () => {
  it('draws, after any run of deltas (new, busier, re-judged and evicted connections), exactly what a fresh model draws from the final graph', () => {
    // A small cap evicts connections as new ones come; verdicts vary per flow, so connections change status.
    const g = new FlowGraph({ maxEdges: 60 });
    let seed = 11;
    // xorshift32: the same run every time.
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const verdicts = ['FORWARDED', 'FORWARDED', 'FORWARDED', 'DROPPED', 'AUDIT'] as const;
    const someFlow = () => flow(w(`ns${rnd(4)}`, `app${rnd(5)}`), w(`ns${rnd(4)}`, `app${rnd(5)}`, [80, 443, 5432][rnd(3)]), { verdict: verdicts[rnd(verdicts.length)] });
    for (let i = 0; i < 40; i++) g.add(someFlow());
    const m = new MapModel(5);
    let state = stateOf(g);
    const canvas = new FakeCanvas().apply(m.setGraph(state));
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 1 + rnd(12); i++) g.add(someFlow());
      const d = g.takeDelta();
      if (d) {
        state = applyDelta(state, d);
        canvas.apply(m.applyDelta(d, state));
      }
      if (round === 10) canvas.apply(m.expand('ns1'));
      if (round === 20) canvas.apply(m.collapse('ns1'));
      const fresh = new MapModel(5);
      const expected = new FakeCanvas().apply(fresh.setGraph(state));
      if (round >= 10 && round < 20) expected.apply(fresh.expand('ns1'));
      expect(m.currentLevel).toBe('islands');
      expect(canvas.ids(), `round ${round}`).toEqual(expected.ids());
      for (const id of expected.ids()) {
        const { data, classes } = canvas.els.get(id)!;
        const want = expected.els.get(id)!;
        // Where an element sits (parent, source, target), what it says and how it is drawn.
        expect({ data, classes }, `${id} after round ${round}`).toEqual({ data: want.data, classes: want.classes });
      }
    }
  });
});

describe('MapModel: the posture decoration', () => {
  const decorOf = (nodes: string[], namespaces: string[], flags: Record<string, { label: string; severity: string }[]> = {}) => ({ flaggedNodes: new Set(nodes), flaggedNamespaces: new Set(namespaces), namespaceFlags: flags });

  it('redraws only the workloads and namespaces whose outline or findings changed, and ends where a fresh model with that decoration ends', () => {
    for (const [threshold, open] of [[100, null], [5, 'ns1']] as const) {
      const state = stateOf(cluster(4, 3));
      const m = new MapModel(threshold);
      const canvas = new FakeCanvas().apply(m.setGraph(state));
      if (open) canvas.apply(m.expand(open));
      const first = decorOf(['ns0/app1', 'ns1/app2'], ['ns2'], { ns3: [{ label: 'unprotected', severity: 'high' }] });
      canvas.apply(m.setDecor(first));
      // The same decoration again (a poll that found nothing new): nothing to draw.
      const again = m.setDecor(decorOf(['ns1/app2', 'ns0/app1'], ['ns2'], { ns3: [{ label: 'unprotected', severity: 'high' }] }));
      expect(again.add.length + again.update.length + again.widths.length + again.remove.length).toBe(0);
      // One workload unflagged, one namespace's findings changed: those two elements and nothing else.
      const next = decorOf(['ns1/app2'], ['ns2'], { ns3: [{ label: 'open egress', severity: 'medium' }] });
      const patch = m.setDecor(next);
      expect(patch.add).toEqual([]);
      expect(patch.remove).toEqual([]);
      const updated = patch.update.map((e) => String(e.data.id)).sort();
      // Below the threshold the workload is drawn itself; as islands, ns0 is closed and shows no workload outline.
      expect(updated).toEqual(threshold === 100 ? ['ns0/app1', 'ns:ns3'] : ['ns:ns3']);
      canvas.apply(patch);
      const fresh = new MapModel(threshold);
      fresh.setDecor(next);
      const expected = new FakeCanvas().apply(fresh.setGraph(state));
      if (open) expected.apply(fresh.expand(open));
      expect(canvas.ids()).toEqual(expected.ids());
      for (const id of expected.ids()) expect({ data: canvas.els.get(id)!.data, classes: canvas.els.get(id)!.classes }, id).toEqual({ data: expected.els.get(id)!.data, classes: expected.els.get(id)!.classes });
      expect(String(canvas.els.get('ns:ns3')!.data.label)).toContain('open egress');
    }
  });

  it('outlines a workload of an opened island and stops when it closes again', () => {
    const m = new MapModel(5);
    const canvas = new FakeCanvas().apply(m.setGraph(stateOf(cluster(4, 3))));
    canvas.apply(m.expand('ns1'));
    canvas.apply(m.setDecor(decorOf(['ns1/app0'], [])));
    expect(canvas.els.get('ns1/app0')!.classes).toContain('flagged');
    canvas.apply(m.collapse('ns1'));
    expect(canvas.els.has('ns1/app0')).toBe(false);
    canvas.apply(m.expand('ns1'));
    expect(canvas.els.get('ns1/app0')!.classes).toContain('flagged');
  });
});
