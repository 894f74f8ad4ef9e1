import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { invalidParamsResponse } from '@/lib/api/problem';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { emptyEdge } from '@/lib/graph/flow-graph';
import { encodeDelta, encodeSnapshot, type WireDelta, type WireSnapshot } from '@/lib/graph/graph-wire';
import type { GraphEdge, GraphNode } from '@/lib/graph/types';
import { flow, pod } from '@/lib/testing/flow-fixtures';
import { LiveStore, MAX_FLOWS_IN_BROWSER, type LiveStoreDeps, type StreamSource } from './live-store';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/** An EventSource the test drives: it records its URL and delivers the events the test emits. */
class FakeStream implements StreamSource {
  readyState = CONNECTING;
  closed = false;
  private readonly listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
    this.readyState = CLOSED;
  }
  emit(type: string, data?: unknown): void {
    if (type === 'open') this.readyState = OPEN;
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) } as MessageEvent);
  }
  /** The browser gave up on the stream (a non-200 answer) or is retrying (`CONNECTING`). */
  fail(readyState: number): void {
    this.readyState = readyState;
    for (const l of this.listeners.get('error') ?? []) l({} as MessageEvent);
  }
  get query(): URLSearchParams {
    return new URL(this.url, 'http://localhost').searchParams;
  }
}

const node = (id: string): GraphNode => ({ id, kind: 'workload', namespace: id.split('/')[0], label: id, workloadKind: '', pods: [], podCount: 1, app: '', dnsName: '', firstSeen: 1, lastSeen: 1 });
// What the hub sends: the stream's wire form of the graph.
const snapshot = (seq: number, ids: string[]): { graph: WireSnapshot; status: unknown } => ({ graph: encodeSnapshot({ seq, nodes: ids.map(node), edges: [] }), status: { relay: { mode: 'demo' } } });
const delta = (seq: number, add: string[] = [], remove: string[] = []): WireDelta => encodeDelta({ seq, upsertNodes: add.map(node), upsertEdges: [], removeNodes: remove, removeEdges: [] });
const edge = (source: string, target: string): GraphEdge => ({ ...emptyEdge(`${source}|${target}|80|TCP`, source, target, 80, 'TCP', 1, 1), counts: { forwarded: 1, dropped: 0, audit: 0, error: 0, other: 0 }, total: 1 });
const flows = (n: number, ns = 'shop'): FlowRecord[] => Array.from({ length: n }, (_, i) => flow(pod(ns, `app-${i}`), pod(ns, 'db-0')));

function setup(answer: (url: string) => Response | Promise<Response> = () => Response.json({ flows: [], explanation: { combination: [] } }), adoptStream?: LiveStoreDeps['adoptStream']) {
  const streams: FakeStream[] = [];
  const fetched: string[] = [];
  const store = new LiveStore({
    adoptStream,
    openStream: (url) => {
      const s = new FakeStream(url);
      streams.push(s);
      return s;
    },
    fetch: (async (input: RequestInfo | URL) => {
      fetched.push(String(input));
      return answer(String(input));
    }) as typeof fetch,
  });
  const last = () => streams[streams.length - 1];
  return { store, streams, fetched, last };
}

