import { describe, expect, it } from 'vitest';
import { parseFlowsRequest, parseHistogramRequest, parseValuesRequest } from '../api/flows-request';
import type { FlowRecord } from '../flows/flow-record';
import { FlowGraph } from '../graph/flow-graph';
import type { FlowStore, StoreStatus } from '../history/flow-store';
import { flow, pod, world } from '../testing/flow-fixtures';
import { encodeCursor } from '../history/queries';
import { flagsAsSearch, flowHistogram, FreshReads, graphElementSql, liveHistogram, searchFlows, SearchInputError, type LiveFlows } from './flow-search';

const ring = (flows: FlowRecord[]): LiveFlows => ({
  latestFlows: (match, limit) => flows.filter((f) => match(f, FlowGraph.edgeIdOf(f))).reverse().slice(0, limit),
});

const request = (query: string) => {
  const r = parseFlowsRequest(new URLSearchParams(query));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
};

const flows = [
  flow(pod('shop', 'web-1'), pod('shop', 'db-0', { port: 5432 }), { time: 1000, uuid: 'a', verdict: 'FORWARDED' }),
  flow(pod('shop', 'web-1'), world('pypi.org'), { time: 2000, uuid: 'b', verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }),
  flow(pod('legacy', 'app-1'), world('pypi.org'), { time: 3000, uuid: 'c', verdict: 'FORWARDED' }),
];

describe('/api/flows request parameters', () => {
  it('a bad query names q and the column', () => {
    const r = parseFlowsRequest(new URLSearchParams('q=verdict:dropped port:'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ param: 'q', column: expect.any(Number) });
  });

  it('since and until take durations and RFC 3339; until must be later', () => {
    const ok = parseFlowsRequest(new URLSearchParams('since=1h&until=2036-11-28T10:00:00Z'));
    expect(ok.ok && ok.value.search.until).toBe(Date.parse('2036-11-28T10:00:00Z'));
    const bad = parseFlowsRequest(new URLSearchParams('since=2026-11-28T10:00:00Z&until=2026-11-28T09:00:00Z'));
    expect(!bad.ok && bad.problems.map((p) => p.param)).toEqual(['until']);
    const garbage = parseFlowsRequest(new URLSearchParams('since=yesterday-ish'));
    expect(!garbage.ok && garbage.problems.map((p) => p.param)).toEqual(['since']);
  });

  it('a cursor is opaque but must look like one this server gives', () => {
    expect(parseFlowsRequest(new URLSearchParams("cursor=abc'--")).ok).toBe(false);
    expect(parseFlowsRequest(new URLSearchParams('cursor=' + 'a'.repeat(201))).ok).toBe(false);
  });

  it('histogram buckets and value fields are checked', () => {
    expect(parseHistogramRequest(new URLSearchParams('buckets=0')).ok).toBe(false);
    expect(parseHistogramRequest(new URLSearchParams('buckets=501')).ok).toBe(false);
    expect(parseValuesRequest(new URLSearchParams('field=password')).ok).toBe(false);
    expect(parseValuesRequest(new URLSearchParams('field=namespace&sql=1')).ok).toBe(false);
    const v = parseValuesRequest(new URLSearchParams('field=namespace&prefix=sh'));
    expect(v.ok && v.value).toEqual({ field: 'namespace', prefix: 'sh', limit: 20 });
  });
});

describe('searchFlows without a store: the ring, with the same query', () => {
  it('applies the search and the window in memory and says the source is live', async () => {
    const r = await searchFlows(request('q=fqdn:pypi.org&since=1970-01-01T00:00:01.500Z'), { live: ring(flows), store: null });
    expect(r.source).toBe('live');
    expect(r.flows.map((f) => f.uuid)).toEqual(['c', 'b']);
    expect(r.nextCursor).toBeNull();
  });

  it('ANDs the hubble-observe flags with the search', async () => {
    const r = await searchFlows(request('fromNamespace=shop&q=fqdn:pypi.org'), { live: ring(flows), store: null });
    expect(r.flows.map((f) => f.uuid)).toEqual(['b']);
  });

  it('refuses a cursor it cannot honour', async () => {
    await expect(searchFlows(request('cursor=abc'), { live: ring(flows), store: null })).rejects.toBeInstanceOf(SearchInputError);
  });
});

