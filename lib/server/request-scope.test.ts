import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '../api/contract';
import { parseFlowsRequest } from '../api/flows-request';
import { problemType } from '../api/problem';
import { flow, pod } from '../testing/flow-fixtures';
import { flowVisible, scopePosture } from './access/access-scope';
import { SESSION_COOKIE } from './access/auth';
import type { Config } from './config';
import { searchFlows } from './flow-search';
import { Hub } from './hub';
import { createLogger } from './logger';
import type { Principal as Subject } from './access/namespace-access';
import { currentPolicyCatalog, currentPostureReport } from './posture-api';
import { prepareStreamSnapshot, requestScope, requireClusterWide, watchAccess, whoAmI } from './request-scope';
import { Runtime } from './runtime';
import { issueSession } from './access/session';

const TOKEN = 'correct-horse-battery-staple-0123456789';
const SECRET = 'a-session-secret-of-at-least-32-characters!';

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: payments}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: shop-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: payments-deny, namespace: payments}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: cluster-dns}
spec:
  endpointSelector: {}
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system}}]
`;

/** A hub that does not connect anywhere: the test ingests and ticks by hand. */
function handFedHub(config: Config): Hub {
  const hub = new Hub(config);
  hub.start = async () => undefined;
  return hub;
}

const quiet = () => createLogger('fatal', new Writable({ write: (_c, _e, done) => done() }));

describe('requestScope, requireClusterWide and whoAmI with FLOWSIGHT_AUTHZ=namespaces', () => {
  let dir: string;
  let rt: Runtime;
  const reviews: { user: string; namespace: string | null }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-request-scope-'));
    await writeFile(path.join(dir, 'cluster.yaml'), MANIFESTS);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  beforeAll(() => {
    reviews.length = 0;
    rt = new Runtime({
      env: {
        FLOWSIGHT_HISTORY: 'off',
        FLOWSIGHT_MANIFESTS: dir,
        FLOWSIGHT_OIDC_ISSUER: 'https://issuer.example',
        FLOWSIGHT_OIDC_CLIENT_ID: 'x',
        FLOWSIGHT_SESSION_SECRET: SECRET,
        FLOWSIGHT_AUTH_TOKEN: TOKEN,
        FLOWSIGHT_AUTHZ: 'namespaces',
      },
      logger: quiet(),
      createHub: handFedHub,
      createAccessReviewer: () => ({
        review: async (p: Subject, ns: string | null) => {
          reviews.push({ user: p.user, namespace: ns });
          if (p.user === 'admin') return true; // a cluster-wide grant
          return p.user === 'alice' && ns === 'shop';
        },
      }),
    });
  });
  afterAll(async () => rt?.stop());

  async function sessionOf(user: string, groups: string[] = []): Promise<string> {
    const { value } = await issueSession(SECRET, Date.now(), undefined, { via: 'oidc', user, groups });
    return value;
  }
  const request = (headers: Record<string, string> = {}) => new Request('http://127.0.0.1:3000/api/posture', { headers });
  const asUser = async (user: string) => request({ cookie: `${SESSION_COOKIE}=${await sessionOf(user)}` });
  const asToken = () => request({ authorization: `Bearer ${TOKEN}` });

  async function problem(r: Response | unknown): Promise<{ status: number; code: unknown }> {
    expect(r).toBeInstanceOf(Response);
    const res = r as Response;
    // The short reason travels as the problem type.
    const type = ((await res.json()) as { type?: string }).type ?? '';
    return { status: res.status, code: type.startsWith(problemType('')) ? type.slice(problemType('').length) : type };
  }

  it('alice (OIDC session) gets the namespaces Kubernetes lets her read: {shop}', async () => {
    const scope = await requestScope(await asUser('alice'), rt);
    expect(scope).toBeInstanceOf(Set);
    expect([...(scope as Set<string>)]).toEqual(['shop']);
    // She was asked about cluster-wide access first, then per namespace the cluster knows.
    const hers = reviews.filter((r) => r.user === 'alice');
    expect(hers[0].namespace).toBeNull();
    expect(hers.map((r) => r.namespace)).toEqual(expect.arrayContaining(['shop', 'payments']));
  });

  it('a user with a cluster-wide grant gets all; a user with no grant gets an empty scope', async () => {
    expect(await requestScope(await asUser('admin'), rt)).toBe('all');
    const bob = await requestScope(await asUser('bob'), rt);
    expect(bob).toBeInstanceOf(Set);
    expect((bob as Set<string>).size).toBe(0);
  });

  it('the bearer token is the operator key: all, without asking Kubernetes', async () => {
    const before = reviews.length;
    expect(await requestScope(asToken(), rt)).toBe('all');
    expect(reviews.length).toBe(before);
  });

  it('no credentials, a wrong token or a forged cookie: 401', async () => {
    for (const r of [request(), request({ authorization: 'Bearer not-the-token-at-all' }), request({ cookie: `${SESSION_COOKIE}=forged.value` })]) {
      expect(await problem(await requestScope(r, rt))).toEqual({ status: 401, code: 'unauthenticated' });
      expect((await problem(await requireClusterWide(r, rt))).status).toBe(401);
      expect((await problem(await whoAmI(r, rt))).status).toBe(401);
    }
  });

  it('a session signed with another secret is refused', async () => {
    const { value } = await issueSession('another-secret-of-at-least-32-characters', Date.now(), undefined, { via: 'oidc', user: 'alice', groups: [] });
    expect((await problem(await requestScope(request({ cookie: `${SESSION_COOKIE}=${value}` }), rt))).status).toBe(401);
  });

  it('requireClusterWide: 403 for alice, null for the token and for a cluster-wide user', async () => {
    expect(await problem(await requireClusterWide(await asUser('alice'), rt))).toEqual({ status: 403, code: 'cluster-wide-only' });
    expect(await problem(await requireClusterWide(await asUser('bob'), rt))).toEqual({ status: 403, code: 'cluster-wide-only' });
    expect(await requireClusterWide(asToken(), rt)).toBeNull();
    expect(await requireClusterWide(await asUser('admin'), rt)).toBeNull();
  });

  it('whoAmI: the user, groups and namespaces of a session; all for the token', async () => {
    const { value } = await issueSession(SECRET, Date.now(), undefined, { via: 'oidc', user: 'alice', name: 'Alice A.', groups: ['devs'] });
    const me = (await whoAmI(request({ cookie: `${SESSION_COOKIE}=${value}` }), rt)) as MeResponse;
    expect(me).toEqual({ via: 'oidc', user: 'alice', name: 'Alice A.', groups: ['devs'], namespaces: ['shop'], canSignOut: true });
    expect(await whoAmI(asToken(), rt)).toEqual({ via: 'token', user: null, name: null, groups: [], namespaces: 'all', canSignOut: true });
    expect(((await whoAmI(await asUser('bob'), rt)) as MeResponse).namespaces).toEqual([]);
  });

  it("the policy catalog for alice's scope lists shop's policies only (no other namespace, no clusterwide policy)", async () => {
    const scope = await requestScope(await asUser('alice'), rt);
    if (scope instanceof Response) throw new Error('refused');
    const mine = await currentPolicyCatalog({}, scope, rt);
    expect(mine.policies.map((p) => p.key)).toEqual([expect.stringContaining('shop-deny')]);
    expect(mine.facets.namespaces).toEqual(['shop']);
    expect(mine.total).toBe(1);
    const everything = await currentPolicyCatalog({}, await (requestScope(asToken(), rt) as Promise<'all'>), rt);
    expect(everything.policies.map((p) => p.name).sort()).toEqual(['cluster-dns', 'payments-deny', 'shop-deny']);
  });

  it("the posture report for alice's scope has shop's findings only", async () => {
    const scope = await requestScope(await asUser('alice'), rt);
    if (scope instanceof Response) throw new Error('refused');
    const full = await currentPostureReport(rt);
    const mine = scopePosture(scope, full);
    expect(mine.findings.every((f) => f.namespace === 'shop')).toBe(true);
    expect(mine.namespaces.every((n) => n.namespace === 'shop')).toBe(true);
    expect(Object.keys(mine.badges).every((ns) => ns === 'shop')).toBe(true);
    expect(full.findings.some((f) => f.namespace !== 'shop')).toBe(true); // there was something to hide
  });

  it("live flow search for alice's scope returns only flows with an end in shop; the token sees them all", async () => {
    const hub = await rt.hub();
    const shopWeb = pod('shop', 'web-6d8f9c7b5-abcde');
    const payApi = pod('payments', 'api-7f9d8c6b4-fghij', { port: 8443 });
    const legacy = pod('legacy', 'app-5d6f7a8b9c-ddddd');
    const fed = [flow(shopWeb, payApi), flow(legacy, payApi), flow(payApi, { ...shopWeb, port: 8080 }), flow(legacy, { ...legacy, port: 9090 })];
    for (const f of fed) hub.ingest(f);
    hub.tick();
    const req = parseFlowsRequest(new URLSearchParams(''));
    if (!req.ok) throw new Error('bad request');

    const scope = await requestScope(await asUser('alice'), rt);
    if (scope instanceof Response) throw new Error('refused');
    // Namespaces that only the flows know (legacy) are asked about too, and stay out.
    expect([...(scope as Set<string>)]).toEqual(['shop']);
    const mine = await searchFlows(req.value, { live: hub, store: null, scope });
    expect(mine.source).toBe('live');
    expect(mine.flows.map((f) => f.uuid).sort()).toEqual(fed.filter((f) => flowVisible(scope, f)).map((f) => f.uuid).sort());
    expect(mine.flows).toHaveLength(2);
    const all = await searchFlows(req.value, { live: hub, store: null, scope: await (requestScope(asToken(), rt) as Promise<'all'>) });
    expect(all.flows).toHaveLength(fed.length);
    expect(reviews.some((r) => r.user === 'alice' && r.namespace === 'legacy')).toBe(true);
  });
});

describe('watchAccess (the live stream re-checks its request)', () => {
  const fakeRuntime = (answers: { principal: unknown; scope: unknown }) =>
    ({ principal: async () => answers.principal, scopeOf: async () => answers.scope }) as unknown as Runtime;
  const tick = () => new Promise((r) => setTimeout(r, 30));

  it('says the access was lost when the session ends or the scope changes, and nothing while both hold', async () => {
    const answers = { principal: { via: 'oidc', user: 'alice', groups: [] } as unknown, scope: new Set(['shop']) as unknown };
    const reasons: string[] = [];
    const stop = watchAccess(new Request('http://x/api/stream'), new Set(['shop']), (r) => reasons.push(r), fakeRuntime(answers), 10);
    await tick();
    expect(reasons).toEqual([]);
    answers.scope = new Set(['shop', 'payments']);
    await tick();
    expect(reasons.at(-1)).toBe('the namespaces you may read have changed');
    answers.principal = null;
    await tick();
    expect(reasons.at(-1)).toBe('signed out or the session expired');
    stop();
    const count = reasons.length;
    await tick();
    expect(reasons.length).toBe(count);
  });
});

describe('prepareStreamSnapshot (the map page starts its stream\'s snapshot)', () => {
  /** A runtime whose principal, scope and hub are given: what the function asks of it. */
  function fakeRuntime(principal: Subject | null, scope: 'all' | Set<string>, hubFails = false) {
    let prepared = 0;
    const hub = { prepareSnapshot: () => void prepared++ } as unknown as Hub;
    const rt = {
      principal: async (req: Request) => (req.headers.get('authorization') === `Bearer ${TOKEN}` ? principal : null),
      scopeOf: async () => scope,
      hub: async () => {
        if (hubFails) throw new Error('relay address invalid');
        return hub;
      },
    } as unknown as Runtime;
    return { rt, prepared: () => prepared };
  }
  const signedIn = new Headers({ authorization: `Bearer ${TOKEN}` });
  const someone = { via: 'token', user: 'ci', groups: [] } as unknown as Subject;

  it('starts it for a user who sees the whole graph', async () => {
    const f = fakeRuntime(someone, 'all');
    await prepareStreamSnapshot(signedIn, f.rt);
    expect(f.prepared()).toBe(1);
  });

  it('does nothing for a request without a user, or a user limited to some namespaces (their stream is narrowed, not shared)', async () => {
    const anonymous = fakeRuntime(someone, 'all');
    await prepareStreamSnapshot(new Headers(), anonymous.rt);
    expect(anonymous.prepared()).toBe(0);
    const scoped = fakeRuntime(someone, new Set(['shop']));
    await prepareStreamSnapshot(signedIn, scoped.rt);
    expect(scoped.prepared()).toBe(0);
  });

  it('never fails the page: a hub that cannot start is the stream\'s problem', async () => {
    const f = fakeRuntime(someone, 'all', true);
    await expect(prepareStreamSnapshot(signedIn, f.rt)).resolves.toBeUndefined();
  });
});
