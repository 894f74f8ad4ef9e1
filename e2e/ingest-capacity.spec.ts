import { expect, test } from '@playwright/test';
import { startDashboard, type DashboardProcess } from './fixtures/dashboard-process';

// More flows than the server may spend its event loop on: it folds in only a share of them (the rest
// skipped undecoded) so that pages keep answering, and the header says it is at capacity and which
// share it folds in. The limit is set low (10% busy) so the demo's 20,000 flows/s exceed it.

const PORT = Number(process.env.E2E_PORT ?? 3310) + 8;

let dashboard: DashboardProcess;

test.describe('a server at capacity', () => {
  test.describe.configure({ timeout: 120_000 });

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    dashboard = await startDashboard(PORT, { FLOWSIGHT_DEMO_RATE: '20000', FLOWSIGHT_INGEST_MAX_BUSY_PERCENT: '10' });
  });

  test.afterAll(() => dashboard?.stop());

  test('folds in a share of the flows, says so in the header and the status, and keeps serving pages', async ({ page }) => {
    type Status = { relay: { state: string; received: number; ingest: { atCapacity: boolean; keptShare: number; shedFlows: number } } };
    const status = async () => (await (await fetch(`${dashboard.base}/api/status`)).json()) as Status;
    await expect.poll(async () => (await status()).relay.ingest.shedFlows, { timeout: 60_000, intervals: [1000] }).toBeGreaterThan(0);
    const s = await status();
    expect(s.relay.state).toBe('streaming');
    expect(s.relay.ingest.atCapacity).toBe(true);
    expect(s.relay.ingest.keptShare).toBeLessThan(1);
    // Flows still come in: the share kept is folded in as usual.
    await expect.poll(async () => (await status()).relay.received, { timeout: 20_000 }).toBeGreaterThan(s.relay.received);

    await page.goto(`${dashboard.base}/`);
    const chip = page.getByTestId('at-capacity');
    await expect(chip).toBeVisible({ timeout: 30_000 });
    await expect(chip).toHaveText(/^at capacity · \d+%$/);
    await expect(chip).toHaveAttribute('title', /it folds in \d+% of them/);
    // Pages keep answering meanwhile.
    const started = Date.now();
    await page.goto(`${dashboard.base}/flows`);
    await expect(page.getByTestId('at-capacity')).toBeVisible({ timeout: 15_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    // What was skipped is counted for monitoring.
    const metrics = await (await fetch(`${dashboard.base}/metrics`)).text();
    expect(Number(/^flowsight_ingest_shed_flows_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^flowsight_ingest_kept_ratio (\S+)$/m.exec(metrics)?.[1])).toBeLessThan(1);
  });
});