describe('searchFlows with a store', () => {
  it('sends one parameterized condition: the search, the flags and the graph element, never user text in SQL', async () => {
    let seen: Parameters<FlowStore['search']>[0] | undefined;
    const store = {
      status: () => ({ ready: true }) as StoreStatus,
      search: async (q: Parameters<FlowStore['search']>[0]) => {
        seen = q;
        return { flows: [], nextCursor: null };
      },
    } as unknown as FlowStore;
    const evil = "x') OR 1=1 --";
    const edge = 'shop/web|shop/db|5432|TCP';
    const r = await searchFlows(request(`q=${encodeURIComponent(`pod:"${evil}"`)}&verdict=dropped&edge=${encodeURIComponent(edge)}&since=1h`), { live: ring(flows), store });
    expect(r.source).toBe('history');
    expect(seen!.condition!.where).not.toContain(evil);
    expect(seen!.condition!.where).not.toContain('shop/web');
    expect(Object.values(seen!.condition!.params)).toContain('shop/web');
    expect(JSON.stringify(seen!.condition!.params)).toContain('OR 1=1');
    expect(seen!.range.since).toBeGreaterThan(Date.now() - 3_700_000);
  });

  it('a store that is not ready answers from the ring', async () => {
    const store = { status: () => ({ ready: false }) as StoreStatus } as unknown as FlowStore;
    const r = await searchFlows(request('q=ns:legacy'), { live: ring(flows), store });
    expect(r.source).toBe('live');
    expect(r.flows.map((f) => f.uuid)).toEqual(['c']);
  });
});

describe('flagsAsSearch', () => {
  it('ORs the values of one flag and ANDs the flags; hubble 5+ is 5xx', () => {
    const ast = flagsAsSearch({ fromNamespace: ['a', 'b'], verdict: ['DROPPED'], httpStatus: ['5+'] });
    expect(ast?.kind).toBe('and');
    const text = JSON.stringify(ast);
    expect(text).toContain('"from-pod"');
    expect(text).toContain('"a/"');
    expect(text).toContain('5xx');
  });

  it('direction cannot be searched in history', () => {
    expect(() => flagsAsSearch({ direction: ['INGRESS'] })).toThrow(SearchInputError);
  });
});

describe('graphElementSql', () => {
  it('an edge matches its flows and the replies that answer them, with values bound', () => {
    const sql = graphElementSql('shop/web|shop/db|5432|TCP', null)!;
    expect(sql.params).toEqual({ g_src: 'shop/web', g_dst: 'shop/db', g_port: 5432, g_proto: 'TCP' });
    expect(sql.where).toContain('is_reply = 1');
  });

  it('a malformed edge id is the caller\'s error', () => {
    expect(() => graphElementSql('nonsense', null)).toThrow(SearchInputError);
  });
});

describe('histograms', () => {
  it('counts per verdict in zero-filled buckets over the window', () => {
    const h = liveHistogram(flows, 0, 4000, 4);
    expect(h.bucketMs).toBe(1000);
    expect(h.buckets.map((b) => [b.forwarded, b.dropped])).toEqual([[0, 0], [1, 0], [0, 1], [1, 0]]);
  });

  it('without a store, the histogram is the ring\'s, for the query', async () => {
    const h = await flowHistogram(
      (() => {
        const r = parseHistogramRequest(new URLSearchParams('q=verdict:forwarded&since=1970-01-01T00:00:00Z&until=1970-01-01T00:00:04Z&buckets=4'));
        if (!r.ok) throw new Error('bad');
        return r.value;
      })(),
      { live: ring(flows), store: null },
    );
    expect(h.source).toBe('live');
    expect(h.buckets.reduce((n, b) => n + b.forwarded + b.dropped, 0)).toBe(2);
  });
});

describe('flagsAsSearch: label selectors', () => {
  it('a comma selector is every label at once', () => {
    const ast = flagsAsSearch({ fromLabel: ['app=web,tier=front'] });
    expect(ast).toMatchObject({ kind: 'and', children: [{ kind: 'term', field: 'from-label' }, { kind: 'term', field: 'from-label' }] });
  });
});

