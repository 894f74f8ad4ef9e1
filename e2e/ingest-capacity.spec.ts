import { expect, test } from '@playwright/test';
import { startDashboard, type DashboardProcess } from './fixtures/dashboard-process';

// More flows than the server may spend its event loop on: reading from the relay pauses so that
// pages keep answering, the relay reports what it could not send as lost, and the header says the
// server is at capacity. The limit is set low (10% busy) so the demo's 20,000 flows/s exceed it.

const PORT = Number(process.env.E2E_PORT ?? 3310) + 8;

let dashboard: DashboardProcess;

test.describe('a server at capacity', () => {
  test.describe.configure({ timeout: 120_000 });

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    dashboard = await startDashboard(PORT, { FLOWSIGHT_DEMO_RATE: '20000', FLOWSIGHT_INGEST_MAX_BUSY_PERCENT: '10' });
  });

  test.afterAll(() => dashboard?.stop());

  test('pauses reading from the relay, says so in the header and the status, and keeps serving pages', async ({ page }) => {
    type Status = { relay: { state: string; lostEvents: number; ingest: { atCapacity: boolean; pausedShare: number; pausedMs: number } } };
    const status = async () => (await (await fetch(`${dashboard.base}/api/status`)).json()) as Status;
    await expect.poll(async () => (await status()).relay.ingest.pausedMs, { timeout: 60_000, intervals: [1000] }).toBeGreaterThan(0);
    const s = await status();
    expect(s.relay.state).toBe('streaming');
    expect(s.relay.ingest.atCapacity).toBe(true);
    expect(s.relay.ingest.pausedShare).toBeGreaterThan(0);

    await page.goto(`${dashboard.base}/`);
    const chip = page.getByTestId('at-capacity');
    await expect(chip).toBeVisible({ timeout: 30_000 });
    await expect(chip).toHaveAttribute('title', /reads from the relay part of the time/);
    // The relay holds back while reading is paused; what overflows its buffer it reports as lost.
    await expect.poll(async () => (await status()).relay.lostEvents, { timeout: 60_000, intervals: [1000] }).toBeGreaterThan(0);
    // Pages keep answering meanwhile.
    const started = Date.now();
    await page.goto(`${dashboard.base}/flows`);
    await expect(page.getByTestId('at-capacity')).toBeVisible({ timeout: 15_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    // The paused time is counted for monitoring.
    const metrics = await (await fetch(`${dashboard.base}/metrics`)).text();
    expect(Number(/^flowsight_ingest_paused_seconds_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });
});
