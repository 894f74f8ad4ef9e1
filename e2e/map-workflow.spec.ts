import { expect, test, type Page } from '@playwright/test';
import { MapPage } from './pages/map-page';
import { OverviewPage } from './pages/overview-page';

// Issue 12, items 3, 6, 7, 8 and the map parts of 10: the map as people use it day to day.

const PYPI = 'legacy/legacy-app|world:pypi.org|443|TCP';

/** Leaf node positions in model coordinates, rounded. */
function positions(page: Page): Promise<Record<string, [number, number]>> {
  return page.evaluate(() => {
    const out: Record<string, [number, number]> = {};
    window.__flowsightCy!.nodes().not('.namespace').forEach((n) => {
      out[n.id()] = [Math.round(n.position('x')), Math.round(n.position('y'))];
    });
    return out;
  });
}

/** Waits until the graph holds every node of the demo (the live stream may still be adding some). */
async function settled(page: Page): Promise<void> {
  let last = -1;
  await expect
    .poll(async () => {
      const n = await page.evaluate(() => window.__flowsightCy!.nodes().length);
      const same = n === last;
      last = n;
      return same && n > 20;
    }, { intervals: [700] })
    .toBe(true);
}

/** The element's rendered box relative to the canvas, and the canvas size. */
function placement(page: Page, id: string) {
  return page.evaluate((elementId) => {
    const cy = window.__flowsightCy!;
    const bb = cy.getElementById(elementId).renderedBoundingBox({});
    return { x1: bb.x1, x2: bb.x2, y1: bb.y1, y2: bb.y2, width: cy.width(), height: cy.height() };
  }, id);
}

async function clickWhereDrawn(page: Page, id: string): Promise<boolean> {
  const point = await page.evaluate((elementId) => {
    const cy = window.__flowsightCy!;
    const el = cy.getElementById(elementId);
    const p = el.isNode() ? el.renderedPosition() : (el as unknown as { renderedMidpoint(): { x: number; y: number } }).renderedMidpoint();
    const box = cy.container()!.getBoundingClientRect();
    return p.x > 0 && p.y > 0 && p.x < box.width && p.y < box.height ? { x: box.left + p.x, y: box.top + p.y } : null;
  }, id);
  if (!point) return false;
  await page.mouse.click(point.x, point.y);
  return page.waitForFunction((elementId) => window.__flowsightCy!.getElementById(elementId).selected(), id, { timeout: 2000 }).then(() => true, () => false);
}

