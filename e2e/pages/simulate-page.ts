import { expect, type Download, type Locator, type Page } from '@playwright/test';
import fs from 'node:fs/promises';

export interface AffectedEdgeRow {
  edge: string;
  outcome: string;
  source: string;
  target: string;
  dns: boolean;
}

export interface OutcomeMapEdge {
  id: string;
  outcome: string;
  lineColor: string;
  lineStyle: string;
}

/** The /simulate page: the change editor, presets and policy pickers, Run / Cancel, results, and the recommend panel. */
export class SimulatePage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/simulate${query ? `?${query}` : ''}`);
    await expect(this.page.getByRole('heading', { name: 'Simulate', exact: true })).toBeVisible();
  }

  /** The editable text of the change editor (CodeMirror's content element). */
  editor(): Locator {
    return this.page.getByTestId('change-editor').locator('.cm-content');
  }

  /** Replaces the editor's text, as pasting it would. */
  async setYaml(text: string): Promise<void> {
    await this.editor().click();
    await this.page.keyboard.press('ControlOrMeta+a');
    await this.page.keyboard.press('Delete');
    if (text) await this.page.keyboard.insertText(text);
  }

  /** Types at the end of the editor's text, key by key. */
  async typeYaml(text: string): Promise<void> {
    await this.editor().click();
    await this.page.keyboard.press('ControlOrMeta+End');
    await this.page.keyboard.type(text);
  }

  /** The editor's text, line by line as CodeMirror holds it. */
  yamlText(): Promise<string> {
    return this.editor().evaluate((el) => [...el.querySelectorAll('.cm-line')].map((l) => l.textContent ?? '').join('\n'));
  }

  problems(): Locator {
    return this.page.getByTestId('change-problems');
  }

  /** The problems listed under the editor, with the line and column each names. */
  problemList(): Promise<{ severity: string; line: number | null; column: number | null; text: string }[]> {
    return this.page.getByTestId('change-problem').evaluateAll((els) =>
      els.map((e) => ({
        severity: e.getAttribute('data-severity') ?? '',
        line: e.getAttribute('data-line') ? Number(e.getAttribute('data-line')) : null,
        column: e.getAttribute('data-column') ? Number(e.getAttribute('data-column')) : null,
        text: e.textContent ?? '',
      })),
    );
  }

  runButton(): Locator {
    return this.page.getByTestId('simulate-run');
  }

  async chooseRange(since: '15m' | '1h' | '6h' | '24h' | '7d'): Promise<void> {
    await this.page.getByTestId(`range-${since}`).click();
    await expect(this.page.getByTestId(`range-${since}`)).toHaveAttribute('aria-pressed', 'true');
  }

  async addDefaultDeny(namespace: string): Promise<void> {
    await this.page.getByTestId('preset-namespace').selectOption(namespace);
    await this.page.getByTestId('preset-add').click();
    await expect(this.page.locator(`[data-testid="change-preset"][data-namespace="${namespace}"]`)).toBeVisible();
  }

  /** Picks a deployed policy and copies its YAML into the editor. */
  async copyPolicy(namespace: string, name: string): Promise<void> {
    await this.page.getByTestId('policy-namespace').selectOption(namespace);
    const select = this.page.getByTestId('policy-name');
    await expect(select.locator('option', { hasText: name })).toHaveCount(1);
    await select.selectOption({ label: name });
    await this.page.getByTestId('policy-copy').click();
  }

  progress(): Locator {
    return this.page.getByTestId('replay-progress');
  }

  cancelButton(): Locator {
    return this.page.getByTestId('replay-cancel');
  }

  /** Runs the change and waits for its result. */
  async run(): Promise<Locator> {
    await expect(this.runButton()).toBeEnabled();
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/api/simulate') && r.request().method() === 'POST');
    await this.runButton().click();
    expect((await answered).status()).toBe(200);
    const result = this.page.getByTestId('simulation-result');
    await expect(result).toBeVisible();
    await expect(this.runButton()).toBeEnabled();
    return result;
  }

  /** The rows of the affected-edges table inside `scope` (the page by default). */
  affectedEdges(scope: Locator | Page = this.page): Promise<AffectedEdgeRow[]> {
    return scope.getByTestId('affected-edge').evaluateAll((els) =>
      els.map((e) => ({
        edge: e.getAttribute('data-edge') ?? '',
        outcome: e.getAttribute('data-outcome') ?? '',
        source: e.getAttribute('data-source') ?? '',
        target: e.getAttribute('data-target') ?? '',
        dns: e.getAttribute('data-dns') === 'true',
      })),
    );
  }

  dnsBreakage(scope: Locator | Page = this.page): Locator {
    return scope.getByTestId('dns-breakage');
  }

  /** The edge ids the DNS box calls out. */
  dnsEdges(scope: Locator | Page = this.page): Promise<string[]> {
    return scope.getByTestId('dns-edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-edge') ?? ''));
  }

  /** Edges drawn on the outcome map per outcome, as the map says (data attributes). */
  async mapCounts(): Promise<Record<'edges' | 'breaks' | 'audit' | 'opens' | 'unchanged', number>> {
    const map = this.page.getByTestId('outcome-map');
    const n = async (k: string) => Number(await map.getAttribute(`data-${k}`));
    return { edges: await n('edges'), breaks: await n('breaks'), audit: await n('audit'), opens: await n('opens'), unchanged: await n('unchanged') };
  }

  /** The size cytoscape draws the outcome map at (zero when its box collapsed). */
  mapSize(): Promise<{ width: number; height: number }> {
    return this.page.evaluate(() => ({ width: window.__flowsightOutcomeCy?.width() ?? 0, height: window.__flowsightOutcomeCy?.height() ?? 0 }));
  }

  /** The outcome map's edges with the colour and line cytoscape rendered them with. */
  async mapEdges(): Promise<OutcomeMapEdge[]> {
    await this.page.waitForFunction(() => (window.__flowsightOutcomeCy?.edges().length ?? 0) > 0);
    return this.page.evaluate(() =>
      window.__flowsightOutcomeCy!.edges().map((e) => ({
        id: e.id(),
        outcome: e.data('outcome') as string,
        lineColor: e.style('line-color') as string,
        lineStyle: e.style('line-style') as string,
      })),
    );
  }

  /** Opens the recommend panel and asks for `namespace`; resolves with the panel's answer. */
  async recommend(namespace: string): Promise<Locator> {
    await this.page.getByTestId('tab-recommend').click();
    await this.page.getByTestId('recommend-namespace').selectOption(namespace);
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/api/recommend') && r.request().method() === 'POST');
    await this.page.getByTestId('recommend-run').click();
    expect((await answered).status()).toBe(200);
    const result = this.page.getByTestId('recommend-result');
    await expect(result).toBeVisible();
    await expect(this.page.getByTestId('recommend-run')).toBeEnabled();
    return result;
  }

  /** Clicks a download button and returns the file's name and text. */
  async download(testId: string): Promise<{ name: string; text: string }> {
    const [download]: [Download, void] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId(testId).click()]);
    return { name: download.suggestedFilename(), text: await fs.readFile((await download.path())!, 'utf8') };
  }
}
