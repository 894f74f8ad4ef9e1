import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../flows/flow-record';
import { emptyEdge } from '../../graph/flow-graph';
import { edgeIdOf, worldNodeId, workloadNodeId } from '../../graph/graph-ids';
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from '../../graph/types';
import { openFlowStore, type ManagedFlowStore } from '../../history/open-store';
import type { PostureReport } from '../../posture/posture-report';
import { flow, pod, reserved, world } from '../../testing/flow-fixtures';
import { connectionVisible, flowVisible, layersVisible, narrowScope, scopePolicyPeers, scopeEgress, scopeExplanation, scopeGraph, ScopedGraphView, scopePosture, scopeSql, streamAccess } from './access-scope';
import type { ExplainedDirection, Explanation } from '../views/explain-connection';
import type { EgressInventory, EgressRow } from '../views/egress-inventory';

// ---- graph builders ------------------------------------------------------------------------------

function wl(namespace: string, name: string): GraphNode {
  return { id: workloadNodeId(namespace, name), kind: 'workload', namespace, label: name, workloadKind: 'Deployment', pods: [], podCount: 0, app: name, dnsName: '', firstSeen: 1, lastSeen: 1 };
}

function worldNode(fqdn?: string): GraphNode {
  return { id: worldNodeId(fqdn), kind: 'world', namespace: '', label: fqdn ?? 'world', workloadKind: '', pods: [], podCount: 0, app: '', dnsName: fqdn ?? '', firstSeen: 1, lastSeen: 1 };
}

function edge(from: GraphNode, to: GraphNode, port = 8080, protocol = 'TCP'): GraphEdge {
  return emptyEdge(edgeIdOf(from.id, to.id, port, protocol), from.id, to.id, port, protocol, 1, 1);
}

const delta = (seq: number, d: Partial<Omit<GraphDelta, 'seq'>>): GraphDelta => ({ seq, upsertNodes: [], upsertEdges: [], removeNodes: [], removeEdges: [], ...d });
const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

const shopFront = wl('shop', 'frontend');
const shopApi = wl('shop', 'api');
const payApi = wl('payments', 'api');
const payWorker = wl('payments', 'worker');
const legacyApp = wl('legacy', 'app');
const legacyCron = wl('legacy', 'cron');
const stripe = worldNode('api.stripe.com');
// A DNS name may hold `|`: the edge id escapes it and still parses back to its two ends.
const oddWorld = worldNode('we|ird.example');

const shop = new Set(['shop']);

describe('flowVisible / connectionVisible', () => {
  const f = (src: string, dst: string) => flow(pod(src, 'x-6d8f9c7b5-abcde'), pod(dst, 'y-6d8f9c7b5-abcde'));
  it('either end in scope', () => {
    expect(flowVisible(shop, f('shop', 'payments'))).toBe(true);
    expect(flowVisible(shop, f('payments', 'shop'))).toBe(true);
    expect(flowVisible(shop, f('payments', 'legacy'))).toBe(false);
    expect(flowVisible(shop, flow(world('api.stripe.com'), reserved('host')))).toBe(false);
    expect(flowVisible('all', f('payments', 'legacy'))).toBe(true);
    expect(flowVisible(new Set(), f('shop', 'shop'))).toBe(false);
  });

  it('namespaces match exactly, not by prefix', () => {
    expect(flowVisible(shop, f('shop2', 'shopping'))).toBe(false);
    expect(connectionVisible(shop, workloadNodeId('shop2', 'a'), worldNodeId('shop'))).toBe(false);
  });

  it('over node ids: workloads by their namespace, world and reserved nodes never in scope', () => {
    expect(connectionVisible(shop, shopFront.id, payApi.id)).toBe(true);
    expect(connectionVisible(shop, payApi.id, shopFront.id)).toBe(true);
    expect(connectionVisible(shop, payApi.id, stripe.id)).toBe(false);
    expect(connectionVisible(shop, 'host', 'world')).toBe(false);
    expect(connectionVisible('all', 'host', 'world')).toBe(true);
  });
});

