import { expect, type Page } from '@playwright/test';

/** The /azure page: tabs, NSG rules, effective rules, the egress drawing, firewall rules with hits. */
export class AzurePage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/azure${query ? `?${query}` : ''}`);
    await expect(this.page.getByTestId('azure-source')).toBeVisible();
  }

  async tab(id: 'nsgs' | 'effective' | 'egress' | 'firewall' | 'findings' | 'errors'): Promise<void> {
    await this.page.getByTestId(`tab-${id}`).click();
    await expect(this.page).toHaveURL(new RegExp(`tab=${id}`));
  }

  nsgRule(name: string) {
    return this.page.getByTestId('nsg-rules').locator(`[data-testid="nsg-rule"][data-rule="${name}"]`);
  }

  defaultRules() {
    return this.page.getByTestId('nsg-rules').locator('[data-testid="nsg-rule"][data-default="true"]');
  }

  egressPath() {
    return this.page.getByTestId('egress-path');
  }

  firewallRule(name: string) {
    return this.page.locator(`[data-testid="firewall-rule"][data-rule="${name}"]`);
  }

  /** Hit count shown for a firewall rule. */
  async hits(name: string): Promise<number> {
    return Number(await this.firewallRule(name).getByTestId('rule-hits').innerText());
  }
}

/** The three-layer strip wherever it is shown (flow detail, map side panel). */
export class LayerStripPart {
  constructor(readonly page: Page, readonly scope = page.locator('body')) {}

  cell(layer: 'nsg' | 'policy' | 'firewall') {
    return this.scope.getByTestId(`layer-${layer}`);
  }

  async verdicts(): Promise<Record<string, string | null>> {
    await expect(this.cell('firewall')).toBeVisible();
    return {
      nsg: await this.cell('nsg').getAttribute('data-verdict'),
      policy: await this.cell('policy').getAttribute('data-verdict'),
      firewall: await this.cell('firewall').getAttribute('data-verdict'),
    };
  }
}
