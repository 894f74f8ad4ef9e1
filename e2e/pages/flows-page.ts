import { expect, type Download, type Page } from '@playwright/test';
import fs from 'node:fs/promises';

export class FlowsPage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/flows${query ? `?${query}` : ''}`);
  }

  rows() {
    return this.page.getByTestId('flow-row');
  }

  /** A filter input by its URL parameter (`namespace`, `fromNamespace`, `toPort`, ...). */
  filterInput(param: string) {
    return this.page.getByTestId(`filter-${param}`).locator('visible=true');
  }

  async filterVerdict(verdict: string): Promise<void> {
    await this.page.getByTestId('filter-verdict').selectOption(verdict);
    await this.page.getByTestId('filter-apply').click();
    await expect(this.page).toHaveURL(new RegExp(`verdict=${verdict}`));
  }

  /** Fills the filter form as a person would (opening the from/to rows when needed) and applies it. */
  async applyFilters(fields: Record<string, string>): Promise<void> {
    const directed = Object.keys(fields).some((k) => /^(from|to)[A-Z]/.test(k));
    const toggle = this.page.getByTestId('filter-sides-toggle').locator('visible=true');
    if (directed && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    for (const [param, value] of Object.entries(fields)) {
      if (param === 'verdict' || param === 'protocol') await this.page.getByTestId(`filter-${param}`).locator('visible=true').selectOption(value);
      else await this.filterInput(param).fill(value);
    }
    await this.page.getByTestId('filter-apply').locator('visible=true').click();
  }

  /** uuid, time and vertical position of every row a person can see, top to bottom. */
  async rowsShown(): Promise<{ uuid: string; time: number; top: number; source: string; destination: string; verdict: string }[]> {
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
    return this.rows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verdict') ?? ''));
  }

  /** The number the status bar gives for the flows in the table. */
  async flowCount(): Promise<number> {
    const text = (await this.page.getByTestId('flow-count').locator('visible=true').textContent()) ?? '';
    return Number(/(\d+) flows/.exec(text)?.[1] ?? NaN);
  }

  /** Stops the tail so the table holds still. */
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
}
