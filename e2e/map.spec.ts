import { expect, test } from '@playwright/test';
import { keepEventSources } from './fixtures/event-sources';
import { MapPage } from './pages/map-page';

test.describe('live map on the demo relay', () => {
  test('shows every demo namespace at once, with the special peers', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await expect.poll(() => map.namespaces()).toEqual(expect.arrayContaining(['ingress-nginx', 'kube-system', 'legacy', 'monitoring', 'payments', 'production']));
    const ids = await map.nodeIds();
    expect(ids).toEqual(expect.arrayContaining(['production/frontend', 'production/api-server', 'production/postgres', 'world:api.github.com', 'host']));
    await page.screenshot({ path: 'test-results/artifacts/map.png', fullPage: true });
  });

  test('opens its live stream once, from the HTML as it is parsed, and the map takes it over', async ({ page }) => {
    // Every EventSource the page opens, and whether the document was still being parsed then.
    const streams = await keepEventSources(page);
    const map = new MapPage(page);
    await map.open();
    await expect.poll(() => map.namespaces()).toContain('production');
    // One stream, opened by the page's inline script before its code loaded (early-stream.ts):
    // the LiveStore took it over instead of opening a second.
    expect(await streams.opened()).toEqual(['/api/stream?sample=0 while loading']);
  });

  test('marks the moments of its first render once each, in order (what bench:ui reports as firstRenderTimeline)', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await expect.poll(() => map.namespaces()).toContain('production');
    const marks = () =>
      page.evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('flowsight:')).map((m) => ({ name: m.name, at: m.startTime })));
    await expect.poll(async () => (await marks()).length).toBe(4);
    const seen = await marks();
    const at = (name: string) => seen.find((m) => m.name === `flowsight:${name}`)!.at;
    expect(new Set(seen.map((m) => m.name)).size).toBe(4);
    // The head reached the page, then the store decoded it, then the map drew it; the demo's graph is one part.
    expect(at('stream-snapshot')).toBeLessThanOrEqual(at('store-snapshot'));
    expect(at('store-snapshot')).toBeLessThanOrEqual(at('store-snapshot-complete'));
    expect(at('store-snapshot')).toBeLessThanOrEqual(at('map-first-draw'));
    // Live deltas drawn since: still one of each.
    const drawnSeq = () => page.evaluate(() => window.__flowsightMap!.stats().drawnSeq);
    const before = await drawnSeq();
    await expect.poll(drawnSeq).toBeGreaterThan(before + 2);
    expect(await marks()).toHaveLength(4);
  });

  test('draws denied traffic unmistakably differently from allowed traffic', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await expect.poll(async () => (await map.edges()).some((e) => e.status === 'denied')).toBe(true);
    const edges = await map.edges();
    const allowed = edges.find((e) => e.id === 'production/frontend|production/api-server|8080|TCP')!;
    const denied = edges.find((e) => e.status === 'denied')!;
    expect(allowed.status).toBe('allowed');
    expect(allowed.lineStyle).toBe('solid');
    expect(denied.lineStyle).toBe('dashed');
    expect(denied.lineColor).not.toBe(allowed.lineColor);
    expect(denied.lineColor).toBe('rgb(220,38,38)');
    expect(denied.width).toBeGreaterThan(2);
    await expect(page.getByTestId('legend')).toContainText('denied (by policy, NSG or firewall)');
    // The islands entry keeps its place in the strip (the canvas is not resized when a map opens as islands) but is not shown here.
    await expect(page.getByTestId('legend-islands')).toBeHidden();
  });

  test('clicking an edge opens a side panel with its counts and recent flows', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    const id = 'legacy/legacy-app|production/postgres|5432|TCP';
    await page.waitForFunction((edgeId) => window.__flowsightCy!.getElementById(edgeId).nonempty(), id);
    await map.click(id);
    await expect(page).toHaveURL(/select=/);
    const panel = map.panel();
    await expect(panel).toContainText('legacy/legacy-app → production/postgres');
    await expect(panel.getByTestId('panel-status')).toHaveText('denied');
    await expect(panel.getByTestId('count-dropped')).not.toHaveText('0');
    await expect(panel.getByTestId('panel-flow').first()).toContainText('POLICY_DENIED');
  });

  test('denied-only and namespace filters narrow the graph, and the URL reproduces the view', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await page.getByTestId('denied-only').check();
    await expect(page).toHaveURL(/denied=1/);
    await expect.poll(async () => (await map.edges()).every((e) => e.status === 'denied' || e.status === 'mixed')).toBe(true);
    await page.getByTestId('ns-chip-payments').click();
    await expect(page).toHaveURL(/ns=payments/);
    const url = page.url();
    const again = await page.context().newPage();
    const map2 = new MapPage(again);
    await again.goto(url);
    await again.waitForFunction(() => (window.__flowsightCy?.edges().length ?? 0) > 0);
    const edges = await map2.edges();
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.every((e) => e.id.includes('payments/') && (e.status === 'denied' || e.status === 'mixed'))).toBe(true);
  });

  test('visual filters hide noise and are remembered', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await page.getByTestId('visual-filters').click();
    await page.getByTestId('hide-host').check();
    await page.getByTestId('hide-kube-dns').check();
    await expect.poll(async () => (await map.nodeIds()).includes('host')).toBe(false);
    expect(await map.nodeIds()).not.toContain('kube-system/coredns');
    await page.goto('/map');
    await expect(page).toHaveURL(/hide=host%2Ckube-dns|hide=host,kube-dns/);
  });

  test('exports the visible connections as JSON', async ({ page }) => {
    const map = new MapPage(page);
    await map.open('ns=legacy');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-json').click();
    const file = await download;
    const doc = JSON.parse(await (await file.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8')));
    expect(doc.view.namespaces).toEqual(['legacy']);
    expect(doc.connections.length).toBeGreaterThan(2);
    expect(doc.connections.every((c: { source: string; destination: string }) => c.source.startsWith('legacy/') || c.destination.startsWith('legacy/'))).toBe(true);
  });
});
