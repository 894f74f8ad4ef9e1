import { expect, type Page } from '@playwright/test';

export interface RenderedEdge {
  id: string;
  status: string;
  lineStyle: string;
  lineColor: string;
  width: number;
}

/** The live map: what a person sees and clicks, read from the rendered cytoscape graph. */
export class MapPage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/map${query ? `?${query}` : ''}`);
    await expect(this.page.getByTestId('relay-state')).toContainText('connected');
    await this.page.waitForFunction(() => (window.__flowsightCy?.edges().length ?? 0) > 5);
  }

  namespaces(): Promise<string[]> {
    return this.page.evaluate(() => window.__flowsightCy!.nodes('.namespace').map((n) => n.data('namespace') as string).sort());
  }

  nodeIds(): Promise<string[]> {
    return this.page.evaluate(() => window.__flowsightCy!.nodes().not('.namespace').map((n) => n.id()).sort());
  }

  /** Edges with the styles cytoscape actually rendered them with. */
  edges(): Promise<RenderedEdge[]> {
    return this.page.evaluate(() =>
      window.__flowsightCy!.edges().map((e) => ({
        id: e.id(),
        status: e.data('status') as string,
        lineStyle: e.style('line-style') as string,
        lineColor: e.style('line-color') as string,
        width: parseFloat(e.style('width') as string),
      })),
    );
  }

  /**
   * Clicks a graph element where it is drawn on the canvas, as a person would. The live graph can
   * re-layout between measuring and clicking (a new workload appears), so the click is checked by
   * the selection it makes and tried again if it missed.
   */
  async click(id: string): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const point = await this.page.evaluate((elementId) => {
        const cy = window.__flowsightCy!;
        const el = cy.getElementById(elementId);
        cy.fit(el, 80);
        const p = el.isNode() ? el.renderedPosition() : (el as unknown as { renderedMidpoint(): { x: number; y: number } }).renderedMidpoint();
        const box = cy.container()!.getBoundingClientRect();
        const inside = p.x > 0 && p.y > 0 && p.x < box.width && p.y < box.height;
        return inside ? { x: box.left + p.x, y: box.top + p.y } : null;
      }, id);
      if (point) {
        await this.page.mouse.click(point.x, point.y);
        const selected = await this.page
          .waitForFunction((elementId) => window.__flowsightCy?.getElementById(elementId).selected() ?? false, id, { timeout: 1500 })
          .then(() => true, () => false);
        if (selected) return;
      }
      await this.page.waitForTimeout(300);
    }
    throw new Error(`could not click ${id} on the map`);
  }

  panel() {
    return this.page.getByTestId('side-panel');
  }

  /** Waits until the map draws this element (live or from the history). */
  async waitFor(id: string): Promise<void> {
    await this.page.waitForFunction((elementId) => window.__flowsightCy?.getElementById(elementId).nonempty() ?? false, id);
  }

  /** The flow count an edge is drawn with (its width follows it): tells a frozen past window from the live stream. */
  edgeTotal(id: string): Promise<number | undefined> {
    return this.page.evaluate((edgeId) => {
      const e = window.__flowsightCy?.getElementById(edgeId);
      return e && e.nonempty() ? window.__flowsightMap?.edgeTotal(edgeId) : undefined;
    }, id);
  }

  /** What the time control says the map shows: `live`, a preset (`15m`, `1h`, `6h`, `24h`) or `custom`. */
  timeMode() {
    return this.page.getByTestId('time-menu');
  }

  /** Chooses live or a preset window ending now from the time control. */
  async chooseTime(which: 'live' | '15m' | '1h' | '6h' | '24h'): Promise<void> {
    await this.page.getByTestId('time-menu').click();
    await this.page.getByTestId(which === 'live' ? 'time-live' : `time-preset-${which}`).click();
  }

  /** Chooses a custom window; `from` / `to` are `datetime-local` values (local time, to the minute). */
  async chooseCustom(from: string, to: string): Promise<void> {
    await this.page.getByTestId('time-menu').click();
    await this.page.getByTestId('time-custom-from').fill(from);
    await this.page.getByTestId('time-custom-to').fill(to);
    await this.page.getByTestId('time-custom-apply').click();
  }

  /** The bar that says the map shows a past window, with the scrubber and "Back to live". */
  pastWindow() {
    return this.page.getByTestId('past-window');
  }

  /** `since` / `until` as the URL holds them (null when live). */
  urlWindow(): { since: string | null; until: string | null } {
    const url = new URL(this.page.url());
    return { since: url.searchParams.get('since'), until: url.searchParams.get('until') };
  }

  /** Moves the scrubber so the window ends at `until` (epoch ms), as dragging the thumb there would. */
  async scrubTo(until: number): Promise<void> {
    await this.page.getByTestId('time-scrubber').fill(String(until));
  }
}
