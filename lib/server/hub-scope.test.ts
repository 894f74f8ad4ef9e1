import { afterEach, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { applyDelta, applySnapshotPart, stateFromSnapshot, type GraphState } from '../graph/apply-delta';
import { parseStreamEvent } from '../graph/graph-wire';
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from '../graph/types';
import { compileFilters } from '../hubble/flow-filter';
import { flow, pod, world } from '../testing/flow-fixtures';
import { flowVisible, scopeGraph, streamAccess } from './access/access-scope';
import { loadConfig } from './config';
import { Hub, type ClientGraphView, type HubClient } from './hub';
import type { CounterSummary } from './verdict-counters';

/** A browser as the hub sees it: records every event it was sent, as JSON text parsed back. */
class FakeClient implements HubClient {
  events: { event: string; data: unknown }[] = [];
  full = false;
  graphView?: ClientGraphView;
  counters?: () => CounterSummary;
  constructor(public predicate: ((f: FlowRecord) => boolean) | null) {}
  send(event: string, json: string): boolean {
    if (this.full) return false;
    this.events.push({ event, data: parseStreamEvent(event, json) });
    return true;
  }
  close(): void {}
  of<T>(event: string): T[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data as T);
  }
  /**
   * The graph as the browser rebuilds it: the last snapshot, then each delta after it, in order.
   * As the browser does (live-store.ts): a delta that does not follow the one before throws.
   */
  graph(): GraphState {
    let state: GraphState | null = null;
    for (const e of this.events) {
      if (e.event === 'snapshot') state = stateFromSnapshot((e.data as { graph: GraphSnapshot }).graph);
      else if (e.event === 'snapshot-part') state = applySnapshotPart(state!, e.data as GraphDelta);
      else if (e.event === 'delta') {
        const d = e.data as GraphDelta;
        state = applyDelta(state!, d);
      }
    }
    return state!;
  }
  flows(): FlowRecord[] {
    return this.of<FlowRecord[]>('flows').flat();
  }
}

const hubs: Hub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.stop();
});

function handFedHub(opts: { snapshotSliceMs?: number } = {}): Hub {
  const h = new Hub(loadConfig({}), { samplePerTick: 10_000, stallTimeoutMs: 60_000, ...opts });
  hubs.push(h);
  return h;
}

const SHOP: ReadonlySet<string> = new Set(['shop']);

function subscribeBoth(hub: Hub) {
  const all = new FakeClient(compileFilters());
  const access = streamAccess(SHOP, compileFilters(), (id) => hub.graphNode(id));
  const scoped = new FakeClient(access.predicate);
  scoped.graphView = access.graphView;
  scoped.counters = access.counters;
  hub.onFlows((batch) => access.counting!.add(batch.flows), { beforeSend: true });
  hub.subscribe(all);
  hub.subscribe(scoped);
  return { all, scoped };
}

// lastSeen of a node moves with every flow but a node is resent only when new or with a new pod:
// no browser's copy has the newest lastSeen, so nodes are compared without it.
const nodeView = ({ lastSeen: _lastSeen, ...n }: GraphNode) => n;
const sortById = <T extends { id: string }>(xs: Iterable<T>) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const normalize = (nodes: Iterable<GraphNode>, edges: Iterable<GraphEdge>) => ({ nodes: sortById(nodes).map(nodeView), edges: sortById(edges) });
const ofState = (s: GraphState) => normalize(s.nodes.values(), s.edges.values());
const ofSnapshot = (s: GraphSnapshot) => normalize(s.nodes, s.edges);

/** What every tick must hold for both clients. */
function check(hub: Hub, all: FakeClient, scoped: FakeClient, label: string): void {
  const truth = hub.graphSnapshot();
  expect(ofState(all.graph()), `${label}: unscoped`).toEqual(ofSnapshot(truth));
  const seen = scoped.graph();
  expect(ofState(seen), `${label}: scoped`).toEqual(ofSnapshot(scopeGraph(SHOP, truth)));
  // Never a node of another namespace unless it is the far end of a visible edge.
  const ends = new Set([...seen.edges.values()].flatMap((e) => [e.source, e.target]));
  for (const n of seen.nodes.values()) if (n.namespace !== 'shop') expect(ends.has(n.id), `${label}: ${n.id} is not the far end of a visible edge`).toBe(true);
  for (const e of seen.edges.values()) expect(e.source.startsWith('shop/') || e.target.startsWith('shop/'), `${label}: edge ${e.id}`).toBe(true);
  // Flow samples: an end in shop, each flow once.
  const flows = scoped.flows();
  for (const f of flows) expect(f.source.namespace === 'shop' || f.destination.namespace === 'shop', `${label}: flow ${f.uuid}`).toBe(true);
  expect(new Set(flows.map((f) => f.uuid)).size).toBe(flows.length);
}

