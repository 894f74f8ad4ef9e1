import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parseStreamEvent } from '../lib/graph/graph-wire';
import { FakeApiServer } from '../lib/k8s/testing/fake-api-server';
import { startTestIssuer, type TestIssuer } from '../lib/server/testing/oidc-issuer';
import { startDashboard, type DashboardProcess } from './fixtures/dashboard-process';

// E2E_PORT serves the demo, +1 the external-relay dashboard, +2..+5 the policies, auth, shutdown and TLS specs' own.
const PORT = Number(process.env.E2E_PORT ?? 3310) + 6;
const CLIENT_ID = 'flowsight-e2e';
const CLIENT_SECRET = 'e2e-oidc-client-secret-never-logged';
const SESSION_SECRET = 'e2e-session-secret-of-at-least-32-chars';
const TOKEN = 'e2e-oidc-spec-token-0123456789';
const ALICE = 'test.user@example.com';

type Graph = { nodes: { id: string; namespace: string }[]; edges: { source: string; target: string }[] };

/** Every edge touches `ns`, and every node is in `ns` or the far end of such an edge. */
function expectScoped(graph: Graph, ns: string): void {
  const nsOf = new Map(graph.nodes.map((n) => [n.id, n.namespace]));
  for (const e of graph.edges) expect(nsOf.get(e.source) === ns || nsOf.get(e.target) === ns, `${e.source} -> ${e.target}`).toBe(true);
  const ends = new Set(graph.edges.flatMap((e) => [e.source, e.target]));
  for (const n of graph.nodes) expect(n.namespace === ns || ends.has(n.id), n.id).toBe(true);
}

const getJson = (page: Page, url: string) => page.evaluate(async (u) => {
  const r = await fetch(u);
  return { status: r.status, body: await r.json().catch(() => null) };
}, url);

