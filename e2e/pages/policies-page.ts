import { expect, type Page } from '@playwright/test';

/** The policies page: search and filters, and one card per policy. */
export class PoliciesPage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/policies${query ? `?${query}` : ''}`);
    await expect(this.page.getByTestId('policies-count')).toHaveText(/\d+ polic/);
  }

  cards() {
    return this.page.getByTestId('policy-card');
  }

  card(name: string) {
    return this.page.locator(`[data-testid="policy-card"][data-name="${name}"]`);
  }

  async names(): Promise<string[]> {
    return this.cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''));
  }

  async keys(): Promise<string[]> {
    return this.cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-key') ?? ''));
  }

  async filterNamespace(ns: string): Promise<void> {
    await this.page.getByTestId('policies-filter-ns').selectOption(ns);
  }

  async filterKind(kind: string): Promise<void> {
    await this.page.getByTestId('policies-filter-kind').selectOption(kind);
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('policies-search').fill(text);
  }

  /** Opens a policy's YAML and returns its text. */
  async yaml(name: string): Promise<string> {
    const card = this.card(name);
    await card.getByTestId('policy-yaml-details').locator('summary').click();
    return (await card.getByTestId('policy-yaml').textContent()) ?? '';
  }
}