const T = 1_795_000_000_000;
const frontend = pod('shop', 'frontend-7d9f8b6c4-x7k2p');
const shopApi = pod('shop', 'api-5f6d7c8b9-b8w3n', { port: 8080 });
const payApi = pod('payments', 'payments-api-84b6c9d7f5-aaaaa', { port: 8443 });
const payApi2 = pod('payments', 'payments-api-84b6c9d7f5-bbbbb', { port: 8443 });
const payWorker = pod('payments', 'payments-worker-6b5c8d9f7e-ccccc');
const legacy = pod('legacy', 'legacy-app-9c8d7b6f5a-x7k2p', { port: 8080 });
const legacyCron = pod('legacy', 'legacy-cron-5d6f7a8b9c-ddddd');
const stripe = { ...world('api.stripe.com'), port: 443 };

describe('Hub with a scoped and an unscoped browser', () => {
  it('each tick, the scoped browser has scopeGraph of the hub graph, the other the whole graph; flow samples stay in scope', () => {
    const hub = handFedHub();
    const { all, scoped } = subscribeBoth(hub);
    const fed: FlowRecord[] = [];
    const feed = (t: number, ...pairs: [typeof frontend, typeof frontend][]) => {
      for (const [s, d] of pairs) {
        const f = flow(s, d, { time: T + t });
        fed.push(f);
        hub.ingest(f);
      }
    };
    let late: FakeClient | null = null;
    const steps: [string, () => void][] = [
      ['first flows', () => feed(1000, [frontend, shopApi], [shopApi, payApi], [legacy, payApi], [payWorker, stripe])],
      // legacy/app is known to the hub and unchanged: the scoped view must fetch it (nodeById), it is not in the delta.
      ['a known out-of-scope node becomes a peer', () => feed(2000, [legacy, shopApi])],
      // A new pod of a peer: the node update is forwarded; payments/worker becomes a peer.
      ['a peer gains a pod; a new peer', () => feed(3000, [shopApi, payApi2], [payWorker, shopApi])],
      ['only traffic between other namespaces', () => feed(4000, [legacy, payApi], [legacyCron, legacy])],
      ['nothing at all', () => undefined],
      [
        'a scoped browser joins with flows pending',
        () => {
          feed(5000, [frontend, payApi], [legacyCron, stripe]);
          const access = streamAccess(SHOP, compileFilters(), (id) => hub.graphNode(id));
          late = new FakeClient(access.predicate);
          late.graphView = access.graphView;
          hub.subscribe(late);
        },
      ],
      // Beyond the window: every edge not seen again expires, with the nodes no edge uses any more.
      ['edges and nodes expire', () => feed(400_000, [frontend, shopApi], [legacyCron, stripe])],
      ['a removed peer comes back as a new node', () => feed(401_000, [shopApi, payApi], [legacy, legacyCron])],
    ];
    for (const [label, step] of steps) {
      step();
      hub.tick();
      check(hub, all, scoped, label);
      if (late) check(hub, all, late, `${label} (late)`);
    }

    // The scoped browser got every visible flow, the other every flow.
    expect(scoped.flows().map((f) => f.uuid).sort()).toEqual(fed.filter((f) => flowVisible(SHOP, f)).map((f) => f.uuid).sort());
    expect(all.flows().map((f) => f.uuid).sort()).toEqual(fed.map((f) => f.uuid).sort());
    // It was told of the peers it lost, and never of nodes it did not have.
    const removed = scoped.of<GraphDelta>('delta').flatMap((d) => d.removeNodes);
    expect(removed).toEqual(expect.arrayContaining(['payments/payments-api', 'payments/payments-worker', 'legacy/legacy-app']));
    expect(removed).not.toContain('legacy/legacy-cron');
    // Ticks with nothing visible sent it no delta (the unscoped one got them).
    expect(scoped.of('delta').length).toBeLessThan(all.of('delta').length);
    for (const d of scoped.of<GraphDelta>('delta')) {
      for (const n of d.upsertNodes) expect(n.id).not.toBe('legacy/legacy-cron');
      expect(d.upsertNodes.length + d.upsertEdges.length + d.removeNodes.length + d.removeEdges.length).toBeGreaterThan(0);
    }
  });

  it('a scoped browser that missed a delta is resynced with its own snapshot and stays in scope', () => {
    const hub = handFedHub();
    const { all, scoped } = subscribeBoth(hub);
    hub.ingest(flow(frontend, shopApi, { time: T + 1 }));
    hub.ingest(flow(legacy, payApi, { time: T + 1 }));
    hub.tick();
    check(hub, all, scoped, 'before');
    scoped.full = true;
    hub.ingest(flow(shopApi, payApi, { time: T + 2 }));
    hub.tick();
    scoped.full = false;
    hub.ingest(flow(payWorker, stripe, { time: T + 3 }));
    hub.tick();
    const snaps = scoped.of<{ graph: GraphSnapshot }>('snapshot');
    expect(snaps).toHaveLength(2);
    expect(snaps[1].graph.nodes.map((n) => n.id).sort()).toEqual(['payments/payments-api', 'shop/api', 'shop/frontend']);
    check(hub, all, scoped, 'after the resync');
    hub.ingest(flow(legacy, shopApi, { time: T + 4 }));
    hub.tick();
    check(hub, all, scoped, 'after a delta on the new snapshot');
  });

  it('the snapshot a browser gets on connect is its own view; a page without flow samples gets none', () => {
    const hub = handFedHub();
    hub.ingest(flow(frontend, payApi, { time: T + 1 }));
    hub.ingest(flow(legacy, payWorker, { time: T + 1 }));
    hub.tick();
    const access = streamAccess(SHOP, null, (id) => hub.graphNode(id));
    const c = new FakeClient(access.predicate);
    c.graphView = access.graphView;
    hub.subscribe(c);
    const [snap] = c.of<{ graph: GraphSnapshot }>('snapshot');
    expect(snap.graph).toEqual(scopeGraph(SHOP, hub.graphSnapshot()));
    expect(snap.graph.nodes.map((n) => n.id).sort()).toEqual(['payments/payments-api', 'shop/frontend']);
    hub.ingest(flow(frontend, shopApi, { time: T + 2 }));
    hub.tick();
    expect(c.of('flows')).toEqual([]);
    expect(c.of('delta')).toHaveLength(1);
  });

  it('a large snapshot sent in slices, with ticks held behind it: each browser ends with its own view and applies every delta', async () => {
    // Slices of 1 ms: the snapshots take several turns however fast this machine is.
    const hub = handFedHub({ snapshotSliceMs: 1 });
    // 6,000 connections, two thirds from shop: more than one part for both browsers.
    for (let i = 0; i < 6000; i++) {
      const from = [frontend, shopApi, legacy][i % 3];
      hub.ingest(flow(from, { ...pod('payments', `payments-api-84b6c9d7f5-${String(i).padStart(5, '0')}`), port: 1000 + i }, { time: T + 1 }));
    }
    while (hub.status().graph.pendingEdges > 0) hub.tick();
    const { all, scoped } = subscribeBoth(hub);
    // While the snapshots go out: a new shop peer, a new edge elsewhere, and one that changes.
    hub.ingest(flow(frontend, stripe, { time: T + 2 }));
    hub.tick();
    hub.ingest(flow(legacy, shopApi, { time: T + 3 }));
    hub.ingest(flow(frontend, { ...pod('payments', 'payments-api-84b6c9d7f5-00000'), port: 1000 }, { time: T + 4, verdict: 'DROPPED' }));
    hub.tick();
    expect(scoped.of('delta')).toHaveLength(0);
    await hub.snapshotsSent();
    expect(scoped.of('snapshot-part').length).toBeGreaterThan(0);
    expect(scoped.of<GraphDelta>('delta').length).toBeGreaterThan(0);
    check(hub, all, scoped, 'after the sliced snapshots');
    // And the ticks after them.
    hub.ingest(flow(shopApi, payApi2, { time: T + 5 }));
    hub.tick();
    check(hub, all, scoped, 'a tick later');
  });

  it('a scoped browser can apply every delta it is sent: sequence numbers have no gaps when a tick had nothing visible', () => {
    const hub = handFedHub();
    const { scoped } = subscribeBoth(hub);
    hub.ingest(flow(frontend, shopApi, { time: T + 1 }));
    hub.tick();
    hub.ingest(flow(legacy, payApi, { time: T + 2 }));
    hub.tick(); // nothing visible: not sent to the scoped browser
    hub.ingest(flow(shopApi, payApi, { time: T + 3 }));
    hub.tick();
    expect(scoped.graph().edges.size).toBe(2);
  });

  it('a peer whose last visible edge expired leaves the scoped graph, even when another namespace still talks to it', () => {
    const hub = handFedHub();
    const { all, scoped } = subscribeBoth(hub);
    hub.ingest(flow(frontend, payApi, { time: T + 1000 }));
    hub.ingest(flow(legacy, payApi, { time: T + 1000 }));
    hub.tick();
    check(hub, all, scoped, 'payments/api is a peer');
    // shop -> payments expires; legacy -> payments stays (and payments/api gains a pod).
    hub.ingest(flow(legacy, payApi2, { time: T + 400_000 }));
    hub.tick();
    check(hub, all, scoped, 'its shop edge expired');
  });

  it("a scoped browser's flow rates count its own flows only; the relay state is the hub's", () => {
    const hub = handFedHub();
    const { all, scoped } = subscribeBoth(hub);
    const now = Date.now();
    hub.ingest(flow(frontend, shopApi, { time: now }));
    hub.ingest(flow(legacy, payApi, { time: now }));
    hub.ingest(flow(legacy, payApi, { time: now }));
    hub.ingest(flow(shopApi, payApi, { time: now }));
    hub.tick();
    type Counters = CounterSummary & { relay: { mode: string } };
    expect(all.of<Counters>('counters').at(-1)!.total).toBe(4);
    const own = scoped.of<Counters>('counters').at(-1)!;
    expect(own.total).toBe(2);
    expect(own.relay.mode).toBe('demo');
  });
});
