import { expect, test, type Page } from '@playwright/test';
import { MapPage } from './pages/map-page';

/** A demo connection that carries traffic all the time. */
const EDGE = 'production/frontend|production/api-server|8080|TCP';
const MINUTE = 60_000;
/** Forwarded by Cilium, denied by the demo's Azure Firewall. */
const PYPI = 'legacy/legacy-app|world:pypi.org|443|TCP';

/** Waits until the history holds the demo edge (the store writes in batches about a second apart). */
async function waitForStoredEdge(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/graph?since=15m');
        if (!res.ok()) return `HTTP ${res.status()}`;
        const body = (await res.json()) as { edges: { id: string }[] };
        return body.edges.some((e) => e.id === EDGE);
      },
      { timeout: 30_000, intervals: [1000] },
    )
    .toBe(true);
}

const windowOf = (map: MapPage) => {
  const { since, until } = map.urlWindow();
  return { since: Date.parse(since ?? ''), until: Date.parse(until ?? '') };
};

test.describe('the map of a past window', () => {
  // Each test first waits for the demo's flows to reach the store, then clicks through the map.
  test.describe.configure({ timeout: 90_000 });

  test('draws the last 15 minutes from the store, lists stored flows, and goes back to live', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await waitForStoredEdge(page);

    const fromStore = page.waitForResponse((r) => r.url().includes('/api/graph?since=') && r.status() === 200);
    await map.chooseTime('15m');
    await fromStore;
    await expect(map.pastWindow()).toBeVisible();
    await expect(page.getByTestId('past-window-text')).toContainText('Past window:');
    await expect(map.timeMode()).toHaveAttribute('data-mode', '15m');
    await expect(page).toHaveURL(/since=.*until=/);
    const w = windowOf(map);
    expect(w.until - w.since).toBe(15 * MINUTE);

    // Same styling and legend as the live map.
    await map.waitFor(EDGE);
    const edge = (await map.edges()).find((e) => e.id === EDGE)!;
    expect(edge.status).toBe('allowed');
    expect(edge.lineStyle).toBe('solid');
    await expect(page.getByTestId('legend')).toBeVisible();

    // Every layer, as on the live map: the firewall denies what Cilium let through to pypi.org.
    await expect.poll(() => page.evaluate((id) => window.__flowsightCy!.getElementById(id).data('status'), PYPI)).toBe('denied');
    expect((await map.edges()).find((e) => e.id === PYPI)!.lineStyle).toBe('dashed');

    // The live stream is not applied: the window's counts stay as the store gave them.
    const frozen = await map.edgeTotal(EDGE);
    expect(frozen).toBeGreaterThan(0);
    await page.waitForTimeout(2500);
    expect(await map.edgeTotal(EDGE)).toBe(frozen);

    // The side panel lists the flows the store holds for this edge in the window.
    const storedFlows = page.waitForResponse((r) => r.url().includes('/api/flows?') && r.url().includes('since=') && r.url().includes('edge='));
    await map.click(EDGE);
    expect((await storedFlows).status()).toBe(200);
    const panel = map.panel();
    await expect(panel).toContainText('production/frontend → production/api-server');
    await expect(panel.getByTestId('panel-stored-flows')).toContainText('Stored flows in this window');
    await expect(panel.getByTestId('panel-flow').first()).toBeVisible();
    expect(await panel.getByTestId('panel-flow').count()).toBeGreaterThan(0);
    await expect(panel.getByTestId('past-why')).toBeVisible();
    await page.screenshot({ path: 'test-results/artifacts/map-past-window.png' });

    // Back to live: the banner goes, the URL forgets the window, and the counts move again.
    await page.getByTestId('back-to-live').click();
    await expect(map.pastWindow()).toBeHidden();
    expect(map.urlWindow()).toEqual({ since: null, until: null });
    await expect(map.timeMode()).toHaveAttribute('data-mode', 'live');
    await expect(page).toHaveURL(/select=/);
    await expect.poll(() => map.edgeTotal(EDGE), { timeout: 15_000 }).not.toBe(frozen);
  });

  test('a past window round-trips through the URL, and the scrubber moves it without resizing it', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await waitForStoredEdge(page);
    await map.chooseTime('1h');
    await map.waitFor(EDGE);
    const url = page.url();
    const banner = await page.getByTestId('past-window-text').textContent();

    // The same link in a fresh tab shows the same window.
    const again = await page.context().newPage();
    const map2 = new MapPage(again);
    await again.goto(url);
    await expect(again.getByTestId('past-window-text')).toHaveText(banner!);
    await expect(map2.timeMode()).toHaveAttribute('data-mode', '1h');
    await map2.waitFor(EDGE);
    await again.close();

    // Scrub the hour back by 20 seconds: the window keeps its width and still holds the demo's traffic
    // (a fresh demo has only minutes of it). Wait for the new window's answer, not the old drawing.
    const before = windowOf(map);
    const target = before.until - 20_000;
    await map.scrubTo(target);
    await expect(page).toHaveURL((u) => Date.parse(u.searchParams.get('until') ?? '') === target);
    const after = windowOf(map);
    expect(after.until - after.since).toBe(before.until - before.since);
    await expect(page.getByTestId('past-window-status')).toHaveText(/^[1-9]\d* connections from the flow history/);
    await map.waitFor(EDGE);

    // Scrub to a day ago, long before this dashboard started: nothing is stored there.
    const dayAgo = before.until - 23 * 60 * MINUTE;
    await map.scrubTo(dayAgo);
    await expect(page).toHaveURL((u) => Date.parse(u.searchParams.get('until') ?? '') <= dayAgo + 1000);
    await expect(page.getByText('No flows stored in this window.')).toBeVisible();
    await expect(page.getByTestId('edge-count')).toHaveText('0 of 0 connections');
  });

  test('a custom window from/to is drawn and kept in the URL', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await waitForStoredEdge(page);
    const now = new Date();
    const local = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    const from = new Date(now.getTime() - 30 * MINUTE);
    const to = new Date(now.getTime() + 2 * MINUTE);
    await map.chooseCustom(local(from), local(to));
    await expect(map.pastWindow()).toBeVisible();
    // The inputs are local time to the minute; the URL holds the same instants in UTC.
    const toMinute = (d: Date) => Math.floor(d.getTime() / MINUTE) * MINUTE;
    expect(windowOf(map)).toEqual({ since: toMinute(from), until: toMinute(to) });
    await expect(map.timeMode()).toHaveAttribute('data-mode', 'custom');
    await map.waitFor(EDGE);
  });

  test('a link whose window cannot be read says so and shows the live map; the API names the bad bound', async ({ page }) => {
    const map = new MapPage(page);
    await map.open('since=last-tuesday');
    await expect(page.getByTestId('time-window-invalid')).toContainText('since');
    await expect(map.pastWindow()).toBeHidden();

    const res = await page.request.get('/api/graph?since=1h&until=2h');
    expect(res.status()).toBe(400);
    expect(await res.json()).toMatchObject({ problems: [{ param: 'until', message: 'must be later than since' }] });
  });
});