/** A request from another loopback address (the "proxy" at 127.0.0.2), with headers. */
function fromAddress(localAddress: string, url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

test.describe('OIDC sign-in, trusted proxy and namespace-scoped access', () => {
  // The loopback issuer's certificate is self-signed; the dashboard trusts it through NODE_EXTRA_CA_CERTS.
  test.use({ ignoreHTTPSErrors: true });
  let issuer: TestIssuer;
  let api: FakeApiServer;
  let app: DashboardProcess;
  let env: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-oidc-'));

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    issuer = await startTestIssuer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    api = await FakeApiServer.start();
    // Kubernetes' answer to "may X list pods in Y": the OIDC user reads production, the proxy's group legacy.
    api.allowReviews([
      { user: ALICE, namespace: 'production', verb: 'list', resource: 'pods' },
      { group: 'team-legacy', namespace: 'legacy', verb: 'list', resource: 'pods' },
    ]);
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: flowsight, user: {token: sa-token}}]\ncontexts: [{name: fake, context: {cluster: fake, user: flowsight}}]\ncurrent-context: fake\n`,
    );
    env = {
      FLOWSIGHT_OIDC_ISSUER: issuer.issuer,
      FLOWSIGHT_OIDC_CLIENT_ID: CLIENT_ID,
      FLOWSIGHT_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      FLOWSIGHT_OIDC_USERNAME_CLAIM: 'email',
      FLOWSIGHT_PUBLIC_URL: `http://127.0.0.1:${PORT}`,
      FLOWSIGHT_SESSION_SECRET: SESSION_SECRET,
      FLOWSIGHT_AUTH_TOKEN: TOKEN,
      FLOWSIGHT_AUTHZ: 'namespaces',
      FLOWSIGHT_TRUSTED_PROXIES: '127.0.0.2',
      KUBECONFIG: kubeconfig,
      NODE_EXTRA_CA_CERTS: issuer.caFile,
    };
    app = await startDashboard(PORT, env);
  });

  test.afterAll(async () => {
    app?.stop();
    await issuer?.close();
    await api?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.beforeEach(() => {
    issuer.fault = 'none';
    issuer.user = { sub: 'alice-1', name: 'Alice Example', email: ALICE, groups: ['flowsight-users'] };
  });

  test('signs in at the issuer (code + PKCE) and lands where the user was going, seeing only the namespaces Kubernetes lets them read', async ({ page }) => {
    await page.goto(`${app.base}/map`);
    await expect(page).toHaveURL(/\/login\?next=%2Fmap/);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await expect(page).toHaveURL(`${app.base}/map`);
    await expect(page.getByTestId('signed-in-as')).toContainText('Alice Example');
    await expect(page.getByTestId('namespace-scope')).toHaveText('namespace production');
    expect(issuer.requests.some((r) => r.path === '/token')).toBe(true);
    // Kubernetes was asked with the user's name and groups.
    expect(api.reviews.some((r) => r.user === ALICE && r.groups.includes('flowsight-users') && r.namespace === 'production')).toBe(true);

    // The live map draws production's edges and nothing between other namespaces.
    await page.waitForFunction(() => (window.__flowsightCy?.edges().length ?? 0) > 0);
    await expect.poll(async () => (await getJson(page, '/api/graph')).body.edges.length).toBeGreaterThan(0);
    const graph = (await getJson(page, '/api/graph')).body as Graph;
    expectScoped(graph, 'production');
    // What the browser drew (cytoscape): no node that the scoped graph does not have.
    const drawn = await page.evaluate(() => window.__flowsightCy!.nodes().filter((n) => !n.isParent()).map((n) => n.id()));
    const later = (await getJson(page, '/api/graph')).body as Graph;
    expectScoped(later, 'production');
    const allowed = new Set(later.nodes.map((n) => n.id));
    expect(drawn.filter((id) => !allowed.has(id) && !id.startsWith('ns:'))).toEqual([]);

    // Search, history and completion: only flows with an end in production. The history writes a
    // block every few seconds (FLOWSIGHT_HISTORY_FLUSH_MS): the first flows may not be in it yet.
    type Flows = { source: { namespace: string }; destination: { namespace: string } }[];
    await expect.poll(async () => ((await getJson(page, '/api/flows?q=&since=1h&limit=1')).body.flows as Flows).length).toBeGreaterThan(0);
    const flows = (await getJson(page, '/api/flows?q=&since=1h&limit=200')).body.flows as Flows;
    expect(flows.length).toBeGreaterThan(0);
    for (const f of flows) expect([f.source.namespace, f.destination.namespace]).toContain('production');
    const legacyOnly = (await getJson(page, '/api/flows?q=from-ns:legacy%20to-ns:legacy&since=1h')).body.flows;
    expect(legacyOnly).toEqual([]);
    const namespaces = (await getJson(page, '/api/flows/values?field=namespace&prefix=')).body.values as string[];
    expect(namespaces).toContain('production');

    // Policies and findings of production only; the cluster-wide Azure view and metrics are refused.
    const policies = (await getJson(page, '/api/policies')).body.policies as { namespace?: string }[];
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) expect(p.namespace).toBe('production');
    const posture = (await getJson(page, '/api/posture')).body as { findings: { namespace?: string }[] };
    for (const f of posture.findings) expect(f.namespace).toBe('production');
    expect((await getJson(page, '/api/azure')).status).toBe(403);
    expect((await page.request.get(`${app.base}/metrics`)).status()).toBe(403);
    const egress = (await getJson(page, '/api/egress')).body as { rows: { namespace: string }[] };
    for (const r of egress.rows) expect(r.namespace).toBe('production');

    // The stream: its snapshot and deltas stay in scope too, and so do its flow samples.
    const streamed = await page.evaluate(
      () =>
        new Promise<{ snapshot: string; flows: { source: { namespace: string }; destination: { namespace: string } }[] }>((resolve) => {
          const es = new EventSource('/api/stream');
          let snapshot = '';
          const flows: { source: { namespace: string }; destination: { namespace: string } }[] = [];
          es.addEventListener('snapshot', (e) => (snapshot = (e as MessageEvent).data));
          es.addEventListener('flows', (e) => flows.push(...JSON.parse((e as MessageEvent).data)));
          setTimeout(() => {
            es.close();
            resolve({ snapshot, flows });
          }, 4000);
        }),
    );
    expectScoped((parseStreamEvent('snapshot', streamed.snapshot) as { graph: Graph }).graph, 'production');
    expect(streamed.flows.length).toBeGreaterThan(0);
    for (const f of streamed.flows) expect([f.source.namespace, f.destination.namespace]).toContain('production');

    // The shared token is the operator's key: it still sees every namespace.
    const all = await page.request.get(`${app.base}/api/graph`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const allNamespaces = new Set(((await all.json()) as Graph).nodes.map((n) => n.namespace).filter(Boolean));
    expect(allNamespaces.has('legacy')).toBe(true);
  });

  test('refuses an ID token for another audience and says so on the sign-in page; no session is issued', async ({ page }) => {
    issuer.fault = 'wrong-audience';
    await page.goto(`${app.base}/login?next=%2Fpolicies`);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await expect(page).toHaveURL(/\/login\?error=rejected&next=%2Fpolicies/);
    await expect(page.getByTestId('sign-in-error')).toHaveText('The sign-in could not be completed. Try again.');
    expect((await page.context().cookies()).some((c) => c.name === 'flowsight_session')).toBe(false);
    expect((await getJson(page, '/api/me')).status).toBe(401);
  });

  test('signing out ends the session here and at the issuer, back to the sign-in page', async ({ page }) => {
    await page.goto(`${app.base}/login`);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await expect(page.getByTestId('signed-in-as')).toContainText('Alice Example');
    const session = (await page.context().cookies()).find((c) => c.name === 'flowsight_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(`${app.base}/login`);
    expect(issuer.endSessions.at(-1)).toMatchObject({ clientId: CLIENT_ID, postLogoutRedirectUri: `${app.base}/login` });
    // The old cookie, replayed, opens nothing.
    const replay = await fetch(`${app.base}/api/me`, { headers: { cookie: `flowsight_session=${session.value}` } });
    expect(replay.status).toBe(401);
  });

  test('believes identity headers only from the trusted proxy address', async () => {
    const headers = { 'X-Forwarded-User': 'bob', 'X-Forwarded-Groups': 'team-legacy' };
    const viaProxy = await fromAddress('127.0.0.2', `${app.base}/api/me`, headers);
    expect(viaProxy.status).toBe(200);
    expect(JSON.parse(viaProxy.body)).toMatchObject({ via: 'proxy', user: 'bob', namespaces: ['legacy'], canSignOut: false });
    const graph = JSON.parse((await fromAddress('127.0.0.2', `${app.base}/api/graph`, headers)).body) as Graph;
    expectScoped(graph, 'legacy');
    // The same headers from anywhere else sign nobody in.
    expect((await fromAddress('127.0.0.1', `${app.base}/api/me`, headers)).status).toBe(401);
    expect((await fromAddress('127.0.0.1', `${app.base}/api/me`, { ...headers, 'x-flowsight-peer': 'guess 127.0.0.2' })).status).toBe(401);
  });

  test('refuses every API route, the stream and the metrics without credentials (routes found on disk, so a new one is covered)', async () => {
    const routes: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
        else if (entry.name === 'route.ts') routes.push('/' + path.relative('app', dir).split(path.sep).join('/'));
      }
    };
    walk('app/api');
    // Sign-in and sign-out work without a session by design; everything else must refuse.
    const guarded = routes.filter((r) => !r.startsWith('/api/login') && r !== '/api/logout');
    expect(guarded).toEqual(expect.arrayContaining(['/api/stream', '/api/flows', '/api/graph', '/api/me', '/api/policies']));
    for (const route of [...guarded, '/metrics']) {
      const res = await fetch(`${app.base}${route}`, { headers: { 'X-Forwarded-User': 'mallory', 'X-Forwarded-Groups': 'admins' } });
      expect(res.status, route).toBe(401);
    }
  });

  test('writes no secret, token, code or cookie to its log', async ({ page }) => {
    // A successful and a refused OIDC sign-in, and a wrong token, each logged.
    await page.goto(`${app.base}/login`);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await expect(page.getByTestId('signed-in-as')).toContainText('Alice Example');
    issuer.fault = 'wrong-key';
    await page.goto(`${app.base}/api/login/oidc`);
    await expect(page).toHaveURL(/error=rejected/);
    await fetch(`${app.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=a-wrong-token-guess-123&next=%2F', redirect: 'manual' });
    await expect.poll(() => app.output()).toMatch(/"event":"auth.failure","via":"sign-in"/);
    const log = app.output();
    expect(log).toContain('"event":"auth.sign-in","via":"oidc"');
    expect(log).toMatch(/"event":"auth.failure","via":"oidc".*signature/);
    for (const secret of [CLIENT_SECRET, SESSION_SECRET, TOKEN, 'a-wrong-token-guess-123']) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}/); // no JWT
    expect(log).not.toMatch(/flowsight_session=[A-Za-z0-9_-]{20,}/);
    expect(log).not.toMatch(/[?&]code=[A-Za-z0-9_-]{10,}/);
  });

  test('a restart keeps sessions (FLOWSIGHT_SESSION_SECRET) and sign-outs (kept under FLOWSIGHT_DATA_DIR)', async ({ browser }) => {
    test.setTimeout(90_000);
    const signIn = async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(`${app.base}/login`);
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
      await expect(page.getByTestId('signed-in-as')).toContainText('Alice Example');
      return { page, cookie: (await context.cookies()).find((c) => c.name === 'flowsight_session')!.value };
    };
    const kept = await signIn();
    const out = await signIn();
    await out.page.getByRole('button', { name: 'Sign out' }).click();
    await expect(out.page).toHaveURL(`${app.base}/login`);
    app.stop();
    app = await startDashboard(PORT, env, { keepData: true });
    const me = (cookie: string) => fetch(`${app.base}/api/me`, { headers: { cookie: `flowsight_session=${cookie}` } }).then((r) => r.status);
    expect(await me(kept.cookie)).toBe(200);
    expect(await me(out.cookie)).toBe(401);
  });
});
