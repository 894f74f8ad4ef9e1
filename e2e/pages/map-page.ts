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
    return this.page.evaluate(() => window.__flowsightCy!.nodes('.namespace').map((n) => n.data('label') as string).sort());
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

  /** Clicks a graph element where it is drawn on the canvas. */
  async click(id: string): Promise<void> {
    const point = await this.page.evaluate((elementId) => {
      const cy = window.__flowsightCy!;
      const el = cy.getElementById(elementId);
      cy.fit(el, 80);
      const p = el.isNode() ? el.renderedPosition() : (el as unknown as { renderedMidpoint(): { x: number; y: number } }).renderedMidpoint();
      const box = cy.container()!.getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    }, id);
    await this.page.mouse.click(point.x, point.y);
  }

  panel() {
    return this.page.getByTestId('side-panel');
  }
}
