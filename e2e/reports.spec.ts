/**
 * The /reports page as an auditor's helper uses it: choose a range and the namespaces, generate with a
 * progress bar, find the report at the top of the list with its files, and open its print view, which
 * says what the PDF says. A second report while one is being made is refused in words.
 */

import { expect, test } from '@playwright/test';

test.describe('evidence reports page', () => {
  test.describe.configure({ timeout: 180_000, mode: 'serial' });

  test.beforeAll(async ({ request }) => {
    // The history must hold some of the demo's flows for the range.
    await expect.poll(async () => (await (await request.get('/api/flows?q=ns:legacy&since=1h&limit=1')).json()).flows.length, { timeout: 60_000 }).toBeGreaterThan(0);
  });

  test('generates a namespace report with progress, lists it with its files, and opens its print view', async ({ page }) => {
    await page.goto('/reports');
    await page.getByTestId('report-range-1h').click();
    await page.getByTestId('report-scope-namespaces').check();
    await page.locator('[data-testid="report-namespace-option"][data-namespace="legacy"]').check();
    // The form lives in the URL, so the request can be pasted.
    await expect(page).toHaveURL(/scope=namespaces/);
    await expect(page).toHaveURL(/ns=legacy/);

    await page.getByTestId('report-generate').click();
    const bar = page.getByTestId('report-progress');
    await expect(bar).toBeVisible();
    await expect(page.getByTestId('report-progress-step')).not.toBeEmpty();
    await expect(page.getByTestId('report-generate')).toBeDisabled();

    const result = page.getByTestId('report-result');
    await expect(result).toBeVisible({ timeout: 120_000 });
    await expect(result).toHaveAttribute('data-complete', 'true');
    const id = (await result.getAttribute('data-id'))!;
    expect(id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{8}$/);

    // At the top of the list, with every file of the bundle.
    const row = page.getByTestId('report-row').first();
    await expect(row).toHaveAttribute('data-id', id);
    await expect(row).toContainText('legacy');
    for (const name of ['report.pdf', 'map.png', 'report.json']) {
      const href = (await row.getByTestId(`report-file-${name}`).getAttribute('href'))!;
      const res = await page.request.get(href);
      expect(res.status(), name).toBe(200);
      expect(res.headers()['content-disposition']).toContain('attachment');
      if (name === 'report.pdf') expect((await res.body()).subarray(0, 5).toString()).toBe('%PDF-');
      if (name === 'map.png') expect((await res.body()).subarray(1, 4).toString()).toBe('PNG');
    }
    const json = (await (await page.request.get(`/api/reports/${id}/report.json`)).json()) as { scope: unknown; findings: { key: string }[] };
    expect(json.scope).toEqual({ kind: 'namespaces', namespaces: ['legacy'] });

    // The print view: the document the PDF is printed from, with its findings and the coverage table.
    await row.getByTestId('report-view').click();
    await expect(page).toHaveURL(new RegExp(`/reports/${id}/print$`));
    const doc = page.getByTestId('evidence-document');
    await expect(doc).toHaveAttribute('data-ready', 'true');
    await expect(doc).toContainText('unprotected-namespace:legacy');
    await expect(page.getByTestId('coverage-table')).toContainText('legacy');
    // A namespace report does not claim anything about the cluster-wide NSG layer.
    await expect(doc).toContainText(/NOT EVALUATED/i);
    const img = page.locator(`img[src="/api/reports/${id}/map.png"]`);
    await expect(img).toBeVisible();
    expect(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1600);
  });

  test('a report for an unknown id is not found, and a second report while one runs is refused in words', async ({ page }) => {
    const missing = await page.goto('/reports/20200101-000000-00000000/print');
    expect(missing!.status()).toBe(404);
    expect((await page.request.get('/api/reports/20200101-000000-00000000/report.json')).status()).toBe(404);
    expect((await page.request.get('/api/reports/..%2F..%2Fetc/report.json')).status()).toBe(404);
    expect((await page.request.get('/api/reports/20200101-000000-00000000/..%2F..%2Fpackage.json')).status()).toBe(404);
    // A namespace the cluster does not have is refused before anything runs, naming it.
    const typo = await page.request.post('/api/reports', { data: { since: '30m', namespaces: ['no-such-namespace'] } });
    expect(typo.status()).toBe(400);
    expect(((await typo.json()) as { detail: string }).detail).toContain('the cluster has no namespace no-such-namespace');
    const future = await page.request.post('/api/reports', { data: { since: '30m', until: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(future.status()).toBe(400);

    await page.goto('/reports?since=1h');
    // Start one through the API (it runs for several seconds), then ask for another from the page.
    const first = page.request.post('/api/reports', { data: { since: '30m' } });
    await expect.poll(async () => ((await (await page.request.get('/api/reports')).json()) as { inProgress: number }).inProgress, { timeout: 10_000, intervals: [100] }).toBe(1);
    await page.getByTestId('report-generate').click();
    await expect(page.getByTestId('report-error')).toContainText('another evidence report is being made');
    const answer = await first;
    expect(answer.ok()).toBe(true);
    const last = JSON.parse((await answer.text()).trim().split('\n').at(-1)!) as { type: string; result?: { complete: boolean } };
    expect(last).toMatchObject({ type: 'result', result: { complete: true } });
  });
});
