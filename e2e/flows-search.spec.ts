import { expect, test, type Page } from '@playwright/test';
import { CSV_HEADER } from '../lib/flows/flow-export';
import type { FlowExportJson } from '../lib/flows/flow-export';
import type { FlowsResponse } from '../lib/api/contract';
import { parseCsv } from '../lib/flows/testing/parse-csv';
import { FlowsPage } from './pages/flows-page';

// Issue 10, part 4 and part 7: /flows searches the stored flows with the query language, a
// window, a histogram to zoom, infinite scroll, the drawer, export, the URL; a slow search shows
// progress and can be cancelled.

/** Re-runs the search until the table shows rows that pass `ok` (the demo sends the matching flows over time). */
async function rowsWhen(flows: FlowsPage, ok: (rows: Awaited<ReturnType<FlowsPage['rowsShown']>>) => boolean): Promise<void> {
  await flows.settled();
  await expect
    .poll(
      async () => {
        const rows = await flows.rowsShown();
        if (rows.length > 0 && ok(rows)) return true;
        await flows.refresh();
        return false;
      },
      { timeout: 30_000, intervals: [1000, 1500, 2000] },
    )
    .toBe(true);
}

async function waitForHistory(page: Page): Promise<void> {
  await expect(page.getByTestId('search-took').locator('visible=true')).toContainText('from history');
}

