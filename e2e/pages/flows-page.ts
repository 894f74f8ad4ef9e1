import { expect, type Download, type Page } from '@playwright/test';
import fs from 'node:fs/promises';

export interface RowShown {
  uuid: string;
  time: number;
  top: number;
  source: string;
  destination: string;
  verdict: string;
}

export class FlowsPage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/flows${query ? `?${query}` : ''}`);
  }

  rows() {
    return this.page.getByTestId('flow-row');
  }

  queryBox() {
    return this.page.getByTestId('query-input').locator('visible=true');
  }

  /** Types a query into the box as a person would and runs it with Enter. */
  async search(text: string): Promise<void> {
    const box = this.queryBox();
    await box.fill(text);
    await box.press('Escape');
    await box.press('Enter');
  }

  queryError() {
    return this.page.getByTestId('query-error').locator('visible=true');
  }

  completions() {
    return this.page.getByTestId('completion-item').locator('visible=true');
  }

  /** Picks a window in the range picker: `live`, a preset (`15m`, `1h`, ...). */
  async pickRange(which: string): Promise<void> {
    await this.page.getByTestId(`range-${which}`).locator('visible=true').click();
  }

  histogram() {
    return this.page.getByTestId('histogram').locator('visible=true');
  }

  /** Sum of the histogram's bars. */
  async histogramTotal(): Promise<number> {
    const totals = await this.page.getByTestId('histogram-bar').evaluateAll((els) => els.filter((e) => (e as SVGElement).checkVisibility()).map((e) => Number(e.getAttribute('data-total'))));
    return totals.reduce((a, b) => a + b, 0);
  }

  /** Drags across the histogram from one fraction of its width to another (0..1). */
  async dragHistogram(fromFraction: number, toFraction: number): Promise<void> {
    const chart = this.page.getByTestId('histogram-chart').locator('visible=true');
    const box = await chart.boundingBox();
    if (!box) throw new Error('histogram not on screen');
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width * fromFraction, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + box.width * ((fromFraction + toFraction) / 2), y, { steps: 4 });
    await this.page.mouse.move(box.x + box.width * toFraction, y, { steps: 4 });
    await this.page.mouse.up();
  }

  /** Runs the same search again (a window back from now moves to now; newly stored flows appear). */
  async refresh(): Promise<void> {
    await this.page.getByTestId('search-rerun').locator('visible=true').click();
    await this.settled();
  }

  /** Waits until the history search on screen has answered (not loading, not the previous search's rows). */
  async settled(): Promise<void> {
    await expect(this.page.getByTestId('search-status').locator('visible=true')).toHaveAttribute('data-state', 'done');
  }

  /** uuid, time and vertical position of every row a person can see, top to bottom. */
  async rowsShown(): Promise<RowShown[]> {
    // React keeps a suspended tree in the DOM with display:none while a navigation renders: not shown.
    const rows = await this.rows().evaluateAll((els) =>
      els
        .filter((r) => r.checkVisibility())
        .map((r) => ({
          uuid: r.getAttribute('data-uuid') ?? '',
          time: Number(r.getAttribute('data-time')),
          top: r.getBoundingClientRect().top,
          source: r.querySelector('[data-testid="flow-source"]')?.textContent ?? '',
          destination: r.querySelector('[data-testid="flow-destination"]')?.textContent ?? '',
          verdict: r.getAttribute('data-verdict') ?? '',
        })),
    );
    return rows.sort((a, b) => a.top - b.top);
  }

  async verdictsShown(): Promise<string[]> {
    return (await this.rowsShown()).map((r) => r.verdict);
  }

  /** The number the status bar gives for the flows in the table. */
  async flowCount(): Promise<number> {
    const text = (await this.page.getByTestId('flow-count').locator('visible=true').textContent()) ?? '';
    return Number(/(\d+) flows/.exec(text)?.[1] ?? NaN);
  }

  /** Stops the live tail so the table holds still. */
  async pause(): Promise<void> {
    const button = this.page.getByTestId('pause').locator('visible=true');
    await button.click();
    await expect(button).toContainText('resume');
  }

  /** Clicks an export button and returns the downloaded file's name and text. */
  async export(format: 'csv' | 'json'): Promise<{ name: string; text: string }> {
    const [download]: [Download, void] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId(`export-${format}`).locator('visible=true').click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: await fs.readFile(path, 'utf8') };
  }

  emptyExplanation() {
    return this.page.getByTestId('empty-explanation').locator('visible=true');
  }

  /** Scrolls the results to their last row (the next page loads from there). */
  async scrollToEnd(): Promise<void> {
    await this.page.getByTestId('flow-table-scroll').locator('visible=true').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  }

  /** The URL's search parameters as the page shows them now. */
  params(): URLSearchParams {
    return new URL(this.page.url()).searchParams;
  }
}
