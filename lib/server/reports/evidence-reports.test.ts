/**
 * Evidence bundles on disk: written into a partial folder and renamed once the manifest is written, so
 * a crash or a full disk never leaves a folder that looks complete; a browser that cannot start gives a
 * bundle with the JSON part, marked incomplete with the reason; every hash in the manifest verifies.
 */

import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../../azure/demo';
import { FlowGenerator } from '../../demo/flow-generator';
import { demoScenario } from '../../demo/scenario';
import { verifyManifest, type EvidenceManifest } from '../../evidence/manifest';
import { demoSnapshot } from '../../k8s/demo-source';

import { EvidenceReports, mapPathOf, type GatheredInputs } from './evidence-reports';
import { RenderError, type RenderedPages, type RenderRequest } from './render-pages';

const range = { since: 1_700_000_000_000, until: 1_700_003_600_000 };

function gathered(): GatheredInputs {
  const flows = new FlowGenerator(demoScenario(), 3).generate(500, range.since + 1000, 1000);
  return {
    input: {
      range,
      scope: { kind: 'cluster' },
      cluster: { snapshot: demoSnapshot().snapshot, status: { kind: 'demo', stale: false, errors: [] }, name: 'demo' },
      relay: 'demo relay',
      datapath: { hubbleRelay: true },
      azure: demoAzureSnapshot(),
      flows: { records: flows, inRange: flows.length, from: 'history' },
      edges: [],
    },
    sources: [{ name: 'cluster', kind: 'demo', origin: 'demo', lastSyncAt: '2023-11-14T22:13:20.000Z' }],
  };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const PDF = Buffer.from('%PDF-1.7\n%fake\n');
const render = { baseUrl: 'http://127.0.0.1:1', auth: {}, chromiumPath: '/usr/bin/chromium', timeoutMs: 1000 };

describe('evidence bundles', () => {
  let dir: string;
  beforeEach(() => void (dir = fs.mkdtempSync(path.join(tmpdir(), 'flowsight-bundles-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const read = (id: string) => (name: string) => {
    const p = path.join(dir, id, name);
    return fs.existsSync(p) ? fs.readFileSync(p) : null;
  };

  it('writes report.json, map.png, report.pdf and a manifest whose hashes verify; the browser is sent to the map of the range and the print view', async () => {
    const reports = new EvidenceReports(dir, '9.9.9');
    const seen: RenderRequest[] = [];
    const fraction: number[] = [];
    const summary = await reports.generate({
      request: { range, scope: { kind: 'cluster' } },
      requestedBy: 'alice@example.com',
      gather: async () => gathered(),
      render,
      renderPages: async (req): Promise<RenderedPages> => {
        seen.push(req);
        // While the browser works, the print view reads the partial folder's report.json.
        expect(reports.report(path.basename(req.printPath.split('/')[2]))).not.toBeNull();
        await req.onMap(PNG);
        return { png: PNG, pdf: PDF, problems: [] };
      },
      progress: (p) => fraction.push(p.fraction),
    });
    expect(summary.complete).toBe(true);
    expect(summary.files.map((f) => f.name)).toEqual(['report.json', 'map.png', 'report.pdf']);
    expect(fs.readdirSync(path.join(dir, summary.id)).sort()).toEqual(['manifest.json', 'map.png', 'report.json', 'report.pdf']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, summary.id, 'manifest.json'), 'utf8')) as EvidenceManifest;
    expect(manifest).toMatchObject({ flowsightVersion: '9.9.9', requestedBy: 'alice@example.com', complete: true, problems: [], range: { since: new Date(range.since).toISOString() } });
    expect(manifest.sources[0]).toMatchObject({ name: 'cluster', lastSyncAt: '2023-11-14T22:13:20.000Z' });
    expect(verifyManifest(manifest, read(summary.id))).toEqual([]);
    expect(seen[0].mapPath).toBe(mapPathOf({ range: manifest.range, scope: manifest.scope }));
    expect(seen[0].mapPath).toContain('posture=1');
    expect(seen[0].printPath).toBe(`/reports/${summary.id}/print`);
    expect(fraction.at(-1)).toBe(1);
    expect(fraction).toEqual([...fraction].sort((a, b) => a - b));
    expect(reports.list().map((r) => r.id)).toEqual([summary.id]);
    // The list reads the headline from the manifest; it is the report's own.
    const report = JSON.parse(fs.readFileSync(path.join(dir, summary.id, 'report.json'), 'utf8')) as { summary: { score: number; findings: Record<string, number> } };
    expect(reports.list()[0]).toMatchObject({ score: report.summary.score, findings: report.summary.findings });
    expect(report.summary.findings.high).toBeGreaterThan(0);

    // A file changed after the fact no longer verifies.
    fs.appendFileSync(path.join(dir, summary.id, 'report.json'), ' ');
    expect(verifyManifest(manifest, read(summary.id))).toEqual([expect.stringContaining('report.json')]);
  }, 60_000);

  it('keeps the JSON part and marks the bundle incomplete when the browser cannot start', async () => {
    const reports = new EvidenceReports(dir, '9.9.9');
    const summary = await reports.generate({
      request: { range, scope: { kind: 'cluster' } },
      requestedBy: 'token',
      gather: async () => gathered(),
      render: { ...render, chromiumPath: '/nonexistent/chromium' },
    });
    expect(summary.complete).toBe(false);
    expect(summary.problems.join(' ')).toMatch(/chromium could not start \(\/nonexistent\/chromium\)/);
    expect(summary.files.map((f) => f.name)).toEqual(['report.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, summary.id, 'manifest.json'), 'utf8')) as EvidenceManifest;
    expect(manifest.complete).toBe(false);
    expect(verifyManifest(manifest, read(summary.id))).toEqual([]);
  }, 60_000);

  it('writes the PDF even when the map could not be drawn, and says which part is missing', async () => {
    const reports = new EvidenceReports(dir, '9.9.9');
    const summary = await reports.generate({
      request: { range, scope: { kind: 'cluster' } },
      requestedBy: 'token',
      gather: async () => gathered(),
      render,
      renderPages: async () => ({ pdf: PDF, problems: [new RenderError('map', 'the map could not be drawn: timeout')] }),
    });
    expect(summary.complete).toBe(false);
    expect(summary.files.map((f) => f.name)).toEqual(['report.json', 'report.pdf']);
    expect(summary.problems).toEqual(['the map could not be drawn: timeout']);
  }, 60_000);

  it('leaves no bundle behind when the inputs cannot be read (nothing half-written is listed)', async () => {
    const reports = new EvidenceReports(dir, '9.9.9');
    await expect(reports.generate({ request: { range, scope: { kind: 'cluster' } }, requestedBy: 'token', gather: async () => Promise.reject(new Error('disk full')) })).rejects.toThrow('disk full');
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(reports.list()).toEqual([]);
  });

  it('never lists the partial folder of a run that crashed, and removes it at the next start', () => {
    fs.mkdirSync(path.join(dir, '.partial-20261129-101010-0123abcd'));
    fs.writeFileSync(path.join(dir, '.partial-20261129-101010-0123abcd', 'report.json'), '{}');
    // A folder without a manifest (written last) is not a bundle either.
    fs.mkdirSync(path.join(dir, '20261129-101011-0123abce'));
    const reports = new EvidenceReports(dir, '9.9.9');
    expect(fs.existsSync(path.join(dir, '.partial-20261129-101010-0123abcd'))).toBe(false);
    expect(reports.list()).toEqual([]);
  });

  it('serves only the bundle file names it writes, for ids of its own shape', async () => {
    const reports = new EvidenceReports(dir, '9.9.9');
    const summary = await reports.generate({ request: { range, scope: { kind: 'cluster' } }, requestedBy: 'token', gather: async () => gathered() });
    expect(reports.filePath(summary.id, 'report.json')).not.toBeNull();
    expect(reports.filePath(summary.id, '../../etc/passwd')).toBeNull();
    expect(reports.filePath('../x', 'report.json')).toBeNull();
    expect(reports.filePath(summary.id, 'map.png')).toBeNull();
  }, 60_000);

  it('keeps the newest bundles only: the oldest beyond the number kept are deleted', async () => {
    const reports = new EvidenceReports(dir, '9.9.9', 2);
    let t = Date.parse('2026-11-29T10:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      t += 60_000;
      const at = t;
      ids.push((await reports.generate({ request: { range, scope: { kind: 'cluster' } }, requestedBy: 'token', gather: async () => gathered(), now: () => at })).id);
    }
    expect(reports.list().map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(fs.existsSync(path.join(dir, ids[0]))).toBe(false);
  }, 60_000);

  it('serves a finished bundle\'s files only as its manifest lists them', async () => {
    const reports = new EvidenceReports(dir, '9.9.9');
    const summary = await reports.generate({ request: { range, scope: { kind: 'cluster' } }, requestedBy: 'token', gather: async () => gathered() });
    // A file that appeared beside the bundle afterwards (or one a failed write left) is not part of it.
    fs.writeFileSync(path.join(dir, summary.id, 'map.png'), 'not listed');
    expect(reports.filePath(summary.id, 'map.png')).toBeNull();
    expect(reports.filePath(summary.id, 'manifest.json')).not.toBeNull();
    expect(reports.scopeOf(summary.id)).toEqual({ kind: 'cluster' });
  }, 60_000);

  it('drops a map whose write failed (disk full) and says so; the PDF and the JSON part are kept', async () => {
    const reports = new EvidenceReports(dir, '9.9.9');
    const summary = await reports.generate({
      request: { range, scope: { kind: 'cluster' } },
      requestedBy: 'token',
      gather: async () => gathered(),
      render,
      renderPages: async (req) => {
        // A folder where the map's temporary file goes: its write fails (as on a full disk, and even for root).
        const folder = path.dirname(reports.filePath(req.printPath.split('/')[2], 'report.json')!);
        fs.mkdirSync(path.join(folder, '.map.png.tmp'));
        const problems: RenderError[] = [];
        await req.onMap(PNG).catch((err: Error) => problems.push(new RenderError('map', `the map could not be drawn: ${err.message}`)));
        return { pdf: PDF, problems };
      },
    });
    expect(summary.complete).toBe(false);
    expect(summary.problems.join(' ')).toMatch(/the map could not be drawn: EISDIR/);
    expect(summary.files.map((f) => f.name)).toEqual(['report.json', 'report.pdf']);
    expect(fs.readdirSync(path.join(dir, summary.id)).filter((n) => n.includes('map'))).toEqual([]);
    expect(reports.filePath(summary.id, 'map.png')).toBeNull();
  }, 60_000);
});

