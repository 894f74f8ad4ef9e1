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

/** Stops the relay and waits until its port is free again for the next start. */
async function stopRelay(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  await exited;
}

test('a relay that goes away shows "relay unavailable, retrying" and the dashboard recovers by itself', async ({ page }) => {
  let relay = await startRelay();
  try {
    await page.goto(`http://127.0.0.1:${EXTERNAL_APP_PORT}/map`);
    const state = page.getByTestId('relay-state');
    await expect(state).toHaveText('relay connected', { timeout: 20_000 });
    await page.waitForFunction(() => (window.__flowsightCy?.edges().length ?? 0) > 3);

    await stopRelay(relay);
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
    await stopRelay(relay);
  }
});

test('a frozen relay shows "relay not answering" instead of "connected", and the dashboard recovers when it thaws', async ({ page }) => {
  test.setTimeout(120_000);
  const relay = await startRelay();
  try {
    await page.goto(`http://127.0.0.1:${EXTERNAL_APP_PORT}/map`);
    const state = page.getByTestId('relay-state');
    await expect(state).toHaveText('relay connected', { timeout: 20_000 });

    // The process stops but its sockets stay open: gRPC sees no error, only silence.
    relay.kill('SIGSTOP');
    await expect(state).toContainText(/relay not answering|relay stream stalled/, { timeout: 45_000 });
    const status = await (await page.request.get(`http://127.0.0.1:${EXTERNAL_APP_PORT}/api/status`)).json();
    expect(status.relay.fault).toMatch(/not-answering|connect-timeout|stalled/);
    expect(status.relay.lastError).toMatch(/not answering|stalled/);

    relay.kill('SIGCONT');
    await expect(state).toHaveText('relay connected', { timeout: 30_000 });
  } finally {
    await stopRelay(relay);
  }
});
