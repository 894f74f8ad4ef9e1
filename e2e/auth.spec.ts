import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';

// E2E_PORT serves the demo, +1 the external-relay dashboard, +2 the bad-manifests one: take the next.
const PORT = Number(process.env.E2E_PORT ?? 3310) + 3;
const TOKEN = 'e2e-token-0123456789abcdef';
const base = `http://127.0.0.1:${PORT}`;

test.describe('access token (required off loopback)', () => {
  let server: ChildProcess | undefined;

  test.beforeAll(async () => {
    server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(PORT)], {
      env: { ...process.env, NODE_ENV: 'production', FLOWSIGHT_AUTH_TOKEN: TOKEN, FLOWSIGHT_DEMO_RATE: '50' },
      stdio: 'ignore',
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
});
