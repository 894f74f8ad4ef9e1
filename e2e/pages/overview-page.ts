import { expect, type Page } from '@playwright/test';

/** The overview: posture scores, findings, and the traffic summary below them. */
export class OverviewPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/');
    await expect(this.clusterScore()).toHaveText(/^\d+(\.\d+)?$/);
  }

  clusterScore() {
    return this.page.getByTestId('cluster-score');
  }

  /** The sentence under the score saying what it was computed from (policies, observed flows). */
  scoreBasis() {
    return this.page.getByTestId('score-basis');
  }

  namespaceScore(ns: string) {
    return this.page.getByTestId(`ns-score-${ns}`);
  }

  /** The namespace table's AUDIT cell: flows that would be denied when enforced, and the policies that would deny them. */
  namespaceAudit(ns: string) {
    return this.page.getByTestId(`ns-audit-${ns}`);
  }

  findings() {
    return this.page.getByTestId('finding');
  }

  finding(key: string) {
    return this.page.locator(`[data-testid="finding"][data-key="${key}"]`);
  }

  async findingKeys(): Promise<string[]> {
    return this.findings().evaluateAll((els) => els.map((e) => e.getAttribute('data-key') ?? ''));
  }

  async severities(): Promise<string[]> {
    return this.findings().evaluateAll((els) => els.map((e) => e.querySelector('span')?.textContent?.trim().toLowerCase() ?? ''));
  }
}
