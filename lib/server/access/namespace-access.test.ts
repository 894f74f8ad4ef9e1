import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../../k8s/testing/fake-api-server';
import { MAX_GROUPS, NamespaceAccess, inScope, subjectAccessReviewer, type AccessReviewer, type NamespaceAccessOptions, type ReviewFailure } from './namespace-access';

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const alice = { user: 'alice', groups: ['system:authenticated', 'payments-team'] };
const NAMESPACES = ['shop', 'pay', 'kube-system'];

describe('NamespaceAccess against a loopback API server', () => {
  let server: FakeApiServer;
  let clock: number;
  let failures: ReviewFailure[];

  const access = (options: NamespaceAccessOptions = {}, reviewer?: AccessReviewer) =>
    new NamespaceAccess(reviewer ?? subjectAccessReviewer(server.kubeConfig()), { now: () => clock, onError: (f) => failures.push(f), ...options });

  beforeEach(async () => {
    server = await FakeApiServer.start();
    clock = 1_000_000;
    failures = [];
  });

  afterEach(async () => {
    await server.stop();
  });

  it('a cluster-wide grant is "all" after one review', async () => {
    server.allowReviews([{ user: 'alice', namespace: '*', verb: 'list', resource: 'pods' }]);
    expect(await access().scope(alice, NAMESPACES)).toBe('all');
    expect(server.reviews).toHaveLength(1);
    const [review] = server.reviews;
    expect(review).toMatchObject({ user: 'alice', groups: ['payments-team', 'system:authenticated'], verb: 'list', resource: 'pods', group: '' });
    expect(review.namespace).toBeUndefined();
    expect(review.body).toMatchObject({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview' });
    expect((review.body as { spec: { resourceAttributes: object } }).spec.resourceAttributes).not.toHaveProperty('namespace');
  });

  it('namespace grants by user and by group, one review per namespace', async () => {
    server.allowReviews([
      { user: 'alice', namespace: 'shop' },
      { group: 'payments-team', namespace: 'pay' },
    ]);
    const a = access();
    const scope = await a.scope(alice, NAMESPACES);
    expect(scope).toEqual(new Set(['shop', 'pay']));
    expect(server.reviews.map((r) => r.namespace ?? '(cluster)')).toEqual(['(cluster)', 'shop', 'pay', 'kube-system']);
    for (const r of server.reviews) expect(r).toMatchObject({ user: 'alice', groups: ['payments-team', 'system:authenticated'], verb: 'list', resource: 'pods' });

    // Same group, other user: only the group's grant.
    expect(await a.scope({ user: 'bob', groups: ['payments-team'] }, NAMESPACES)).toEqual(new Set(['pay']));
    // No grant at all.
    expect(await a.scope({ user: 'mallory', groups: [] }, NAMESPACES)).toEqual(new Set());
    expect(failures).toEqual([]);
  });

  it('answers within the TTL come from the cache, and are asked again after it', async () => {
    server.allowReviews([{ user: 'alice', namespace: 'shop' }]);
    const a = access({ ttlMs: 60_000 });
    expect(await a.scope(alice, NAMESPACES)).toEqual(new Set(['shop']));
    expect(server.reviews).toHaveLength(4);

    clock += 59_999;
    // Groups in another order (and repeated) are the same principal.
    const reordered = { user: 'alice', groups: ['payments-team', 'system:authenticated', 'payments-team'] };
    expect(await a.scope(reordered, NAMESPACES)).toEqual(new Set(['shop']));
    expect(server.reviews).toHaveLength(4);

    // A new grant is seen once the answers expire.
    server.allowReviews([{ user: 'alice', namespace: 'shop' }, { user: 'alice', namespace: 'pay' }]);
    clock += 1;
    expect(await a.scope(alice, NAMESPACES)).toEqual(new Set(['shop', 'pay']));
    expect(server.reviews).toHaveLength(8);

    // Other groups are another principal: asked afresh.
    await a.scope({ user: 'alice', groups: ['system:authenticated'] }, NAMESPACES);
    expect(server.reviews).toHaveLength(12);
  });

  it('caches "all" too, and only asks about namespaces not yet answered', async () => {
    server.allowReviews([{ group: 'admins' }]);
    const a = access();
    const admin = { user: 'root', groups: ['admins'] };
    expect(await a.scope(admin, NAMESPACES)).toBe('all');
    expect(await a.scope(admin, [...NAMESPACES, 'new-ns'])).toBe('all');
    expect(server.reviews).toHaveLength(1);

    server.allowReviews([{ user: 'alice', namespace: 'shop' }]);
    await a.scope(alice, ['shop']);
    expect(server.reviews).toHaveLength(3);
    expect(await a.scope(alice, ['shop', 'pay'])).toEqual(new Set(['shop']));
    expect(server.reviews.slice(3).map((r) => r.namespace)).toEqual(['pay']);
  });

  it('concurrent calls for the same principal share the reviews in flight', async () => {
    server.allowReviews([{ user: 'alice', namespace: 'shop' }]);
    server.holdReviews();
    const a = access();
    const calls = [a.scope(alice, NAMESPACES), a.scope({ ...alice, groups: [...alice.groups].reverse() }, NAMESPACES), a.scope(alice, ['shop'])];
    await until(() => server.reviews.length === 1, 'the cluster-wide review');
    await sleep(50);
    expect(server.reviews).toHaveLength(1);
    server.releaseReviews();
    await until(() => server.reviews.length === 4, 'the namespace reviews');
    await sleep(50);
    expect(server.reviews).toHaveLength(4);
    server.holdReviews(false);
    const [one, two, three] = await Promise.all(calls);
    expect(one).toEqual(new Set(['shop']));
    expect(two).toEqual(new Set(['shop']));
    expect(three).toEqual(new Set(['shop']));
    expect(server.reviews.map((r) => r.namespace ?? '(cluster)')).toEqual(['(cluster)', 'shop', 'pay', 'kube-system']);
  });

  it('keeps at most `concurrency` reviews in flight', async () => {
    server.allowReviews([{ user: 'alice', namespace: 'ns-1' }, { user: 'alice', namespace: 'ns-4' }]);
    server.holdReviews();
    const a = access({ concurrency: 2 });
    const call = a.scope(alice, ['ns-1', 'ns-2', 'ns-3', 'ns-4', 'ns-5']);
    await until(() => server.reviews.length === 1, 'the cluster-wide review');
    server.releaseReviews();
    for (const expected of [3, 5, 6]) {
      await until(() => server.reviews.length === expected, `${expected} reviews`);
      await sleep(50);
      expect(server.reviews).toHaveLength(expected);
      server.releaseReviews();
    }
    server.holdReviews(false);
    expect(await call).toEqual(new Set(['ns-1', 'ns-4']));
  });

  it('fails closed when the API server refuses the review: not allowed, not cached, reported', async () => {
    server.allowReviews([{ user: 'alice', namespace: '*' }]);
    server.failReviews(true);
    const a = access();
    expect(await a.scope(alice, NAMESPACES)).toEqual(new Set());
    // The cluster-wide failure stops the call: no review per namespace against a failing endpoint.
    expect(server.reviews).toHaveLength(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: 'failed', user: 'alice', namespace: null });
    expect(failures[0].message).toContain('HTTP 403');
    expect(failures[0].message).toContain('cannot create resource "subjectaccessreviews"');

    server.failReviews(false);
    expect(await a.scope(alice, NAMESPACES)).toBe('all');
    expect(server.reviews).toHaveLength(2);
  });

  it('a failed namespace review denies that namespace for this call only', async () => {
    server.allowReviews([{ user: 'alice', namespace: 'shop' }]);
    const a = access();
    await a.scope(alice, []); // the cluster-wide "no" is cached
    server.failReviews(true);
    expect(await a.scope(alice, ['shop', 'pay'])).toEqual(new Set());
    expect(failures.map((f) => f.namespace)).toEqual(['shop', 'pay']);

    server.failReviews(false);
    expect(await a.scope(alice, ['shop', 'pay'])).toEqual(new Set(['shop']));
    expect(server.reviews.map((r) => r.namespace ?? '(cluster)')).toEqual(['(cluster)', 'shop', 'pay', 'shop', 'pay']);
  });

  it('fails closed when the API server does not answer in time', async () => {
    server.allowReviews([{ user: 'alice', namespace: '*' }]);
    server.holdReviews();
    const a = access({ timeoutMs: 100 });
    const started = Date.now();
    expect(await a.scope(alice, NAMESPACES)).toEqual(new Set());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: 'timeout', namespace: null });
    server.holdReviews(false);
    expect(await a.scope(alice, NAMESPACES)).toBe('all');
  });

  it('the reviewer aborts its request when the signal fires', async () => {
    server.holdReviews();
    const controller = new AbortController();
    const review = subjectAccessReviewer(server.kubeConfig()).review(alice, 'shop', controller.signal);
    await until(() => server.reviews.length === 1, 'the review to arrive');
    controller.abort();
    await expect(review).rejects.toThrow(/SubjectAccessReview in namespace "shop" failed/);
  });

  it('fails closed when the API server is down', async () => {
    const a = access();
    await server.goDown();
    expect(await a.scope(alice, NAMESPACES)).toEqual(new Set());
    expect(failures).toHaveLength(1);
    expect(failures[0].code).toBe('failed');
  });

  it('remembers at most maxEntries principals, least recently used forgotten first', async () => {
    server.allowReviews([{ namespace: '*' }]);
    const a = access({ maxEntries: 2 });
    const p = (user: string) => ({ user, groups: [] });
    const asked = async (user: string) => {
      const before = server.reviews.length;
      await a.scope(p(user), []);
      return server.reviews.length - before;
    };
    expect(await asked('a')).toBe(1);
    expect(await asked('b')).toBe(1);
    expect(await asked('a')).toBe(0); // a is now the most recent
    expect(await asked('c')).toBe(1); // evicts b
    expect(await asked('a')).toBe(0);
    expect(await asked('b')).toBe(1); // evicts c
    expect(await asked('c')).toBe(1);
  });

  it('caps the groups sent and keeps them sorted', async () => {
    const groups = Array.from({ length: MAX_GROUPS + 50 }, (_, i) => `g-${String(i).padStart(3, '0')}`).reverse();
    await access().scope({ user: 'alice', groups }, []);
    const sent = server.reviews[0].groups;
    expect(sent).toHaveLength(MAX_GROUPS);
    expect(sent).toEqual([...sent].sort());
  });

  it('never asks about names that cannot be namespaces; "" would mean every namespace', async () => {
    server.allowReviews([{ user: 'alice', namespace: '' }, { user: 'alice', namespace: 'shop' }]);
    const scope = await access().scope(alice, ['', 'Shop', 'shop', '-x', 'a'.repeat(64), 'a_b']);
    expect(scope).toEqual(new Set(['shop']));
    expect(server.reviews.map((r) => r.namespace ?? '(cluster)')).toEqual(['(cluster)', 'shop']);
  });

  it('asks nothing for a principal with neither user nor groups', async () => {
    expect(await access().scope({ user: '', groups: [] }, NAMESPACES)).toEqual(new Set());
    expect(server.reviews).toHaveLength(0);
  });

  it('sends another check when given one', async () => {
    server.allowReviews([{ user: 'alice', namespace: 'shop', verb: 'get', resource: 'ciliumnetworkpolicies', apiGroup: 'cilium.io' }]);
    const reviewer = subjectAccessReviewer(server.kubeConfig(), { verb: 'get', resource: 'ciliumnetworkpolicies', group: 'cilium.io' });
    expect(await access({}, reviewer).scope(alice, ['shop'])).toEqual(new Set(['shop']));
    expect(server.reviews[1]).toMatchObject({ namespace: 'shop', verb: 'get', resource: 'ciliumnetworkpolicies', group: 'cilium.io' });
  });
});

