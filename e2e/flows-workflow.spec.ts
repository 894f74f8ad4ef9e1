import { expect, test } from '@playwright/test';
import { CSV_HEADER } from '../lib/flows/flow-export';
import type { FlowExportJson } from '../lib/flows/flow-export';
import { parseCsv } from '../lib/flows/testing/parse-csv';
import { FlowsPage } from './pages/flows-page';

// Issue 12 (daily workflow), items 5 and 10: from/to as `hubble observe`, an empty result that
// explains itself, and the flows table as evidence (CSV and JSON downloads); since issue 10 with
// the query language on the live tail.

test.describe('flows workflow', () => {
  test('to-ns and from-ns restrict the end they name, and a link reproduces the view', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('live=1');
    await expect(flows.rows().first()).toBeVisible();

    await flows.search('to-ns:payments');
    await expect(page).toHaveURL(/[?&]q=to-ns%3Apayments(&|$)/);
    // Every destination is in payments; the sources are not held to it (legacy calls payments).
    await expect.poll(async () => {
      const rows = await flows.rowsShown();
      return rows.length > 3 && rows.every((r) => r.destination.startsWith('payments/')) && rows.some((r) => !r.source.startsWith('payments/'));
    }).toBe(true);

    // The URL alone brings the same view back, with the box showing the query.
    await page.reload();
    await expect(flows.queryBox()).toHaveValue('to-ns:payments');
    await expect.poll(async () => {
      const rows = await flows.rowsShown();
      return rows.length > 0 && rows.every((r) => r.destination.startsWith('payments/'));
    }).toBe(true);

    // The other end: every source in payments, destinations elsewhere too (kube-dns, stripe).
    await flows.search('from-ns:payments');
    await expect(page).toHaveURL(/[?&]q=from-ns%3Apayments(&|$)/);
    await expect.poll(async () => {
      const rows = await flows.rowsShown();
      return rows.length > 3 && rows.every((r) => r.source.startsWith('payments/')) && rows.some((r) => !r.destination.startsWith('payments/'));
    }).toBe(true);
  });

  test('an invalid to-port is marked in the box and the last good search keeps running', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('q=verdict%3Adropped&live=1');
    await expect(flows.rows().first()).toBeVisible();
    await flows.search('verdict:dropped to-port:postgres');
    await expect(flows.queryError()).toContainText('to-port');
    await expect(flows.queryError()).toHaveAttribute('data-column', '25');
    await expect(page).toHaveURL(/q=verdict%3Adropped&live=1$/);
    expect((await flows.verdictsShown()).every((v) => v === 'DROPPED')).toBe(true);
  });

  test('dropped DNS explains that dropped packets have no DNS layer, and the suggestion finds them', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open(`q=${encodeURIComponent('from-ns:payments verdict:dropped proto:dns')}&since=15m`);
    const panel = flows.emptyExplanation();
    await expect(panel).toBeVisible();
    await expect(panel).toContainText('No flows match this query in the last 15 min');
    const hint = panel.locator('[data-code="dns-dropped"]');
    await expect(hint).toContainText('Dropped packets carry no DNS layer');
    await expect(hint).toContainText('port 53/udp');
    await expect(flows.rows()).toHaveCount(0);

    await hint.getByTestId('empty-suggestion').click();
    await expect(page).toHaveURL(/q=from-ns%3Apayments\+verdict%3Adropped\+proto%3Audp\+to-port%3A53/);
    // The dropped DNS queries are there, as UDP to port 53 (payments has no DNS egress rule).
    await expect.poll(async () => {
      const rows = await flows.rowsShown();
      if (rows.length > 0) return rows.every((r) => r.verdict === 'DROPPED');
      await flows.refresh();
      return false;
    }, { timeout: 30_000, intervals: [1000, 2000] }).toBe(true);
    await expect(page.getByTestId('flow-row').locator('visible=true').first()).toContainText('53/UDP');
    await expect(flows.emptyExplanation()).toHaveCount(0);
  });

  test('exports the live table as CSV and JSON: the same flows, in the order shown', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('q=verdict%3Adropped&live=1');
    await expect(flows.rows().first()).toBeVisible();
    await expect.poll(() => flows.flowCount()).toBeGreaterThan(10);
    await flows.pause();
    const count = await flows.flowCount();
    const shown = await flows.rowsShown();
    expect(shown.length).toBeGreaterThan(5);

    const csv = await flows.export('csv');
    expect(csv.name).toMatch(/^flowsight-flows-\d{8}-\d{6}Z\.csv$/);
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual(CSV_HEADER);
    const col = (name: string) => header.indexOf(name);
    expect(rows).toHaveLength(count);
    expect(rows.every((r) => r[col('verdict')] === 'DROPPED')).toBe(true);
    // The rows on screen are the file's first rows, in the same order and with the same peers.
    expect(rows.slice(0, shown.length).map((r) => ({ uuid: r[col('uuid')], source: r[col('source')], destination: r[col('destination')] }))).toEqual(
      shown.map((r) => ({ uuid: r.uuid, source: r.source, destination: r.destination })),
    );

    const json = await flows.export('json');
    expect(json.name).toMatch(/^flowsight-flows-\d{8}-\d{6}Z\.json$/);
    const doc = JSON.parse(json.text) as FlowExportJson;
    expect(doc.filter).toBe('q=verdict%3Adropped&live=1');
    expect(doc.count).toBe(count);
    expect(doc.flows.map((f) => f.uuid)).toEqual(rows.map((r) => r[col('uuid')]));
  });
});
