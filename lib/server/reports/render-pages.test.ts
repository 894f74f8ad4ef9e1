/**
 * The browser's part of a bundle against servers that misbehave, with the real chromium: a page that
 * never answers must not hold the report (one deadline over the whole rendering), and a page that
 * refuses gives the part it was for as a named problem while the rest is still made.
 */

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { renderBundlePages, type RenderRequest } from './render-pages';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const servers: http.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.closeAllConnections?.() ?? s.close()));

function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const request = (baseUrl: string, extra: Partial<RenderRequest> = {}): RenderRequest => ({
  baseUrl,
  auth: { authorization: 'Bearer secret-token-for-the-test' },
  mapPath: '/map?since=a&until=b',
  printPath: '/reports/x/print',
  footer: 'test',
  chromiumPath: CHROMIUM,
  timeoutMs: 60_000,
  onMap: async () => undefined,
  progress: () => undefined,
  ...extra,
});

describe.skipIf(!fs.existsSync(CHROMIUM))('rendering a bundle with chromium', () => {
  it('stops at the deadline when a page never answers, and says so', async () => {
    const base = await serve(() => undefined); // accepts, never answers
    const started = Date.now();
    const r = await renderBundlePages(request(base, { deadlineMs: 4000 }));
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.png).toBeUndefined();
    expect(r.pdf).toBeUndefined();
    expect(r.problems.map((p) => p.message)).toEqual(['rendering took longer than 4 s and was stopped']);
  }, 60_000);

  it('names the part a refusing page was for, prints the rest, and sends the requester\'s credentials', async () => {
    const seen: { url: string; authorization?: string }[] = [];
    const base = await serve((req, res) => {
      seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      if (req.url?.startsWith('/map')) {
        res.writeHead(403).end('no');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<article data-testid="evidence-document" data-ready="true"><h1>Evidence</h1></article>');
    });
    const r = await renderBundlePages(request(base, { timeoutMs: 20_000 }));
    expect(r.problems.map((p) => [p.part, p.message])).toEqual([['map', 'the map could not be drawn: the map answered HTTP 403']]);
    expect(r.pdf?.subarray(0, 5).toString()).toBe('%PDF-');
    // Both pages were asked for as the requester (the browser may fetch a favicon on its own, without them).
    const pages = seen.filter((r) => r.url.startsWith('/map') || r.url.startsWith('/reports/'));
    expect(pages.map((r) => r.url)).toEqual(['/map?since=a&until=b', '/reports/x/print']);
    expect(pages.every((r) => r.authorization === 'Bearer secret-token-for-the-test')).toBe(true);
  }, 60_000);
});
