import { get } from 'node:http';
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

  test("the page's scripts come from memory, compressed, with the pages' security headers (scripts/static-assets.mjs)", async ({ page }) => {
    const scripts: { url: string; status: number; headers: Record<string, string> }[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/_next/static/') && r.request().resourceType() === 'script') scripts.push({ url: r.url(), status: r.status(), headers: r.headers() });
    });
    await page.goto(`${dashboard.base}/map`);
    await expect(page.getByTestId('graph-canvas')).toBeVisible({ timeout: 30_000 });
    expect(scripts.length).toBeGreaterThan(3);
    for (const s of scripts) {
      expect(s.status, s.url).toBe(200);
      expect(s.headers['cache-control'], s.url).toBe('public, max-age=31536000, immutable');
      expect(s.headers['x-content-type-options'], s.url).toBe('nosniff');
      expect(s.headers['content-security-policy'], s.url).toContain("default-src 'self'");
      expect(s.headers['etag'], s.url).toMatch(/^"[\w-]+"$/);
    }
    // The largest script travels gzip-compressed, and a browser holding it is told it has not changed.
    const largest = await Promise.all(scripts.map(async (s) => ({ url: s.url, bytes: (await (await fetch(s.url)).arrayBuffer()).byteLength })));
    largest.sort((a, b) => b.bytes - a.bytes);
    const raw = await new Promise<{ encoding?: string; length: number; etag: string }>((resolve, reject) => {
      // node:http, not fetch: fetch would undo the compression this checks.
      get(largest[0].url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        let length = 0;
        res.on('data', (d: Buffer) => (length += d.length));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], length, etag: String(res.headers.etag) }));
      }).on('error', reject);
    });
    expect(raw.encoding).toBe('gzip');
    expect(raw.length).toBeLessThan(largest[0].bytes / 2);
    const again = await fetch(largest[0].url, { headers: { 'if-none-match': raw.etag } });
    expect(again.status).toBe(304);
  });
});