describe('flagsAsSearch means what the ring means (flow-query.ts)', () => {
  const shop = [
    flow(pod('shop', 'frontend-1'), pod('other', 'db-0', { port: 5432 }), { uuid: 'x', time: 1 }),
    flow(pod('other', 'frontend-2'), pod('shop', 'api-0', { port: 53 }), { uuid: 'y', time: 2 }),
    flow(pod('shop', 'frontend-3'), pod('shop', 'dns-0', { port: 53 }), { uuid: 'z', time: 3 }),
  ];
  const cases = ['namespace=shop&pod=frontend', 'namespace=shop&port=53', 'namespace=shop', 'fromNamespace=shop&toPort=53', 'pod=shop/frontend&port=5432', 'label=app%3Dweb,tier%3Dfront'];
  for (const qs of cases) {
    it(`?${qs}`, async () => {
      const live = await searchFlows(request(qs), { live: ring(shop), store: null });
      const tree = flagsAsSearch(request(qs).query);
      const { searchPredicate } = await import('../search/predicate');
      const matches = searchPredicate(tree);
      expect(shop.filter(matches).map((f) => f.uuid).sort()).toEqual(live.flows.map((f) => f.uuid).sort());
    });
  }
});

describe('ReadGate and searchProblem', () => {
  it('lets `max` reads run at once and refuses the next with a retryable 503', async () => {
    const { ReadGate, HistoryBusyError, searchProblem } = await import('./flow-search');
    const gate = new ReadGate(2);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const a = gate.run(() => hold);
    const b = gate.run(() => hold);
    const refused = await gate.run(async () => 'ran').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HistoryBusyError);
    const res = searchProblem(refused)!;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    release();
    await Promise.all([a, b]);
    expect(await gate.run(async () => 'ran')).toBe('ran');
  });

  it('tryAcquire takes a place without waiting, and giving it back twice frees one place only', async () => {
    const { ReadGate } = await import('./flow-search');
    const gate = new ReadGate(2);
    const a = gate.tryAcquire()!;
    const b = gate.tryAcquire()!;
    expect(gate.tryAcquire()).toBeUndefined();
    a();
    a();
    const c = gate.tryAcquire();
    expect(c).toBeDefined();
    expect(gate.tryAcquire()).toBeUndefined();
    b();
    c!();
  });

  it('a cursor the store does not recognise is the client\'s 400, an engine failure a 503', async () => {
    const { searchProblem } = await import('./flow-search');
    const { HistoryQueryError } = await import('../history/queries');
    const { EngineError } = await import('../history/engine');
    expect(searchProblem(new HistoryQueryError('bad-cursor', 'not a cursor'))!.status).toBe(400);
    expect(searchProblem(new EngineError('worker stopped', null, 'worker-stopped'))!.status).toBe(503);
    expect(searchProblem(new Error('a bug'))).toBeUndefined();
  });
});

