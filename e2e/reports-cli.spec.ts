/**
 * `flowsight report` against the demo dashboard, through the real entry point, as a CronJob runs it:
 * the bundle's PDF (read with pdftotext) holds the findings and the coverage table, the map PNG has the
 * map's size and is not blank, every hash in the manifest verifies, and two runs over the same range
 * give byte-identical report.json. Then the standalone mode, which starts its own Flowsight.
 */

import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readmeCommands } from '../bin/commands/testing/readme-commands';
import { runCli } from './fixtures/run-cli';
import { mismatches, pdfInfo, pdfText, pngSize, readManifest } from './fixtures/evidence-bundle';

const cli = runCli;

/** Distinct colours over a grid of the image's pixels, counted by the browser that decodes it. */
async function distinctColours(page: Page, file: string): Promise<number> {
  const b64 = fs.readFileSync(file).toString('base64');
  return page.evaluate(async (data) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const seen = new Set<string>();
    for (let y = 0; y < img.height; y += 7) for (let x = 0; x < img.width; x += 7) seen.add(ctx.getImageData(x, y, 1, 1).data.join(','));
    return seen.size;
  }, b64);
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-report-e2e-'));
const readme = readmeCommands(fs.readFileSync('README.md', 'utf8')).filter((c) => c.args[0] === 'report');

