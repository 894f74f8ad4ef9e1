/**
 * Evidence bundles on disk: `<FLOWSIGHT_DATA_DIR>/reports/<id>/` holds report.json, map.png,
 * report.pdf and manifest.json. A bundle is written into `.partial-<id>` and renamed when its manifest
 * is written, so a crash or a full disk never leaves a folder that looks complete; leftovers of a
 * crashed run are removed at start. A part the browser could not make is left out, the manifest says
 * `complete: false` and why, and the JSON part is always there.
 */

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildEvidenceReport, reportJson, type EvidenceInput, type EvidenceReport, type ReportScope } from '../views/evidence-report';
import { MANIFEST_SCHEMA, manifestFile, type EvidenceManifest, type ManifestFile, type ManifestSource } from '../../evidence/manifest';
import type { Severity } from '../../posture/finding';
import { renderBundlePages, type RenderAuth, type RenderedPages, type RenderRequest } from './render-pages';

export const BUNDLE_FILES = ['report.json', 'map.png', 'report.pdf', 'manifest.json'] as const;
export type BundleFile = (typeof BUNDLE_FILES)[number];

/** Report ids: a UTC timestamp and a random suffix, nothing a path could be built from. */
const ID = /^\d{8}-\d{6}-[0-9a-f]{8}$/;
const PARTIAL = '.partial-';
/** Past reports listed at most (newest first). */
export const MAX_LISTED = 200;

export interface ReportRequest {
  range: { since: number; until: number };
  scope: ReportScope;
}

/** What the reports page lists and the API answers for one bundle. */
export interface ReportSummary {
  id: string;
  generatedAt: string;
  range: { since: string; until: string };
  scope: ReportScope;
  requestedBy: string;
  complete: boolean;
  problems: string[];
  files: ManifestFile[];
  score: number | null;
  findings: Record<Severity, number> | null;
}

/** A report's inputs as read off the runtime (evidence-inputs.ts), and the data sources for its manifest. */
export interface GatheredInputs {
  input: EvidenceInput;
  sources: ManifestSource[];
}

/** `GET /api/reports`: the past reports the user may read, and how many are being made now (by anyone). */
export interface ReportsResponse {
  reports: ReportSummary[];
  inProgress: number;
}

export interface ReportProgress {
  step: string;
  /** 0..1 */
  fraction: number;
}

export interface GenerateOptions {
  request: ReportRequest;
  requestedBy: string;
  gather: (progress: (step: string, fraction: number) => void) => Promise<GatheredInputs>;
  /** The browser's part; absent in tests that check the JSON part alone. */
  render?: Omit<RenderRequest, 'mapPath' | 'printPath' | 'footer' | 'onMap' | 'progress'> & { auth: RenderAuth };
  /** The browser, replaceable in tests (default: Playwright on chromium). */
  renderPages?: (req: RenderRequest) => Promise<RenderedPages>;
  progress?: (p: ReportProgress) => void;
  now?: () => number;
}

