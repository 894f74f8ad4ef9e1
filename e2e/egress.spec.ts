import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { EgressPage } from './pages/egress-page';
import { MapPage } from './pages/map-page';

// Issue 12, item 9: one table of every workload that reaches the internet, with each layer's verdict and rule.
test.describe('Egress page', () => {
  test('is in the navigation and lists legacy-app → pypi.org as denied by the firewall, naming the rule', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('navigation').getByRole('link', { name: 'Egress' }).click();
    await expect(page).toHaveURL(/\/egress$/);
    const egress = new EgressPage(page);
    await expect(egress.table()).toBeVisible();
    const pypi = egress.row('legacy/legacy-app', 'pypi.org');
    await expect(pypi).toBeVisible({ timeout: 30_000 });
    await expect(pypi).toHaveAttribute('data-verdict', 'denied');
    await expect(pypi).toHaveAttribute('data-decided-by', 'firewall');
    // Network policy lets it out of the pod; the firewall is what stops it.
    await expect(egress.cell(pypi, 'policy')).toHaveAttribute('data-verdict', 'allowed');
    await expect(egress.cell(pypi, 'firewall')).toHaveAttribute('data-verdict', 'denied');
    await expect(egress.rule(pypi, 'firewall')).toHaveText('aks-egress-fw: default deny (no rule matched)');
    await expect(pypi.getByTestId('egress-decision')).toContainText('denied by Azure Firewall');
    await expect(pypi.getByTestId('egress-forwarded')).not.toHaveText('0');
  });

  test('a connection open at every layer comes first, and the counts say how many there are', async ({ page }) => {
    const egress = new EgressPage(page);
    await egress.open();
    const github = egress.row('legacy/legacy-app', 'api.github.com');
    await expect(github).toBeVisible({ timeout: 30_000 });
    await expect(github).toHaveAttribute('data-verdict', 'allowed');
    for (const layer of ['policy', 'nsg', 'firewall'] as const) await expect(egress.cell(github, layer)).toHaveAttribute('data-verdict', 'allowed');
    await expect(egress.rule(github, 'firewall')).toContainText('allow-all-com');
    await expect(page.getByTestId('summary-open')).toContainText('open at every layer');
    expect(await egress.summaryCount('open')).toBeGreaterThan(0);
    expect(await egress.summaryCount('workloads')).toBeGreaterThanOrEqual(3);
    // Dangerous first: open rows, then audit, unknown, denied.
    const rank: Record<string, number> = { allowed: 0, audit: 1, unknown: 2, denied: 3 };
    const verdicts = (await egress.shownRows()).map((r) => rank[r.verdict]);
    expect(verdicts[0]).toBe(0);
    expect(verdicts).toEqual([...verdicts].sort((a, b) => a - b));
  });

  test('filters by namespace, verdict and text, and the URL keeps the filter', async ({ page }) => {
    const egress = new EgressPage(page);
    await egress.open();
    await expect(egress.row('payments/payments-api', 'api.stripe.com')).toBeVisible({ timeout: 30_000 });
    await expect(egress.row('legacy/legacy-app', 'pypi.org')).toBeVisible();
    await egress.filterNamespace('legacy');
    await expect(page).toHaveURL(/ns=legacy/);
    await expect(egress.row('payments/payments-api', 'api.stripe.com')).toHaveCount(0);
    const legacy = await egress.shownRows();
    expect(legacy.length).toBeGreaterThanOrEqual(2);
    expect(legacy.every((r) => r.workload.startsWith('legacy/'))).toBe(true);
    await page.reload();
    await expect(egress.row('legacy/legacy-app', 'pypi.org')).toBeVisible();
    await expect(page.getByTestId('egress-filter-namespace')).toHaveValue('legacy');
    expect((await egress.shownRows()).every((r) => r.workload.startsWith('legacy/'))).toBe(true);

    await egress.filterVerdict('denied');
    await expect.poll(async () => (await egress.shownRows()).map((r) => `${r.workload} ${r.destination}`)).toEqual(['legacy/legacy-app pypi.org']);
    await egress.filterVerdict('');
    // Plain text, not a pattern: "PyPI" finds pypi.org, ".*" finds nothing.
    await egress.search('PyPI');
    await expect.poll(async () => (await egress.shownRows()).map((r) => r.destination)).toEqual(['pypi.org']);
    await egress.search('.*');
    await expect(egress.rows()).toHaveCount(0);
  });

  test("a row's map link opens the map with that edge selected", async ({ page }) => {
    const egress = new EgressPage(page);
    await egress.open('ns=legacy');
    const pypi = egress.row('legacy/legacy-app', 'pypi.org');
    await expect(pypi).toBeVisible({ timeout: 30_000 });
    const edgeId = 'legacy/legacy-app|world:pypi.org|443|TCP';
    await expect(pypi).toHaveAttribute('data-edge', edgeId);
    await pypi.getByTestId('egress-map-link').click();
    await expect(page).toHaveURL(/\/map\?select=legacy%2Flegacy-app%7Cworld%3Apypi.org%7C443%7CTCP$/);
    const map = new MapPage(page);
    await expect(map.panel()).toContainText('legacy/legacy-app → world:pypi.org');
    await page.waitForFunction((id) => window.__flowsightCy?.getElementById(id).selected() ?? false, edgeId);
  });

  test('exports the shown rows as CSV', async ({ page }) => {
    const egress = new EgressPage(page);
    await egress.open('ns=legacy');
    await expect(egress.row('legacy/legacy-app', 'pypi.org')).toBeVisible({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('egress-export').click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^workload,destination,port,protocol,/);
    expect(lines.length - 1).toBe(await egress.rows().count());
    expect(lines.find((l) => l.startsWith('legacy/legacy-app,pypi.org,443,TCP,'))).toContain('aks-egress-fw: default deny (no rule matched)');
    expect(lines.slice(1).every((l) => l.startsWith('legacy/'))).toBe(true);
  });

  test('the API is not cached and bounds its rows', async ({ request }) => {
    const res = await request.get('/api/egress');
    expect(res.status()).toBe(200);
    expect(res.headers()['cache-control']).toBe('no-store');
    const body = (await res.json()) as { rows: unknown[]; maxRows: number; capped: boolean; totalEdges: number };
    expect(body.maxRows).toBe(2000);
    expect(body.capped).toBe(false);
    expect(body.rows.length).toBe(body.totalEdges);
  });
});
