import { expect, test } from '@playwright/test';
import { FlowsPage } from './pages/flows-page';
import { OverviewPage } from './pages/overview-page';

// Issue 14, part 2: AUDIT flows read "would be denied when enforced", with the policy that would deny them.
// The demo trials monitoring-egress-lockdown in audit mode: grafana -> grafana.com:443 and
// prometheus -> kube-system/metrics-server:4443 pass as AUDIT.
const LOCKDOWN = 'CiliumNetworkPolicy monitoring/monitoring-egress-lockdown';

test.describe('audit awareness', () => {
  test("the overview counts monitoring's AUDIT flows for monitoring only, naming the policy that would deny them", async ({ page }) => {
    const overview = new OverviewPage(page);
    await overview.open();
    const monitoring = overview.namespaceAudit('monitoring');
    await expect(monitoring.getByTestId('ns-audit-policy')).toHaveText(['monitoring-egress-lockdown']);
    await expect.poll(async () => Number(await monitoring.getByTestId('ns-audit-count').textContent())).toBeGreaterThan(0);
    // Denied at monitoring's egress: the destination's namespace (kube-system) is not charged with them.
    await expect(page.getByTestId('ns-row-kube-system')).toBeVisible();
    await expect(overview.namespaceAudit('kube-system')).toHaveCount(0);
  });

  test('an AUDIT flow in /flows reads "would be denied when enforced", and its drawer names the policy', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open(`q=${encodeURIComponent('verdict:audit from-ns:monitoring')}&live=1`);
    await expect.poll(async () => {
      const v = await flows.verdictsShown();
      return v.length > 0 && v.every((x) => x === 'AUDIT');
    }).toBe(true);
    await flows.pause();
    const row = flows.rows().locator('visible=true').first();
    await expect(row.getByTestId('verdict-badge')).toHaveText('audit: would be denied');
    await expect(row.getByTestId('flow-decided-by')).toContainText('would be denied when enforced');
    await row.click();
    const drawer = page.getByTestId('flow-detail').locator('visible=true');
    await expect(drawer.getByTestId('flow-audit')).toContainText(`would be denied when enforced by ${LOCKDOWN} (default deny at egress)`);
    await expect(drawer.getByTestId('why-verdict')).toHaveText('audit: would be denied when enforced');
    await expect(drawer.getByTestId('why-summary')).toContainText(`by ${LOCKDOWN}`);
  });
});