const pad = (n: number) => String(n).padStart(2, '0');
function newId(now: number): string {
  const d = new Date(now);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}-${randomBytes(4).toString('hex')}`;
}

/** The map of the report's range and scope, with the posture layer on: what the dashboard draws for it. */
export function mapPathOf(report: Pick<EvidenceReport, 'range' | 'scope'>): string {
  const q = new URLSearchParams({ since: report.range.since, until: report.range.until, posture: '1' });
  if (report.scope.kind === 'namespaces') q.set('ns', report.scope.namespaces.join(','));
  return `/map?${q.toString()}`;
}

/** Bundles kept by default: the oldest beyond are deleted after each new one (about 1 MB each on the demo). */
export const DEFAULT_KEPT = 200;

export class EvidenceReports {
  /** Bundles being made: their partial folder and scope (the print view and the file route read them meanwhile). */
  private readonly running = new Map<string, { folder: string; scope: ReportScope }>();

  constructor(
    readonly dir: string,
    private readonly version: string,
    private readonly kept = DEFAULT_KEPT,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    // A run that crashed midway left a partial folder: never listed, removed here (it holds nothing the next run needs).
    for (const name of fs.readdirSync(dir)) if (name.startsWith(PARTIAL)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    this.prune();
  }

  /** Deletes the oldest bundles beyond the number kept: reports share the disk with the flow history. */
  private prune(): void {
    const ids = fs.readdirSync(this.dir).filter((n) => ID.test(n)).sort();
    for (const id of ids.slice(0, Math.max(0, ids.length - this.kept))) fs.rmSync(path.join(this.dir, id), { recursive: true, force: true });
  }

  private manifest(id: string): EvidenceManifest | null {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, id, 'manifest.json'), 'utf8')) as EvidenceManifest;
    } catch {
      return null;
    }
  }

  /** Who may read a bundle depends on its scope: from its manifest, or from memory while it is being made. */
  scopeOf(id: string): ReportScope | null {
    if (!ID.test(id)) return null;
    return this.running.get(id)?.scope ?? this.manifest(id)?.scope ?? null;
  }

  /** Reports being generated now. */
  get inProgress(): number {
    return this.running.size;
  }

  /** Where a bundle's files are: the finished folder, or the partial one while it is being made (the print view reads it). */
  folderOf(id: string): string | null {
    if (!ID.test(id)) return null;
    const done = path.join(this.dir, id);
    if (fs.existsSync(path.join(done, 'manifest.json'))) return done;
    return this.running.get(id)?.folder ?? null;
  }

  /** The path of one of a bundle's files, or null (unknown id or name, not written, or not in a finished bundle's manifest). */
  filePath(id: string, name: string): string | null {
    if (!(BUNDLE_FILES as readonly string[]).includes(name)) return null;
    const folder = this.folderOf(id);
    if (!folder) return null;
    if (!this.running.has(id) && name !== 'manifest.json' && !this.manifest(id)?.files.some((f) => f.name === name)) return null;
    const p = path.join(folder, name);
    return fs.existsSync(p) ? p : null;
  }

  /** The report.json of a bundle (finished or being made), or null. */
  report(id: string): EvidenceReport | null {
    const p = this.filePath(id, 'report.json');
    return p ? (JSON.parse(fs.readFileSync(p, 'utf8')) as EvidenceReport) : null;
  }

  summary(id: string): ReportSummary | null {
    const manifest = ID.test(id) ? this.manifest(id) : null;
    if (!manifest) return null;
    return { id, generatedAt: manifest.generatedAt, range: manifest.range, scope: manifest.scope, requestedBy: manifest.requestedBy, complete: manifest.complete, problems: manifest.problems, files: manifest.files, score: manifest.summary?.score ?? null, findings: (manifest.summary?.findings as Record<Severity, number> | undefined) ?? null };
  }

  /** Finished bundles, newest first; `visible` narrows them to what the asker may read. */
  list(visible: (scope: ReportScope) => boolean = () => true): ReportSummary[] {
    const ids = fs
      .readdirSync(this.dir)
      .filter((n) => ID.test(n))
      .sort()
      .reverse();
    const out: ReportSummary[] = [];
    for (const id of ids) {
      if (out.length >= MAX_LISTED) break;
      const s = this.summary(id);
      if (s && visible(s.scope)) out.push(s);
    }
    return out;
  }

  /**
   * Makes one bundle: gathers the inputs, writes report.json, has the browser draw the map and print
   * the PDF, writes the manifest last and renames the folder into place. Throws only when the JSON part
   * itself cannot be made (inputs unreadable, disk full); a browser failure gives an incomplete bundle.
   */
  async generate(opts: GenerateOptions): Promise<ReportSummary> {
    const now = opts.now ?? Date.now;
    const id = newId(now());
    const partial = path.join(this.dir, `${PARTIAL}${id}`);
    const progress = (step: string, fraction: number) => opts.progress?.({ step, fraction });
    fs.mkdirSync(partial, { recursive: true });
    this.running.set(id, { folder: partial, scope: opts.request.scope });
    try {
      const gathered = await opts.gather(progress);
      progress('computing findings and coverage', 0.35);
      // Let the progress line out before the synchronous work.
      await new Promise((r) => setImmediate(r));
      const report = buildEvidenceReport(gathered.input);
      const files: { name: BundleFile; bytes: Buffer }[] = [];
      // Each file under a temporary name first: one that a full disk cut short is never served or listed.
      const write = (name: BundleFile, bytes: Buffer) => {
        const tmp = path.join(partial, `.${name}.tmp`);
        try {
          fs.writeFileSync(tmp, bytes);
        } catch (err) {
          fs.rmSync(tmp, { force: true, recursive: true });
          throw err;
        }
        fs.renameSync(tmp, path.join(partial, name));
        files.push({ name, bytes });
      };
      write('report.json', Buffer.from(reportJson(report)));
      progress('report.json written', 0.45);

      const problems: string[] = [];
      if (opts.render) {
        const pages = await (opts.renderPages ?? renderBundlePages)({
          ...opts.render,
          mapPath: mapPathOf(report),
          printPath: `/reports/${id}/print`,
          footer: `Flowsight evidence ${id} · ${report.range.since} to ${report.range.until}`,
          onMap: async (png) => write('map.png', png),
          progress,
        });
        if (pages.pdf) write('report.pdf', pages.pdf);
        problems.push(...pages.problems.map((p) => p.message));
      } else problems.push('rendering was not requested: map.png and report.pdf were not made');

      progress('writing the manifest', 0.95);
      const manifest: EvidenceManifest = {
        schema: MANIFEST_SCHEMA,
        id,
        generatedAt: new Date(now()).toISOString(),
        flowsightVersion: this.version,
        range: report.range,
        scope: report.scope,
        requestedBy: opts.requestedBy,
        complete: problems.length === 0,
        problems,
        summary: { score: report.summary.score, findings: report.summary.findings },
        sources: gathered.sources,
        files: files.sort((a, b) => BUNDLE_FILES.indexOf(a.name) - BUNDLE_FILES.indexOf(b.name)).map((f) => manifestFile(f.name, f.bytes)),
      };
      fs.writeFileSync(path.join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      // On disk before the rename: after a power loss the folder is whole or still partial, never short.
      syncFolder(partial);
      fs.renameSync(partial, path.join(this.dir, id));
      this.prune();
      progress('done', 1);
      return this.summary(id)!;
    } catch (err) {
      fs.rmSync(partial, { recursive: true, force: true });
      throw err;
    } finally {
      this.running.delete(id);
    }
  }
}

/** fsync every file of a folder, then the folder itself. */
function syncFolder(folder: string): void {
  for (const name of fs.readdirSync(folder)) {
    const fd = fs.openSync(path.join(folder, name), 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
