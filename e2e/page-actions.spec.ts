import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs/promises';
import { FOOTER_HEIGHT } from '../components/page-actions/footer';
import { keepEventSources } from './fixtures/event-sources';
import { FlowsPage } from './pages/flows-page';
import { MapPage } from './pages/map-page';

/** A screenshot taken with the header's button: the file name and the PNG's bytes. */
interface Shot {
  name: string;
  png: Buffer;
}

/** `inPlace` clicks without scrolling the button into view first, as Playwright's click would. */
async function takeScreenshot(page: Page, { inPlace = false } = {}): Promise<Shot> {
  const download = page.waitForEvent('download');
  const button = page.getByTestId('screenshot');
  if (inPlace) await button.evaluate((b: HTMLButtonElement) => b.click());
  else await button.click();
  const file = await download;
  const png = Buffer.concat(await (await file.createReadStream()).toArray());
  // Kept with the test's output, to look at when an assertion on the image fails.
  await fs.writeFile(test.info().outputPath(file.suggestedFilename()), png);
  return { name: file.suggestedFilename(), png };
}

/** Width and height from the IHDR chunk, after checking the PNG signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where <main> and (optionally) one element inside it are, in CSS px, and the device pixel ratio. */
function layout(page: Page, testId?: string): Promise<{ main: Box; inner: Box | null; dpr: number }> {
  return page.evaluate((id) => {
    const main = document.querySelector('main')!;
    const m = main.getBoundingClientRect();
    const el = id ? document.querySelector(`[data-testid="${id}"]`) : null;
    const r = el?.getBoundingClientRect();
    return {
      main: { x: m.left, y: m.top, width: main.clientWidth, height: main.clientHeight },
      inner: r ? { x: r.left - m.left, y: r.top - m.top, width: r.width, height: r.height } : null,
      dpr: window.devicePixelRatio,
    };
  }, testId);
}

interface RegionStats {
  /** Distinct colours among the sampled pixels. */
  colours: number;
  /** Share of the sampled pixels that are dark (text). */
  dark: number;
}

/**
 * Decodes the PNG in the browser (no image library here) and describes it: for each region (a box
 * in image pixels) a grid of samples, and the [r, g, b] at each of `points`.
 */
