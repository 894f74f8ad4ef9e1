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

  async verdictsShown(): Promise<string[]> {
    return this.rows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verdict') ?? ''));
  }
}
