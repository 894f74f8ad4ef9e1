import { expect, test, type Page } from '@playwright/test';
import { parse, stringify } from 'yaml';
import { SimulatePage } from './pages/simulate-page';

// Issue 14, part 5: /simulate, "test before you enforce". A change (YAML, presets, deletions) is
// replayed against the window's stored traffic; DNS breakage first, then totals, the affected edges,
// a map by outcome; a recommendation is written, simulated and loaded into the editor; Cancel stops a
// running replay.

/** Every edge of the demo's legacy namespace that passes today (legacy has no policy at all). */
const LEGACY_PASSING = [
  'legacy/legacy-app|kube-system/coredns|53|UDP',
  'legacy/legacy-cron|legacy/legacy-app|8080|TCP',
  'legacy/legacy-app|payments/payments-api|8443|TCP',
  'legacy/legacy-app|world:api.github.com|443|TCP',
  'legacy/legacy-app|world:pypi.org|443|TCP',
  'legacy/legacy-cron|world:pastebin.com|443|TCP',
  'legacy/legacy-cron|world:mcr.microsoft.com|443|TCP',
];
const LEGACY_DNS = LEGACY_PASSING[0];
const FRONTEND_DNS = 'production/frontend|kube-system/coredns|53|UDP';
const RED = 'rgb(220,38,38)';

/** Waits until the history holds every edge a test replays (the store writes a block every 5 s; mcr.microsoft.com is the demo's rarest). */
async function waitForStoredTraffic(page: Page, edges: string[]): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/simulate/traffic?since=1h');
        if (!res.ok()) return `HTTP ${res.status()}`;
        const body = (await res.json()) as { connections: { source: { node: string }; destination: { node: string }; port: number; protocol: string }[] };
        const held = new Set(body.connections.map((c) => `${c.source.node}|${c.destination.node}|${c.port}|${c.protocol}`));
        return edges.filter((e) => !held.has(e));
      },
      { timeout: 60_000, intervals: [1000] },
    )
    .toEqual([]);
}

/** Collects Content-Security-Policy violations the page reports (CodeMirror injects its styles). */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