describe('scopeGraph', () => {
  const graph: GraphSnapshot = {
    seq: 7,
    nodes: [shopFront, shopApi, payApi, payWorker, legacyApp, stripe, oddWorld],
    edges: [edge(shopFront, shopApi), edge(shopApi, payApi, 8443), edge(legacyApp, shopApi), edge(payWorker, payApi, 8443), edge(payApi, stripe, 443), edge(shopApi, oddWorld, 443)],
  };

  it('keeps visible edges, nodes in scope and the far ends of visible edges, not unrelated out-of-scope nodes', () => {
    const s = scopeGraph(shop, graph);
    expect(s.seq).toBe(7);
    expect(ids(s.nodes)).toEqual(ids([shopFront, shopApi, payApi, legacyApp, oddWorld]));
    expect(ids(s.edges)).toEqual(ids([edge(shopFront, shopApi), edge(shopApi, payApi, 8443), edge(legacyApp, shopApi), edge(shopApi, oddWorld, 443)]));
    // payments/worker (only an edge to payments/api) and stripe (only reached from payments) stay out.
    expect(s.nodes.map((n) => n.id)).not.toContain(payWorker.id);
    expect(s.nodes.map((n) => n.id)).not.toContain(stripe.id);
  });

  it('keeps a node in scope with no edge at all', () => {
    const lone = wl('shop', 'lonely');
    expect(ids(scopeGraph(shop, { seq: 1, nodes: [lone, legacyApp], edges: [] }).nodes)).toEqual([lone.id]);
  });

  it("'all' is the graph itself; an empty scope sees nothing", () => {
    expect(scopeGraph('all', graph)).toBe(graph);
    expect(scopeGraph(new Set(), graph)).toEqual({ seq: 7, nodes: [], edges: [] });
  });
});