function analyse(page: Page, png: Buffer, regions: Box[], points: Array<[number, number]> = []): Promise<{ regions: RegionStats[]; points: number[][] }> {
  return page.evaluate(
    async ({ base64, regions, points }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${base64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(img, 0, 0);
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const at = (x: number, y: number) => {
        const o = (Math.floor(y) * image.width + Math.floor(x)) * 4;
        return [image.data[o], image.data[o + 1], image.data[o + 2]];
      };
      const steps = 120;
      return {
        regions: regions.map((r) => {
          const colours = new Set<string>();
          let dark = 0;
          for (let i = 0; i < steps; i++) {
            for (let j = 0; j < steps; j++) {
              const [red, green, blue] = at(r.x + ((i + 0.5) * r.width) / steps, r.y + ((j + 0.5) * r.height) / steps);
              colours.add(`${red},${green},${blue}`);
              if (0.299 * red + 0.587 * green + 0.114 * blue < 110) dark++;
            }
          }
          return { colours: colours.size, dark: dark / steps ** 2 };
        }),
        points: points.map(([x, y]) => at(x, y)),
      };
    },
    { base64: png.toString('base64'), regions, points },
  );
}

/**
 * How different two PNGs look over `box` (image pixels of the first; the second read `dy` pixels
 * lower): the mean difference, 0-255, of the brightness of 16-pixel blocks. Blocks average out
 * glyph rendering details (html-to-image draws text a hair smaller) but not content in the wrong place.
 */
function blockDifference(page: Page, a: Buffer, b: Buffer, box: Box, dy = 0): Promise<number> {
  return page.evaluate(
    async ({ a, b, box, dy }) => {
      const decode = async (base64: string) => {
        const img = new Image();
        img.src = `data:image/png;base64,${base64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, canvas.width, canvas.height);
      };
      const [first, second] = await Promise.all([decode(a), decode(b)]);
      const block = 16;
      const brightness = (d: ImageData, x0: number, y0: number) => {
        let sum = 0;
        for (let y = y0; y < y0 + block; y++) {
          for (let x = x0; x < x0 + block; x++) {
            const o = (y * d.width + x) * 4;
            sum += 0.299 * d.data[o] + 0.587 * d.data[o + 1] + 0.114 * d.data[o + 2];
          }
        }
        return sum / block ** 2;
      };
      let total = 0;
      let blocks = 0;
      for (let y = box.y; y + block <= box.y + box.height; y += block) {
        for (let x = box.x; x + block <= box.x + box.width; x += block) {
          total += Math.abs(brightness(first, x, y) - brightness(second, x, y + dy));
          blocks++;
        }
      }
      return total / blocks;
    },
    { a: a.toString('base64'), b: b.toString('base64'), box, dy },
  );
}

/** Sum of the channel differences. */
const colourDistance = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0);

/** The local time in a file name (`YYYYMMDD-HHmmss`) as epoch ms. */
function fileNameTime(name: string): number {
  const m = /-(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)\.png$/.exec(name)!;
  return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]).getTime();
}

test.describe('page actions: screenshot', () => {
  test('downloads a PNG of the flows page as shown, with a footer under it', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open(`q=${encodeURIComponent('verdict:dropped')}`);
    await expect(flows.rows().first()).toBeVisible();
    // Watch the button while it works: it must say so and not take a second click.
    await page.getByTestId('screenshot').evaluate((button) => {
      const seen: string[] = [];
      (window as unknown as { __shotStates: string[] }).__shotStates = seen;
      new MutationObserver(() => seen.push(`${button.textContent}|${(button as HTMLButtonElement).disabled}`)).observe(button, { attributes: true, childList: true, subtree: true, characterData: true });
    });
    const started = Date.now();
    const shot = await takeScreenshot(page);

    expect(shot.name).toMatch(/^flowsight-flows-\d{8}-\d{6}\.png$/);
    expect(Math.abs(fileNameTime(shot.name) - started)).toBeLessThan(60_000);
    expect(await page.evaluate(() => (window as unknown as { __shotStates: string[] }).__shotStates)).toContain('Capturing…|true');
    await expect(page.getByTestId('screenshot')).toBeEnabled();
    await expect(page.getByTestId('screenshot')).toHaveText('Screenshot');

    const { main, dpr } = await layout(page);
    const ratio = dpr > 1 ? Math.min(dpr, 2) : 1;
    const size = pngSize(shot.png);
    expect(size.width).toBe(Math.round(main.width * ratio));
    expect(size.height).toBe(Math.round(main.height * ratio) + Math.round(FOOTER_HEIGHT * ratio));
    expect(shot.png.length).toBeGreaterThan(20_000);

    const captured = { x: 0, y: 0, width: size.width, height: size.height - FOOTER_HEIGHT * ratio };
    // The footer's text area, clear of its top rule.
    const footer = { x: 0, y: captured.height + 4 * ratio, width: size.width / 2, height: (FOOTER_HEIGHT - 8) * ratio };
    const { regions } = await analyse(page, shot.png, [captured, footer]);
    expect(regions[0].colours, 'the page content, not a blank image').toBeGreaterThan(20);
    expect(regions[1].dark, 'dark footer text').toBeGreaterThan(0.01);
    expect(regions[1].dark).toBeLessThan(0.5);
  });

  test('captures a scrolled table where it is scrolled to, as the screen shows it', async ({ page }) => {
    const flows = new FlowsPage(page);
    // A finished history search holds still while the rows are measured and captured.
    await flows.open(`q=${encodeURIComponent('verdict:forwarded')}&since=15m`);
    await flows.settled();
    await expect(flows.rows().first()).toBeVisible();
    const scroller = page.getByTestId('flow-table-scroll').locator('visible=true');
    // Not a whole number of rows, so an unscrolled copy could not line up by chance.
    await scroller.evaluate((el) => el.scrollTo(0, 915));
    const mainTop = await page.locator('main').evaluate((el) => el.getBoundingClientRect().top);
    // The table renders the rows of the new position after the scroll event: until then the rows
    // read are those of the old one (a CI run picked none).
    const lowRow = async () => (await flows.rowsShown()).find((r) => r.top - mainTop > 400);
    await expect.poll(async () => (await lowRow()) !== undefined, { message: 'a row shown 400 px below the top of the page' }).toBe(true);
    const pick = (await lowRow())!;
    const row = page.locator(`[data-testid="flow-row"][data-uuid="${pick.uuid}"]`).locator('visible=true');
    await row.click();
    await expect(row).toHaveClass(/bg-sky-100/);
    await page.mouse.move(0, 0);
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(600);
    const at = await row.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { y: r.top - document.querySelector('main')!.getBoundingClientRect().top + r.height / 2, height: r.height };
    });

    const shot = await takeScreenshot(page);
    // The selected row's left padding, and the same spot one row above and below.
    const { points } = await analyse(page, shot.png, [], [[4, at.y], [4, at.y - at.height], [4, at.y + at.height]]);
    const sky100 = [224, 242, 254];
    expect(colourDistance(points[0], sky100), `selected row at y=${at.y}: ${points[0]}`).toBeLessThan(12);
    expect(colourDistance(points[1], sky100)).toBeGreaterThan(12);
    expect(colourDistance(points[2], sky100)).toBeGreaterThan(12);
  });

  test('captures a page taller than the window where the window is scrolled to', async ({ page }) => {
    // The overview is live (its traffic chart rescales as spikes leave the window): keep its
    // EventSources, to hold the page still between the screen's picture and the capture.
    const streams = await keepEventSources(page);
    await page.goto('/');
    await expect(page.getByTestId('relay-state')).toContainText('connected');
    await expect(page.locator('main')).toContainText('Findings');
    await expect(page.getByText(/last \d+ s/)).toBeVisible();
    // Hold still: no more stream events, and the posture polls get no answer (the last one stays shown).
    await page.route('**/api/posture**', () => {});
    const closed = await streams.closeAll();
    expect(closed).toBeGreaterThan(0);
    // The overview spills out of <main> and scrolls the window; scroll past the header.
    await page.mouse.wheel(0, 400);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
    const viewport = page.viewportSize()!;
    const screen = await page.screenshot({ path: test.info().outputPath('screen.png') });
    // The header scrolls away with the page: a person would scroll back a little to reach the
    // button, and Playwright's click would scroll it fully into view, so click it where it is.
    const shot = await takeScreenshot(page, { inPlace: true });
    // The header is out of the window: the content fills it.
    expect(pngSize(shot.png)).toEqual({ width: viewport.width, height: viewport.height + FOOTER_HEIGHT });
    const whole = { x: 0, y: 0, width: viewport.width, height: viewport.height };
    const aligned = await blockDifference(page, shot.png, screen, whole);
    // The same comparison with the content 120 px off shows what a wrong region would score.
    const shifted = await blockDifference(page, shot.png, screen, { ...whole, height: viewport.height - 120 }, 120);
    expect(aligned, `aligned ${aligned.toFixed(2)}, shifted ${shifted.toFixed(2)}`).toBeLessThan(shifted / 3);
  });

  // The code editor on /simulate has source-less <img>s that once failed the whole capture.
  for (const [path, slug] of [['/', 'overview'], ['/policies', 'policies'], ['/azure', 'azure'], ['/egress', 'egress'], ['/simulate', 'simulate']]) {
    test(`captures ${path} too`, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByTestId('relay-state')).toContainText('connected');
      const shot = await takeScreenshot(page);
      expect(shot.name).toMatch(new RegExp(`^flowsight-${slug}-\\d{8}-\\d{6}\\.png$`));
      const { main } = await layout(page);
      expect(pngSize(shot.png)).toEqual({ width: main.width, height: main.height + FOOTER_HEIGHT });
      await expect(page.getByTestId('screenshot-error')).toHaveCount(0);
    });
  }

  test('says clearly when the capture fails, and the button works again', async ({ page }) => {
    const flows = new FlowsPage(page);
    await flows.open('q=verdict%3Adropped');
    await expect(flows.rows().first()).toBeVisible();
    await page.evaluate(() => {
      HTMLCanvasElement.prototype.toBlob = function (callback: BlobCallback) {
        callback(null);
      };
    });
    await page.getByTestId('screenshot').click();
    await expect(page.getByRole('alert').filter({ hasText: 'Screenshot failed' })).toContainText('could not encode the PNG');
    await expect(page.getByTestId('screenshot')).toBeEnabled();
  });

  test.describe('on a HiDPI screen', () => {
    test.use({ deviceScaleFactor: 2 });

    test('captures the map canvas at twice the size', async ({ page }) => {
      const map = new MapPage(page);
      await map.open();
      const shot = await takeScreenshot(page);
      expect(shot.name).toMatch(/^flowsight-map-\d{8}-\d{6}\.png$/);

      const { main, inner, dpr } = await layout(page, 'graph-canvas');
      expect(dpr).toBe(2);
      const size = pngSize(shot.png);
      expect(size.width).toBe(main.width * 2);
      expect(size.height).toBe(main.height * 2 + FOOTER_HEIGHT * 2);
      const graph = inner!;
      const mapRegion = { x: graph.x * 2, y: graph.y * 2, width: graph.width * 2, height: graph.height * 2 };
      const { regions } = await analyse(page, shot.png, [mapRegion]);
      // Nodes, labels and coloured edges: an uncaptured canvas would be one flat white.
      expect(regions[0].colours, 'the cytoscape canvas is in the image').toBeGreaterThan(10);
      expect(regions[0].dark).toBeGreaterThan(0.001);
    });
  });
});

test.describe('page actions: copy link', () => {
  test('copies the full URL of the view and says so', async ({ page, context, baseURL }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
    const flows = new FlowsPage(page);
    await flows.open(`q=${encodeURIComponent('verdict:dropped ns:payments')}&since=15m`);
    await expect(page).toHaveURL(/q=/);
    await page.getByTestId('copy-link').click();
    await expect(page.getByTestId('page-action-status')).toHaveText('Link copied');
    await expect(page.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
  });

  test('falls back to a selected hidden textarea without the clipboard API (plain HTTP)', async ({ page, context, baseURL }) => {
    await page.addInitScript(() => {
      // As on a plain-HTTP address that is not loopback: no navigator.clipboard.
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
      const copied: string[] = [];
      (window as unknown as { __copied: string[] }).__copied = copied;
      // What the copy command takes: the selection in the element it copies from.
      document.addEventListener('copy', (e) => {
        const area = e.target as HTMLTextAreaElement;
        copied.push(area.value.slice(area.selectionStart, area.selectionEnd));
      });
    });
    const map = new MapPage(page);
    await map.open('ns=legacy');
    await page.getByTestId('copy-link').click();
    await expect(page.getByTestId('page-action-status')).toHaveText('Link copied');
    expect(await page.evaluate(() => (window as unknown as { __copied: string[] }).__copied)).toEqual([page.url()]);
    await expect(page.getByTestId('copy-link-manual')).toHaveCount(0);
    await expect(page.locator('textarea[aria-hidden="true"]')).toHaveCount(0);
    // And it reached the clipboard: read it from a page that has the API.
    await context.grantPermissions(['clipboard-read'], { origin: baseURL });
    const reader = await context.newPage();
    await reader.goto('/api/status');
    expect(await reader.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
  });

  test('shows the link selected for copying by hand when the browser copies nothing', async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
      document.execCommand = () => false;
    });
    const flows = new FlowsPage(page);
    await flows.open('q=verdict%3Adropped');
    await page.getByTestId('copy-link').click();
    const manual = page.getByTestId('copy-link-manual');
    const input = manual.getByRole('textbox');
    await expect(input).toHaveValue(page.url());
    await expect(input).toBeFocused();
    expect(await input.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([0, page.url().length]);
    await expect(page.getByTestId('page-action-status')).toHaveText('');
    await input.press('Escape');
    await expect(manual).toHaveCount(0);
    await expect(page.getByTestId('copy-link')).toBeFocused();
  });
});
