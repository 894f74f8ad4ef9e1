import { expect, test } from '@playwright/test';
import { FlowsPage } from './pages/flows-page';
import { MapPage } from './pages/map-page';
import { OverviewPage } from './pages/overview-page';

const LEGACY_TO_DB = 'legacy/legacy-app|production/postgres|5432|TCP';
const PROBE = 'host|production/frontend|8080|TCP';

test.describe('posture on the map', () => {
  test('namespace findings are written in the namespace box: legacy is unprotected with open egress, payments misses DNS', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    const label = (ns: string) => page.evaluate((id) => window.__flowsightCy!.getElementById(id).data('label') as string, `ns:${ns}`);
    await expect.poll(() => label('legacy')).toBe('legacy\n⚠ unprotected · open egress');
    expect(await label('payments')).toContain('DNS missing');
    expect(await label('payments')).toContain('no default deny');
    expect(await label('ingress-nginx')).toBe('ingress-nginx');
    // Drawn by cytoscape as part of the box: it moves and scales with it, and a fit keeps it on screen.
    const placed = await page.evaluate(() => {
      const cy = window.__flowsightCy!;
      const n = cy.getElementById('ns:legacy');
      const withLabel = n.renderedBoundingBox({ includeLabels: true });
      const box = n.renderedBoundingBox({ includeLabels: false });
      return { labelTop: withLabel.y1, boxTop: box.y1, color: n.style('color') };
    });
    expect(placed.labelTop).toBeLessThan(placed.boxTop);
    expect(placed.labelTop).toBeGreaterThanOrEqual(0);
    expect(placed.color).toBe('rgb(220,38,38)'); // the worst finding's severity (high)
    await page.screenshot({ path: 'test-results/artifacts/map-badges.png' });
  });

  test('the posture layer outlines unprotected namespaces and open-egress workloads, and is part of the link', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    const flagged = () => page.evaluate(() => window.__flowsightCy!.elements('.flagged').map((e) => e.id()).sort());
    expect(await flagged()).toEqual([]);
    await page.getByTestId('posture-layer').check();
    await expect(page).toHaveURL(/posture=1/);
    await expect.poll(flagged).toEqual(expect.arrayContaining(['ns:legacy', 'legacy/legacy-app', 'legacy/legacy-cron']));
    const ids = await flagged();
    expect(ids).not.toContain('ns:production');
    expect(ids).not.toContain('production/frontend');
    const border = await page.evaluate(() => window.__flowsightCy!.getElementById('ns:legacy').style('border-style'));
    expect(border).toBe('dashed');
    await page.reload();
    await page.waitForFunction(() => (window.__flowsightCy?.elements('.flagged').length ?? 0) > 0);
    await expect(page.getByTestId('posture-layer')).toBeChecked();
  });

  test('the edge panel explains why legacy -> postgres is denied: postgres ingress isolated by default-deny-all', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await page.waitForFunction((id) => window.__flowsightCy!.getElementById(id).nonempty(), LEGACY_TO_DB);
    await map.click(LEGACY_TO_DB);
    const why = map.panel().getByTestId('why-panel');
    await expect(why.getByTestId('why-verdict')).toHaveText('denied');
    await expect(why.getByTestId('why-summary')).toContainText('Denied at the ingress of production/postgres');
    await expect(why.getByTestId('why-ingress-state')).toHaveText('denied');
    await expect(why.getByTestId('why-ingress-text')).toContainText('isolated for ingress');
    await expect(why.getByTestId('why-ingress-isolated-by')).toContainText('default-deny-all');
    await expect(why.getByTestId('why-egress-text')).toContainText('not isolated, default allow');
    // The rules that would have to admit it, as written.
    await why.getByTestId('why-ingress-unmatched').locator('summary').first().click();
    await expect(why.getByTestId('why-ingress-unmatched')).toContainText('allow-db-from-api');
    await expect(why.getByTestId('why-ingress-unmatched')).toContainText('app: api-server');
    // The deciding policy links to the policies page.
    await why.getByTestId('why-ingress-isolated-by').getByText('default-deny-all').click();
    await expect(page).toHaveURL(/\/policies\?.*q=default-deny-all/);
    await expect(page.locator('[data-testid="policy-card"][data-name="default-deny-all"]')).toBeVisible();
  });

  test('an allowed edge names both deciding rules', async ({ page }) => {
    const map = new MapPage(page);
    const id = 'production/api-server|production/postgres|5432|TCP';
    await map.open();
    await page.waitForFunction((e) => window.__flowsightCy!.getElementById(e).nonempty(), id);
    await map.click(id);
    const why = map.panel().getByTestId('why-panel');
    await expect(why.getByTestId('why-verdict')).toHaveText('allowed');
    await expect(why.getByTestId('why-egress')).toContainText('allow-api-egress-to-db');
    await expect(why.getByTestId('why-egress')).toContainText('egress[0]');
    await expect(why.getByTestId('why-ingress')).toContainText('allow-db-from-api');
  });

  test('kubelet probes are explained as the host peer, never as an unknown pod', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await page.waitForFunction((id) => window.__flowsightCy!.getElementById(id).nonempty(), PROBE);
    await map.click(PROBE);
    const why = map.panel().getByTestId('why-panel');
    await expect(why.getByTestId('why-verdict')).toHaveText('allowed');
    await expect(why.getByTestId('why-egress-text')).toContainText('the node itself (host), not a pod');
    await expect(why.getByTestId('why-ingress-text')).toContainText('always reaches the pods it runs');
    await expect(why).not.toContainText(/unknown/i);
  });

  test('the flow detail explains a dropped flow with the same engine', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('verdict=DROPPED&fromNamespace=legacy&toNamespace=production&port=5432');
    await expect(flows.rows().first()).toBeVisible();
    await flows.rows().first().click();
    const why = page.getByTestId('flow-detail').getByTestId('why-panel');
    await expect(why.getByTestId('why-verdict')).toHaveText('denied');
    await expect(why.getByTestId('why-ingress-isolated-by')).toContainText('default-deny-all');
    await expect(why.getByTestId('why-disagrees')).toHaveCount(0);
  });
});