describe('NamespaceAccess with a reviewer that never answers', () => {
  it('frees the slot on timeout, so later reviews still run', async () => {
    let calls = 0;
    const stuck: AccessReviewer = {
      review: () => {
        calls++;
        return new Promise<boolean>(() => {});
      },
    };
    const failures: ReviewFailure[] = [];
    const a = new NamespaceAccess(stuck, { concurrency: 1, timeoutMs: 50, onError: (f) => failures.push(f) });
    expect(await a.scope(alice, ['shop'])).toEqual(new Set());
    expect(await a.scope(alice, ['shop'])).toEqual(new Set());
    expect(calls).toBe(2);
    expect(failures.map((f) => f.code)).toEqual(['timeout', 'timeout']);
  });

  it('a throwing onError still denies instead of crashing', async () => {
    const failing: AccessReviewer = { review: async () => Promise.reject(new Error('boom')) };
    const a = new NamespaceAccess(failing, {
      onError: () => {
        throw new Error('logger broke');
      },
    });
    expect(await a.scope(alice, ['shop'])).toEqual(new Set());
  });
});

describe('inScope', () => {
  it('"all" includes everything, even endpoints without a namespace', () => {
    expect(inScope('all', 'shop')).toBe(true);
    expect(inScope('all', undefined)).toBe(true);
    expect(inScope('all', null)).toBe(true);
  });

  it('a set includes only its namespaces', () => {
    const scope = new Set(['shop']);
    expect(inScope(scope, 'shop')).toBe(true);
    expect(inScope(scope, 'pay')).toBe(false);
    expect(inScope(scope, undefined)).toBe(false);
    expect(inScope(scope, null)).toBe(false);
    expect(inScope(scope, '')).toBe(false);
    expect(inScope(new Set(), 'shop')).toBe(false);
  });
});

