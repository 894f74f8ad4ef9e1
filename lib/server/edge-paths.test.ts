import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import { demoScenario } from '../demo/scenario';
import { FlowGraph } from '../graph/flow-graph';
import { parseStreamEvent } from '../graph/graph-wire';
import type { GraphDelta } from '../graph/types';
import { demoSnapshot } from '../k8s/demo-source';
import { demoFlows } from '../posture/testing/demo-flows';
import { EdgePathAnnotator, type EdgePathInputs } from './edge-paths';

const cluster = demoSnapshot().snapshot;
const flows = demoFlows(demoScenario());

function fed(inputs: () => EdgePathInputs | undefined, opts: { budgetMs?: number; now?: () => number } = { budgetMs: Infinity }) {
  const graph = new FlowGraph();
  const annotator = new EdgePathAnnotator(inputs, opts);
  for (const f of flows) annotator.noteFlow(graph.add(f), f);
  return { graph, annotator };
}

const byId = <T extends { id: string }>(edges: T[], prefix: string) => edges.find((e) => e.id.startsWith(prefix));

describe('EdgePathAnnotator', () => {
  it('colours legacy-app → pypi.org denied by the Azure Firewall although Cilium forwarded it', () => {
    const { graph, annotator } = fed(() => ({ cluster, azure: demoAzureSnapshot() }));
    const delta = graph.takeDelta()!;
    annotator.decorate(delta, graph);
    const pypi = byId(delta.upsertEdges, 'legacy/legacy-app|world:pypi.org|443')!;
    expect(pypi.status).toBe('allowed');
    expect(pypi.path).toMatchObject({ status: 'denied', decidedBy: 'firewall', rule: 'aks-egress-fw: default deny (no rule matched)' });
    const github = delta.upsertEdges.find((e) => e.source === 'legacy/legacy-app' && e.target === 'world:api.github.com')!;
    expect(github.path).toMatchObject({ status: 'allowed', layers: { firewall: 'allowed' } });
    // Pod to pod: the Azure layers are not on the path and Cilium's verdict stands.
    const inCluster = delta.upsertEdges.find((e) => e.status === 'denied' && !e.target.startsWith('world:'))!;
    expect(inCluster.path).toMatchObject({ status: 'denied', decidedBy: 'policy', layers: { nsg: 'not-on-path', firewall: 'not-on-path' } });
  });

  it('evaluates each edge once per snapshot pair, and again for every edge when the Azure snapshot changes', () => {
    let azure = demoAzureSnapshot();
    const { graph, annotator } = fed(() => ({ cluster, azure }));
    annotator.decorate(graph.takeDelta(), graph);
    const first = annotator.evaluations;
    expect(first).toBe(graph.size.edges);
    for (const f of flows.slice(0, 20)) graph.add(f);
    annotator.decorate(graph.takeDelta(), graph);
    expect(annotator.evaluations).toBe(first);
    azure = structuredClone(azure); // a reload: same content, a new snapshot
    annotator.decorate(null, graph);
    const resent = graph.takeDelta()!;
    expect(resent.upsertEdges).toHaveLength(graph.size.edges);
    annotator.decorate(resent, graph);
    expect(annotator.evaluations).toBe(2 * first);
  });

  it('leaves edges over the time budget for later ticks instead of blocking one, then sends each once with its path', () => {
    let clock = 0;
    // Every evaluation "takes" 10 ms on this clock: a 25 ms budget evaluates 3 edges a tick.
    const azure = demoAzureSnapshot();
    const { graph, annotator } = fed(() => ({ cluster, azure }), { budgetMs: 25, now: () => (clock += 5) });
    annotator.decorate(null, graph); // inputs seen: from here on only the budget holds edges back
    const delta = graph.takeDelta()!;
    annotator.decorate(delta, graph);
    const done = delta.upsertEdges.filter((e) => e.path).length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(delta.upsertEdges.length);
    const waiting = delta.upsertEdges.filter((e) => !e.path).map((e) => e.id);
    expect(annotator.backlog).toBe(waiting.length);
    // Later ticks: no flows arrive, yet the backlog drains and each drained edge is sent once, with its path.
    const resent = new Map<string, boolean>();
    for (let tick = 0; tick < 50 && (annotator.backlog > 0 || resent.size < waiting.length); tick++) {
      const next = graph.takeDelta();
      annotator.decorate(next, graph);
      for (const e of next?.upsertEdges ?? []) {
        expect(resent.has(e.id), `${e.id} sent twice`).toBe(false);
        resent.set(e.id, !!e.path);
      }
    }
    expect([...resent.keys()].sort()).toEqual([...waiting].sort());
    expect([...resent.values()].every(Boolean)).toBe(true);
    expect(annotator.backlog).toBe(0);
  });

  it('without Azure data for the cluster the Azure cells are unknown and the observed status stands', () => {
    const { graph, annotator } = fed(() => ({ cluster }));
    const delta = graph.takeDelta()!;
    annotator.decorate(delta, graph);
    const pypi = byId(delta.upsertEdges, 'legacy/legacy-app|world:pypi.org|443')!;
    expect(pypi.path).toMatchObject({ status: 'allowed', layers: { nsg: 'unknown', firewall: 'unknown' } });
    expect(pypi.path!.reason).toMatch(/could not be evaluated/);
  });

  it('adds nothing until its inputs exist, and forgets removed edges', () => {
    let ready = false;
    const { graph, annotator } = fed(() => (ready ? { cluster, azure: demoAzureSnapshot() } : undefined));
    const delta = graph.takeDelta()!;
    annotator.decorate(delta, graph);
    expect(delta.upsertEdges.every((e) => e.path === undefined)).toBe(true);
    ready = true;
    annotator.decorate(null, graph);
    const snapshotEdges = graph.snapshot().edges;
    annotator.decorateSnapshot(snapshotEdges);
    expect(snapshotEdges.every((e) => e.path === undefined)).toBe(true); // a snapshot never waits
    annotator.decorate(graph.takeDelta(), graph);
    const later = graph.snapshot().edges;
    annotator.decorateSnapshot(later);
    expect(later.every((e) => e.path)).toBe(true);
  });
});

describe('the hub with edge paths attached after flows arrived', () => {
  it('evaluates edges from the flows still in its ring, and sends them to browsers with their path', async () => {
    const { Hub } = await import('./hub');
    const { loadConfig } = await import('./config');
    const hub = new Hub(loadConfig({}));
    for (const f of flows) hub.ingest(f);
    hub.tick(); // no annotator yet: plain edges
    const sent: { event: string; data: string }[] = [];
    hub.subscribe({ predicate: null, send: (event, data) => (sent.push({ event, data }), true), close: () => undefined });
    hub.setEdgePaths(new EdgePathAnnotator(() => ({ cluster, azure: demoAzureSnapshot() }), { budgetMs: Infinity }));
    hub.tick();
    const delta = parseStreamEvent('delta', sent.filter((s) => s.event === 'delta').at(-1)!.data) as GraphDelta;
    const pypi = delta.upsertEdges.find((e) => e.id === 'legacy/legacy-app|world:pypi.org|443|TCP')!;
    expect(pypi.path).toMatchObject({ status: 'denied', decidedBy: 'firewall' });
    expect(hub.graphSnapshot().edges.every((e) => e.path)).toBe(true);
    await hub.stop();
  });
});