test.describe('simulate a policy change', () => {
  test.describe.configure({ timeout: 120_000 });

  test('malformed YAML is marked at its line and column, the list says where, and nothing can run', async ({ page, request }) => {
    const csp = cspViolations(page);
    const sim = new SimulatePage(page);
    await sim.open();
    await expect(sim.runButton()).toBeDisabled();
    const malformed = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: [broken\n  namespace: legacy\n';
    await sim.setYaml(malformed);
    await expect(sim.problems()).toBeVisible();
    const problems = await sim.problemList();
    const first = problems[0];
    expect(first.severity).toBe('error');
    expect(first.line).toBeGreaterThanOrEqual(4);
    expect(first.column).toBeGreaterThanOrEqual(1);
    expect(first.text).toContain(`line ${first.line}, column ${first.column}:`);
    await expect(sim.runButton()).toBeDisabled();
    // The editor marks the spot too (CodeMirror's lint range), and its styles were not blocked.
    await expect(page.getByTestId('change-editor').locator('.cm-lintRange-error').first()).toBeVisible();

    // The server reads the same text the same way: a 400 at the same line and column, nothing run.
    const res = await request.post('/api/simulate', { data: { change: { yaml: malformed } } });
    expect(res.status()).toBe(400);
    const body = (await res.json()) as { problems: { param: string; line: number; column: number }[] };
    expect(body.problems[0]).toMatchObject({ param: 'change.yaml', line: first.line, column: first.column });

    // Typing a fix key by key clears it.
    await sim.setYaml('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: legacy\n');
    await sim.typeYaml('spec:\n');
    await sim.typeYaml('podSelector: {}');
    await expect(sim.problems()).toHaveCount(0);
    await expect(sim.runButton()).toBeEnabled();
    // A policy the engine would reject is an error at its field, and Run is off again.
    await sim.setYaml('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: legacy\nspec:\n  podSelector: {}\n  policyTypes: [Sideways]\n');
    await expect(sim.problems()).toContainText('line 8, column 3');
    await expect(sim.runButton()).toBeDisabled();
    expect(csp).toEqual([]);
  });

  test('default deny on legacy over the last hour breaks exactly the legacy edges, DNS first, drawn red on the map', async ({ page }) => {
    const csp = cspViolations(page);
    await page.goto('/simulate');
    await waitForStoredTraffic(page, LEGACY_PASSING);
    const sim = new SimulatePage(page);
    await sim.open();
    await sim.chooseRange('1h');
    await expect(page).toHaveURL(/since=1h/);
    await sim.addDefaultDeny('legacy');
    const result = await sim.run();
    await expect(result).toHaveAttribute('data-breaks-traffic', 'true');

    // DNS breakage is called out on its own, before the totals and the table.
    const dns = sim.dnsBreakage();
    await expect(dns).toBeVisible();
    await expect(dns).toContainText('legacy/legacy-app → kube-system/coredns 53/UDP');
    expect(await sim.dnsEdges()).toEqual([LEGACY_DNS]);
    const dnsTop = (await dns.boundingBox())!.y;
    expect(dnsTop).toBeLessThan((await page.getByTestId('outcome-totals').boundingBox())!.y);
    expect(dnsTop).toBeLessThan((await page.getByTestId('affected-edges').boundingBox())!.y);

    // Exactly the edges legacy's pods use today break; nothing outside legacy does.
    const rows = await sim.affectedEdges();
    const breaking = rows.filter((r) => r.outcome === 'breaks');
    expect(breaking.every((r) => r.source.startsWith('legacy/'))).toBe(true);
    expect(breaking.map((r) => r.edge).sort()).toEqual([...LEGACY_PASSING].sort());
    expect(rows.find((r) => r.edge === LEGACY_DNS)?.dns).toBe(true);
    await expect(page.getByTestId('total-breaks')).toHaveAttribute('data-connections', /^[1-9]/);

    // The paths no flow took: legacy's open internet egress is closed too.
    await expect(page.locator('[data-testid="unobserved-path"][data-outcome="closed"][data-workload="legacy/legacy-app"]').first()).toBeVisible();

    // The map draws the breaking edges red, with a legend.
    await expect(page.getByTestId('outcome-legend')).toContainText('would break');
    expect((await sim.mapCounts()).breaks).toBe(LEGACY_PASSING.length);
    const drawn = await sim.mapEdges();
    expect((await sim.mapSize()).height).toBeGreaterThan(200);
    const red = drawn.filter((e) => e.outcome === 'breaks');
    expect(red.map((e) => e.id).sort()).toEqual([...LEGACY_PASSING].sort());
    expect(red.every((e) => e.lineColor.replace(/\s/g, '') === RED)).toBe(true);
    expect(drawn.filter((e) => e.outcome === 'unchanged').every((e) => e.lineColor.replace(/\s/g, '') !== RED)).toBe(true);
    await page.getByTestId('outcome-map').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/artifacts/simulate-default-deny-legacy.png' });

    // The result belongs to that change: once the change is edited it is marked stale until the next run.
    await expect(page.getByTestId('simulation-stale')).toHaveAttribute('data-stale', 'false');
    await sim.setYaml('# one more thought');
    await expect(page.getByTestId('simulation-stale')).toHaveAttribute('data-stale', 'true');
    await expect(page.getByTestId('simulation-stale')).toContainText('earlier change or window');
    expect(csp).toEqual([]);
  });

  test('replacing a policy with a copy that lost its DNS rule is flagged as DNS breakage', async ({ page }) => {
    await page.goto('/simulate');
    await waitForStoredTraffic(page, [FRONTEND_DNS]);
    const sim = new SimulatePage(page);
    await sim.open('since=1h');
    await sim.copyPolicy('production', 'allow-frontend-egress');
    await expect.poll(() => sim.yamlText()).toContain('name: allow-frontend-egress');

    // Edit the copy as a person would: drop the egress rule to port 53.
    const policy = parse(await sim.yamlText()) as { spec: { egress: { ports?: { port: number | string }[] }[] } };
    policy.spec.egress = policy.spec.egress.filter((r) => !(r.ports ?? []).some((p) => String(p.port) === '53'));
    expect(policy.spec.egress).toHaveLength(1);
    await sim.setYaml(stringify(policy));
    await expect(sim.problems()).toHaveCount(0);

    await sim.run();
    await expect(page.getByTestId('change-applied')).toContainText('replaces NetworkPolicy production/allow-frontend-egress');
    await expect(sim.dnsBreakage()).toContainText('production/frontend → kube-system/coredns 53/UDP');
    expect(await sim.dnsEdges()).toContain(FRONTEND_DNS);

    // The editor's text is what downloads.
    const file = await sim.download('download-yaml');
    expect(file.name).toBe('policy-change.yaml');
    expect(parse(file.text)).toEqual(policy);
  });

  test('a recommendation for production simulates with zero breakage, and loads into the simulator', async ({ page }) => {
    await page.goto('/simulate');
    await waitForStoredTraffic(page, ['production/frontend|production/api-server|8080|TCP', FRONTEND_DNS]);
    const sim = new SimulatePage(page);
    await sim.open('since=1h');
    const answer = await sim.recommend('production');
    await expect(page).toHaveURL(/tab=recommend/);
    await expect(page).toHaveURL(/ns=production/);

    await expect(answer.getByTestId('recommend-yaml')).toContainText('default-deny-all');
    const simulation = answer.getByTestId('recommend-simulation');
    await expect(simulation).toHaveAttribute('data-breaks-traffic', 'false');
    await expect(simulation.getByTestId('total-breaks')).toHaveAttribute('data-connections', '0');
    await expect(simulation.getByTestId('dns-breakage')).toHaveCount(0);
    expect((await sim.affectedEdges(simulation)).filter((r) => r.outcome === 'breaks')).toEqual([]);
    // Deployed vs observed: allow-prometheus-scrape admits the whole monitoring namespace; only prometheus ever scraped.
    await expect(answer.getByTestId('deployed-broader')).toContainText('NetworkPolicy production/allow-prometheus-scrape ingress rule 0');
    await expect(answer.getByTestId('deployed-broader')).toContainText('monitoring/grafana');
    const file = await sim.download('recommend-download');
    expect(file.name).toMatch(/^recommended-production-.*\.yaml$/);
    expect(file.text).toContain('kind: NetworkPolicy');

    // Edit in the simulator: the YAML and the deletions come along, and the same window still breaks nothing.
    await answer.getByTestId('recommend-edit').click();
    await expect(page).not.toHaveURL(/tab=recommend/);
    await expect.poll(() => sim.yamlText()).toContain('default-deny-all');
    await expect(page.getByTestId('change-delete').first()).toBeVisible();
    const result = await sim.run();
    await expect(result).toHaveAttribute('data-breaks-traffic', 'false');
    await expect(sim.dnsBreakage()).toHaveCount(0);
  });

  test('Cancel stops a running replay and the page goes back to idle', async ({ page }) => {
    const sim = new SimulatePage(page);
    await sim.open('since=1h');
    await sim.addDefaultDeny('legacy');
    // The demo's replay takes milliseconds: hold the answer so the replay is still running when Cancel is clicked.
    let held = false;
    await page.route('**/api/simulate', async () => {
      held = true;
    });
    const failed = page.waitForEvent('requestfailed', (r) => r.url().endsWith('/api/simulate'));
    await sim.runButton().click();
    await expect(sim.progress()).toBeVisible();
    await expect(sim.runButton()).toBeDisabled();
    expect(held).toBe(true);
    await sim.cancelButton().click();
    // The browser dropped the request (the server stops a replay whose request goes away).
    expect((await failed).failure()?.errorText).toMatch(/abort|cancel/i);
    await expect(sim.progress()).toHaveCount(0);
    await expect(page.getByTestId('replay-cancelled')).toBeVisible();
    await expect(sim.runButton()).toBeEnabled();

    // And a real run after it still answers.
    await page.unroute('**/api/simulate');
    await sim.run();
    await expect(page.getByTestId('replay-cancelled')).toHaveCount(0);
  });
});