test.describe('the map, day to day', () => {
  // Several of these load the map more than once and wait for it to settle: more than the default 45 s on a busy machine.
  test.describe.configure({ timeout: 120_000 });

  test('an edge Cilium forwards but the Azure Firewall denies is drawn denied, naming the firewall', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await expect.poll(() => page.evaluate((id) => window.__flowsightCy!.getElementById(id).data('status'), PYPI)).toBe('denied');
    const drawn = await page.evaluate((id) => {
      const e = window.__flowsightCy!.getElementById(id);
      return { color: e.style('line-color'), line: e.style('line-style'), label: e.data('label'), decidedBy: e.data('decidedBy') };
    }, PYPI);
    expect(drawn).toEqual({ color: 'rgb(220,38,38)', line: 'dashed', label: '443/TCP · firewall', decidedBy: 'firewall' });
    await map.click(PYPI);
    const panel = map.panel();
    await expect(panel.getByTestId('panel-status')).toHaveText('denied');
    await expect(panel.getByTestId('panel-observed')).toContainText('Cilium observed: allowed');
    await expect(panel.getByTestId('panel-decided-by')).toHaveText('denied by Azure Firewall (aks-egress-fw: default deny (no rule matched))');
    await expect(panel.getByTestId('panel-layer-firewall')).toHaveText('Azure Firewall: denied');
    await expect(panel.getByTestId('panel-layer-policy')).toHaveText('network policy: allowed');
    // The edge colour and the three-layer strip of the same panel agree.
    await expect(panel).toContainText('aks-egress-fw: default deny');
    // Denied-only now includes it, and the legend says what the label means.
    await page.getByTestId('denied-only').check();
    await expect.poll(() => page.evaluate((id) => window.__flowsightCy!.getElementById(id).nonempty(), PYPI)).toBe(true);
    await expect(page.getByTestId('legend-azure-label')).toContainText('Azure layer that denied');
  });

  test('opening the side panel re-fits the map: every internet edge stays on screen and clickable', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await settled(page);
    const world = await page.evaluate(() => window.__flowsightCy!.edges().filter((e) => e.target().id().startsWith('world')).map((e) => e.id()));
    expect(world.length).toBeGreaterThanOrEqual(8);
    // Open the panel on the edge drawn furthest right: the one the panel would cover.
    const rightmost = (await Promise.all(world.map(async (id) => ({ id, x: (await placement(page, id)).x2 })))).sort((a, b) => b.x - a.x)[0].id;
    expect(await clickWhereDrawn(page, rightmost)).toBe(true);
    await expect(map.panel()).toBeVisible();
    const panelBox = (await map.panel().boundingBox())!;
    await expect.poll(async () => (await placement(page, rightmost)).width).toBeLessThan(panelBox.x + 1);
    for (const id of world) {
      const p = await placement(page, id);
      expect(p.x2, `${id} is right of the canvas`).toBeLessThanOrEqual(p.width);
      expect(p.x1, `${id} is left of the canvas`).toBeGreaterThanOrEqual(0);
      expect(await clickWhereDrawn(page, id), `${id} could not be clicked`).toBe(true);
      await expect(map.panel()).toContainText('→');
    }
  });

  test('the same graph gives the same picture, and positions survive a reload', async ({ browser }) => {
    const first = await browser.newContext();
    const a = await first.newPage();
    await new MapPage(a).open();
    await settled(a);
    const seen = await positions(a);
    const second = await browser.newContext(); // no remembered positions
    const b = await second.newPage();
    await new MapPage(b).open();
    await settled(b);
    const again = await positions(b);
    const shared = Object.keys(seen).filter((id) => id in again);
    expect(shared.length).toBeGreaterThan(20);
    for (const id of shared) expect(again[id], id).toEqual(seen[id]);

    // Drag a node; a reload shows it where it was put.
    const moved = await a.evaluate(() => {
      const cy = window.__flowsightCy!;
      const n = cy.getElementById('production/frontend');
      const p = n.renderedPosition();
      const box = cy.container()!.getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    });
    await a.mouse.move(moved.x, moved.y);
    await a.mouse.down();
    await a.mouse.move(moved.x + 60, moved.y + 40, { steps: 8 });
    await a.mouse.up();
    await a.waitForTimeout(800); // the position is saved shortly after the drag
    const dragged = (await positions(a))['production/frontend'];
    expect(dragged).not.toEqual(seen['production/frontend']);
    await a.reload();
    await new MapPage(a).open();
    await settled(a);
    expect((await positions(a))['production/frontend']).toEqual(dragged);
    // Re-layout forgets it and returns to the seeded picture.
    await a.getByTestId('relayout').click();
    await expect.poll(async () => (await positions(a))['production/frontend']).toEqual(seen['production/frontend']);
    await first.close();
    await second.close();
  });

  test('a held node is drawn while it is dragged; the canvases with nothing on them stay off the page', async ({ page }) => {
    await new MapPage(page).open();
    await settled(page);
    /** Whether each of cytoscape's layers is shown, and how many pixels of the drag layer are painted. */
    const layers = () =>
      page.evaluate(() => {
        const canvas = (id: string) => document.querySelector<HTMLCanvasElement>(`[data-testid="graph-canvas"] canvas[data-id="${id}"]`)!;
        const shown = (c: HTMLCanvasElement) => getComputedStyle(c).display !== 'none';
        const drag = canvas('layer1-drag');
        const pixels = drag.getContext('2d')!.getImageData(0, 0, drag.width, drag.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return { node: shown(canvas('layer2-node')), drag: shown(drag), selectBox: shown(canvas('layer0-selectbox')), dragPainted: painted };
      });
    expect(await layers()).toMatchObject({ node: true, drag: false, selectBox: false });

    const rendered = () => page.evaluate(() => ({ ...window.__flowsightCy!.getElementById('production/frontend').renderedPosition() }));
    const before = await rendered();
    const box = await page.getByTestId('graph-canvas').boundingBox();
    const at = { x: box!.x + before.x, y: box!.y + before.y };
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 60, at.y + 40, { steps: 8 });
    // While held, the node is on the drag layer, and that layer is on the page.
    await expect.poll(layers).toMatchObject({ drag: true, selectBox: false });
    await expect.poll(async () => (await layers()).dragPainted).toBeGreaterThan(100);
    await page.mouse.up();
    await expect.poll(layers).toMatchObject({ node: true, drag: false, selectBox: false });
    // Dropped where it was put.
    const after = await rendered();
    expect(Math.abs(after.x - (before.x + 60))).toBeLessThan(3);
    expect(Math.abs(after.y - (before.y + 40))).toBeLessThan(3);
  });

  test('wheel zoom moves at a usable speed, labels are readable, findings sit in the namespace box, no console warnings', async ({ page }) => {
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
    });
    const map = new MapPage(page);
    await map.open();
    await settled(page);
    const box = (await page.getByTestId('graph-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const before = await page.evaluate(() => window.__flowsightCy!.zoom());
    await page.mouse.wheel(0, -300);
    await expect.poll(() => page.evaluate(() => window.__flowsightCy!.zoom())).toBeGreaterThan(before * 1.4);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -300);
    // Five notches of 300 px take the map from a fit to (near) the closest zoom; cytoscape's own handler got to 1.07x.
    await expect.poll(() => page.evaluate(() => window.__flowsightCy!.zoom())).toBeGreaterThanOrEqual(Math.min(3, before * 4) - 0.001);
    await page.mouse.wheel(0, 100);
    const afterOut = await page.evaluate(() => window.__flowsightCy!.zoom());
    expect(afterOut).toBeLessThan(3);

    const styles = await page.evaluate(() => {
      const cy = window.__flowsightCy!;
      return { edgeFont: parseFloat(cy.edges()[0].style('font-size') as string), legacy: cy.getElementById('ns:legacy').data('label') as string };
    });
    expect(styles.edgeFont).toBeGreaterThanOrEqual(10);
    expect(styles.legacy).toBe('legacy\n⚠ unprotected · open egress');

    // After a fit, every namespace's findings label is inside the canvas (nothing clipped at the top).
    await page.evaluate(() => window.__flowsightCy!.fit(undefined, 30));
    const labels = await page.evaluate(() =>
      window.__flowsightCy!.nodes('.namespace').map((n) => ({ id: n.id(), y1: n.renderedBoundingBox({ includeLabels: true }).y1 })),
    );
    for (const l of labels) expect(l.y1, l.id).toBeGreaterThanOrEqual(0);
    await expect(page.getByTestId('legend-flags')).toContainText('findings');
    await expect(page.getByTestId('legend-outline')).toContainText('posture layer');
    expect(warnings.filter((w) => /invalid endpoints|wheel sensitivity/i.test(w))).toEqual([]);
    await page.screenshot({ path: 'test-results/artifacts/map-flags.png' });
  });

  test('clicking a namespace box lists its findings with links', async ({ page }) => {
    const map = new MapPage(page);
    await map.open();
    await settled(page);
    // Inside the box, in its padding (the middle holds workloads and edges).
    const corner = await page.evaluate(() => {
      const cy = window.__flowsightCy!;
      const bb = cy.getElementById('ns:payments').renderedBoundingBox({ includeLabels: false });
      const box = cy.container()!.getBoundingClientRect();
      return { x: box.left + bb.x1 + 5, y: box.top + bb.y2 - 5 };
    });
    await page.mouse.click(corner.x, corner.y);
    await expect(page).toHaveURL(/select=ns%3Apayments|select=ns:payments/);
    const badges = map.panel().getByTestId('ns-badges-payments');
    await expect(badges).toContainText('DNS missing');
    await expect(badges).toContainText('no default deny');
    await expect(badges.getByTestId('ns-badge-payments-dns-missing')).toHaveAttribute('href', '/#posture-payments');
    await expect(map.panel().getByTestId('ns-findings')).toContainText('cannot resolve names');
  });

  test('polls the posture without its findings, and reads one namespace’s findings when its panel opens', async ({ page }) => {
    const polled: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/posture')) polled.push(new URL(r.url()).pathname + new URL(r.url()).search);
    });
    const map = new MapPage(page);
    await map.open('select=ns%3Apayments');
    await expect(map.panel().getByTestId('ns-findings')).toContainText('cannot resolve names');
    expect(polled).toContain('/api/posture/map');
    expect(polled).toContain('/api/posture?ns=payments');
    expect(polled).not.toContain('/api/posture');
    // The map's share has what it draws and none of the findings; a namespace's report only its own.
    const [full, slim, one] = await Promise.all(['/api/posture', '/api/posture/map', '/api/posture?ns=payments'].map(async (u) => (await page.request.get(u)).json()));
    expect(Object.keys(slim).sort()).toEqual(['badges', 'generatedAt', 'layer', 'source']);
    expect(slim.badges).toEqual(full.badges);
    expect(slim.layer).toEqual(full.layer);
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(full).length / 2);
    expect(one.findings.length).toBeGreaterThan(0);
    expect(one.findings.every((f: { namespace?: string }) => f.namespace === 'payments')).toBe(true);
    expect(Object.keys(one.badges)).toEqual(['payments']);
    expect((await page.request.get('/api/posture?ns=Payments!')).status()).toBe(400);
  });

  test('the JSON export carries each edge’s verdict over all layers and the namespaces’ posture flags', async ({ page }) => {
    const map = new MapPage(page);
    await map.open('ns=legacy');
    await expect.poll(() => page.evaluate((id) => window.__flowsightCy!.getElementById(id).data('status'), PYPI)).toBe('denied');
    await expect.poll(() => page.evaluate(() => window.__flowsightCy!.getElementById('ns:legacy').data('flags'))).toContain('unprotected');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-json').click();
    const file = await download;
    const doc = JSON.parse(Buffer.concat(await (await file.createReadStream()).toArray()).toString('utf8'));
    const legacy = doc.namespaces.find((n: { name: string }) => n.name === 'legacy');
    expect(legacy.flags.map((f: { label: string }) => f.label)).toEqual(['unprotected', 'open egress']);
    const pypi = doc.connections.find((c: { id: string }) => c.id === PYPI);
    expect(pypi).toMatchObject({ status: 'denied', observed: 'allowed', verdict: { decidedBy: 'firewall', rule: 'aks-egress-fw: default deny (no rule matched)' } });
    expect(pypi.verdict.explanation).toMatch(/^denied by Azure Firewall/);
    expect(doc.connections.every((c: { verdict: { explanation: string } }) => c.verdict.explanation.length > 10)).toBe(true);
  });

  test('"show on map" from a DNS finding selects the failing DNS edge, not the pod', async ({ page }) => {
    const overview = new OverviewPage(page);
    await overview.open();
    await overview.finding('dns-egress-missing:payments').getByTestId('finding-map-link').click();
    await expect(page).toHaveURL(/select=payments\/[a-z-]+%7Ckube-system\/coredns%7C53%7CUDP|select=payments\/[a-z-]+\|kube-system\/coredns\|53\|UDP/);
    const panel = page.getByTestId('side-panel');
    await expect(panel).toContainText('→ kube-system/coredns');
    await expect(panel.getByTestId('panel-status')).toHaveText('denied');
    const selected = await page.waitForFunction(() => window.__flowsightCy?.$(':selected').map((e) => e.id())[0]).then((h) => h.jsonValue());
    expect(selected).toMatch(/^payments\/.+\|kube-system\/coredns\|53\|UDP$/);
  });
});
