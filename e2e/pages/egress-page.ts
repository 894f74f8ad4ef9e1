import { expect, type Locator, type Page } from '@playwright/test';

type Layer = 'policy' | 'nsg' | 'firewall';

/** The /egress page: the table of workload → internet connections, its filters and counts. */
export class EgressPage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/egress${query ? `?${query}` : ''}`);
    await expect(this.table()).toBeVisible();
  }

  table(): Locator {
    return this.page.getByTestId('egress-table');
  }

  rows(): Locator {
    return this.table().getByTestId('egress-row');
  }

  row(workload: string, destination: string): Locator {
    return this.table().locator(`[data-testid="egress-row"][data-workload="${workload}"][data-destination="${destination}"]`);
  }

  cell(row: Locator, layer: Layer): Locator {
    return row.getByTestId(`egress-cell-${layer}`);
  }

  rule(row: Locator, layer: Layer): Locator {
    return row.getByTestId(`egress-rule-${layer}`);
  }

  /** Each shown row as the attributes a person reads off it. */
  async shownRows(): Promise<{ workload: string; destination: string; verdict: string }[]> {
    return this.rows().evaluateAll((els) =>
      els
        .filter((e) => (e as HTMLElement).checkVisibility())
        .map((e) => ({ workload: e.getAttribute('data-workload') ?? '', destination: e.getAttribute('data-destination') ?? '', verdict: e.getAttribute('data-verdict') ?? '' })),
    );
  }

  async summaryCount(what: 'workloads' | 'destinations' | 'open'): Promise<number> {
    return Number(await this.page.getByTestId(`summary-${what}`).getAttribute('data-count'));
  }

  async filterNamespace(ns: string): Promise<void> {
    await this.page.getByTestId('egress-filter-namespace').selectOption(ns);
  }

  async filterVerdict(verdict: string): Promise<void> {
    await this.page.getByTestId('egress-filter-verdict').selectOption(verdict);
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('egress-search').fill(text);
  }
}
