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
}