describe('ScopedGraphView: a snapshot, then deltas', () => {
  /** The hub's graph as nodeById reads it. */
  function hubNodes(...nodes: GraphNode[]) {
    const map = new Map(nodes.map((n) => [n.id, n]));
    return (id: string) => map.get(id);
  }

  it('forwarded deltas are numbered without gaps after the snapshot, whatever was skipped', () => {
    const view = new ScopedGraphView(shop, hubNodes());
    view.snapshot({ seq: 1, nodes: [shopFront], edges: [] });
    expect(view.delta(delta(2, { upsertNodes: [legacyCron] }))).toBeNull();
    expect(view.delta(delta(3, { upsertNodes: [shopApi] }))!.seq).toBe(2);
  });

  it('the snapshot is scopeGraph of the graph', () => {
    const graph: GraphSnapshot = { seq: 3, nodes: [shopFront, payApi, payWorker], edges: [edge(shopFront, payApi), edge(payWorker, payApi)] };
    const view = new ScopedGraphView(shop, hubNodes());
    expect(view.snapshot(graph)).toEqual(scopeGraph(shop, graph));
  });

  it('an edge arriving later brings its out-of-scope far end, from the delta or from the hub graph, once', () => {
    const view = new ScopedGraphView(shop, hubNodes(shopFront, payApi, legacyApp));
    view.snapshot({ seq: 1, nodes: [shopFront, payApi, legacyApp], edges: [] });

    // payments/api was known to the hub before (not in this delta's upsertNodes): taken from nodeById.
    const d2 = view.delta(delta(2, { upsertEdges: [edge(shopFront, payApi)] }))!;
    expect(ids(d2.upsertNodes)).toEqual([payApi.id]);
    expect(ids(d2.upsertEdges)).toEqual([edge(shopFront, payApi).id]);

    // A new peer in the same delta: taken from the delta's upsertNodes (the hub's copy may be older).
    const fresher = { ...legacyApp, podCount: 3 };
    const d3 = view.delta(delta(3, { upsertNodes: [fresher], upsertEdges: [edge(legacyApp, shopFront)] }))!;
    expect(d3.upsertNodes).toEqual([fresher]);

    // The peer is already sent: a later edge to it does not send it again.
    const d4 = view.delta(delta(4, { upsertEdges: [edge(shopFront, payApi, 9090)] }))!;
    expect(d4.upsertNodes).toEqual([]);
    // ... but an update of a node the client has is forwarded.
    const d5 = view.delta(delta(5, { upsertNodes: [{ ...payApi, podCount: 2 }] }))!;
    expect(d5.upsertNodes).toEqual([{ ...payApi, podCount: 2 }]);
  });

  it('a node both in the delta and as a far end is sent once', () => {
    const view = new ScopedGraphView(shop, hubNodes(payApi));
    view.snapshot({ seq: 1, nodes: [], edges: [] });
    const d = view.delta(delta(2, { upsertNodes: [shopFront, payApi], upsertEdges: [edge(shopFront, payApi), edge(payApi, shopFront, 53, 'UDP')] }))!;
    expect(d.upsertNodes.map((n) => n.id).sort()).toEqual(ids([shopFront, payApi]));
  });

  it('an edge whose far end nobody knows is sent without it (nothing invented)', () => {
    const view = new ScopedGraphView(shop, hubNodes());
    view.snapshot({ seq: 1, nodes: [shopFront], edges: [] });
    const d = view.delta(delta(2, { upsertEdges: [edge(shopFront, payApi)] }))!;
    expect(d.upsertNodes).toEqual([]);
    expect(d.upsertEdges).toHaveLength(1);
  });

  it('out-of-scope nodes and edges the client never had are not forwarded', () => {
    const view = new ScopedGraphView(shop, hubNodes(payApi, payWorker, legacyApp));
    view.snapshot({ seq: 1, nodes: [shopFront], edges: [] });
    expect(view.delta(delta(2, { upsertNodes: [payWorker, legacyApp], upsertEdges: [edge(payWorker, payApi), edge(legacyApp, stripe, 443)] }))).toBeNull();
  });

  it('removing a peer node is forwarded only when the client had it; a removed peer comes back with its next edge', () => {
    const view = new ScopedGraphView(shop, hubNodes(payApi, legacyApp, stripe));
    view.snapshot({ seq: 1, nodes: [shopFront, payApi, legacyApp, stripe], edges: [edge(shopFront, payApi), edge(legacyApp, stripe, 443)] });
    const d = view.delta(delta(2, { removeNodes: [payApi.id, legacyApp.id, stripe.id], removeEdges: [edge(shopFront, payApi).id, edge(legacyApp, stripe, 443).id] }))!;
    expect(d.removeNodes).toEqual([payApi.id]);
    expect(d.removeEdges).toEqual([edge(shopFront, payApi).id]);
    // Removed once: a second removal is not forwarded again.
    expect(view.delta(delta(3, { removeNodes: [payApi.id] }))).toBeNull();
    // It comes back with the next visible edge that needs it.
    const back = view.delta(delta(4, { upsertEdges: [edge(payApi, shopFront, 53, 'UDP')] }))!;
    expect(ids(back.upsertNodes)).toEqual([payApi.id]);
  });

  it('removing an in-scope node is always forwarded', () => {
    const view = new ScopedGraphView(shop, hubNodes());
    view.snapshot({ seq: 1, nodes: [shopFront], edges: [] });
    expect(view.delta(delta(2, { removeNodes: [shopFront.id] }))!.removeNodes).toEqual([shopFront.id]);
  });

  it('removeEdges: parsed from the id (escaped ends included); edges between two out-of-scope nodes are not forwarded', () => {
    const view = new ScopedGraphView(shop, hubNodes());
    view.snapshot({ seq: 1, nodes: [], edges: [] });
    const visible = [edge(shopApi, oddWorld, 443).id, edge(legacyApp, shopFront).id];
    const hidden = [edge(legacyApp, payApi).id, edge(payApi, stripe, 443).id, edgeIdOf(worldNodeId('sh|op'), 'host', 1, 'TCP'), 'not-an-edge-id'];
    const d = view.delta(delta(2, { removeEdges: [...visible, ...hidden] }))!;
    expect(d.removeEdges).toEqual(visible);
    expect(view.delta(delta(3, { removeEdges: hidden }))).toBeNull();
  });

  it('a delta with nothing visible is null', () => {
    const view = new ScopedGraphView(shop, hubNodes());
    view.snapshot({ seq: 1, nodes: [], edges: [] });
    expect(view.delta(delta(2, {}))).toBeNull();
    expect(view.delta(delta(3, { upsertNodes: [legacyCron] }))).toBeNull();
    expect(view.delta(delta(4, { upsertNodes: [shopFront] }))!.upsertNodes).toEqual([shopFront]);
  });

  it('a new snapshot forgets the peers sent before it', () => {
    const view = new ScopedGraphView(shop, hubNodes(payApi));
    view.snapshot({ seq: 1, nodes: [shopFront, payApi], edges: [edge(shopFront, payApi)] });
    // After a resync without that edge, payments/api is no longer the client's: its update is not sent.
    view.snapshot({ seq: 5, nodes: [shopFront, payApi], edges: [] });
    expect(view.delta(delta(6, { upsertNodes: [{ ...payApi, podCount: 9 }] }))).toBeNull();
  });

  it('with an empty scope every delta is null and the snapshot is empty', () => {
    const view = new ScopedGraphView(new Set(), hubNodes(shopFront, payApi));
    expect(view.snapshot({ seq: 1, nodes: [shopFront, payApi], edges: [edge(shopFront, payApi)] })).toEqual({ seq: 1, nodes: [], edges: [] });
    expect(view.delta(delta(2, { upsertNodes: [shopFront], upsertEdges: [edge(shopFront, payApi)], removeNodes: [payApi.id], removeEdges: [edge(shopFront, payApi).id] }))).toBeNull();
  });
});