test.describe('flow search', () => {
  // A search first writes what the history has queued, and waits for it, on a shared two-core machine.
  test.describe.configure({ timeout: 90_000 });

  test('a query shows only the matching stored flows, newest first', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('since=15m');
    await flows.search('verdict:dropped from-ns:legacy');
    await expect(page).toHaveURL(/q=verdict%3Adropped\+from-ns%3Alegacy/);
    await waitForHistory(page);
    await rowsWhen(flows, (rows) => rows.length > 3);
    const rows = await flows.rowsShown();
    expect(rows.every((r) => r.verdict === 'DROPPED' && r.source.startsWith('legacy/'))).toBe(true);
    for (let i = 1; i < rows.length; i++) expect(rows[i].time).toBeLessThanOrEqual(rows[i - 1].time);

    // The histogram counts the same search: only dropped flows.
    await expect.poll(() => flows.histogramTotal()).toBeGreaterThan(0);
    await expect(flows.histogram().getByTestId('histogram-count-forwarded')).toHaveAttribute('data-count', '0');
    expect(Number(await flows.histogram().getByTestId('histogram-count-dropped').getAttribute('data-count'))).toBeGreaterThan(0);
  });

  test('a flow the server received a moment ago is found at once: the search writes what the history has queued', async ({ page, request }) => {
    // The history writes a block every 5 s (FLOWSIGHT_HISTORY_FLUSH_MS); without FreshReads the
    // newest flows are missing from a search until the next block. The newest flow in memory:
    const live = (await (await request.get('/api/flows?limit=1')).json()) as FlowsResponse;
    expect(live.source).toBe('live');
    const newest = live.flows[0];
    expect(newest).toBeDefined();
    const res = await request.get(`/api/flows?q=${encodeURIComponent(`uuid:${newest.uuid}`)}&since=15m`);
    expect(res.status()).toBe(200);
    const found = (await res.json()) as FlowsResponse;
    expect(found.source).toBe('history');
    expect(found.flows.map((f) => f.uuid)).toEqual([newest.uuid]);

    // The page, on its first load (no refresh): the newest flow in memory now is in its first rows.
    const now = (await (await request.get('/api/flows?limit=1')).json()) as FlowsResponse;
    const flows = new FlowsPage(page);
    await flows.open(`q=${encodeURIComponent(`uuid:${now.flows[0].uuid}`)}&since=15m`);
    await waitForHistory(page);
    await flows.settled();
    expect((await flows.rowsShown()).map((r) => r.uuid)).toEqual([now.flows[0].uuid]);
  });

  test('a bad query is marked at its column in the box, and the server reports the same column', async ({ page, request }) => {
    const flows = new FlowsPage(page);
    await flows.open('since=15m');
    await flows.search('verdict:dropped prot:tcp');
    const error = flows.queryError();
    await expect(error).toContainText('unknown field "prot"');
    await expect(error).toContainText('did you mean "proto"');
    await expect(error).toHaveAttribute('data-column', '17');
    // Nothing ran: the URL still holds the last good search.
    await expect(page).not.toHaveURL(/prot%3Atcp/);

    const res = await request.get(`/api/flows?q=${encodeURIComponent('verdict:dropped prot:tcp')}`);
    expect(res.status()).toBe(400);
    const problem = (await res.json()) as { problems: { param: string; column?: number }[] };
    expect(problem.problems).toContainEqual(expect.objectContaining({ param: 'q', column: 17 }));

    // A link with the bad query shows the same mark, and fixing it runs the search.
    await flows.open(`q=${encodeURIComponent('verdict:dropped prot:tcp')}&since=15m`);
    await expect(flows.queryError()).toHaveAttribute('data-column', '17');
    await flows.search('verdict:dropped proto:tcp');
    await expect(flows.queryError()).toHaveCount(0);
    await waitForHistory(page);
  });

  test('completion offers field names, then a namespace the store holds', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('since=15m');
    const box = flows.queryBox();
    await box.click();
    await box.pressSequentially('from-n');
    await expect(flows.completions().first()).toContainText('from-ns');
    await box.press('Tab');
    await expect(box).toHaveValue('from-ns:');
    await box.pressSequentially('pay');
    // The namespaces come from the store (/api/flows/values); the demo's payments namespace is there.
    await expect
      .poll(
        async () => {
          const texts = await flows.completions().allTextContents();
          if (texts.some((t) => t.includes('payments'))) return true;
          await box.press('Backspace');
          await box.pressSequentially('y');
          return false;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    await box.press('ArrowDown');
    await box.press('Enter');
    await expect(box).toHaveValue('from-ns:payments ');
    await box.press('Enter');
    await expect(page).toHaveURL(/q=from-ns%3Apayments/);
    await rowsWhen(flows, (rows) => rows.every((r) => r.source.startsWith('payments/')));
  });

  test('dragging across the histogram narrows the window: URL and rows follow, and reset goes back', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('since=15m');
    await waitForHistory(page);
    await expect.poll(async () => {
      if ((await flows.histogramTotal()) > 50) return true;
      await flows.refresh();
      return false;
    }, { timeout: 30_000, intervals: [1000, 2000] }).toBe(true);
    // The demo has run for a short while: its flows are in the right-most bars of the 15 minutes.
    await flows.dragHistogram(0.9, 0.995);
    await expect(page).toHaveURL(/since=\d{4}-\d\d-\d\dT/);
    await expect(page).toHaveURL(/until=\d{4}-\d\d-\d\dT/);
    const since = Date.parse(flows.params().get('since')!);
    const until = Date.parse(flows.params().get('until')!);
    expect(until - since).toBeLessThan(15 * 60_000 * 0.2);
    expect(until).toBeGreaterThan(since);
    await expect(page.getByTestId('range-custom').locator('visible=true')).toHaveAttribute('aria-pressed', 'true');
    await rowsWhen(flows, () => true);
    const rows = await flows.rowsShown();
    expect(rows.every((r) => r.time >= since && r.time < until)).toBe(true);
    // The histogram now covers the zoomed window.
    await expect.poll(async () => Number(await flows.histogram().getAttribute('data-since'))).toBeGreaterThanOrEqual(since - 1000);
    expect(Number(await flows.histogram().getAttribute('data-until'))).toBeLessThanOrEqual(until + 1000);

    await page.getByTestId('histogram-reset').locator('visible=true').click();
    await expect(page).toHaveURL(/since=15m/);
    await expect(page).not.toHaveURL(/until=/);
  });

  test('scrolling to the end loads the next page through the cursor, newest first, each flow once', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('since=15m');
    await waitForHistory(page);
    // One page is 500 rows; at 200 flows/s the demo fills it in seconds.
    await rowsWhen(flows, () => true);
    await expect.poll(async () => {
      if ((await flows.flowCount()) >= 500) return true;
      await flows.refresh();
      return false;
    }, { timeout: 30_000, intervals: [2000] }).toBe(true);
    const firstPage = await flows.flowCount();
    const [newest] = await flows.rowsShown();
    await flows.scrollToEnd();
    await expect.poll(() => flows.flowCount()).toBeGreaterThan(firstPage);
    await flows.settled();
    // Still the same search from the top: the newest row did not move, and the older page follows on.
    // The list draws the rows of a scrolled-to place in a later frame: polled, not read at once.
    await page.getByTestId('flow-table-scroll').locator('visible=true').evaluate((el) => el.scrollTo(0, 0));
    await expect.poll(async () => (await flows.rowsShown())[0]?.uuid).toBe(newest.uuid);
    await flows.scrollToEnd();
    await expect.poll(async () => (await flows.rowsShown()).length).toBeGreaterThan(1);
    const tail = await flows.rowsShown();
    expect(new Set(tail.map((r) => r.uuid)).size).toBe(tail.length);
    for (let i = 1; i < tail.length; i++) expect(tail[i].time).toBeLessThanOrEqual(tail[i - 1].time);
  });

  test('a row opens the drawer with the verdict explained and the layers strip', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open(`q=${encodeURIComponent('verdict:dropped from-ns:legacy to-ns:production')}&since=15m`);
    await rowsWhen(flows, () => true);
    await flows.rows().locator('visible=true').first().click();
    const drawer = page.getByTestId('flow-detail').locator('visible=true');
    await expect(drawer).toContainText('DROPPED');
    // The policy engine's answer for this connection: production's default-deny isolates it.
    await expect(drawer.getByTestId('why-panel').getByTestId('why-verdict')).toHaveText('denied');
    await expect(drawer.getByTestId('layer-strip')).toBeVisible();
  });

  test('a pasted link reproduces the query, the window and the results', async ({ page, context }) => {
    const flows = new FlowsPage(page);
    await flows.open('q=verdict%3Aforwarded&since=15m');
    await rowsWhen(flows, (rows) => rows.length > 5);
    // A closed window in the past, so the answer cannot change between the two pages.
    const until = Date.now() - 3000;
    await page.waitForTimeout(3000);
    const since = until - 10 * 60_000;
    const url = `/flows?q=${encodeURIComponent('verdict:forwarded to-ns:payments')}&since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}`;
    await flows.open(url.slice('/flows?'.length));
    await rowsWhen(flows, () => true);
    const before = { rows: await flows.rowsShown(), count: await flows.flowCount() };

    const pasted = await context.newPage();
    const again = new FlowsPage(pasted);
    await pasted.goto(page.url());
    await expect(again.queryBox()).toHaveValue('verdict:forwarded to-ns:payments');
    await expect(pasted.getByTestId('range-custom').locator('visible=true')).toHaveAttribute('aria-pressed', 'true');
    await again.settled();
    await expect.poll(() => again.flowCount()).toBe(before.count);
    const after = await again.rowsShown();
    expect(after.map((r) => r.uuid)).toEqual(before.rows.map((r) => r.uuid));
    expect(after.every((r) => r.destination.startsWith('payments/') && r.verdict === 'FORWARDED')).toBe(true);
  });

  test('export downloads the loaded rows as CSV and JSON, and says how many', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open(`q=${encodeURIComponent('verdict:dropped')}&since=15m`);
    await rowsWhen(flows, (rows) => rows.length > 5);
    const count = await flows.flowCount();
    await expect(page.getByTestId('export-count').locator('visible=true')).toContainText(`${count} loaded row`);
    const shown = await flows.rowsShown();

    const csv = await flows.export('csv');
    expect(csv.name).toMatch(/^flowsight-flows-\d{8}-\d{6}Z\.csv$/);
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual(CSV_HEADER);
    const col = (name: string) => header.indexOf(name);
    expect(rows).toHaveLength(count);
    expect(rows.every((r) => r[col('verdict')] === 'DROPPED')).toBe(true);
    expect(rows.slice(0, shown.length).map((r) => r[col('uuid')])).toEqual(shown.map((r) => r.uuid));

    const json = await flows.export('json');
    const doc = JSON.parse(json.text) as FlowExportJson;
    expect(doc.count).toBe(count);
    expect(doc.flows.map((f) => f.uuid)).toEqual(rows.map((r) => r[col('uuid')]));
    // The file records the search with the window as absolute times, not "the last 15 minutes".
    const filter = new URLSearchParams(doc.filter);
    expect(filter.get('q')).toBe('verdict:dropped');
    expect(Date.parse(filter.get('since') ?? '')).toBeGreaterThan(Date.now() - 16 * 60_000);
    expect(Date.parse(filter.get('until') ?? '')).toBeLessThanOrEqual(Date.now());
  });

  test('a slow search shows progress and can be cancelled; the previous results stay and the page keeps working', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open(`q=${encodeURIComponent('verdict:forwarded')}&since=15m`);
    await rowsWhen(flows, (rows) => rows.length > 3);
    const previous = (await flows.rowsShown()).map((r) => r.uuid);

    // The next search is held back by the network for 20 s: slow, honestly.
    const aborted: string[] = [];
    page.on('requestfailed', (r) => {
      if (r.url().includes('to-ns%3Akube-system')) aborted.push(r.failure()?.errorText ?? '');
    });
    await page.route(/\/api\/flows(\/histogram)?\?.*to-ns%3Akube-system/, async (route) => {
      await new Promise((r) => setTimeout(r, 20_000));
      await route.continue().catch(() => undefined);
    });
    await flows.search('verdict:forwarded to-ns:kube-system');
    const progress = page.getByTestId('query-progress').locator('visible=true');
    await expect(progress).toBeVisible();
    await expect(progress).toContainText(/Searching… \d+\.\d s/);
    await page.getByTestId('query-cancel').locator('visible=true').click();

    await expect(page.getByTestId('query-cancelled').locator('visible=true')).toContainText('Search cancelled after');
    await expect(progress).toHaveCount(0);
    // The same rows, from the top (the notice above the table may push the last one off screen).
    const kept = (await flows.rowsShown()).map((r) => r.uuid);
    expect(kept.length).toBeGreaterThan(3);
    expect(kept).toEqual(previous.slice(0, kept.length));
    await expect.poll(() => aborted.length).toBeGreaterThan(0);

    // The page is usable: another search runs and answers.
    await page.unroute(/\/api\/flows(\/histogram)?\?.*to-ns%3Akube-system/);
    await flows.search('verdict:forwarded to-ns:payments');
    await rowsWhen(flows, (rows) => rows.every((r) => r.destination.startsWith('payments/')));
    await expect(page.getByTestId('query-cancelled')).toHaveCount(0);
  });
});
