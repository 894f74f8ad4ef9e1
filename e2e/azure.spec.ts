import { expect, test } from '@playwright/test';
import { AzurePage, LayerStripPart } from './pages/azure-page';
import { FlowsPage } from './pages/flows-page';
import { MapPage } from './pages/map-page';

test.describe('Azure page', () => {
  test('shows the demo NSG with the broad SSH rule flagged and the default rules marked', async ({ page }) => {
    const azure = new AzurePage(page);
    await azure.open();
    await expect(page.getByTestId('nsg-detail')).toHaveAttribute('data-nsg', 'aks-agentpool-31415926-nsg');
    const ssh = azure.nsgRule('allow-ssh-from-anywhere');
    await expect(ssh).toHaveAttribute('data-flagged', 'critical');
    await expect(ssh).toContainText('Internet');
    await expect(ssh.getByTestId('rule-flag')).toContainText('nsg-open-inbound');
    await expect(azure.defaultRules()).toHaveCount(6);
    await expect(azure.nsgRule('DenyAllInBound')).toContainText('default');
  });

  // Issue 16, item 7: rules on service tags are evaluated from the published ranges; the page says which are loaded.
  test('names the service tag ranges it evaluates with, and none are missing in the demo', async ({ page }) => {
    const azure = new AzurePage(page);
    await azure.open();
    await expect(page.getByTestId('service-tags')).toContainText('Service tag ranges');
    await expect(page.getByTestId('service-tags')).toContainText('tags');
    await expect(page.getByTestId('unresolved-service-tag')).toHaveCount(0);
  });

  test('effective rules per subnet and NIC, selection kept in the URL', async ({ page }) => {
    const azure = new AzurePage(page);
    await azure.open();
    await azure.tab('effective');
    await page.getByTestId('target-list').getByRole('button').filter({ hasText: 'nic' }).first().click();
    await expect(page).toHaveURL(/target=nic%3A/);
    await expect(page.getByTestId('effective-detail')).toContainText('Inbound (subnet NSG, then NIC NSG)');
    await page.reload();
    await expect(page.getByTestId('effective-detail')).toHaveAttribute('data-target', /^nic:/);
  });

  test('draws the egress path through the route table to the firewall', async ({ page }) => {
    const azure = new AzurePage(page);
    await azure.open('tab=egress');
    await expect(azure.egressPath()).toHaveAttribute('data-kind', 'firewall');
    await expect(azure.egressPath().getByTestId('egress-node-route')).toContainText('aks-egress-rt');
    await expect(azure.egressPath().getByTestId('egress-node-firewall')).toContainText('aks-egress-fw');
    await expect(azure.egressPath().getByTestId('egress-node-internet')).toBeVisible();
  });

  test('firewall rules carry hit counts from observed flows, and the top denied FQDNs', async ({ page }) => {
    const azure = new AzurePage(page);
    await azure.open('tab=firewall');
    await expect(azure.firewallRule('allow-all-com').getByTestId('rule-flag')).toBeVisible();
    // The demo's legacy workloads reach api.github.com and pastebin.com: the *.com wildcard decides them.
    await expect.poll(() => azure.hits('allow-all-com'), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(page.getByTestId('top-denied').locator('[data-fqdn="pypi.org"]')).toBeVisible({ timeout: 30_000 });
  });

  test('findings list the SSH rule and the too-broad firewall rule', async ({ page }) => {
    const azure = new AzurePage(page);
    await azure.open('tab=findings');
    await expect(page.locator('[data-testid="azure-finding"][data-key="nsg-open-inbound:aks-agentpool-31415926-nsg/allow-ssh-from-anywhere"]')).toBeVisible();
    await expect(page.locator('[data-testid="azure-finding"][data-key="firewall-rule-too-broad:aks-egress-fw/dev-convenience/allow-all-com"]')).toContainText('az network firewall policy');
  });
});

test.describe('three-layer strip', () => {
  test('on a flow to api.github.com: NSG allows, no policy isolates legacy, the *.com firewall rule allows', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('toFqdn=api.github.com');
    await expect(flows.rows().first()).toBeVisible();
    await flows.rows().first().click();
    const strip = new LayerStripPart(page, page.getByTestId('flow-detail'));
    expect(await strip.verdicts()).toEqual({ nsg: 'allowed', policy: 'allowed', firewall: 'allowed' });
    await expect(strip.cell('firewall')).toContainText('allow-all-com');
    await expect(strip.cell('nsg')).toContainText('aks-agentpool-31415926-nsg');
  });

  test('on a flow to pypi.org the firewall denies by its default rule', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('toFqdn=pypi.org');
    await expect(flows.rows().first()).toBeVisible();
    await flows.rows().first().click();
    const strip = new LayerStripPart(page, page.getByTestId('flow-detail'));
    await expect(strip.cell('firewall')).toHaveAttribute('data-verdict', 'denied');
    await expect(strip.cell('firewall')).toContainText('default deny');
  });

  test('on a map edge: pod-to-pod is not on the Azure path, and the world edge shows the firewall rule', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    const edges = await map.edges();
    const toGithub = edges.find((e) => e.id.includes('|world:api.github.com|'));
    expect(toGithub, 'the demo shows legacy -> api.github.com').toBeTruthy();
    await map.click(toGithub!.id);
    const strip = new LayerStripPart(page, map.panel());
    expect(await strip.verdicts()).toEqual({ nsg: 'allowed', policy: 'allowed', firewall: 'allowed' });
    await expect(strip.cell('firewall')).toContainText('allow-all-com');

    const podToPod = edges.find((e) => e.id.startsWith('production/frontend|production/api-server|'));
    expect(podToPod).toBeTruthy();
    await map.click(podToPod!.id);
    await expect(strip.cell('nsg')).toHaveAttribute('data-verdict', 'not-on-path');
    await expect(strip.cell('firewall')).toHaveAttribute('data-verdict', 'not-on-path');
    await expect(strip.cell('policy')).toHaveAttribute('data-verdict', 'allowed');
    await expect(strip.cell('policy')).toContainText('allow-frontend-to-api');
  });
});