describe('FreshReads: a search sees every flow the server had when it was asked', () => {
  /** A store whose flushes are held until `release`, counting them. */
  function queuedStore(pending: number) {
    const held: (() => void)[] = [];
    const s = {
      flushes: 0,
      pending,
      status: () => ({ pendingFlows: s.pending }) as StoreStatus,
      flush: () => {
        s.flushes++;
        s.pending = 0;
        return new Promise<void>((resolve) => held.push(resolve));
      },
      release: () => held.splice(0).forEach((r) => r()),
    };
    return s;
  }
  const turns = async (n = 5) => {
    for (let i = 0; i < n; i++) await Promise.resolve();
  };
  /** A clock the test moves, and sleeps that end when it has moved far enough. */
  function fakeTime() {
    let t = 0;
    const sleepers: { until: number; wake: () => void }[] = [];
    return {
      now: () => t,
      sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ until: t + ms, wake })),
      slept: () => sleepers.map((x) => x.until),
      advance: async (ms: number) => {
        t += ms;
        for (const x of sleepers.filter((x) => x.until <= t)) x.wake();
        await turns();
      },
    };
  }

  it('flushes before reading when flows are queued, and searches asked before it starts share it', async () => {
    const store = queuedStore(40);
    const fresh = new FreshReads({ maxWaitMs: 60_000 });
    let done = 0;
    const a = fresh.before(store).then(() => done++);
    const b = fresh.before(store).then(() => done++);
    await turns();
    expect(store.flushes).toBe(1);
    expect(done).toBe(0);
    store.release();
    await Promise.all([a, b]);
    expect(done).toBe(2);
  });

  it('a search asked while a flush runs gets a later one, after the interval; an empty queue is not flushed', async () => {
    const time = fakeTime();
    const store = queuedStore(0);
    const fresh = new FreshReads({ minIntervalMs: 1000, maxWaitMs: 60_000, now: time.now, sleep: time.sleep });
    await fresh.before(store);
    expect(store.flushes).toBe(0);

    store.pending = 5;
    const first = fresh.before(store);
    await turns();
    expect(store.flushes).toBe(1);
    store.pending = 3; // came in while the first flush runs: it may not be in that block
    let secondDone = false;
    const second = fresh.before(store).then(() => (secondDone = true));
    store.release();
    await first;
    await turns();
    expect(store.flushes).toBe(1); // the second waits for the interval...
    expect(time.slept()).toEqual([1000]);
    expect(secondDone).toBe(false);
    await time.advance(1000);
    expect(store.flushes).toBe(2); // ...then flushes what the first could have missed
    store.release();
    await second;
  });

  it('a window that closed before the last flush began (less the late allowance) is read at once; one that did not is flushed first', async () => {
    const time = fakeTime();
    await time.advance(100_000);
    const store = queuedStore(5);
    const fresh = new FreshReads({ minIntervalMs: 1000, lateFlowMs: 2000, maxWaitMs: 60_000, now: time.now, sleep: time.sleep });
    const first = fresh.before(store); // the flush begins at t = 100 s: flows stamped before 98 s are written once it ends
    await turns();
    store.pending = 4;
    let closedDone = false;
    const closed = fresh.before(store, undefined, 97_000).then(() => (closedDone = true));
    await turns();
    expect(closedDone).toBe(false); // that flush has not ended yet: the window waits for it like any search
    store.release();
    await first;
    await time.advance(1000); // the next flush, which the window's search asked for before the first ended, begins at 101 s
    expect(store.flushes).toBe(2);
    store.release();
    await closed;

    await time.advance(5000);
    store.pending = 9;
    await fresh.before(store, undefined, 98_000); // closed 2 s before the last flush began (101 s): complete
    expect(store.flushes).toBe(2);
    const late = fresh.before(store, undefined, 99_500); // a flow stamped 99.6 s may still be on its way: flush
    await turns();
    expect(store.flushes).toBe(3);
    store.release();
    await late;
  });

  it('a flush that fails or hangs does not fail or hold the search past maxWaitMs', async () => {
    const failing = { status: () => ({ pendingFlows: 3 }) as StoreStatus, flush: () => Promise.reject(new Error('engine down')) };
    await expect(new FreshReads({ maxWaitMs: 60_000 }).before(failing)).resolves.toBeUndefined();
    const hanging = { status: () => ({ pendingFlows: 3 }) as StoreStatus, flush: () => new Promise<void>(() => undefined) };
    const started = performance.now();
    await new FreshReads({ maxWaitMs: 50 }).before(hanging);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('searchFlows and flowHistogram hand the hub\'s newest flows over and flush first; a next page (cursor) does neither', async () => {
    const calls: string[] = [];
    const store = {
      status: () => ({ ready: true, pendingFlows: 7 }) as StoreStatus,
      flush: async () => void calls.push('flush'),
      search: async () => (calls.push('search'), { flows: [], nextCursor: null }),
      histogram: async () => (calls.push('histogram'), { bucketMs: 1000, since: 0, until: 1000, buckets: [] }),
    } as unknown as FlowStore;
    const live = { ...ring(flows), handOverFlows: () => void calls.push('hand over') };
    await searchFlows(request('q=ns:legacy&since=1h'), { live, store, fresh: new FreshReads({ minIntervalMs: 0 }) });
    expect(calls).toEqual(['hand over', 'flush', 'search']);
    calls.length = 0;
    const r = parseHistogramRequest(new URLSearchParams('q=ns:legacy&since=1h'));
    if (!r.ok) throw new Error('histogram request');
    await flowHistogram(r.value, { live, store, fresh: new FreshReads({ minIntervalMs: 0 }) });
    expect(calls).toEqual(['hand over', 'flush', 'histogram']);
    calls.length = 0;
    const cursor = encodeCursor(3_000_000, 'c');
    await searchFlows(request(`q=ns:legacy&since=1h&cursor=${cursor}`), { live, store, fresh: new FreshReads({ minIntervalMs: 0 }) });
    expect(calls).toEqual(['search']);
  });
});