describe('streamAccess', () => {
  const inShop = flow(pod('shop', 'a-6d8f9c7b5-abcde'), pod('payments', 'b-6d8f9c7b5-abcde'));
  const elsewhere = flow(pod('legacy', 'a-6d8f9c7b5-abcde'), pod('payments', 'b-6d8f9c7b5-abcde'));

  it("'all' passes the predicate through and has no graph view", () => {
    const predicate = () => true;
    expect(streamAccess('all', predicate, () => undefined)).toEqual({ predicate });
  });

  it('a scope narrows the predicate and adds a graph view; a page without flow samples stays without', () => {
    const a = streamAccess(shop, () => true, () => undefined);
    expect(a.graphView).toBeInstanceOf(ScopedGraphView);
    expect(a.predicate!(inShop)).toBe(true);
    expect(a.predicate!(elsewhere)).toBe(false);
    expect(streamAccess(shop, (f) => f.verdict === 'DROPPED', () => undefined).predicate!(inShop)).toBe(false);
    const none = streamAccess(shop, null, () => undefined);
    expect(none.predicate).toBeNull();
    expect(none.graphView).toBeInstanceOf(ScopedGraphView);
  });
});

// ---- scopeSql on a real embedded store -----------------------------------------------------------

describe('scopeSql over the embedded store: the same flows as flowVisible', () => {
  let dir: string;
  let store: ManagedFlowStore;
  const flows: FlowRecord[] = [];
  const now = Date.now();
  const ns = ['a', 'b', 'c', 'aa'];

  beforeAll(async () => {
    const pods = Object.fromEntries(ns.map((n) => [n, pod(n, `app-6d8f9c7b5-${n.padEnd(5, 'x')}`)]));
    const peers = [...ns.map((n) => pods[n]), world('api.example.com'), reserved('host')];
    let i = 0;
    for (const s of peers) for (const d of peers) flows.push(flow(s, { ...d, port: 8080 }, { time: now - 60_000 + i * 10, uuid: `s-${i++}` }));
    // A pair of namespaces that talk only to each other.
    flows.push(flow(pod('x', 'p-6d8f9c7b5-xxxxx'), { ...pod('y', 'q-6d8f9c7b5-yyyyy'), port: 80 }, { time: now - 1000, uuid: 'xy' }));
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-scope-'));
    store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null } });
    store.append(flows);
    await store.flush();
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function stored(scope: ReadonlySet<string>): Promise<string[]> {
    const condition = scopeSql(scope);
    expect(condition).not.toBeNull();
    const page = await store.search({ condition: condition!, range: {}, limit: 1000 });
    expect(page.nextCursor).toBeNull();
    return page.flows.map((f) => f.uuid).sort();
  }
  const live = (scope: ReadonlySet<string>) => flows.filter((f) => flowVisible(scope, f)).map((f) => f.uuid).sort();

  it('stores every flow', async () => {
    expect((await store.search({ range: {}, limit: 1000 })).flows).toHaveLength(flows.length);
  });

  it('{a}: exactly the flows with a source or destination in a (not aa), as the live predicate', async () => {
    const expected = flows.filter((f) => f.source.namespace === 'a' || f.destination.namespace === 'a').map((f) => f.uuid).sort();
    // a<->a, a<->b, a<->c, a<->aa, a<->world, a<->host: 1 + 2*5
    expect(expected).toHaveLength(11);
    expect(await stored(new Set(['a']))).toEqual(expected);
    expect(live(new Set(['a']))).toEqual(expected);
  });

  it('several namespaces, and names absent from the store', async () => {
    for (const scope of [new Set(['a', 'c']), new Set(['b', 'aa', 'nope']), new Set(['nope']), new Set(ns)]) {
      expect(await stored(scope)).toEqual(live(scope));
    }
    expect(await stored(new Set(['nope']))).toEqual([]);
  });

  it('a namespace name is only a value (placeholders, no SQL from the name)', async () => {
    const scope = new Set(["a') OR 1=1 --", 'b']);
    expect(scopeSql(scope)!.where).not.toContain('OR 1=1');
    expect(await stored(scope)).toEqual(live(scope));
  });

  it('an empty scope matches nothing; all is no narrowing', async () => {
    expect(await stored(new Set())).toEqual([]);
    expect(live(new Set())).toEqual([]);
    expect(scopeSql('all')).toBeNull();
  });

  it('completion values come only from visible flows (their peers named too)', async () => {
    const values = (scope: ReadonlySet<string>) => store.values('namespace', '', 50, undefined, scopeSql(scope));
    const namesOf = (scope: ReadonlySet<string>) => [...new Set(flows.filter((f) => flowVisible(scope, f)).flatMap((f) => [f.source.namespace, f.destination.namespace]).filter(Boolean))].sort();
    expect((await values(new Set(['a']))).sort()).toEqual(namesOf(new Set(['a'])));
    expect((await values(new Set(['nope']))).sort()).toEqual([]);
    expect(await values(new Set())).toEqual([]);
    expect((await values(new Set(['a']))).sort()).toEqual(['a', 'aa', 'b', 'c']); // not x, y
    expect((await values(new Set(['x']))).sort()).toEqual(['x', 'y']);
    expect((await values(new Set(['x']))).sort()).toEqual(namesOf(new Set(['x'])));
    expect((await store.values('namespace', '', 50, undefined, null)).sort()).toEqual([...ns, 'x', 'y'].sort());
  });
});

