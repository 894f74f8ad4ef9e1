import { expect, test } from '@playwright/test';
import { FlowsPage } from './pages/flows-page';

test.describe('flows page', () => {
  test('tails live flows and filters by verdict', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open();
    await expect(flows.rows().first()).toBeVisible();
    await flows.filterVerdict('DROPPED');
    await expect.poll(async () => {
      const v = await flows.verdictsShown();
      return v.length > 0 && v.every((x) => x === 'DROPPED');
    }).toBe(true);
    // Pause the tail first, as a person would before reading a row: rows stop moving under the pointer.
    await page.getByTestId('pause').click();
    await expect(page.getByTestId('pause')).toContainText('resume');
    await flows.rows().first().click();
    await expect(page.getByTestId('flow-detail')).toContainText('DROPPED');
  });

  // Issue 12 (daily workflow), item 1: fetched flows and streamed flows overlapped, so rows were
  // drawn twice on top of each other and times went out of order.
  for (const how of ['a direct URL load', 'applying a filter'] as const) {
    test(`each flow is listed once, newest first, after ${how}`, async ({ page }) => {
      const flows = new FlowsPage(page);
      if (how === 'a direct URL load') {
        await flows.open('namespace=payments&verdict=DROPPED&protocol=udp');
      } else {
        await flows.open();
        await expect(flows.rows().first()).toBeVisible();
        await page.getByTestId('filter-namespace').fill('payments');
        await flows.filterVerdict('DROPPED');
      }
      await expect(flows.rows().first()).toBeVisible();
      // Let the stream deliver a few batches on top of the initial fetch.
      await page.waitForTimeout(2500);
      const rows = await flows.rowsShown();
      expect(rows.length).toBeGreaterThan(3);
      expect(new Set(rows.map((r) => r.uuid)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => Math.round(r.top))).size).toBe(rows.length);
      for (let i = 1; i < rows.length; i++) expect(rows[i].time).toBeLessThanOrEqual(rows[i - 1].time);
    });
  }

  test('an invalid filter in the URL shows a clear message and nothing else breaks', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('port=http&verdict=DROPPED');
    await expect(page.getByTestId('filter-error')).toContainText('invalid filter "port"');
    await expect(page.getByTestId('relay-state')).toContainText('connected');
  });
});
