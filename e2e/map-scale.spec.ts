import { expect, test, type Page } from '@playwright/test';
import { startDashboard, type DashboardProcess } from './fixtures/dashboard-process';
import { keepEventSources } from './fixtures/event-sources';
import { MapPage } from './pages/map-page';

// Issue 13: the map of a large cluster. A dashboard on the scaled demo (1,000 workloads over 20
// namespaces) draws namespace islands, opens one on click or zoom, finds any workload, and applies
// the live stream's deltas in place.

// E2E_PORT serves the demo, +1 the external-relay dashboard, +2..+6 the policies, auth, shutdown, TLS and OIDC specs' own.
const PORT = Number(process.env.E2E_PORT ?? 3310) + 7;

let dashboard: DashboardProcess;

test.describe('the map of a 1,000-workload cluster', () => {
  test.describe.configure({ timeout: 180_000 });

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    dashboard = await startDashboard(PORT, { FLOWSIGHT_DEMO_SCALE: '1000', FLOWSIGHT_DEMO_RATE: '4000' });
    // Warm up: most of the cluster's workloads and connections are on the server's graph before the
    // page loads. Nodes come first: on a busy machine the graph had them with under 2,000 connections,
    // one snapshot part's worth (hub.ts), and the snapshot then came whole, not in parts.
    await expect
      .poll(
        async () => {
          const { graph } = (await (await fetch(`${dashboard.base}/api/status`)).json()) as { graph: { nodes: number; edges: number } };
          return graph.nodes > 900 && graph.edges > 4_000;
        },
        { timeout: 120_000, intervals: [1000] },
      )
      .toBe(true);
  });

  test.afterAll(() => dashboard?.stop());

  /** Namespace islands (the internet island aside). */
  const islands = (page: Page) => page.evaluate(() => window.__flowsightCy!.nodes('.island').not('.internet').map((n) => n.id()).sort());
  const childrenOf = (page: Page, id: string) => page.evaluate((box) => window.__flowsightCy!.getElementById(box).children().length, id);

  async function openMap(page: Page): Promise<MapPage> {
    await page.goto(`${dashboard.base}/map`);
    await expect(page.getByTestId('map-level')).toHaveAttribute('data-level', 'islands');
    await expect.poll(async () => (await islands(page)).length).toBeGreaterThanOrEqual(20);
    return new MapPage(page);
  }

  test('draws one island per namespace and aggregated edges, not thousands of workloads', async ({ page }) => {
    await openMap(page);
    const drawn = await page.evaluate(() => {
      const cy = window.__flowsightCy!;
      return {
        workloads: cy.nodes('.kind-workload, .kind-kube-dns').length,
        islands: cy.nodes('.island').not('.internet').length,
        internet: cy.nodes('.island.internet').map((n) => n.data('label') as string),
        cytoscapeEdges: cy.edges().length,
        lines: window.__flowsightMap!.aggregateLines().length,
        stats: window.__flowsightMap!.stats(),
      };
    });
    expect(drawn.workloads).toBe(0);
    expect(drawn.stats.visibleWorkloads).toBeGreaterThan(900);
    expect(drawn.islands).toBe(drawn.stats.namespaces);
    // The cluster's internet destinations are one island too: one edge per namespace, not per name.
    expect(drawn.internet).toEqual([expect.stringMatching(/^internet · \d+ destinations$/)]);
    expect(drawn.stats.renderedAggregates).toBeGreaterThan(10);
    expect(drawn.stats.renderedAggregates).toBeLessThan(drawn.stats.visibleEdges / 3);
    // Aggregates are drawn on their own layer, not as cytoscape edges: all of them are in view (a
    // line between two boxes that touch has no length to draw, hence not quite every one).
    expect(drawn.cytoscapeEdges).toBe(drawn.stats.renderedEdges - drawn.stats.renderedAggregates);
    expect(drawn.lines).toBeGreaterThanOrEqual(drawn.stats.renderedAggregates * 0.95);
    // An island says what it holds, and the legend explains islands.
    const label = await page.evaluate((id) => window.__flowsightCy!.getElementById(id).data('label') as string, (await islands(page))[0]);
    expect(label).toMatch(/· \d+ workloads?/);
    await expect(page.getByTestId('legend-islands')).toBeVisible();
    // No island covers another (fcose alone piled large islands up, names and edges hidden).
    const piled = () => page.evaluate(() => {
      const boxes = window.__flowsightCy!.nodes().filter((n) => !n.isChild()).map((n) => ({ id: n.id(), ...n.boundingBox({ includeLabels: false, includeOverlays: false }) }));
      const out: string[] = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) out.push(`${a.id} / ${b.id}`);
        }
      }
      return out;
    });
    // Polled: an island that grows as its namespace gains workloads moves aside in the frame that draws it bigger.
    await expect.poll(piled, { timeout: 10_000 }).toEqual([]);
    // The whole map in view leaves the search box and the level bar (over the canvas's top left)
    // clear: they covered the first row of islands.
    const covered = await page.evaluate(() => {
      const cy = window.__flowsightCy!;
      const canvas = cy.container()!.getBoundingClientRect();
      const overlays = ['map-search', 'map-level'].map((id) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect());
      return cy
        .nodes()
        .filter((n) => !n.isChild())
        .filter((n) => {
          const b = n.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
          const [left, right, top, bottom] = [canvas.left + b.x1, canvas.left + b.x2, canvas.top + b.y1, canvas.top + b.y2];
          return overlays.some((o) => left < o.right && o.left < right && top < o.bottom && o.top < bottom);
        })
        .map((n) => n.id());
    });
    expect(covered).toEqual([]);
  });

  test('the snapshot comes islands picture first, then in parts, and the page ends up with every connection', async ({ page }) => {
    await openMap(page);
    // The stream as the page gets it: a head with how many parts follow, then those parts.
    const stream = await page.evaluate(
      () =>
        new Promise<{ parts: number; headEdges: number; partEvents: number }>((resolve) => {
          const es = new EventSource('/api/stream?sample=0');
          let head = { parts: -1, headEdges: 0 };
          let partEvents = 0;
          es.addEventListener('snapshot', (e) => {
            const d = JSON.parse((e as MessageEvent).data) as { parts: number; graph: { edges: unknown[] } };
            head = { parts: d.parts, headEdges: d.graph.edges.length };
          });
          es.addEventListener('snapshot-part', () => void partEvents++);
          es.addEventListener('delta', () => {
            es.close();
            resolve({ ...head, partEvents });
          });
        }),
    );
    expect(stream.parts).toBeGreaterThan(0);
    expect(stream.partEvents).toBe(stream.parts);
    const status = (await (await fetch(`${dashboard.base}/api/status`)).json()) as { graph: { edges: number } };
    expect(stream.headEdges).toBeLessThan(status.graph.edges / 2);
    // The map's own graph holds every connection once the parts are in (its search and panels read it).
    await expect.poll(() => page.evaluate(() => window.__flowsightMap!.stats().graphEdges)).toBeGreaterThan(status.graph.edges * 0.95);
    // The parts' changes to the picture, held back until the last part came, are drawn: nothing waits.
    await expect.poll(() => page.evaluate(() => window.__flowsightMap!.stats().pendingEdges)).toBe(0);
  });

  test('applies the live stream in place: drawn elements survive the ticks, counts move', async ({ page }) => {
    await openMap(page);
    await page.evaluate(() => window.__flowsightCy!.elements().forEach((el) => void el.scratch('_probe', true)));
    const seq = await page.evaluate(() => window.__flowsightMap!.stats().drawnSeq);
    await expect.poll(() => page.evaluate(() => window.__flowsightMap!.stats().drawnSeq), { timeout: 10_000 }).toBeGreaterThan(seq + 4);
    // Five deltas later, the islands drawn before are the same cytoscape elements: nothing was rebuilt.
    const kept = await page.evaluate(() => {
      const all = window.__flowsightCy!.nodes('.island');
      return { kept: all.filter((n) => n.scratch('_probe') === true).length, all: all.length };
    });
    expect(kept.kept).toBe(kept.all);
    const latencies = await page.evaluate(() => window.__flowsightMap!.takeLatencies());
    expect(latencies.length).toBeGreaterThan(0);
  });

  test('opens an island on click into its workloads, and closes it again', async ({ page }) => {
    const map = await openMap(page);
    const [first, second] = await islands(page);
    await map.click(first);
    await expect.poll(() => childrenOf(page, first)).toBeGreaterThan(10);
    const ns = first.slice('ns:'.length);
    await expect(page.getByTestId(`map-open-${ns}`)).toBeVisible();
    // Only that one: the others stay islands.
    expect(await childrenOf(page, second)).toBe(0);
    expect(await page.evaluate((id) => window.__flowsightCy!.getElementById(id).hasClass('island'), second)).toBe(true);
    // Its workloads sit inside the island's footprint: nothing else moved to make room.
    const before = await page.evaluate((id) => window.__flowsightCy!.getElementById(id).position(), second);
    await page.getByTestId(`map-open-${ns}`).click();
    await expect.poll(() => childrenOf(page, first)).toBe(0);
    expect(await page.evaluate((id) => window.__flowsightCy!.getElementById(id).hasClass('island'), first)).toBe(true);
    expect(await page.evaluate((id) => window.__flowsightCy!.getElementById(id).position(), second)).toEqual(before);
  });

  test('draws aggregated edges on their own layer: denied red and dashed, allowed green and solid', async ({ page }) => {
    const streams = await keepEventSources(page);
    await openMap(page);
    await expect
      .poll(() => page.evaluate(() => ['denied', 'allowed'].every((s) => window.__flowsightMap!.aggregateLines().some((l) => l.status === s))), { message: 'denied and allowed aggregates drawn' })
      .toBe(true);
    // The picture held still: no delta moves an island or re-fits the view while its pixels are read.
    expect(await streams.closeAll()).toBeGreaterThan(0);
    /** Until the layer has drawn every line in full for the view as it is now (not a scaled earlier frame). */
    const drawnInFull = () => expect.poll(() => page.evaluate(() => window.__flowsightMap!.aggregatesDrawnAt() !== null)).toBe(true);
    for (const status of ['denied', 'allowed'] as const) {
      await page.evaluate(() => {
        window.__flowsightCy!.fit();
      });
      await drawnInFull();
      // A 40-unit stretch of a line of this status that no other line and no node border is near (model coordinates).
      const stretch = await page.evaluate((status) => {
        const cy = window.__flowsightCy!;
        const [zoom, pan] = [cy.zoom(), cy.pan()];
        const toModel = (x: number, y: number) => ({ x: (x - pan.x) / zoom, y: (y - pan.y) / zoom });
        const boxes = cy.nodes().filter((n) => !n.isChild()).map((n) => n.boundingBox({ includeLabels: false, includeOverlays: false }));
        const lines = window.__flowsightMap!.aggregateLines().map((l) => {
          const [a, b] = [toModel(l.x1, l.y1), toModel(l.x2, l.y2)];
          return { id: l.id, status: l.status, a, b, x1: Math.min(a.x, b.x), x2: Math.max(a.x, b.x), y1: Math.min(a.y, b.y), y2: Math.max(a.y, b.y) };
        });
        type P = { x: number; y: number };
        const toLine = (p: P, l: (typeof lines)[number]) => {
          // Outside the line's box by more than 20: farther than the 16 that matters here.
          if (p.x < l.x1 - 20 || p.x > l.x2 + 20 || p.y < l.y1 - 20 || p.y > l.y2 + 20) return Infinity;
          const [dx, dy] = [l.b.x - l.a.x, l.b.y - l.a.y];
          const t = Math.max(0, Math.min(1, ((p.x - l.a.x) * dx + (p.y - l.a.y) * dy) / (dx * dx + dy * dy || 1)));
          return Math.hypot(p.x - (l.a.x + t * dx), p.y - (l.a.y + t * dy));
        };
        // Arrowheads sit at node borders: 40 units from any border, inside a box or out.
        const toBorder = (p: P, b: (typeof boxes)[number]) => {
          const inside = p.x > b.x1 && p.x < b.x2 && p.y > b.y1 && p.y < b.y2;
          if (inside) return Math.min(p.x - b.x1, b.x2 - p.x, p.y - b.y1, b.y2 - p.y);
          return Math.hypot(Math.max(b.x1 - p.x, 0, p.x - b.x2), Math.max(b.y1 - p.y, 0, p.y - b.y2));
        };
        const clear = (p: P, l: (typeof lines)[number]) => boxes.every((b) => toBorder(p, b) > 40) && lines.every((o) => o.id === l.id || toLine(p, o) > 16);
        for (const l of lines.filter((x) => x.status === status)) {
          const steps = Math.floor(Math.hypot(l.b.x - l.a.x, l.b.y - l.a.y) / 4);
          const at = (i: number) => ({ x: l.a.x + ((l.b.x - l.a.x) * i) / steps, y: l.a.y + ((l.b.y - l.a.y) * i) / steps });
          for (let start = 0; start + 10 <= steps; start += 10) {
            let ok = true;
            for (let i = start; ok && i <= start + 10; i++) ok = clear(at(i), l);
            if (ok) return { from: at(start), to: at(start + 10) };
          }
        }
        return null;
      }, status);
      expect(stretch, `a clear stretch of a ${status} aggregate`).not.toBeNull();
      // That stretch in the middle of the view at zoom 1, where a dash is 6 pixels and a gap 3
      // (a zoom set by the page, not the person, opens no island).
      await page.evaluate(({ from, to }) => {
        const cy = window.__flowsightCy!;
        const mid = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
        cy.viewport({ zoom: 1, pan: { x: cy.width() / 2 - mid.x, y: cy.height() / 2 - mid.y } });
      }, stretch!);
      await drawnInFull();
      // The layer's own pixels along the stretch, one per CSS pixel.
      const px = await page.evaluate(({ from, to }) => {
        const cy = window.__flowsightCy!;
        const [zoom, pan] = [cy.zoom(), cy.pan()];
        const canvas = document.querySelector<HTMLCanvasElement>('canvas[data-id="layer-aggregates"]')!;
        const ratio = canvas.width / cy.width();
        const ctx = canvas.getContext('2d')!;
        const n = Math.round(Math.hypot(to.x - from.x, to.y - from.y) * zoom);
        return Array.from({ length: n + 1 }, (_, i) => {
          const x = (from.x + ((to.x - from.x) * i) / n) * zoom + pan.x;
          const y = (from.y + ((to.y - from.y) * i) / n) * zoom + pan.y;
          return [...ctx.getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data];
        });
      }, stretch!);
      const inked = px.filter((p) => p[3] > 100);
      expect(inked.length, JSON.stringify(px)).toBeGreaterThan(5);
      if (status === 'denied') {
        // #dc2626, with gaps between the dashes.
        expect(inked.every(([r, g, b]) => r > 150 && g < 100 && b < 100), JSON.stringify(px)).toBe(true);
        expect(px.filter((p) => p[3] < 40).length, JSON.stringify(px)).toBeGreaterThanOrEqual(3);
      } else {
        // #16a34a at the 0.6 opacity of allowed aggregates, unbroken.
        expect(inked.every(([r, g, b]) => g > r + 60 && g > b + 40), JSON.stringify(px)).toBe(true);
        expect(px.every((p) => p[3] > 60), JSON.stringify(px)).toBe(true);
      }
    }
  });

  test('a click on an aggregated edge opens the islands at both its ends', async ({ page }) => {
    await openMap(page);
    // Closer in (still below the zoom that opens islands), so the gaps between islands are wide enough to click into.
    await page.evaluate(() => {
      const cy = window.__flowsightCy!;
      cy.zoom({ level: Math.min(0.45, cy.zoom() * 3), renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    });
    // A point on an aggregate between two islands that no node, overlay or other aggregate is near.
    const find = () =>
      page.evaluate(() => {
        const cy = window.__flowsightCy!;
        const rect = cy.container()!.getBoundingClientRect();
        const boxes = cy.nodes().filter((n) => !n.isChild()).map((n) => n.renderedBoundingBox({ includeLabels: false, includeOverlays: false }));
        const onNode = (x: number, y: number) => boxes.some((b) => x >= b.x1 - 3 && x <= b.x2 + 3 && y >= b.y1 - 3 && y <= b.y2 + 3);
        const lines = window.__flowsightMap!.aggregateLines();
        const distance = (x: number, y: number, l: (typeof lines)[number]) => {
          const [dx, dy] = [l.x2 - l.x1, l.y2 - l.y1];
          const t = Math.max(0, Math.min(1, ((x - l.x1) * dx + (y - l.y1) * dy) / (dx * dx + dy * dy || 1)));
          return Math.hypot(x - (l.x1 + t * dx), y - (l.y1 + t * dy));
        };
        const isIsland = (id: string) => cy.getElementById(id).hasClass('island');
        for (const l of lines) {
          if (!isIsland(l.source) || !isIsland(l.target)) continue;
          const steps = Math.ceil(Math.hypot(l.x2 - l.x1, l.y2 - l.y1) / 2);
          for (let i = 1; i < steps; i++) {
            const [x, y] = [l.x1 + ((l.x2 - l.x1) * i) / steps, l.y1 + ((l.y2 - l.y1) * i) / steps];
            if (x < 10 || y < 10 || x > rect.width - 10 || y > rect.height - 10 || onNode(x, y)) continue;
            if (lines.some((o) => o.id !== l.id && distance(x, y, o) < 9)) continue;
            const top = document.elementFromPoint(rect.left + x, rect.top + y);
            if (!top || !cy.container()!.contains(top)) continue;
            return { source: l.source, target: l.target, x: rect.left + x, y: rect.top + y };
          }
        }
        return null;
      });
    await expect.poll(async () => (await find()) !== null, { message: 'an aggregate with a clear stretch between two islands' }).toBe(true);
    const target = (await find())!;
    expect(await childrenOf(page, target.source)).toBe(0);
    await page.mouse.click(target.x, target.y);
    await expect.poll(() => childrenOf(page, target.source)).toBeGreaterThan(0);
    await expect.poll(() => childrenOf(page, target.target)).toBeGreaterThan(0);
  });

  test('zooming in on an island opens it; zooming back out closes it', async ({ page }) => {
    await openMap(page);
    const target = (await islands(page))[3];
    // Where the island is drawn, as a person would point at it.
    const at = async () =>
      page.evaluate((id) => {
        const cy = window.__flowsightCy!;
        const p = cy.getElementById(id).renderedPosition();
        const box = cy.container()!.getBoundingClientRect();
        return { x: box.left + p.x, y: box.top + p.y, zoom: cy.zoom() };
      }, target);
    // Wheel notches over the island until the map is zoomed past the opening level.
    for (let i = 0; i < 30 && (await at()).zoom < 0.7; i++) {
      const p = await at();
      await page.mouse.move(p.x, p.y);
      await page.mouse.wheel(0, -200);
    }
    await expect.poll(() => childrenOf(page, target), { timeout: 10_000 }).toBeGreaterThan(0);
    for (let i = 0; i < 30 && (await at()).zoom > 0.2; i++) await page.mouse.wheel(0, 400);
    await expect.poll(() => childrenOf(page, target), { timeout: 10_000 }).toBe(0);
  });

  test('a wheel zoom scales the last frame while the wheel turns, and draws in full once it rests', async ({ page }) => {
    await openMap(page);
    type Renderer = { data: { wheelZooming?: boolean } };
    // Dispatched and read in one evaluate: cytoscape lowers the flag 150 ms after the last notch.
    const during = await page.evaluate(() => {
      const cy = window.__flowsightCy!;
      const r = (cy as unknown as { renderer(): Renderer }).renderer();
      const box = cy.container()!.getBoundingClientRect();
      const zoom = cy.zoom();
      const at = { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 };
      // Placement data is never element data: a data write restyles the element (and redraws).
      const placedInData = cy.nodes().filter((n) => n.data('placed') !== undefined).length;
      cy.container()!.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, deltaMode: 0, bubbles: true, cancelable: true, ...at }));
      return { zoomed: cy.zoom() / zoom, texture: r.data.wheelZooming === true, placedInData };
    });
    // Our wheel handler zoomed (one mouse notch: ~15%) and told cytoscape a wheel zoom is under way,
    // so it scaled its last full frame rather than redrawing every aggregate on each notch.
    expect(during.zoomed).toBeGreaterThan(1.1);
    expect(during.texture).toBe(true);
    expect(during.placedInData).toBe(0);
    // Once the wheel rests the flag drops again (and cytoscape draws the map in full).
    await expect.poll(() => page.evaluate(() => (window.__flowsightCy as unknown as { renderer(): Renderer }).renderer().data.wheelZooming), { timeout: 5_000 }).toBe(false);
  });

  test('finds a workload by name: its island opens, the view centres on it, its panel opens', async ({ page }) => {
    await openMap(page);
    const graph = (await (await fetch(`${dashboard.base}/api/graph`)).json()) as { nodes: { id: string; label: string; namespace: string; kind: string }[] };
    const wanted = graph.nodes.filter((n) => n.kind === 'workload' && n.namespace).sort((a, b) => (a.id < b.id ? -1 : 1))[137];
    await page.getByTestId('map-search').fill(wanted.id);
    await expect(page.getByTestId('map-search-result').first()).toContainText(wanted.label);
    await page.getByTestId('map-search').press('Enter');
    await expect.poll(() => page.evaluate((id) => window.__flowsightCy!.getElementById(id).selected(), wanted.id)).toBe(true);
    expect(await childrenOf(page, `ns:${wanted.namespace}`)).toBeGreaterThan(0);
    const onScreen = await page.evaluate((id) => {
      const cy = window.__flowsightCy!;
      const p = cy.getElementById(id).renderedPosition();
      return p.x > 0 && p.y > 0 && p.x < cy.width() && p.y < cy.height();
    }, wanted.id);
    expect(onScreen).toBe(true);
    await expect(page.getByTestId('side-panel')).toContainText(wanted.label);
    await expect(page).toHaveURL(new RegExp(`select=${encodeURIComponent(wanted.id).replace(/%2F/g, '(%2F|/)')}`));
    // A name nobody has says so.
    await page.getByTestId('map-search').fill('no-such-workload-anywhere');
    await page.getByTestId('map-search').press('Enter');
    await expect(page.getByTestId('map-search-missing')).toBeVisible();
  });

  test('the namespace filter is a list to search, not a toolbar of twenty chips', async ({ page }) => {
    await openMap(page);
    const target = (await islands(page))[5].slice('ns:'.length);
    await expect(page.locator('[data-testid^="ns-chip-"]')).toHaveCount(0);
    await page.getByTestId('ns-picker').locator('summary').click();
    await page.getByTestId('ns-picker-filter').fill(target);
    await page.getByTestId(`ns-pick-${target}`).check();
    await expect(page).toHaveURL(new RegExp(`ns=${target}`));
    await expect(page.getByTestId(`ns-chip-${target}`)).toBeVisible();
    // Only the connections touching that namespace remain: few enough workloads to draw one by one.
    await expect(page.getByTestId('map-level')).toHaveCount(0);
    await expect.poll(() => page.evaluate((box) => window.__flowsightCy!.getElementById(box).children().length, `ns:${target}`)).toBeGreaterThan(10);
    expect(await page.evaluate(() => window.__flowsightCy!.nodes('.island').length)).toBe(0);
  });

  test('a link to a workload inside an island opens that island', async ({ page }) => {
    const graph = (await (await fetch(`${dashboard.base}/api/graph`)).json()) as { nodes: { id: string; namespace: string; kind: string }[] };
    const wanted = graph.nodes.filter((n) => n.kind === 'workload' && n.namespace).sort((a, b) => (a.id < b.id ? -1 : 1))[42];
    await page.goto(`${dashboard.base}/map?select=${encodeURIComponent(wanted.id)}`);
    await expect.poll(() => page.evaluate((id) => window.__flowsightCy?.getElementById(id).selected() ?? false, wanted.id), { timeout: 20_000 }).toBe(true);
    await expect(page.getByTestId(`map-open-${wanted.namespace}`)).toBeVisible();
  });
});
