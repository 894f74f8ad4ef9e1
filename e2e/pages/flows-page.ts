import { expect, type Page } from '@playwright/test';

export class FlowsPage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/flows${query ? `?${query}` : ''}`);
  }

  rows() {
    return this.page.getByTestId('flow-row');
  }

  async filterVerdict(verdict: string): Promise<void> {
    await this.page.getByTestId('filter-verdict').selectOption(verdict);
    await this.page.getByTestId('filter-apply').click();
    await expect(this.page).toHaveURL(new RegExp(`verdict=${verdict}`));
  }

  /** uuid, time and vertical position of every row a person can see, top to bottom. */
  async rowsShown(): Promise<{ uuid: string; time: number; top: number }[]> {
    // React keeps a suspended tree in the DOM with display:none while a navigation renders: not shown.
    const rows = await this.rows().evaluateAll((els) =>
      els.filter((r) => r.checkVisibility()).map((r) => ({ uuid: r.getAttribute('data-uuid') ?? '', time: Number(r.getAttribute('data-time')), top: r.getBoundingClientRect().top })),
    );
    return rows.sort((a, b) => a.top - b.top);
  }

  async verdictsShown(): Promise<string[]> {
    return this.rows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verdict') ?? ''));
  }
}
