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

/** One sample of the Prometheus text /metrics serves (0 when absent). */
async function metric(request: import('@playwright/test').APIRequestContext, name: string): Promise<number> {
  const text = await (await request.get(`http://127.0.0.1:${EXTERNAL_APP_PORT}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

test('readiness and the metrics follow the relay: not ready while it is away, reconnects counted, flows counted as they arrive', async ({ request }) => {
  const readyz = `http://127.0.0.1:${EXTERNAL_APP_PORT}/readyz`;
  let relay = await startRelay();
  try {
    await expect.poll(async () => (await request.get(readyz)).status(), { timeout: 30_000 }).toBe(200);
    expect((await (await request.get(readyz)).json()).checks.relay).toBe('ok');
    const forwarded = 'flowsight_flows_ingested_total{verdict="forwarded"}';
    const before = await metric(request, forwarded);
    await expect.poll(() => metric(request, forwarded), { timeout: 15_000 }).toBeGreaterThan(before);
    expect(await metric(request, 'flowsight_relay_connected')).toBe(1);
    const reconnects = await metric(request, 'flowsight_relay_reconnects_total');

    await stopRelay(relay);
    await expect.poll(async () => (await request.get(readyz)).status(), { timeout: 20_000 }).toBe(503);
    const away = await (await request.get(readyz)).json();
    expect(away).toMatchObject({ ready: false, checks: { relay: 'failed' } });
    expect(JSON.stringify(away)).not.toContain('127.0.0.1');
    expect(await metric(request, 'flowsight_relay_connected')).toBe(0);

    relay = await startRelay();
    await expect.poll(async () => (await request.get(readyz)).status(), { timeout: 30_000 }).toBe(200);
    expect(await metric(request, 'flowsight_relay_reconnects_total')).toBeGreaterThan(reconnects);
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