describe('FakeApiServer subjectaccessreviews', () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await FakeApiServer.start();
  });
  afterEach(async () => {
    await server.stop();
  });

  const post = (body: string) => fetch(`${server.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  it('refuses an oversized body with 413 and records nothing', async () => {
    const res = await post(JSON.stringify({ spec: { user: 'x', groups: ['a'.repeat(70 * 1024)] } }));
    expect(res.status).toBe(413);
    expect(server.reviews).toHaveLength(0);
  });

  it('answers 400 to a body that is not JSON and 422 to a review without a subject', async () => {
    expect((await post('{')).status).toBe(400);
    expect((await post(JSON.stringify({ spec: { resourceAttributes: { verb: 'list' } } }))).status).toBe(422);
  });

  it('keeps serving collections next to reviews', async () => {
    server.serve('/api/v1/namespaces', 'NamespaceList', [{ metadata: { name: 'shop' } }]);
    server.allowReviews([{ user: 'u' }]);
    const list = await (await fetch(`${server.url}/api/v1/namespaces`)).json();
    expect(list.items).toHaveLength(1);
    const review = await (await post(JSON.stringify({ spec: { user: 'u', resourceAttributes: { namespace: 'shop', verb: 'list', resource: 'pods' } } }))).json();
    expect(review.status).toEqual({ allowed: true, reason: 'allowed by fake rule 0' });
  });
});
