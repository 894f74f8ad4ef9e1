import { expect, test } from '@playwright/test';
import { CSV_HEADER } from '../lib/flows/flow-export';
import type { FlowExportJson } from '../lib/flows/flow-export';
import { parseCsv } from '../lib/flows/testing/parse-csv';
import { FlowsPage } from './pages/flows-page';

// Issue 12 (daily workflow), items 5 and 10: from/to filters as `hubble observe`, an empty result
// that explains itself, and the flows table as evidence (CSV and JSON downloads).

test.describe('flows workflow', () => {
  test('to-namespace and from-namespace restrict the end they name, and a link reproduces the view', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open();
    await expect(flows.rows().first()).toBeVisible();

    await flows.applyFilters({ toNamespace: 'payments' });
    await expect(page).toHaveURL(/[?&]toNamespace=payments(&|$)/);
    // Every destination is in payments; the sources are not held to it (legacy calls payments).
    await expect.poll(async () => {
      const rows = await flows.rowsShown();
      return rows.length > 3 && rows.every((r) => r.destination.startsWith('payments/')) && rows.some((r) => !r.source.startsWith('payments/'));
    }).toBe(true);

    // The URL alone brings the same view back, with the form showing the filter.
    await page.reload();
    await expect(flows.filterInput('toNamespace')).toHaveValue('payments');
    await expect.poll(async () => {
      const rows = await flows.rowsShown();
      return rows.length > 0 && rows.every((r) => r.destination.startsWith('payments/'));
    }).toBe(true);

    // The other end: every source in payments, destinations elsewhere too (kube-dns, stripe).
    await flows.filterInput('toNamespace').fill('');
    await flows.applyFilters({ fromNamespace: 'payments' });
    await expect(page).toHaveURL(/[?&]fromNamespace=payments(&|$)/);
    await expect(page).not.toHaveURL(/toNamespace/);
    await expect.poll(async () => {
      const rows = await flows.rowsShown();
      return rows.length > 3 && rows.every((r) => r.source.startsWith('payments/')) && rows.some((r) => !r.destination.startsWith('payments/'));
    }).toBe(true);
  });

  test('an invalid to-port gets the clear filter error', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open();
    await flows.applyFilters({ toPort: 'postgres' });
    await expect(page.getByTestId('filter-error')).toContainText('invalid filter "toPort"');
    await expect(flows.rows()).toHaveCount(0);
  });

  test('protocol dns with verdict DROPPED explains that dropped packets have no DNS layer, and the suggestion finds them', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open();
    await expect(flows.rows().first()).toBeVisible();
    await flows.applyFilters({ protocol: 'dns', verdict: 'DROPPED' });

    const panel = flows.emptyExplanation();
    await expect(panel).toBeVisible();
    await expect(panel).toContainText('The flow itself must have verdict DROPPED AND protocol dns.');
    const hint = panel.locator('[data-code="dns-dropped"]');
    await expect(hint).toContainText('Dropped packets carry no DNS layer');
    await expect(hint).toContainText('port 53/udp');
    await expect(flows.rows()).toHaveCount(0);

    await hint.getByTestId('empty-suggestion').click();
    await expect(page).toHaveURL(/toPort=53/);
    await expect(page).toHaveURL(/protocol=udp/);
    // The dropped DNS queries are there, as UDP to port 53 (payments has no DNS egress rule).
    await expect.poll(async () => {
      const rows = await flows.rowsShown();
      return rows.length > 0 && rows.every((r) => r.verdict === 'DROPPED');
    }).toBe(true);
    await expect(page.getByTestId('flow-row').first()).toContainText('53/UDP');
    await expect(flows.emptyExplanation()).toHaveCount(0);
  });

  test('namespace and port without a side explain that they must match the same end', async ({ page }) => {
    const flows = new FlowsPage(page);
    // payments calls kube-dns on 53, but no payments pod listens on or sends from 53.
    await flows.open('namespace=payments&port=53&verdict=FORWARDED');
    const panel = flows.emptyExplanation();
    await expect(panel).toContainText('namespace payments AND port 53 must match the SAME end of a flow');
    await expect(panel.locator('[data-code="same-end"]')).toContainText('from namespace payments to port 53');
  });

  test('exports the table as CSV and JSON: the same flows, in the order shown', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('verdict=DROPPED');
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
    expect(doc.filter).toBe('verdict=DROPPED');
    expect(doc.count).toBe(count);
    expect(doc.flows.map((f) => f.uuid)).toEqual(rows.map((r) => r[col('uuid')]));
  });
});
