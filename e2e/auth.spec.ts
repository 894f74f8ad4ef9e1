import { spawn, type ChildProcess } from 'node:child_process';
import { freshDataDir } from './fixtures/data-dir';
import { expect, test, type APIRequestContext, type APIResponse, type Page } from '@playwright/test';

// E2E_PORT serves the demo, +1 the external-relay dashboard, +2 the bad-manifests one: take the next.
const PORT = Number(process.env.E2E_PORT ?? 3310) + 3;
const TOKEN = 'e2e-token-0123456789abcdef';
const base = `http://127.0.0.1:${PORT}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Everything the token-protected server wrote to stdout (pino's JSON lines among it). */
let serverLog = '';

/** Signs in over HTTP (no browser) and returns the session cookie's value. */
async function signIn(request: APIRequestContext, headers: Record<string, string> = {}): Promise<{ res: APIResponse; session: string }> {
  const res = await request.post(`${base}/api/login`, { headers: { ...FORM, ...headers }, data: new URLSearchParams({ token: TOKEN, next: '/' }).toString(), maxRedirects: 0 });
  expect(res.status()).toBe(303);
  const cookie = res.headersArray().find((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith('flowsight_session='))!;
  return { res, session: cookie.value.slice('flowsight_session='.length).split(';')[0] };
}

async function signInInBrowser(page: Page, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel('access token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.describe('access token (required off loopback)', () => {
  let server: ChildProcess | undefined;

  test.beforeAll(async () => {
    server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(PORT)], {
      env: { ...process.env, NODE_ENV: 'production', FLOWSIGHT_AUTH_TOKEN: TOKEN, FLOWSIGHT_DEMO_RATE: '50', FLOWSIGHT_DATA_DIR: freshDataDir(PORT) },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    server.stdout!.on('data', (d: Buffer) => {
      serverLog += d.toString();
    });
    for (let i = 0; i < 120; i++) {
      // 401 means it is up and guarding.
      const up = await fetch(`${base}/api/status`).then((r) => r.status === 401, () => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('token-protected server did not start');
  });

  test.afterAll(() => {
    server?.kill('SIGTERM');
  });

  test('the API refuses requests without the token and names how to authenticate', async ({ request }) => {
    const denied = await request.get(`${base}/api/status`);
    expect(denied.status()).toBe(401);
    expect((await denied.json()).error).toContain('Authorization: Bearer');
    const allowed = await request.get(`${base}/api/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status()).toBe(200);
    expect((await allowed.json()).relay.mode).toBe('demo');
  });

  test('metrics need the token (a scraper sends it as a bearer); the Kubernetes probes answer without it, with states only', async ({ request }) => {
    expect((await request.get(`${base}/metrics`)).status()).toBe(401);
    const metrics = await request.get(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(metrics.status()).toBe(200);
    expect(metrics.headers()['content-type']).toContain('text/plain');
    expect(await metrics.text()).toMatch(/^flowsight_flows_ingested_total\{verdict="forwarded"\} \d+/m);
    const health = await request.get(`${base}/healthz`);
    expect(health.status()).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    await expect.poll(async () => (await request.get(`${base}/readyz`)).status(), { timeout: 30_000 }).toBe(200);
    const ready = await (await request.get(`${base}/readyz`)).json();
    expect(ready).toEqual({ ready: true, checks: { relay: 'ok', history: 'ok', cluster: 'ok' } });
  });

  test('a person is sent to sign in, a wrong token is refused, the right one opens the page they asked for', async ({ page }) => {
    await page.goto(`${base}/map?ns=legacy`);
    await expect(page).toHaveURL(/\/login\?next=/);
    await page.getByLabel('access token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('That token is not valid.')).toBeVisible();
    await page.getByLabel('access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/map\?ns=legacy/);
    await expect(page.getByTestId('relay-state')).toContainText('connected');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'flowsight_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.value).not.toContain(TOKEN);
  });

  test('signing in with a hostile next (tab, CR, LF) stays on this site', async ({ page, request }) => {
    for (const next of ['/\t/evil.example', '/\r/evil.example', '/\n/evil.example', '/\\evil.example', '//evil.example']) {
      const res = await request.post(`${base}/api/login`, { headers: FORM, data: new URLSearchParams({ token: TOKEN, next }).toString(), maxRedirects: 0 });
      expect(res.status(), JSON.stringify(next)).toBe(303);
      expect(res.headers()['location'], JSON.stringify(next)).toBe('/');
    }
    // In the browser, with the form's hidden field set to the hostile value as a crafted link would.
    await page.goto(`${base}/login`);
    await page.locator('input[name="next"]').evaluate((el: HTMLInputElement) => (el.value = '/\t/evil.example'));
    await page.getByLabel('access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${base}/`);
  });

  test('redirects carry relative Location headers, not the bind address', async ({ request }) => {
    const toLogin = await request.get(`${base}/map?ns=legacy`, { maxRedirects: 0 });
    expect(toLogin.status()).toBe(307);
    expect(toLogin.headers()['location']).toBe('/login?next=%2Fmap%3Fns%3Dlegacy');
    const wrong = await request.post(`${base}/api/login`, {
      headers: { ...FORM, 'X-Forwarded-For': '203.0.113.40' },
      data: 'token=wrong-token-value&next=%2Fflows',
      maxRedirects: 0,
    });
    expect(wrong.headers()['location']).toBe('/login?error=1&next=%2Fflows');
    const { res } = await signIn(request);
    expect(res.headers()['location']).toBe('/');
  });

  test('every sign-in sets a new session cookie that carries its expiry', async ({ request }) => {
    const a = await signIn(request);
    const b = await signIn(request);
    expect(a.session).not.toBe(b.session);
    for (const { res, session } of [a, b]) {
      expect(res.headers()['set-cookie']).toMatch(/flowsight_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200/);
      const payload = JSON.parse(Buffer.from(session.split('.')[0], 'base64url').toString());
      expect(payload.exp - payload.iat).toBe(43200);
      expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(120);
    }
  });

  test('signing out makes the old cookie useless', async ({ request, page }) => {
    const { session } = await signIn(request);
    const cookie = { Cookie: `flowsight_session=${session}` };
    expect((await request.get(`${base}/api/status`, { headers: cookie })).status()).toBe(200);
    const out = await request.post(`${base}/api/logout`, { headers: cookie, maxRedirects: 0 });
    expect(out.status()).toBe(303);
    expect(out.headers()['location']).toBe('/login');
    expect(out.headers()['set-cookie']).toContain('flowsight_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect((await request.get(`${base}/api/status`, { headers: cookie })).status()).toBe(401);
    // The header's "Sign out" button, as a person uses it.
    await signInInBrowser(page, '/flows');
    await expect(page).toHaveURL(`${base}/flows`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(`${base}/login`);
    await page.goto(`${base}/flows`);
    await expect(page).toHaveURL(/\/login\?next=%2Fflows/);
  });

  // Issue 12 (daily workflow), item 2: a session the server no longer accepts (expired, signed out
  // elsewhere) made the header say "dashboard server unreachable, retrying" while the server answered 401.
  test('when the server answers 401 the header says "sign in" and links to it', async ({ page }) => {
    await signInInBrowser(page, '/map');
    await expect(page).toHaveURL(`${base}/map`);
    // From here on the API sees this browser without a session: the server's own 401 answers.
    // (Node's fetch, not route.fetch: the latter would add the context's cookies back.)
    await page.route(/\/api\/(stream|status)/, async (route) => {
      const res = await fetch(route.request().url());
      await route.fulfill({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) });
    });
    await page.reload();
    const badge = page.getByTestId('relay-state');
    await expect(badge).toHaveText('signed out: sign in');
    await expect(badge).toHaveAttribute('href', '/login?next=%2Fmap');
    await expect(badge).not.toContainText('unreachable');
  });

  test('the 6th wrong token from a client is answered 429, by form and by bearer header, and failures are logged without the token', async ({ request }) => {
    for (const [i, client] of ['203.0.113.50', '203.0.113.51'].entries()) {
      const attempt = (n: number) =>
        i === 0
          ? request.post(`${base}/api/login`, { headers: { ...FORM, 'X-Forwarded-For': client }, data: `token=wrong-guess-${n}&next=%2F`, maxRedirects: 0 })
          : request.get(`${base}/api/status`, { headers: { 'X-Forwarded-For': client, Authorization: `Bearer wrong-guess-${n}` }, maxRedirects: 0 });
      for (let n = 0; n < 5; n++) expect((await attempt(n)).status()).toBe(i === 0 ? 303 : 401);
      const locked = await attempt(5);
      expect(locked.status()).toBe(429);
      expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0);
    }
    // The locked client cannot sign in even with the right token until the wait is over.
    const right = await request.post(`${base}/api/login`, { headers: { ...FORM, 'X-Forwarded-For': '203.0.113.50' }, data: `token=${TOKEN}`, maxRedirects: 0 });
    expect(right.status()).toBe(429);
    await expect.poll(() => serverLog).toContain('"client":"203.0.113.51"');
    const failures = serverLog.split('\n').filter((l) => l.includes('"event":"auth.failure"'));
    expect(failures.filter((l) => l.includes('203.0.113.50') && l.includes('"via":"sign-in"'))).toHaveLength(5);
    expect(failures.filter((l) => l.includes('203.0.113.51') && l.includes('"via":"bearer"'))).toHaveLength(5);
    expect(serverLog).not.toContain('wrong-guess');
    expect(serverLog).not.toContain(TOKEN);
  });

  test('a 1 MB sign-in body is refused with 413, announced or chunked', async ({ request }) => {
    const big = await request.post(`${base}/api/login`, { headers: FORM, data: `token=${'a'.repeat(1024 * 1024)}`, maxRedirects: 0 });
    expect(big.status()).toBe(413);
    // A chunked body announces no length: the route must stop reading by itself.
    const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 16) c.enqueue(chunk);
        else c.close();
      },
    });
    const chunked = await fetch(`${base}/api/login`, { method: 'POST', headers: FORM, body, duplex: 'half', redirect: 'manual' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  test('a state-changing request from another site is refused with 403', async ({ request }) => {
    const evil = { Origin: 'http://evil.example' };
    const login = await request.post(`${base}/api/login`, { headers: { ...FORM, ...evil }, data: `token=${TOKEN}`, maxRedirects: 0 });
    expect(login.status()).toBe(403);
    expect(login.headers()['set-cookie']).toBeUndefined();
    expect((await request.post(`${base}/api/logout`, { headers: evil, maxRedirects: 0 })).status()).toBe(403);
    // Through the proxy, even with the token.
    expect((await request.post(`${base}/api/status`, { headers: { ...evil, Authorization: `Bearer ${TOKEN}` } })).status()).toBe(403);
    // The same form from this site is fine.
    expect((await signIn(request, { Origin: base })).res.status()).toBe(303);
  });

  test('pages carry a Content-Security-Policy (HSTS only over TLS) and the map renders without violations', async ({ page, request }) => {
    const plain = await request.get(`${base}/login`);
    const csp = plain.headers()['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(plain.headers()['strict-transport-security']).toBeUndefined();
    const tls = await request.get(`${base}/login`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(tls.headers()['strict-transport-security']).toBe('max-age=31536000');

    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(String(e)));
    await signInInBrowser(page, '/map');
    await expect(page).toHaveURL(`${base}/map`);
    await expect(page.getByTestId('relay-state')).toContainText('connected');
    await page.waitForFunction(() => (window.__flowsightCy?.edges().length ?? 0) > 5);
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect(page).toHaveURL(`${base}/`);
    await page.waitForTimeout(1000);
    expect(violations).toEqual([]);
  });
});