const nodeIds = (store: LiveStore) => [...(store.getSnapshot().graph?.nodes.keys() ?? [])].sort();

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LiveStore: a stream the page opened before the store existed', () => {
  /** The map page's early stream, with what it received before the store took it over. */
  function early() {
    const source = new FakeStream('/api/stream?sample=0');
    source.readyState = OPEN;
    const asked: string[] = [];
    const events: [string, string][] = [
      ['snapshot', JSON.stringify(snapshot(1, ['a']))],
      ['delta', JSON.stringify(delta(2, ['b']))],
      ['counters', JSON.stringify({ forwarded: 7 })],
    ];
    const adoptStream = (url: string) => {
      asked.push(url);
      return url === source.url ? { source, events } : null;
    };
    return { source, asked, adoptStream };
  }

  it('is taken over with the events it received, replayed in order; no second stream is opened', () => {
    const page = early();
    const { store, streams } = setup(undefined, page.adoptStream);
    store.connect('');
    expect(page.asked).toEqual(['/api/stream?sample=0']);
    expect(streams).toHaveLength(0);
    expect(nodeIds(store)).toEqual(['a', 'b']);
    expect(store.getSnapshot().stream).toBe('open');
    expect(store.getSnapshot().counters).toEqual({ forwarded: 7 });
    // What the stream brings next goes to the store's own handlers.
    page.source.emit('delta', delta(3, ['c']));
    expect(nodeIds(store)).toEqual(['a', 'b', 'c']);
  });

  it('a page asking for another stream (a filter, flow samples) opens its own', () => {
    const page = early();
    const { store, streams } = setup(undefined, page.adoptStream);
    store.connect('q=ns%3Ashop', true);
    expect(page.asked).toHaveLength(1);
    expect(page.asked[0]).not.toBe(page.source.url);
    expect(streams).toHaveLength(1);
    expect(streams[0].query.get('q')).toBe('ns:shop');
    expect(nodeIds(store)).toEqual([]);
  });
});

describe('LiveStore: the graph', () => {
  it('starts from the snapshot, then applies deltas in order', () => {
    const { store, last } = setup();
    store.connect('namespace=shop');
    expect(last().query.get('namespace')).toBe('shop');
    expect(last().query.get('sample')).toBe('0');
    last().emit('open');
    expect(store.getSnapshot().stream).toBe('open');
    last().emit('snapshot', snapshot(5, ['shop/a']));
    last().emit('delta', delta(6, ['shop/b']));
    last().emit('delta', delta(7, ['shop/c'], ['shop/a']));
    expect(store.getSnapshot().graph?.seq).toBe(7);
    expect(nodeIds(store)).toEqual(['shop/b', 'shop/c']);
    expect(store.getSnapshot().status).toEqual({ relay: { mode: 'demo' } });
  });

  it('ignores a delta that arrives before the snapshot', () => {
    const { store, last } = setup();
    store.connect('');
    last().emit('delta', delta(1, ['shop/a']));
    expect(store.getSnapshot().graph).toBeNull();
  });

  it('ignores duplicate and old deltas without notifying', () => {
    const { store, last } = setup();
    store.connect('');
    last().emit('snapshot', snapshot(5, ['shop/a']));
    last().emit('delta', delta(6, ['shop/b']));
    const graph = store.getSnapshot().graph;
    last().emit('delta', delta(6, ['shop/x']));
    last().emit('delta', delta(2, [], ['shop/a']));
    expect(store.getSnapshot().graph).toBe(graph);
    expect(nodeIds(store)).toEqual(['shop/a', 'shop/b']);
  });

  it('resyncs after a skipped delta: closes the stream, reopens it with the same filter, takes the new snapshot', async () => {
    const { store, streams, last } = setup();
    store.connect('namespace=shop');
    const first = last();
    first.emit('snapshot', snapshot(5, ['shop/a']));
    first.emit('delta', delta(7, ['shop/gap']));
    expect(first.closed).toBe(true);
    expect(nodeIds(store)).toEqual(['shop/a']);
    await vi.advanceTimersByTimeAsync(500);
    expect(streams).toHaveLength(2);
    expect(last().query.get('namespace')).toBe('shop');
    last().emit('snapshot', snapshot(9, ['shop/a', 'shop/gap']));
    last().emit('delta', delta(10, ['shop/next']));
    expect(store.getSnapshot().graph?.seq).toBe(10);
    expect(nodeIds(store)).toEqual(['shop/a', 'shop/gap', 'shop/next']);
  });

  it('reconnects when the server says bye', async () => {
    const { store, streams, last } = setup();
    store.connect('');
    last().emit('bye');
    expect(streams[0].closed).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(streams).toHaveLength(2);
  });

  it('connecting again with the same query keeps the stream', () => {
    const { store, streams } = setup();
    store.connect('namespace=shop');
    store.connect('namespace=shop');
    expect(streams).toHaveLength(1);
    store.connect('namespace=other');
    expect(streams).toHaveLength(2);
    expect(streams[0].closed).toBe(true);
  });

  it('notifies subscribers on each change and stops after unsubscribing', () => {
    const { store, last } = setup();
    const seen: number[] = [];
    const off = store.subscribe(() => seen.push(store.getSnapshot().graph?.seq ?? -1));
    store.connect('');
    last().emit('snapshot', snapshot(1, []));
    off();
    last().emit('delta', delta(2, ['shop/a']));
    expect(seen).toEqual([-1, 1]);
  });
});

