import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { EXTERNAL_APP_PORT, EXTERNAL_RELAY_PORT } from '../playwright.config';

function startRelay(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/flowsight.mjs', 'demo-relay', '--port', String(EXTERNAL_RELAY_PORT), '--rate', '100'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('listening') && resolve(child));
    child.on('exit', (code) => reject(new Error(`relay exited (${code})`)));
  });
}

test('a relay that goes away shows "relay unavailable, retrying" and the dashboard recovers by itself', async ({ page }) => {
  let relay = await startRelay();
  try {
    await page.goto(`http://127.0.0.1:${EXTERNAL_APP_PORT}/map`);
    const state = page.getByTestId('relay-state');
    await expect(state).toHaveText('relay connected', { timeout: 20_000 });
    await page.waitForFunction(() => (window.__flowsightCy?.edges().length ?? 0) > 3);

    relay.kill('SIGTERM');
    await expect(state).toContainText('relay unavailable, retrying', { timeout: 20_000 });
    // The app keeps serving while the relay is away.
    const status = await page.request.get(`http://127.0.0.1:${EXTERNAL_APP_PORT}/api/status`);
    expect((await status.json()).relay.state).toBe('retrying');

    relay = await startRelay();
    await expect(state).toHaveText('relay connected', { timeout: 30_000 });
    const after = await (await page.request.get(`http://127.0.0.1:${EXTERNAL_APP_PORT}/api/status`)).json();
    expect(after.relay.reconnects).toBeGreaterThan(0);
    expect(await page.evaluate(() => window.__flowsightCy!.edges().length)).toBeGreaterThan(3);
  } finally {
    relay.kill('SIGTERM');
  }
});