test.describe('flowsight report', () => {
  test.describe.configure({ timeout: 300_000, mode: 'serial' });
  let range: { since: string; until: string };

  test.beforeAll(async ({ request }) => {
    // A range the history holds completely and that has traffic: reports cover whole minutes, and the
    // range ends at least 20 s before now, so every flow in it has been written. A dashboard started
    // less than a minute ago has no such minute yet: wait for one.
    const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
    await expect
      .poll(
        async () => {
          const now = Date.now();
          range = { since: new Date(minute(now - 10 * 60_000)).toISOString(), until: new Date(minute(now - 20_000)).toISOString() };
          const res = await request.get(`/api/graph?since=${encodeURIComponent(range.since)}&until=${encodeURIComponent(range.until)}`);
          return res.ok() ? ((await res.json()) as { edges: unknown[] }).edges.length : 0;
        },
        { timeout: 120_000, intervals: [2000] },
      )
      .toBeGreaterThan(10);
  });

  test.afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('writes a complete, verifiable bundle; the same range twice gives the same report.json', async ({ page, baseURL }) => {
    const first = await cli(['report', '--out', out, '--since', range.since, '--until', range.until, '--url', baseURL!, '--quiet']);
    expect(first.code, first.err).toBe(0);
    const dir = first.out.trim().split('\n').at(-1)!;
    expect(path.dirname(dir)).toBe(out);
    expect(path.basename(dir)).toMatch(/^flowsight-evidence-\d{8}-\d{6}-[0-9a-f]{8}$/);
    expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', 'map.png', 'report.json', 'report.pdf']);
    // Nothing half-written is left beside it.
    expect(fs.readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);

    const manifest = readManifest(dir);
    expect(manifest.complete).toBe(true);
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['map.png', 'report.json', 'report.pdf']);
    expect(mismatches(dir)).toEqual([]);
    expect(manifest.sources.map((s) => s.name)).toEqual(['cluster', 'relay', 'azure', 'history']);
    expect(manifest.sources.find((s) => s.name === 'cluster')!.lastSyncAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as { findings: { key: string; title: string }[]; coverage: { namespace: string }[]; range: { since: string } };
    expect(report.range.since).toBe(new Date(range.since).toISOString());

    // The PDF: A4, several pages, with the findings (by id) and the coverage table in its text.
    const info = pdfInfo(path.join(dir, 'report.pdf'));
    expect(info['Page size']).toContain('(A4)');
    expect(Number(info.Pages)).toBeGreaterThan(1);
    const text = pdfText(path.join(dir, 'report.pdf'));
    expect(text).toContain('Namespace coverage');
    expect(text).toContain('unprotected-namespace:legacy');
    for (const ns of report.coverage.map((r) => r.namespace)) expect(text).toContain(ns);
    const unprotected = report.findings.find((f) => f.key === 'unprotected-namespace:legacy')!;
    expect(text.replace(/\s+/g, ' ')).toContain(unprotected.title.slice(0, 40));

    // The map as the dashboard draws it: the map region of a 1600-wide page, not a blank image.
    const png = pngSize(path.join(dir, 'map.png'));
    expect(png.width).toBe(1600);
    expect(png.height).toBeGreaterThan(500);
    expect(png.height).toBeLessThanOrEqual(1000);
    expect(await distinctColours(page, path.join(dir, 'map.png'))).toBeGreaterThan(10);

    const second = await cli(['report', '--out', out, '--since', range.since, '--until', range.until, '--url', baseURL!, '--quiet']);
    expect(second.code, second.err).toBe(0);
    const dir2 = second.out.trim().split('\n').at(-1)!;
    expect(dir2).not.toBe(dir);
    expect(fs.readFileSync(path.join(dir2, 'report.json'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
  });

  test('the README shows report examples, and they run as written against the dashboard', async ({ baseURL }) => {
    expect(readme.length).toBeGreaterThanOrEqual(2);
    for (const c of readme) {
      const args = c.args.map((a) => (a === 'http://127.0.0.1:3000' ? baseURL! : a === 'evidence' ? path.join(out, 'readme') : a));
      const r = await cli([...args, '--quiet']);
      expect(r.code, `${c.line}\n${r.err}`).toBe(c.exitCode);
      expect(mismatches(r.out.trim().split('\n').at(-1)!)).toEqual([]);
    }
  });

  test('bad input exits 2 naming the option, and writes nothing', async ({ baseURL }) => {
    const r = await cli(['report', '--out', out, '--since', 'last tuesday', '--url', baseURL!]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--since/);
    const ns = await cli(['report', '--out', out, '--namespace', 'Not_A_Namespace', '--url', baseURL!]);
    expect(ns.code).toBe(2);
    expect(ns.err).toMatch(/--namespace/);
  });

  test('no Flowsight at the URL: exit 3 and no bundle', async () => {
    const before = fs.readdirSync(out).length;
    const r = await cli(['report', '--out', out, '--url', 'http://127.0.0.1:9', '--quiet']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/no Flowsight answers at http:\/\/127\.0\.0\.1:9/);
    expect(fs.readdirSync(out).length).toBe(before);
  });

  test('a broken browser gives an incomplete bundle with the JSON part, and a non-zero exit', async () => {
    // --standalone starts its own Flowsight; its renderer is pointed at a browser that is not there.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-standalone-'));
    try {
      const r = await cli(['report', '--out', out, '--standalone', '--since', '10m', '--quiet'], { FLOWSIGHT_DATA_DIR: dataDir, FLOWSIGHT_REBUILD: '0', FLOWSIGHT_DEMO_RATE: '200', CHROMIUM_PATH: '/nonexistent/chromium', FLOWSIGHT_LOG_LEVEL: 'warn' });
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(/incomplete[\s\S]*chromium could not start \(\/nonexistent\/chromium\)/);
      const dir = r.out.trim().split('\n').at(-1)!;
      expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', 'report.json']);
      const manifest = readManifest(dir);
      expect(manifest.complete).toBe(false);
      expect(mismatches(dir)).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('standalone: starts a Flowsight on the same inputs, writes a complete bundle, and stops it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-standalone-'));
    try {
      const r = await cli(['report', '--out', out, '--standalone', '--since', '10m', '--namespace', 'legacy', '--quiet'], { FLOWSIGHT_DATA_DIR: dataDir, FLOWSIGHT_REBUILD: '0', FLOWSIGHT_DEMO_RATE: '200', FLOWSIGHT_LOG_LEVEL: 'warn' });
      expect(r.code, r.err).toBe(0);
      const dir = r.out.trim().split('\n').at(-1)!;
      expect(mismatches(dir)).toEqual([]);
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as { scope: unknown; coverage: { namespace: string }[]; basis: { notes: string[] } };
      expect(report.scope).toEqual({ kind: 'namespaces', namespaces: ['legacy'] });
      // Its history is new: the range (fixed before it started) was not observed, and the report says so.
      expect(report.basis.notes.join(' ')).toMatch(/The flow history holds (no flows|flows from .* on)/);
      expect(report.coverage.map((c) => c.namespace)).toEqual(['legacy']);
      expect(pdfText(path.join(dir, 'report.pdf'))).toContain('legacy');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