// ---- posture and egress --------------------------------------------------------------------------

describe('scopePosture', () => {
  const finding = (key: string, severity: string, namespace?: string) => ({ id: key.split(':')[0], key, severity, title: key, ...(namespace ? { namespace } : {}), objects: [], evidence: [], fix: {}, links: {} });
  const report = {
    generatedAt: 1,
    cluster: { score: 61, deductions: [{ findingKey: 'unprotected-namespace:legacy', points: 10, title: 'x', namespace: 'legacy' }] },
    basis: { policies: true, observedFlows: 10, azure: false, text: 'x' },
    namespaces: [
      { namespace: 'shop', score: 80, pods: 3, deductions: [] },
      { namespace: 'legacy', score: 40, pods: 2, deductions: [] },
    ],
    findings: [
      finding('open-egress:shop/api', 'high', 'shop'),
      finding('unprotected-namespace:legacy', 'critical', 'legacy'),
      finding('ccnp-wide:allow-all', 'critical'),
      finding('dns-missing:shop', 'medium', 'shop'),
      finding('azure-nsg:open', 'low'),
    ],
    findingCount: 5,
    countsBySeverity: { critical: 2, high: 1, medium: 1, low: 1, info: 0 },
    badges: { shop: [{ kind: 'open-egress', label: 'egress', severity: 'high', findingKeys: ['open-egress:shop/api'] }], legacy: [{ kind: 'unprotected', label: 'no policy', severity: 'critical', findingKeys: ['unprotected-namespace:legacy'] }] },
    layer: { namespaces: ['legacy'], workloads: ['shop/api'] },
    audit: [
      { namespace: 'legacy', flows: 9, paths: 1, policies: [{ kind: 'CiliumNetworkPolicy', namespace: 'legacy', name: 'trial' }], unnamedFlows: 0 },
      { namespace: 'shop', flows: 3, paths: 2, policies: [], unnamedFlows: 3 },
    ],
    source: {
      kind: 'manifests',
      stale: false,
      errors: [{ text: 'bad file /x/legacy.yaml' }],
      errorCount: 1,
      policyErrors: [
        { code: 'x', message: 'm', where: { kind: 'NetworkPolicy', namespace: 'shop', name: 'p', field: 'spec' }, severity: 'warning' },
        { code: 'x', message: 'm', where: { kind: 'NetworkPolicy', namespace: 'legacy', name: 'q', field: 'spec' }, severity: 'error' },
        { code: 'x', message: 'm', where: { kind: 'CiliumClusterwideNetworkPolicy', name: 'r', field: 'spec' }, severity: 'error' },
      ],
      policyErrorCount: 3,
      skipped: { total: 0, text: '' },
    },
  } as unknown as PostureReport;

  it("'all' is the report itself", () => {
    expect(scopePosture('all', report)).toBe(report);
  });

  it('narrowed to one namespace (the map panel): that namespace only, and nothing of one outside the scope', () => {
    expect(narrowScope('all', undefined)).toBe('all');
    expect(narrowScope(shop, undefined)).toBe(shop);
    const one = scopePosture(narrowScope('all', 'legacy'), report);
    expect(one.findings.map((f) => f.key)).toEqual(['unprotected-namespace:legacy']);
    expect(Object.keys(one.badges)).toEqual(['legacy']);
    expect(one.layer).toEqual({ namespaces: ['legacy'], workloads: [] });
    expect(one.audit.map((a) => a.namespace)).toEqual(['legacy']);
    // A user scoped to shop asking for legacy learns nothing of it.
    const outside = scopePosture(narrowScope(shop, 'legacy'), report);
    expect(outside.findings).toEqual([]);
    expect(outside.badges).toEqual({});
    expect(outside.namespaces).toEqual([]);
  });

  it('keeps only the findings, scores, badges and policy errors of the scope; drops findings without a namespace', () => {
    const s = scopePosture(shop, report);
    expect(s.findings.map((f) => f.key)).toEqual(['open-egress:shop/api', 'dns-missing:shop']);
    expect(s.findingCount).toBe(2);
    expect(s.countsBySeverity).toEqual({ critical: 0, high: 1, medium: 1, low: 0, info: 0 });
    expect(s.namespaces.map((n) => n.namespace)).toEqual(['shop']);
    expect(Object.keys(s.badges)).toEqual(['shop']);
    expect(s.source.policyErrors.map((e) => e.where.name)).toEqual(['p']);
    expect(s.source.errors).toEqual([]);
    expect(s.source.errorCount).toBe(0);
  });

  it('keeps the cluster score (one number) but clears its deductions', () => {
    expect(scopePosture(shop, report).cluster).toEqual({ score: 61, deductions: [] });
  });

  it('an empty scope: no findings, all counts zero', () => {
    const s = scopePosture(new Set(), report);
    expect(s.findings).toEqual([]);
    expect(s.findingCount).toBe(0);
    expect(s.countsBySeverity).toEqual({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
    expect(s.badges).toEqual({});
    expect(s.namespaces).toEqual([]);
  });

  it('does not change the report it was given', () => {
    const before = JSON.stringify(report);
    scopePosture(shop, report);
    expect(JSON.stringify(report)).toBe(before);
  });

  it("the posture layer outlines only the scope's namespaces and workloads", () => {
    expect(scopePosture(shop, report).layer).toEqual({ namespaces: [], workloads: ['shop/api'] });
  });

  it("AUDIT counts: only the rows of the scope's namespaces", () => {
    expect(scopePosture(shop, report).audit.map((a) => a.namespace)).toEqual(['shop']);
    expect(scopePosture(new Set(), report).audit).toEqual([]);
  });

  it("policyErrorCount counts the scope's policy errors only", () => {
    expect(scopePosture(shop, report).source.policyErrorCount).toBe(1);
  });
});

describe('scopeEgress', () => {
  const row = (namespace: string, name: string, destination: string, verdict: EgressRow['verdict']) => ({ edgeId: edgeIdOf(workloadNodeId(namespace, name), worldNodeId(destination), 443, 'TCP'), workload: `${namespace}/${name}`, namespace, destination, verdict }) as unknown as EgressRow;
  const inventory = {
    rows: [row('shop', 'api', 'api.stripe.com', 'allowed'), row('legacy', 'app', 'evil.example', 'allowed'), row('shop', 'worker', 'github.com', 'denied'), row('payments', 'api', 'bank.example', 'unknown')],
    totalEdges: 4,
    capped: false,
    maxRows: 500,
    summary: { workloads: 4, destinations: 4, open: 2, byVerdict: { allowed: 2, audit: 0, unknown: 1, denied: 1 } },
    namespaces: ['legacy', 'payments', 'shop'],
    sources: { cluster: true, azure: true },
    notes: [],
    generatedAt: 1,
  } as unknown as EgressInventory;

  it("'all' is the inventory itself", () => {
    expect(scopeEgress('all', inventory)).toBe(inventory);
  });

  it("keeps the scope's rows and namespaces only", () => {
    const s = scopeEgress(shop, inventory);
    expect(s.rows.map((r) => r.workload)).toEqual(['shop/api', 'shop/worker']);
    expect(s.totalEdges).toBe(2);
    expect(s.capped).toBe(false);
    expect(s.namespaces).toEqual(['shop']);
    expect(s.sources).toEqual(inventory.sources);
  });

  it("the summary counts the scope's rows only", () => {
    expect(scopeEgress(shop, inventory).summary).toEqual({ workloads: 2, destinations: 2, open: 1, byVerdict: { allowed: 1, audit: 0, unknown: 0, denied: 1 } });
  });

  it('an empty scope: no rows', () => {
    const s = scopeEgress(new Set(), inventory);
    expect(s.rows).toEqual([]);
    expect(s.namespaces).toEqual([]);
    expect(s.totalEdges).toBe(0);
  });
});

describe('scopeExplanation', () => {
  const direction = (d: 'EGRESS' | 'INGRESS', allowed: boolean): ExplainedDirection =>
    ({ direction: d, subject: 'x', subjectKind: 'pod', allowed, isolated: true, audit: false, reason: 'no-rule', l7Filtered: false, text: 'NetworkPolicy payments/allow-api ingress[0] matched', rules: [{ policy: 'payments/allow-api' }], isolatedBy: [{ name: 'deny-all' }], unmatchedRules: [{ yaml: 'kind: NetworkPolicy' }] }) as unknown as ExplainedDirection;
  const explanation = (from: GraphNode, to: GraphNode): Explanation =>
    ({ connection: { from: from.id, to: to.id, port: 8443, protocol: 'TCP' }, egress: direction('EGRESS', true), ingress: direction('INGRESS', false), notes: [] }) as unknown as Explanation;

  it('between two namespaces the user may not read: nothing', () => {
    expect(scopeExplanation(shop, explanation(payApi, legacyApp))).toBeNull();
  });

  it("keeps the user's side and only the verdict of the other namespace's side, not its policies", () => {
    const e = scopeExplanation(shop, explanation(shopApi, payApi))!;
    expect(e.egress.rules).toHaveLength(1);
    expect(e.ingress).toMatchObject({ allowed: false, isolated: true, rules: [], isolatedBy: [], unmatchedRules: [] });
    expect(e.ingress.text).toBe('Denied by the ingress policies of namespace payments, which you may not read.');
    expect(JSON.stringify(e.ingress)).not.toContain('allow-api');
  });

  it('world peers have no policies to hide; everything is kept with cluster-wide access', () => {
    expect(scopeExplanation(shop, explanation(shopApi, stripe))!.ingress.rules).toHaveLength(1);
    expect(scopeExplanation('all', explanation(payApi, legacyApp))).toEqual(explanation(payApi, legacyApp));
  });
});

describe('layersVisible', () => {
  const side = (ip: string, namespace?: string) => ({ ip, ...(namespace ? { namespace } : {}) });
  const pods = { pods: [{ namespace: 'payments', name: 'api-0', ips: ['10.0.0.2'], hostNetwork: false }, { namespace: 'legacy', name: 'app-0', ips: ['10.0.0.3'], hostNetwork: false }] } as never;

  it('an observed flow: by the namespaces it carries', () => {
    expect(layersVisible(shop, { connection: { from: side('10.0.0.1', 'shop'), to: side('10.0.0.2', 'payments') } } as never)).toBe(true);
    expect(layersVisible(shop, { connection: { from: side('10.0.0.3', 'legacy'), to: side('10.0.0.2', 'payments') } } as never)).toBe(false);
  });

  it('a spelled-out flow: by the pods at those addresses, whatever namespace the request claims', () => {
    const claimed = { connection: { from: side('10.0.0.3', 'shop'), to: side('10.0.0.2', 'payments') } } as never;
    expect(layersVisible(shop, claimed, pods)).toBe(false);
    expect(layersVisible(new Set(['legacy']), claimed, pods)).toBe(true);
  });
});

describe('scopePolicyPeers', () => {
  const peer = (n: GraphNode) => ({ id: n.id, kind: 'workload' as const, label: n.label });
  const policy = { key: 'NetworkPolicy/shop/allow', paths: [{ peers: [peer(shopApi), peer(payApi), { id: 'world', kind: 'world' as const, label: 'world' }], peerCount: 3 }] } as never;

  it("names only the scope's workloads among a rule's peers; the count stays", () => {
    const [p] = scopePolicyPeers(shop, [policy]);
    expect(p.paths[0].peers.map((x) => x.id)).toEqual([shopApi.id, 'world']);
    expect(p.paths[0].peerCount).toBe(3);
    expect(scopePolicyPeers('all', [policy])[0]).toBe(policy);
  });
});