describe('LiveStore: following the graph change by change (the map applies deltas, never rebuilds)', () => {
  it('hands a new follower the graph as it stands, then each delta with the graph it produced', () => {
    const { store, last } = setup();
    store.connect('');
    last().emit('snapshot', snapshot(5, ['shop/a']));
    const events: string[] = [];
    const stop = store.onGraph((ev) => events.push(ev.kind === 'snapshot' ? `snapshot ${ev.graph.seq}` : `delta ${ev.delta.seq} -> ${[...ev.graph.nodes.keys()].join(',')}`));
    last().emit('delta', delta(6, ['shop/b']));
    last().emit('delta', delta(6, ['shop/c'])); // a duplicate: nothing changed, nothing to follow
    last().emit('snapshot', snapshot(9, ['shop/z']));
    stop();
    last().emit('delta', delta(10, ['shop/y']));
    expect(events).toEqual(['snapshot 5', 'delta 6 -> shop/a,shop/b', 'snapshot 9']);
  });

  it('adds the parts of a large snapshot as they come, tells the map each one (and whether more follow) and the page once it is whole, and ignores a part of an older snapshot', () => {
    const { store, last } = setup();
    store.connect('');
    last().emit('snapshot', { ...snapshot(5, ['shop/a', 'shop/b', 'shop/c']), parts: 2 });
    const events: string[] = [];
    store.onGraph((ev) => events.push(ev.kind === 'snapshot' ? `snapshot ${ev.graph.seq}${ev.more ? ' (more)' : ''}` : `${ev.kind} ${ev.delta.seq}: ${ev.graph.edges.size} edges${ev.kind === 'snapshot-part' && ev.more ? ' (more)' : ''}`));
    const part = (seq: number, to: string) => encodeDelta({ seq, upsertNodes: [], upsertEdges: [edge('shop/a', to)], removeNodes: [], removeEdges: [] });
    const seen = vi.fn();
    store.subscribe(seen);
    last().emit('snapshot-part', part(5, 'shop/b'));
    last().emit('snapshot-part', part(4, 'shop/c')); // from the snapshot before: not this graph's
    // Components are told once the snapshot is whole, not per part; the map gets each part, told whether more follow.
    expect(seen).not.toHaveBeenCalled();
    expect(store.getSnapshot().graph!.edges.size).toBe(1);
    last().emit('snapshot-part', part(5, 'shop/c'));
    expect(seen).toHaveBeenCalledTimes(1);
    // The head, too, says that parts follow (the map draws the snapshot once, with its last part).
    expect(events).toEqual(['snapshot 5 (more)', 'snapshot-part 5: 1 edges (more)', 'snapshot-part 5: 2 edges']);
    expect([...store.getSnapshot().graph!.edges.keys()]).toEqual(['shop/a|shop/b|80|TCP', 'shop/a|shop/c|80|TCP']);
    last().emit('delta', delta(6, ['shop/d']));
    expect(store.getSnapshot().graph!.seq).toBe(6);
  });

  it('tells the map of a snapshot with parts to come as one, when it arrives and to a follower that joins between parts', () => {
    const { store, last } = setup();
    store.connect('');
    const heads: Array<boolean | undefined> = [];
    store.onGraph((ev) => ev.kind === 'snapshot' && heads.push(ev.more));
    last().emit('snapshot', { ...snapshot(5, ['shop/a', 'shop/b']), parts: 2 });
    last().emit('snapshot-part', encodeDelta({ seq: 5, upsertNodes: [], upsertEdges: [edge('shop/a', 'shop/b')], removeNodes: [], removeEdges: [] }));
    store.onGraph((ev) => ev.kind === 'snapshot' && heads.push(ev.more));
    last().emit('snapshot-part', encodeDelta({ seq: 5, upsertNodes: [], upsertEdges: [edge('shop/b', 'shop/a')], removeNodes: [], removeEdges: [] }));
    store.onGraph((ev) => ev.kind === 'snapshot' && heads.push(ev.more));
    last().emit('snapshot', snapshot(9, ['shop/z']));
    // The head: more; a follower between the parts: more; one after the last part: whole. A snapshot
    // in one piece: whole, for all three followers.
    expect(heads).toEqual([true, true, false, false, false, false]);
  });

  it('fills one edge map with the middle parts of a snapshot but never changes a map the page was given', () => {
    const { store, last } = setup();
    store.connect('');
    last().emit('snapshot', { ...snapshot(5, ['shop/a', 'shop/b', 'shop/c', 'shop/d']), parts: 4 });
    const part = (to: string) => encodeDelta({ seq: 5, upsertNodes: [], upsertEdges: to ? [edge('shop/a', to)] : [], removeNodes: [], removeEdges: [] });
    const head = store.getSnapshot().graph!.edges;
    const maps: unknown[] = [];
    store.onGraph((ev) => maps.push(ev.graph.edges));
    last().emit('snapshot-part', part('')); // empty: the head's map stays the head's
    last().emit('snapshot-part', part('shop/b'));
    last().emit('snapshot-part', part('shop/c'));
    // The head's map (the page rendered it) is untouched; the parts after the first share one map.
    expect(head.size).toBe(0);
    expect(maps[1]).not.toBe(head);
    expect(maps[2]).toBe(maps[1]);
    last().emit('snapshot-part', part('shop/d'));
    const whole = store.getSnapshot().graph!.edges;
    expect(whole.size).toBe(3);
    // Once the page was given the whole graph, a change copies it (a stray part of the same snapshot too).
    last().emit('snapshot-part', part('shop/e'));
    expect(whole.size).toBe(3);
    expect(store.getSnapshot().graph!.edges.size).toBe(4);
  });

  it('keeps the node map when a delta changes only edges, so what depends on nodes alone is not redone', () => {
    const { store, last } = setup();
    store.connect('');
    last().emit('snapshot', snapshot(1, ['shop/a']));
    const nodes = store.getSnapshot().graph!.nodes;
    last().emit('delta', delta(2));
    expect(store.getSnapshot().graph!.seq).toBe(2);
    expect(store.getSnapshot().graph!.nodes).toBe(nodes);
    last().emit('delta', delta(3, ['shop/b']));
    expect(store.getSnapshot().graph!.nodes).not.toBe(nodes);
  });
});

