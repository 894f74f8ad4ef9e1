/**
 * `flowsight report --out DIR --since 24h [--namespace NS ...]`: an evidence bundle (report.pdf, map.png,
 * report.json, manifest.json) for a CronJob or an auditor's request. The bundle is made by a running
 * Flowsight (`--url`, default $FLOWSIGHT_URL; token from FLOWSIGHT_AUTH_TOKEN), or with `--standalone` by
 * one this command starts on loopback over the same inputs (the FLOWSIGHT_* environment a server reads:
 * relay, manifests, Azure, history) and stops afterwards.
 *
 * The files are downloaded into `DIR/.partial-<id>`, checked against the manifest's SHA-256, and renamed
 * to `DIR/flowsight-evidence-<id>` only then: a bundle folder under that name is always whole. Exit 0: a
 * complete bundle; 1: the bundle is incomplete (the browser could not render the map or the PDF; the JSON
 * part is there and the manifest says why); 2: bad input; 3: no bundle (server unreachable, history off,
 * a file that does not match its hash).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseReportBody } from '../../lib/api/reports-request';
import { verifyManifest, type EvidenceManifest } from '../../lib/evidence/manifest';
import type { ReportSummary } from '../../lib/server/reports/evidence-reports';
import { UsageError } from './cluster-input';
import { call, failure, RunError, runWhatIf, streamed } from './what-if-input';

interface ReportOptions {
  out?: string;
  since?: string;
  until?: string;
  namespace: string[];
  url: string;
  standalone?: boolean;
  quiet?: boolean;
}

const INCOMPLETE_EXIT = 1;
const collect = (v: string, list: string[]) => [...list, v];

export function register(program: Command): void {
  program
    .command('report')
    .description('write an evidence bundle (report.pdf, map.png, report.json, manifest.json with SHA-256s) for a time range')
    .requiredOption('--out <dir>', 'the folder the bundle is written into (as flowsight-evidence-<id>/); created if absent')
    .option('--since <time>', 'the range starts at this time (RFC 3339) or this long ago (default 24h)')
    .option('--until <time>', 'the range ends at this time or this long ago (default: now)')
    .option('--namespace <ns>', 'report on this namespace only (repeatable; default: the whole cluster)', collect, [])
    .option('--url <url>', 'the Flowsight that makes the bundle; token from FLOWSIGHT_AUTH_TOKEN', process.env.FLOWSIGHT_URL || 'http://127.0.0.1:3000')
    .option('--standalone', 'start a Flowsight here on loopback, over the same FLOWSIGHT_* inputs a server reads, instead of using --url')
    .option('-q, --quiet', 'no progress on stderr')
    .action((o: ReportOptions) => runWhatIf('report', () => run(o)));
}

/** The request body, checked here first so bad input exits 2 before anything starts. */
export function reportBody(o: Pick<ReportOptions, 'since' | 'until' | 'namespace'>, now = Date.now()): { since: string; until: string; namespaces?: string[] } {
  const body = { ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}), ...(o.namespace.length ? { namespaces: o.namespace } : {}) };
  const parsed = parseReportBody(body, now);
  if (!parsed.ok) throw new UsageError(parsed.problems.map((p) => `--${p.param.replace(/^namespaces(\.\d+)?$/, 'namespace')}: ${p.message}`).join('\n'));
  // Absolute bounds: a server that takes a while to start must not shift a relative range.
  const { window, scope } = parsed.value;
  return { since: new Date(window.since).toISOString(), until: new Date(window.until).toISOString(), ...(scope.kind === 'namespaces' ? { namespaces: scope.namespaces } : {}) };
}

function progressPrinter(quiet: boolean | undefined): (p: { step: string; fraction: number }) => void {
  if (quiet) return () => undefined;
  let last = '';
  return (p) => {
    const line = `${Math.round(p.fraction * 100)}% ${p.step}`;
    if (line === last) return;
    last = line;
    process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
  };
}

