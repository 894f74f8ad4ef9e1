import { expect, test } from '@playwright/test';
import { FlowsPage } from './pages/flows-page';

test.describe('flows page: live tail', () => {
  test('tails live flows and narrows them with a query', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('live=1');
    await expect(flows.rows().first()).toBeVisible();
    await flows.search('verdict:dropped');
    await expect(page).toHaveURL(/q=verdict%3Adropped&live=1/);
    await expect.poll(async () => {
      const v = await flows.verdictsShown();
      return v.length > 0 && v.every((x) => x === 'DROPPED');
    }).toBe(true);
    // Pause the tail first, as a person would before reading a row: rows stop moving under the pointer.
    await flows.pause();
    await flows.rows().locator('visible=true').first().click();
    await expect(page.getByTestId('flow-detail').locator('visible=true')).toContainText('DROPPED');
  });

  // Issue 12 (daily workflow), item 1: fetched flows and streamed flows overlapped, so rows were
  // drawn twice on top of each other and times went out of order. Old filter links (issue 10) are
  // translated into the same query and tail the same way.
  for (const how of ['a direct URL load', 'an old filter link', 'typing the query'] as const) {
    test(`each flow is listed once, newest first, after ${how}`, async ({ page }) => {
      const flows = new FlowsPage(page);
      if (how === 'a direct URL load') {
        await flows.open(`q=${encodeURIComponent('ns:payments verdict:dropped proto:udp')}&live=1`);
      } else if (how === 'an old filter link') {
        await flows.open('namespace=payments&verdict=DROPPED&protocol=udp');
        await expect(page.getByTestId('legacy-notice').locator('visible=true')).toContainText('ns:payments verdict:dropped proto:udp');
        await expect(page).toHaveURL(/\?q=ns%3Apayments\+verdict%3Adropped\+proto%3Audp&live=1$/);
        await expect(flows.queryBox()).toHaveValue('ns:payments verdict:dropped proto:udp');
      } else {
        await flows.open('live=1');
        await expect(flows.rows().first()).toBeVisible();
        await flows.search('ns:payments verdict:dropped');
      }
      await expect(flows.rows().first()).toBeVisible();
      // Let the stream deliver a few batches on top of the initial fetch.
      await page.waitForTimeout(2500);
      const rows = await flows.rowsShown();
      expect(rows.length).toBeGreaterThan(3);
      expect(rows.every((r) => r.verdict === 'DROPPED')).toBe(true);
      expect(new Set(rows.map((r) => r.uuid)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => Math.round(r.top))).size).toBe(rows.length);
      for (let i = 1; i < rows.length; i++) expect(rows[i].time).toBeLessThanOrEqual(rows[i - 1].time);
    });
  }

  test('an invalid filter in the URL shows a clear message at its column and nothing else breaks', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('port=http&verdict=DROPPED');
    // The old link reads `port:http verdict:dropped`: the port value is wrong, at column 6.
    await expect(flows.queryError()).toContainText('port');
    await expect(flows.queryError()).toHaveAttribute('data-column', '6');
    await expect(page.getByTestId('relay-state')).toContainText('connected');
    await expect(flows.rows()).toHaveCount(0);
  });
});