describe('LiveStore: a closed stream', () => {
  it('a 401 from the server means signed out, and nothing retries', async () => {
    const { store, streams, fetched, last } = setup(() => new Response(null, { status: 401 }));
    store.connect('');
    last().fail(CLOSED);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetched).toEqual(['/api/status']);
    expect(store.getSnapshot().stream).toBe('signed-out');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(streams).toHaveLength(1);
  });

  it('any other answer (or none) is an error, retried after a pause', async () => {
    const { store, streams, last } = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    store.connect('namespace=shop');
    last().fail(CLOSED);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().stream).toBe('error');
    await vi.advanceTimersByTimeAsync(2999);
    expect(streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(streams).toHaveLength(2);
    expect(last().query.get('namespace')).toBe('shop');
  });

  it('while the browser retries by itself the state is connecting, and the server is not asked', async () => {
    const { store, fetched, last } = setup();
    store.connect('');
    last().emit('open');
    last().fail(CONNECTING);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().stream).toBe('connecting');
    expect(fetched).toEqual([]);
  });
});

describe('LiveStore: flows', () => {
  it('asks for the latest flows once with the filter, and shows its explanation', async () => {
    const initial = flows(3);
    const { store, fetched, last } = setup(() => Response.json({ flows: initial, explanation: { combination: ['from namespace shop'] } }));
    store.connect('fromNamespace=shop', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetched).toEqual(['/api/flows?limit=200&fromNamespace=shop']);
    expect(last().query.has('sample')).toBe(false);
    expect(store.getSnapshot().flows.map((f) => f.uuid)).toEqual(initial.map((f) => f.uuid));
    expect(store.getSnapshot().filterExplanation).toEqual({ combination: ['from namespace shop'] });
  });

  it('keeps each flow once and at most the browser\'s bound, newest kept', async () => {
    const { store, last } = setup();
    store.connect('', true);
    await vi.advanceTimersByTimeAsync(0);
    const batch = flows(MAX_FLOWS_IN_BROWSER + 500);
    last().emit('flows', batch.slice(0, 1000));
    last().emit('flows', batch.slice(0, 1000));
    expect(store.getSnapshot().flows).toHaveLength(1000);
    last().emit('flows', batch.slice(1000));
    const shown = store.getSnapshot().flows;
    expect(shown).toHaveLength(MAX_FLOWS_IN_BROWSER);
    expect(shown[shown.length - 1].uuid).toBe(batch[batch.length - 1].uuid);
    expect(shown[0].uuid).toBe(batch[500].uuid);
  });

  it('paused: holds new flows back, counts what falls past the bound, and shows the rest on resume', async () => {
    const { store, last } = setup();
    store.connect('', true);
    await vi.advanceTimersByTimeAsync(0);
    const before = flows(10);
    last().emit('flows', before);
    store.setPaused(true);
    const during = flows(MAX_FLOWS_IN_BROWSER + 300);
    last().emit('flows', during.slice(0, MAX_FLOWS_IN_BROWSER));
    expect(store.getSnapshot().flows).toHaveLength(10);
    expect(store.getSnapshot().flowsDroppedWhilePaused).toBe(0);
    last().emit('flows', during.slice(MAX_FLOWS_IN_BROWSER));
    expect(store.getSnapshot().flowsDroppedWhilePaused).toBe(300);
    expect(store.getSnapshot().paused).toBe(true);
    store.setPaused(false);
    const after = store.getSnapshot();
    expect(after.paused).toBe(false);
    expect(after.flowsDroppedWhilePaused).toBe(0);
    expect(after.flows).toHaveLength(MAX_FLOWS_IN_BROWSER);
    expect(after.flows[after.flows.length - 1].uuid).toBe(during[during.length - 1].uuid);
  });

  it('a filter the server refuses shows its message; graph and counters keep streaming unfiltered, without flows', async () => {
    const { store, streams, last } = setup(() => invalidParamsResponse([{ param: 'port', message: 'must be a port number' }], (ps) => ps.map((p) => `invalid filter "${p.param}": ${p.message}`).join('\n')));
    store.connect('port=http', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().filterError).toBe('invalid filter "port": must be a port number');
    expect(streams[0].closed).toBe(true);
    expect(last().query.get('port')).toBeNull();
    expect(last().query.get('sample')).toBe('0');
    last().emit('flows', flows(5));
    expect(store.getSnapshot().flows).toEqual([]);
    last().emit('counters', { flowsPerSecond: 3 });
    expect(store.getSnapshot().counters).toEqual({ flowsPerSecond: 3 });
  });

  it('a corrected filter clears the error and streams flows again', async () => {
    let bad = true;
    const { store, last } = setup(() => (bad ? invalidParamsResponse([{ param: 'port', message: 'must be a port number' }]) : Response.json({ flows: [], explanation: { combination: [] } })));
    store.connect('port=http', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().filterError).not.toBeNull();
    bad = false;
    store.connect('port=80', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().filterError).toBeNull();
    expect(last().query.get('port')).toBe('80');
    last().emit('flows', flows(2));
    expect(store.getSnapshot().flows).toHaveLength(2);
  });

  it('an answer to an older filter is dropped', async () => {
    let release!: (r: Response) => void;
    const { store } = setup((url) => (url.includes('port=1') ? new Promise<Response>((r) => (release = r)) : Response.json({ flows: [], explanation: { combination: [] } })));
    store.connect('port=1', true);
    store.connect('port=2', true);
    await vi.advanceTimersByTimeAsync(0);
    release(invalidParamsResponse([{ param: 'port', message: 'stale' }]));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().filterError).toBeNull();
  });
});