async function run(o: ReportOptions): Promise<number> {
  const body = reportBody(o);
  if (!o.out) throw new UsageError('--out: give the folder to write the bundle into');
  const out = path.resolve(o.out);
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`--out: ${out} is not a folder`);
  let base = o.url;
  try {
    new URL(base);
  } catch {
    throw new UsageError(`--url: "${base}" is not a URL`);
  }
  let server: StandaloneServer | null = null;
  const previousToken = process.env.FLOWSIGHT_AUTH_TOKEN;
  try {
    if (o.standalone) {
      server = await startStandalone(o.quiet);
      base = server.url;
      process.env.FLOWSIGHT_AUTH_TOKEN = server.token;
    }
    const summary = await whenNotBusy(() => streamed<ReportSummary, { step: string; fraction: number }>(base, '/api/reports', body, progressPrinter(o.quiet)), o.quiet);
    if (!o.quiet && process.stderr.isTTY) process.stderr.write('\n');
    const folder = await download(base, summary, out);
    process.stdout.write(`${folder}\n`);
    if (!summary.complete) {
      process.stderr.write(`flowsight report: the bundle is incomplete:\n${summary.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return INCOMPLETE_EXIT;
    }
    return 0;
  } finally {
    if (server) {
      if (previousToken === undefined) delete process.env.FLOWSIGHT_AUTH_TOKEN;
      else process.env.FLOWSIGHT_AUTH_TOKEN = previousToken;
      await server.stop();
    }
  }
}

/** How long a run waits for the server's report slot (someone else's report) before it gives up. */
const BUSY_WAIT_MS = 10 * 60_000;

/** Runs `ask`, and again while the server answers that another report is being made (a CronJob must not lose its day). */
async function whenNotBusy<T>(ask: () => Promise<T>, quiet: boolean | undefined): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (;;) {
    try {
      return await ask();
    } catch (err) {
      if (!(err instanceof RunError) || err.code !== 'reports-busy' || Date.now() > deadline) throw err;
      const waitS = Math.min(err.retryAfterSeconds ?? 30, 120);
      if (!quiet) process.stderr.write(`another report is being made: trying again in ${waitS} s\n`);
      await new Promise((r) => setTimeout(r, waitS * 1000));
    }
  }
}

/** What the server names files and bundles: checked before any becomes a path here (a server is not trusted with paths). */
const REPORT_ID = /^\d{8}-\d{6}-[0-9a-f]{8}$/;
const FILE_NAMES = new Set(['report.json', 'map.png', 'report.pdf']);

/** Downloads the bundle's files, checks them against the manifest, and renames the folder into place. */
async function download(base: string, summary: ReportSummary, out: string): Promise<string> {
  if (!REPORT_ID.test(summary.id)) throw new RunError(`the server named the report "${String(summary.id).slice(0, 40)}", which is not a report id: is --url a Flowsight?`);
  fs.mkdirSync(out, { recursive: true });
  // A run killed midway left its partial folder: nothing in it is whole, so it goes (after an hour: a
  // run beside this one may be writing its own).
  for (const name of fs.readdirSync(out)) {
    const p = path.join(out, name);
    if (name.startsWith('.partial-') && Date.now() - fs.statSync(p).mtimeMs > 3_600_000) fs.rmSync(p, { recursive: true, force: true });
  }
  const partial = path.join(out, `.partial-${summary.id}`);
  const final = path.join(out, `flowsight-evidence-${summary.id}`);
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial);
  try {
    const fetchFile = async (name: string): Promise<Buffer> => {
      const res = await call(new URL(`/api/reports/${summary.id}/${name}?download=1`, base));
      if (!res.ok) throw await failure(res);
      return Buffer.from(await res.arrayBuffer());
    };
    const manifestBytes = await fetchFile('manifest.json');
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as EvidenceManifest;
    const strange = manifest.files.find((f) => !FILE_NAMES.has(f.name));
    if (strange) throw new RunError(`the manifest lists "${String(strange.name).slice(0, 40)}", which is not a file of an evidence bundle`);
    const files = new Map<string, Buffer>();
    for (const f of manifest.files) files.set(f.name, await fetchFile(f.name));
    const problems = verifyManifest(manifest, (name) => files.get(name) ?? null);
    if (problems.length) throw new RunError(`the downloaded bundle does not match its manifest: ${problems.join('; ')}`);
    for (const [name, bytes] of files) fs.writeFileSync(path.join(partial, name), bytes);
    fs.writeFileSync(path.join(partial, 'manifest.json'), manifestBytes);
    fs.renameSync(partial, final);
    return final;
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

interface StandaloneServer {
  url: string;
  token: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A Flowsight on loopback over this process's FLOWSIGHT_* settings, with a random token so nothing else
 * on the machine can use it, started with `npm start`'s own script (it builds first when needed).
 * Ready once /readyz says so (relay streaming, cluster and history started or failed).
 */
async function startStandalone(quiet: boolean | undefined): Promise<StandaloneServer> {
  const port = await freePort();
  const token = randomBytes(24).toString('base64url');
  const env = { ...process.env, FLOWSIGHT_HOST: '127.0.0.1', PORT: String(port), FLOWSIGHT_AUTH_TOKEN: token, FLOWSIGHT_OBSERVER_PORT: '' };
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  if (!quiet) process.stderr.write(`starting a Flowsight on ${url}\n`);
  const deadline = Date.now() + 10 * 60_000; // a first `npm start` may build
  for (;;) {
    if (child.exitCode !== null) throw new RunError(`the standalone Flowsight exited (${child.exitCode}) before it was ready:\n${stderr.trim()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new RunError('the standalone Flowsight was not ready within 10 minutes');
    }
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, token, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
}