test.describe('posture on the overview', () => {
  test('scores per namespace and cluster-wide, every lost point linked to its finding', async ({ page }) => {
    const overview = new OverviewPage(page);
    await overview.open();
    const cluster = Number(await overview.clusterScore().textContent());
    expect(cluster).toBeGreaterThan(0);
    expect(cluster).toBeLessThan(100);
    await expect(overview.namespaceScore('ingress-nginx').getByTestId('ns-score-value')).toHaveText('100');
    // legacy's score is what its deductions leave (it drops further once flows to the internet are seen),
    // and each deduction points at a finding in the list.
    const legacy = overview.namespaceScore('legacy');
    const score = Number(await legacy.getByTestId('ns-score-value').textContent());
    expect(score).toBeLessThanOrEqual(55);
    const lost = await legacy.getByTestId('deduction-points').evaluateAll((els) => els.map((e) => Number((e.textContent ?? '').replace('−', ''))));
    expect(100 - lost.reduce((a, b) => a + b, 0)).toBe(score);
    const links = legacy.getByTestId('deduction-link');
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) await expect(page.locator(href)).toHaveAttribute('data-testid', 'finding');
    await links.filter({ hasText: 'unprotected-namespace:legacy' }).click();
    await expect(page).toHaveURL(/#finding-unprotected-namespace-legacy$/);
  });

  // Issue 12, item 11: the CLI scores the policies alone, the dashboard also the flows it observes; the
  // page says which, so the two numbers are not mistaken for a bug.
  test('the score says what it was computed from: the policies plus the flows observed since start', async ({ page }) => {
    const overview = new OverviewPage(page);
    await overview.open();
    const basis = overview.scoreBasis().filter({ visible: true });
    await expect(basis).toContainText("Score from the cluster's policies and pods");
    await expect(basis).toContainText(/plus [\d,]+ observed flows? over \d+ (s|min|h) received from the relay since the dashboard started/);
    await expect(basis).toContainText('`flowsight findings` without --flows scores the policies alone');
    expect(Number(await basis.getAttribute('data-observed-flows'))).toBeGreaterThan(0);
    const report = await (await page.request.get('/api/posture')).json();
    expect(report.basis).toMatchObject({ policies: true });
    expect(report.basis.observedFlows).toBeGreaterThan(0);
    expect(report.basis.flowWindow.to).toBeGreaterThanOrEqual(report.basis.flowWindow.from);
  });

  test('findings are ordered by severity and link to their objects on the map', async ({ page }) => {
    const overview = new OverviewPage(page);
    await overview.open();
    const order = ['critical', 'high', 'medium', 'low', 'info'];
    const severities = await overview.severities();
    expect(severities.length).toBeGreaterThan(5);
    expect(severities.map((s) => order.indexOf(s))).toEqual([...severities.map((s) => order.indexOf(s))].sort((a, b) => a - b));
    const keys = await overview.findingKeys();
    expect(severities[0]).toBe('high');
    expect(severities[keys.indexOf('unprotected-namespace:legacy')]).toBe('high');
    await overview.finding('open-egress:legacy/legacy-app').getByTestId('finding-map-link').click();
    await expect(page).toHaveURL(/\/map\?ns=legacy&select=legacy\/legacy-app/);
    await expect(page.getByTestId('side-panel')).toContainText('legacy/legacy-app');
  });

  // Issue 16, items 10 and 12: open-egress follows the egress path to the firewall, and no fix is
  // shown before the engine has applied it to the cluster and compared verdicts.
  test('open-egress names the firewall that denies what was seen, and every fix carries the engine check', async ({ page }) => {
    const overview = new OverviewPage(page);
    await overview.open();
    await expect(overview.finding('open-egress:legacy/legacy-app')).toContainText(/Azure Firewall[^.]*denie[sd] pypi\.org/);
    await expect(overview.finding('open-egress:legacy/legacy-app')).not.toContainText('did reach the internet');
    await expect.poll(async () => page.getByTestId('fix-check').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(
      expect.arrayContaining(['verified']),
    );
    const statuses = await page.getByTestId('fix-check').evaluateAll((els) => els.map((e) => e.getAttribute('data-status') ?? ''));
    for (const s of statuses) expect(['verified', 'narrowed', 'refused', 'pending']).toContain(s);
  });

  test('keeps the traffic, denied connections and relay sections below the posture', async ({ page }) => {
    const overview = new OverviewPage(page);
    await overview.open();
    await expect(page.getByRole('heading', { name: 'Traffic' })).toBeVisible();
    await expect(page.getByTestId('relay-status')).toContainText('demo relay');
    await expect(page.getByTestId('denied-list')).toBeVisible();
    await page.screenshot({ path: 'test-results/artifacts/overview-posture.png', fullPage: true });
  });
});
