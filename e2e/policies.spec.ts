import { expect, test } from '@playwright/test';
import { PoliciesPage } from './pages/policies-page';

test.describe('policies page', () => {
  // Issue 16, item 3: the page says which datapath's semantics the verdicts follow.
  test('says which datapath the verdicts model and why', async ({ page }) => {
    const policies = new PoliciesPage(page);
    await policies.open();
    const datapath = page.getByTestId('policies-datapath');
    await expect(datapath).toContainText('datapath: cilium');
    await expect(datapath).toHaveAttribute('title', /.+/);
  });

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

/**
 * Bad input: a second server reads a manifests directory with broken documents. Every good document
 * still loads; the policies page lists each problem with file, document and line (or policy and field).
 */
test.describe('policies page on a manifests directory with bad documents', () => {
  // E2E_PORT serves the demo, E2E_PORT + 1 the external-relay dashboard (playwright.config.ts): take the next one.
  const PORT = Number(process.env.E2E_PORT ?? 3310) + 2;
  let dir = '';
  let server: import('node:child_process').ChildProcess | undefined;

  test.beforeAll(async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { spawn } = await import('node:child_process');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flowsight-e2e-manifests-'));
    await fs.writeFile(
      path.join(dir, 'shop.yaml'),
      `apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.0.4}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-canary, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, track: canary}}
    spec: {containers: [{name: web, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 8080}]}]
`,
    );
    await fs.writeFile(
      path.join(dir, 'broken.yaml'),
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: still-loads, namespace: shop}
spec: {podSelector: {}, policyTypes: [Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-policy, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyy
metadata: {name: typo, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-selector, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: Sideways, values: [web]}]}
`,
    );
    server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(PORT)], {
      env: { ...process.env, NODE_ENV: 'production', FLOWSIGHT_MANIFESTS: dir, FLOWSIGHT_DEMO_RATE: '50', FLOWSIGHT_HISTORY: 'off' },
      stdio: 'ignore',
    });
    for (let i = 0; i < 120; i++) {
      const up = await fetch(`http://127.0.0.1:${PORT}/api/status`).then((r) => r.ok, () => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('second server did not start');
  });

  test.afterAll(async () => {
    server?.kill('SIGTERM');
    if (dir) await (await import('node:fs/promises')).rm(dir, { recursive: true, force: true });
  });

  test('lists each bad document with file, document and line, and every good policy', async ({ page }) => {
    await page.goto(`http://127.0.0.1:${PORT}/policies`);
    const errors = page.getByTestId('source-errors');
    await expect(errors).toBeVisible();
    await expect(errors.getByTestId('source-error').filter({ hasText: 'yaml-syntax' })).toContainText(/broken\.yaml doc 1 line \d+/);
    // A kind Flowsight does not need is counted, not an error; a typo in a policy API group is an error.
    await expect(page.getByTestId('skipped-kinds')).toContainText('Skipped 1 document of kinds Flowsight does not need: 1 ConfigMap (v1)');
    await expect(errors.getByTestId('source-error').filter({ hasText: 'unknown-kind' })).toContainText(/broken\.yaml doc 3 line 14: networking\.k8s\.io\/v1 has no kind NetworkPolicyy \(did you mean NetworkPolicy\?\)/);
    await expect(errors.getByTestId('policy-error')).toContainText('bad-selector');
    await expect(errors.getByTestId('policy-error')).toContainText('podSelector');
    const policies = new PoliciesPage(page);
    expect(await policies.names()).toEqual(expect.arrayContaining(['allow-web', 'still-loads', 'bad-selector']));
    await expect(policies.card('allow-web').getByTestId('policy-selected')).toContainText('shop/web-1');
    // Issue 12, item 4: a repository's Deployment counts as the pods of its template.
    await expect(policies.card('allow-web').getByTestId('policy-selected')).toContainText('shop/web-canary');
    await expect(policies.card('bad-selector')).toContainText('not evaluated: invalid');
  });
});
