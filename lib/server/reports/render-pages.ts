/**
 * Renders an evidence bundle's pictures with the app's own pages: Playwright drives chromium (Debian's,
 * never a downloaded one) to the map of the report's range and to the report's print view, as the user
 * who asked for it (their bearer token or session cookie, forwarded into the browser's context), so the
 * PNG and the PDF show exactly what the dashboard shows that user.
 */

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../util/chromium-args';

/** The map is drawn at this size: the PNG's size, and the width it has in the PDF. */
export const MAP_VIEWPORT = { width: 1600, height: 1000 } as const;

export interface RenderAuth {
  /** The request's Authorization header (a bearer token), forwarded as is. */
  authorization?: string;
  /** The request's session cookie value (OIDC or token sign-in). */
  sessionCookie?: { name: string; value: string };
  /** Trusted-proxy identity headers (believed only when the proxy list trusts loopback). */
  headers?: Record<string, string>;
}

export interface RenderRequest {
  /** Where this server answers from inside the process's host, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  auth: RenderAuth;
  /** Path and query of the map of the report's range and scope. */
  mapPath: string;
  /** Path of the report's print view. */
  printPath: string;
  /** Footer text on every PDF page (report id, range). */
  footer: string;
  chromiumPath: string;
  /** One page load or wait, at most. */
  timeoutMs: number;
  /** The whole rendering, at most (default three page loads). */
  deadlineMs?: number;
  /** Called when the map is written, before the PDF is rendered (the print view embeds it). */
  onMap: (png: Buffer) => Promise<void>;
  progress: (step: string, fraction: number) => void;
}

/** A part of the bundle the browser could not make, with what to do about it. */
export class RenderError extends Error {
  constructor(
    readonly part: 'browser' | 'map' | 'pdf',
    message: string,
  ) {
    super(message);
  }
}

async function launch(chromiumPath: string, timeoutMs: number): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS], timeout: timeoutMs });
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new RenderError('browser', `chromium could not start (${chromiumPath}): ${first}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to its path.`);
  }
}

async function contextFor(browser: Browser, req: RenderRequest): Promise<BrowserContext> {
  const extraHTTPHeaders: Record<string, string> = { ...(req.auth.headers ?? {}) };
  if (req.auth.authorization) extraHTTPHeaders.authorization = req.auth.authorization;
  const context = await browser.newContext({ viewport: { ...MAP_VIEWPORT }, deviceScaleFactor: 1, extraHTTPHeaders, ignoreHTTPSErrors: true, reducedMotion: 'reduce' });
  if (req.auth.sessionCookie) await context.addCookies([{ ...req.auth.sessionCookie, url: req.baseUrl }]);
  return context;
}

/** Waits until the map has drawn its graph and the layout has stopped moving nodes. */
async function mapSettled(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(() => {
    const cy = (window as unknown as { __flowsightCy?: { nodes(): { length: number } } }).__flowsightCy;
    const empty = document.querySelector('[data-testid="map-empty"][data-final="true"]');
    return !!empty || (!!cy && cy.nodes().length > 0);
  }, undefined, { timeout: timeoutMs });
  // The layout animates for a while: settled once node positions stop changing for a second.
  await page.waitForFunction(
    () => {
      type Cy = { nodes(): { map<T>(f: (n: { position(): { x: number; y: number } }) => T): T[] } };
      const w = window as unknown as { __flowsightCy?: Cy; __settle?: { sig: string; since: number } };
      const cy = w.__flowsightCy;
      if (!cy) return true;
      const sig = cy.nodes().map((n) => `${Math.round(n.position().x)},${Math.round(n.position().y)}`).join(';');
      const now = performance.now();
      if (!w.__settle || w.__settle.sig !== sig) {
        w.__settle = { sig, since: now };
        return false;
      }
      return now - w.__settle.since > 1000;
    },
    undefined,
    { timeout: timeoutMs, polling: 250 },
  );
}

/** What the browser made; a part it could not make is absent and `problems` says why (the rest is still made). */
export interface RenderedPages {
  png?: Buffer;
  pdf?: Buffer;
  problems: RenderError[];
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Renders map.png (handed to `onMap`), then the PDF of the print view, which shows the map when there is one. */
export async function renderBundlePages(req: RenderRequest): Promise<RenderedPages> {
  req.progress('starting the browser', 0.5);
  let browser: Browser;
  try {
    browser = await launch(req.chromiumPath, req.timeoutMs);
  } catch (err) {
    return { problems: [err instanceof RenderError ? err : new RenderError('browser', firstLine(err))] };
  }
  // One deadline over the whole rendering: a page.pdf() or a close that hangs must not hold the report slot.
  // Past it the browser is closed, what was made so far is kept, and nothing the late work makes is used.
  const deadlineMs = req.deadlineMs ?? 3 * req.timeoutMs;
  const out: RenderedPages = { problems: [] };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      stopped = true;
      out.problems.push(new RenderError('browser', `rendering took longer than ${Math.round(deadlineMs / 1000)} s and was stopped`));
      resolve();
    }, deadlineMs);
  });
  try {
    await Promise.race([renderPages(browser, req, out, () => stopped), deadline]);
    return { ...(out.png ? { png: out.png } : {}), ...(out.pdf ? { pdf: out.pdf } : {}), problems: [...out.problems] };
  } finally {
    clearTimeout(timer);
    // A close that hangs is left behind after 10 s rather than awaited for ever.
    await Promise.race([browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
  }
}

async function renderPages(browser: Browser, req: RenderRequest, out: RenderedPages, stopped: () => boolean): Promise<void> {
  try {
    const context = await contextFor(browser, req);
    const page = await context.newPage();
    page.setDefaultTimeout(req.timeoutMs);

    req.progress('drawing the map', 0.55);
    try {
      const res = await page.goto(new URL(req.mapPath, req.baseUrl).toString(), { waitUntil: 'load' });
      if (!res || !res.ok()) throw new Error(`the map answered HTTP ${res?.status() ?? 'nothing'}`);
      await mapSettled(page, req.timeoutMs);
      const png = await page.locator('[data-testid="map-region"]').screenshot({ type: 'png', animations: 'disabled' });
      if (stopped()) return;
      await req.onMap(png);
      out.png = png;
    } catch (err) {
      if (!stopped()) out.problems.push(new RenderError('map', `the map could not be drawn: ${firstLine(err)}`));
    }
    if (stopped()) return;

    req.progress('printing the report', 0.75);
    try {
      const res = await page.goto(new URL(req.printPath, req.baseUrl).toString(), { waitUntil: 'load' });
      if (!res || !res.ok()) throw new Error(`the print view answered HTTP ${res?.status() ?? 'nothing'}`);
      await page.locator('[data-testid="evidence-document"][data-ready="true"]').waitFor();
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        margin: { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' },
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: `<div style="font-size:8px;width:100%;padding:0 14mm;color:#475569;display:flex;justify-content:space-between"><span>${escapeHtml(req.footer)}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
      });
      if (!stopped()) out.pdf = pdf;
    } catch (err) {
      if (!stopped()) out.problems.push(new RenderError('pdf', `the PDF could not be printed: ${firstLine(err)}`));
    }
  } catch (err) {
    if (!stopped()) out.problems.push(new RenderError('browser', `the browser failed: ${firstLine(err)}`));
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
