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

  test('an invalid filter in the URL shows a clear message and nothing else breaks', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('port=http&verdict=DROPPED');
    await expect(page.getByTestId('filter-error')).toContainText('invalid filter "port"');
    await expect(page.getByTestId('relay-state')).toContainText('connected');
  });
});
