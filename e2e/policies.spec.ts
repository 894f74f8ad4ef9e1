import { expect, test } from '@playwright/test';
import { PoliciesPage } from './pages/policies-page';

test.describe('policies page', () => {
  test('lists every policy with the pods it selects, the paths it opens and its YAML', async ({ page }) => {
    const policies = new PoliciesPage(page);
    await policies.open();
    await expect(page.getByTestId('policies-count')).toHaveText('13 policies');
    expect(await policies.names()).toEqual(expect.arrayContaining(['allow-api-egress-to-db', 'default-deny-all', 'api-server-egress-fqdn', 'monitoring-egress-lockdown']));
    const card = policies.card('allow-api-egress-to-db');
    await expect(card.getByTestId('policy-selected')).toContainText('2 pods in production/api-server');
    await expect(card.getByTestId('policy-paths')).toContainText('allow to production/postgres on 5432/TCP');
    await expect(card.getByTestId('policy-paths')).toContainText('kube-system/coredns on 53/UDP');
    const graph = card.getByTestId('policy-graph');
    await expect(graph).toContainText('api-server ×2');
    await expect(graph).toContainText('production/postgres');
    const yaml = await policies.yaml('allow-api-egress-to-db');
    expect(yaml).toContain('kind: NetworkPolicy');
    expect(yaml).toContain('name: allow-api-egress-to-db');
    expect(yaml).toContain('app: postgres');
    await page.screenshot({ path: 'test-results/artifacts/policies.png', fullPage: true });
  });

  test('filtering by namespace narrows the list, and the URL reproduces it', async ({ page }) => {
    const policies = new PoliciesPage(page);
    await policies.open();
    const all = (await policies.names()).length;
    await policies.filterNamespace('payments');
    await expect(page).toHaveURL(/ns=payments/);
    await expect.poll(() => policies.names()).toEqual(['allow-worker-to-api', 'default-deny-egress']);
    expect(all).toBeGreaterThan(2);
    await page.reload();
    await expect(page.getByTestId('policies-filter-ns')).toHaveValue('payments');
    await expect.poll(() => policies.names()).toEqual(['allow-worker-to-api', 'default-deny-egress']);
  });

  test('filters by kind and searches the manifests', async ({ page }) => {
    const policies = new PoliciesPage(page);
    await policies.open();
    await policies.filterKind('CiliumNetworkPolicy');
    await expect(page).toHaveURL(/kind=CiliumNetworkPolicy/);
    await expect.poll(async () => (await policies.keys()).length).toBe(3);
    expect((await policies.keys()).every((k) => k.startsWith('CiliumNetworkPolicy/'))).toBe(true);
    await policies.filterKind('');
    await policies.search('stripe');
    await expect(page).toHaveURL(/q=stripe/);
    await expect.poll(() => policies.names()).toEqual(['api-server-egress-fqdn']);
    const card = policies.card('api-server-egress-fqdn');
    await expect(card.getByTestId('policy-graph')).toContainText('api.stripe.com');
    await policies.search('no-such-policy-anywhere');
    await expect(page.getByTestId('policies-empty')).toBeVisible();
  });

  test('shows a default deny as closing its namespace, and audit mode', async ({ page }) => {
    const policies = new PoliciesPage(page);
    await policies.open('ns=production&q=default-deny-all');
    const card = policies.card('default-deny-all');
    await expect(card).toContainText('isolates ingress + egress');
    await expect(card.getByTestId('policy-selected')).toContainText('production/postgres');
    await expect(card.getByTestId('policy-paths')).toContainText('denies all ingress + egress');
    await policies.open('ns=monitoring');
    await expect(policies.card('monitoring-egress-lockdown')).toContainText('audit mode');
  });

  test('a bad parameter is reported by the API, naming it', async ({ request }) => {
    const res = await request.get('/api/policies?kind=Deployment');
    expect(res.status()).toBe(400);
    expect((await res.json()).problems[0].param).toBe('kind');
  });
});
