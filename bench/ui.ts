/**
 * `npm run bench:ui`: the live map in a real browser on the scaled demo relay. Playwright drives
 * Debian's chromium (headless, software rendering) against the production build served by
 * scripts/start.mjs with FLOWSIGHT_DEMO_SCALE workloads and FLOWSIGHT_DEMO_RATE flows/s, and
 * measures:
 *
 * - firstRenderMs: from `page.goto('/map')` to the requestAnimationFrame callback in which the page
 *   reports the full graph drawn (the graph it last drew held >= 98% of the server's edges at
 *   navigation, no layout running). firstQuietFrameMs is the older, stricter end: a frame in which
 *   no live delta is pending either. Deltas arrive ten times a second; while a large map's frames
 *   take longer than that, one is always pending, so that end measured when the stream happened to
 *   pause, not when the graph was drawn;
 * - firstPictureMs: from the same start to the first frame from which the drawn elements stay
 *   within 2% of those drawn at firstRenderMs, no layout running (a large graph's islands picture
 *   comes from the snapshot's first part, before the page holds every connection);
 * - firstRenderTimeline: where those seconds went (the HTML and the scripts in, DOMContentLoaded,
 *   the snapshot's head at the page and in the store, its last part in the store, the map's first
 *   frame), from the page's resource timings and its `flowsight:` marks (components/live/first-marks.ts);
 *   `--trace FILE` also writes a Chrome trace of the first render (slower: for finding where, not for the figures);
 * - snapshotStallMs: the server's event loop's longest delay (/metrics, monitorEventLoopDelay) while a
 *   second client connected to the map's stream and got its snapshot: what one browser connecting
 *   to a graph this size costs every other browser's live view;
 * - fps (and the longest frame gap): frames counted with requestAnimationFrame during ~5 s of
 *   scripted drags and wheel zooms over the canvas (idleFps: 2 s without input, before it);
 * - p50/p99LatencyMs: a flow's relay stamp to the frame that drew its edge, as the page reports it
 *   (`window.__flowsightMap.takeLatencies()`), over ~10 s after the gesture; beside it, `stream`: the
 *   same measure taken by a plain client in the bench's process on the same stream over the same
 *   seconds, up to the delta's arrival (stream-latency.ts): the server's and transport's share, the
 *   age of each delta's newest flow on arrival (how late flows reach the hub's tick), and how far
 *   apart the deltas came (the hub ticks every 100 ms, HUB_TICK_MS, when its loop has room); and over the same
 *   seconds `serverMainThread` (the share of the time the server's event loop thread ran and the
 *   share it waited for a CPU while ready to run, from /proc schedstat; thread-cpu.ts) and
 *   `machineCpuBusy`: on a small machine shared with the relay and the browser, the loop can be
 *   ready and still wait;
 * - heapMB: the page's JS heap in use (CDP Performance.getMetrics JSHeapUsedSize) after the latency
 *   phase, without forcing a GC (heapAfterGcMB: the same after HeapProfiler.collectGarbage);
 * - serverRssMB: VmRSS of the server process (scripts/serve.mjs under scripts/start.mjs), sampled
 *   every 5 s; start, max and least-squares slope from navigation to the end, which includes a soak
 *   (--soak-minutes, default 1) with the page open and streaming; and the floor: the least RSS of
 *   each 2-minute window and its slope (serverRssFloorSlopeMBPerMin; over a soak of 15 minutes or
 *   more, also over its last 10 minutes: serverRssLast10MinFloorSlopeMBPerMin), which "flat" is judged on,
 *   since the heap's garbage swings single samples by hundreds of MB between major collections.
 *   Beside it, serverHeapUsedFloorsMB (and its slope): the least JS heap in use of each window (from
 *   /metrics), a leak indicator that V8 growing or shrinking its committed heap does not move.
 *
 * A baseline at --baseline workloads (default 500; --no-baseline skips it) runs first on its own
 * server and is nested under `baseline<N>`. The server's graph is warmed up before navigating: until
 * it holds --min-edges edges or, without that option, 4 edges per workload (the issue's 20,000 at
 * 5,000) or an edge count that stopped growing, whichever comes first (the hand-written demo has ~30).
 *
 * Besides: targets (pass/fail per target of issue 13 at the main scale; "server RSS flat" is a slope
 * of at most 2 MB/min, conclusive only with --soak-minutes 10 or more), serverFlowsPerSec (flows the
 * server received from navigation to the end; warmUp.flowsPerSec before), relayLostEvents,
 * clientsCutOff, drawsPerSec (the hook's drawnSeq), soak latency and heap, pageErrors.
 *
 * The build: the dist dir is FLOWSIGHT_DIST_DIR or `.next-bench`; it is (re)built first when
 * scripts/start.mjs would build it (no build, no source stamp, source changed; FLOWSIGHT_REBUILD=0
 * serves what is there, =1 always builds), tsconfig.json is put back as it was after `next build`.
 * Each scale gets its own server (`node scripts/start.mjs` in its own process group, loopback, a
 * free port or --port, a temporary FLOWSIGHT_DATA_DIR), stopped with SIGTERM and then the group
 * killed, also on errors and Ctrl-C.
 *
 * Progress goes to stderr; the last stdout line is one JSON object (with an `error` key and exit
 * code 1 when a phase fails: build, server, warm-up, browser crash or timeout; 130 on Ctrl-C).
 *
 * Until the map exposes `window.__flowsightMap`, the bench counts the cytoscape instance's
 * (`window.__flowsightCy`) nodes and edges instead and reports no latency (`hook: "fallback"`).
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { MAP_STREAM_URL } from '../components/live/early-stream';
import { CHROMIUM_ARGS } from '../lib/util/chromium-args';
import { buildDecision, readStamp, sourceStamp, writeStamp } from '../scripts/build-stamp.mjs';
import { machineBusyShare, readMachineCpu, readThreadSchedule, scheduleShares } from './thread-cpu';
import { percentile } from './percentile';
import { readStreamLatency, type StreamLatencyReader } from './stream-latency';

const root = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  workloads: number;
  rate: number;
  baseline: number | null;
  soakMinutes: number;
  minEdges: number | null;
  baselineMinEdges: number | null;
  port: number;
  readyTimeoutS: number;
  warmupTimeoutS: number;
  renderTimeoutS: number;
  gestureSeconds: number;
  latencySeconds: number;
  verbose: boolean;
  /** `separate`: the relay in its own process (as in a cluster); `in-process`: the app's built-in demo relay. */
  relay: 'separate' | 'in-process';
  /** A Chrome trace of the main scale's first render (navigation to the full graph drawn), for chrome://tracing or Perfetto. */
  trace: string | null;
}

/** What a first-render trace records: the main thread's tasks, script, layout and paint, the network, and JS samples. */
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', 'netlog', 'disabled-by-default-v8.cpu_profiler'];

const USAGE = `usage: npm run bench:ui -- [--workloads 5000] [--rate 20000] [--baseline 500 | --no-baseline]
       [--soak-minutes 1] [--min-edges N] [--baseline-min-edges N] [--port P (default: a free one)]
       [--ready-timeout 180] [--warmup-timeout 600] [--render-timeout 120] [--gesture-seconds 5] [--latency-seconds 10]
       [--relay separate|in-process] [--trace first-render.json] [--verbose]`;

function parseOptions(argv: string[]): Options {
  const o: Options = {
    workloads: 5000,
    rate: 20_000,
    baseline: 500,
    soakMinutes: 1,
    relay: 'separate',
    minEdges: null,
    baselineMinEdges: null,
    port: 0,
    readyTimeoutS: 180,
    warmupTimeoutS: 600,
    renderTimeoutS: 120,
    gestureSeconds: 5,
    latencySeconds: 10,
    verbose: false,
    trace: null,
  };
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw new UsageError(`${flag} needs a number >= ${min} (got ${v ?? 'nothing'})`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--workloads': o.workloads = Math.round(num(flag, value(), 1)); break;
      case '--rate': o.rate = Math.round(num(flag, value(), 1)); break;
      case '--baseline': o.baseline = Math.round(num(flag, value(), 1)); break;
      case '--no-baseline': o.baseline = null; break;
      case '--soak-minutes': o.soakMinutes = num(flag, value(), 0); break;
      case '--min-edges': o.minEdges = Math.round(num(flag, value(), 1)); break;
      case '--baseline-min-edges': o.baselineMinEdges = Math.round(num(flag, value(), 1)); break;
      case '--port': o.port = Math.round(num(flag, value(), 0)); break;
      case '--ready-timeout': o.readyTimeoutS = num(flag, value(), 1); break;
      case '--warmup-timeout': o.warmupTimeoutS = num(flag, value(), 1); break;
      case '--render-timeout': o.renderTimeoutS = num(flag, value(), 1); break;
      case '--gesture-seconds': o.gestureSeconds = num(flag, value(), 0.5); break;
      case '--latency-seconds': o.latencySeconds = num(flag, value(), 0.5); break;
      case '--verbose': o.verbose = true; break;
      case '--trace': {
        const v = value();
        if (!v) throw new UsageError('--trace needs a file to write the trace to');
        o.trace = v;
        break;
      }
      case '--relay': {
        const v = value();
        if (v !== 'separate' && v !== 'in-process') throw new UsageError(`--relay must be separate or in-process, not "${v}"`);
        o.relay = v;
        break;
      }
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  if (o.port > 65535) throw new UsageError('--port must be a TCP port');
  return o;
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const log = (msg: string) => process.stderr.write(`[bench:ui ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const round = (n: number | null | undefined, digits = 0): number | null => (n == null || !Number.isFinite(n) ? null : Number(n.toFixed(digits)));

/** Least-squares slope of y over x (null with fewer than two distinct x). */
function slope(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** Rejects after `ms` with a message naming what timed out. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

/** A free loopback TCP port (the OS picks one), or `wanted` when it is free. */
async function freePort(wanted: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        const got = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(got));
      });
    });
  if (wanted === 0) return tryListen(0);
  // The previous run's server may still be releasing it.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await tryListen(wanted);
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`port ${wanted} is in use (${(e as Error).message})`);
      await sleep(500);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Build (as scripts/start.mjs decides it), once, before any server starts

/** The dist dir the bench serves: FLOWSIGHT_DIST_DIR, else its own (a running dashboard's .next is left alone). */
const distDirName = process.env.FLOWSIGHT_DIST_DIR || '.next-bench';

function ensureBuild(): void {
  const distDir = path.join(root, distDirName);
  const currentStamp = sourceStamp(root);
  const decision = buildDecision({ hasBuild: fs.existsSync(path.join(distDir, 'BUILD_ID')), recordedStamp: readStamp(distDir), currentStamp, rebuild: process.env.FLOWSIGHT_REBUILD });
  if (!decision.build) {
    log(`build ${distDirName}: ${decision.reason}`);
    return;
  }
  log(`building ${distDirName} (${decision.reason}); this takes a few minutes…`);
  // `next build` rewrites tsconfig.json (it adds the dist dir's generated types): put it back.
  const tsconfig = path.join(root, 'tsconfig.json');
  const tsconfigBefore = fs.readFileSync(tsconfig, 'utf8');
  const t0 = Date.now();
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: root,
    // Build output is progress: stderr only, so stdout keeps the one JSON line.
    stdio: ['ignore', 2, 2],
    env: { ...process.env, FLOWSIGHT_DIST_DIR: distDirName, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (fs.readFileSync(tsconfig, 'utf8') !== tsconfigBefore) fs.writeFileSync(tsconfig, tsconfigBefore);
  if (build.status !== 0) throw new PhaseError('build', `next build exited with ${build.status ?? build.signal}`);
  writeStamp(distDir, currentStamp);
  log(`built in ${Math.round((Date.now() - t0) / 1000)} s`);
}

// ---------------------------------------------------------------------------------------------
// The server: scripts/start.mjs in its own process group

class PhaseError extends Error {
  constructor(
    readonly phase: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface Server {
  port: number;
  base: string;
  /** The process group (scripts/start.mjs's pid). */
  pgid: number;
  /** The node process that listens (scripts/serve.mjs), whose RSS is measured. */
  pid: number;
  exited: Promise<string>;
  outputTail(): string[];
  stop(): Promise<void>;
}

/** Every server started and not yet stopped, killed on exit whatever happens. */
const liveGroups = new Set<number>();
const liveDataDirs = new Set<string>();

process.on('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of liveDataDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    } catch {
      // a process killed a moment ago may still be writing: left in the temp dir
    }
  }
});

/** Parent pid of a process, from /proc/<pid>/stat (null when it is gone). */
function parentPid(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The child of `parent` whose command line mentions `marker` (scripts/start.mjs spawns scripts/serve.mjs). */
function childWith(parent: number, marker: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (parentPid(pid) !== parent) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) return pid;
    } catch {
      // gone
    }
  }
  return null;
}

/** VmRSS of a process in MB (null when it is gone). */
function rssMB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Variables passed on to the server; any other FLOWSIGHT_* (a real relay, auth, TLS, a host) is left out. */
const PASSED_FLOWSIGHT_VARS = new Set(['FLOWSIGHT_HISTORY', 'FLOWSIGHT_WINDOW_SECONDS', 'FLOWSIGHT_RETENTION_DAYS', 'FLOWSIGHT_RETENTION_MAX_GB', 'FLOWSIGHT_ROLLUP_AFTER_MINUTES', 'FLOWSIGHT_DATAPATH', 'FLOWSIGHT_HISTORY_FLUSH_MS', 'FLOWSIGHT_INGEST_MAX_BUSY_PERCENT', 'FLOWSIGHT_HEAP_MB']);

/**
 * `flowsight demo-relay --scale N` in its own process group, as Hubble Relay runs beside the app in
 * a cluster; it writes the scaled cluster's manifests for the app's FLOWSIGHT_MANIFESTS.
 */
async function startRelay(opts: Options, workloads: number, dir: string): Promise<{ address: string; manifests: string; pgid: number }> {
  const port = await freePort(0);
  const manifests = path.join(dir, 'manifests');
  const child = spawn(process.execPath, [path.join(root, 'bin', 'flowsight.mjs'), 'demo-relay', '--port', String(port), '--scale', String(workloads), '--rate', String(opts.rate), '--write-manifests', manifests], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveGroups.add(child.pid!);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  child.stderr!.on('data', (d: Buffer) => (out += String(d)));
  const deadline = Date.now() + opts.readyTimeoutS * 1000;
  while (!out.includes('listening')) {
    if (child.exitCode !== null) throw new PhaseError('relay', `the demo relay exited (code ${child.exitCode})`, { relayOutput: out.slice(-2000) });
    if (Date.now() > deadline) throw new PhaseError('relay', `the demo relay did not listen within ${opts.readyTimeoutS} s`, { relayOutput: out.slice(-2000) });
    await sleep(200);
  }
  log(`demo relay (pid ${child.pid}): ${workloads} workloads, ${opts.rate} flows/s on 127.0.0.1:${port}`);
  return { address: `127.0.0.1:${port}`, manifests, pgid: child.pid! };
}

async function startServer(opts: Options, workloads: number): Promise<Server> {
  const port = await freePort(opts.port);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-bench-ui-'));
  liveDataDirs.add(dataDir);
  const relay = opts.relay === 'separate' ? await startRelay(opts, workloads, dataDir) : null;
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FLOWSIGHT_') || PASSED_FLOWSIGHT_VARS.has(k)) env[k] = v;
  Object.assign(env, {
    FLOWSIGHT_DIST_DIR: distDirName,
    // Built (or found up to date) by ensureBuild: a source edit meanwhile must not start a build here.
    FLOWSIGHT_REBUILD: '0',
    FLOWSIGHT_DATA_DIR: dataDir,
    FLOWSIGHT_HOST: '127.0.0.1',
    PORT: String(port),
    ...(relay
      ? { FLOWSIGHT_RELAY: relay.address, FLOWSIGHT_MANIFESTS: relay.manifests }
      : { FLOWSIGHT_DEMO_SCALE: String(workloads), FLOWSIGHT_DEMO_RATE: String(opts.rate) }),
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  });
  log(`starting the server: ${workloads} workloads, ${opts.rate} flows/s, http://127.0.0.1:${port} (data in ${dataDir})`);
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], { cwd: root, env: env as NodeJS.ProcessEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pgid = child.pid!;
  liveGroups.add(pgid);
  const tail: string[] = [];
  const keep = (prefix: string) => (chunk: Buffer) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (opts.verbose) process.stderr.write(`[server${prefix}] ${line}\n`);
    }
  };
  child.stdout!.on('data', keep(''));
  child.stderr!.on('data', keep(' stderr'));
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(`the server exited (${signal ?? `code ${code}`})`)));
  let stopped = false;
  const server: Server = {
    port,
    base: `http://127.0.0.1:${port}`,
    pgid,
    pid: 0,
    exited,
    outputTail: () => [...tail],
    async stop() {
      if (stopped) return;
      stopped = true;
      // One SIGTERM to scripts/start.mjs, which passes it on: the server writes its queued flows and
      // closes the store (a second SIGTERM, e.g. to the whole group, would make it exit at once).
      try {
        process.kill(pgid, 'SIGTERM');
      } catch {
        // already gone
      }
      const t0 = Date.now();
      const gone = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // the whole group is gone
      }
      log(gone ? `server stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s` : 'the server did not stop within 15 s of SIGTERM: killed');
      liveGroups.delete(pgid);
      if (relay) {
        try {
          process.kill(-relay.pgid, 'SIGKILL');
        } catch {
          // gone
        }
        liveGroups.delete(relay.pgid);
      }
      fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
      liveDataDirs.delete(dataDir);
    },
  };
  try {
    // The listening process: scripts/serve.mjs, start.mjs's child.
    const deadline = Date.now() + opts.readyTimeoutS * 1000;
    let dead: string | null = null;
    void exited.then((why) => (dead = why));
    while (!server.pid) {
      if (dead) throw new PhaseError('server', `${dead} before serving`, { serverOutput: tail.slice(-15) });
      if (Date.now() > deadline) throw new PhaseError('server', `scripts/serve.mjs did not start within ${opts.readyTimeoutS} s`, { serverOutput: tail.slice(-15) });
      server.pid = childWith(pgid, 'serve.mjs') ?? 0;
      if (!server.pid) await sleep(200);
    }
    // Ready: /api/status answers.
    while (!(await fetchStatus(server).catch(() => null))) {
      if (dead) throw new PhaseError('server', `${dead} before answering`, { serverOutput: tail.slice(-15) });
      if (Date.now() > deadline) throw new PhaseError('server', `/api/status did not answer within ${opts.readyTimeoutS} s (--ready-timeout; an overloaded server answers late)`, { serverOutput: tail.slice(-15) });
      await sleep(300);
    }
    log(`server ready (pid ${server.pid}, group ${pgid})`);
    return server;
  } catch (e) {
    await server.stop();
    throw e;
  }
}

interface Status {
  graph: { nodes: number; edges: number; evictedEdges: number; windowSeconds: number };
  relay: { state: string; received: number; lostEvents: number };
  clients?: { connected: number; cutOff: number; resyncs: number };
}

async function fetchStatus(server: Server): Promise<Status> {
  const res = await fetch(`${server.base}/api/status`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`/api/status: HTTP ${res.status}`);
  return (await res.json()) as Status;
}

/** Edges per workload the issue asks for at scale (>= 20,000 edges at 5,000 workloads). */
const EDGES_PER_WORKLOAD = 4;

/**
 * Waits until the server's graph holds `minEdges` edges (--min-edges) or, without it, until it holds
 * `enough` edges or its edge count has grown by less than 0.5% (and at most 2 edges) over the last 10 s.
 */
async function warmUp(server: Server, minEdges: number | null, enough: number, timeoutS: number): Promise<Status & { warmedBy: string; warmUpSeconds: number; flowsPerSec: number | null }> {
  const t0 = Date.now();
  const history: { t: number; edges: number }[] = [];
  let lastLog = 0;
  let failures = 0;
  let first: { t: number; received: number } | null = null;
  for (;;) {
    let status: Status;
    try {
      status = await fetchStatus(server);
    } catch (e) {
      // A busy server may answer late: keep asking until the warm-up times out.
      failures++;
      log(`warm-up: /api/status failed (${(e as Error).message}); asking again`);
      if ((Date.now() - t0) / 1000 > timeoutS) throw new PhaseError('warm-up', `/api/status did not answer within the warm-up (${timeoutS} s, ${failures} failures)`);
      await sleep(1000);
      continue;
    }
    const now = Date.now();
    const edges = status.graph.edges;
    history.push({ t: now, edges });
    const elapsed = (now - t0) / 1000;
    if (now - lastLog >= 5000) {
      lastLog = now;
      log(`warm-up ${elapsed.toFixed(0)} s: graph ${status.graph.nodes} nodes, ${edges} edges (target ${minEdges ?? `${enough} or no growth`}), relay ${status.relay.state}, ${status.relay.received} flows received`);
    }
    first ??= { t: now, received: status.relay.received };
    const flowsPerSec = now > first.t ? (status.relay.received - first.received) / ((now - first.t) / 1000) : null;
    const done = (warmedBy: string) => ({ ...status, warmedBy, warmUpSeconds: Math.round(elapsed), flowsPerSec });
    if (minEdges !== null) {
      if (edges >= minEdges) return done(`--min-edges ${minEdges}`);
    } else {
      if (edges >= enough) return done(`${enough} edges (${EDGES_PER_WORKLOAD} per workload)`);
      const before = history.find((h) => h.t >= now - 10_500);
      if (before && now - before.t >= 9_500 && edges > 0 && edges - before.edges <= Math.max(2, before.edges * 0.005)) return done('edge count stopped growing');
    }
    if (elapsed > timeoutS) {
      throw new PhaseError('warm-up', `the server's graph has ${edges} edges after ${Math.round(elapsed)} s; ${minEdges !== null ? `--min-edges ${minEdges} not reached` : 'still growing'} (is FLOWSIGHT_DEMO_SCALE implemented? raise --warmup-timeout or lower --min-edges)`, { edges, nodes: status.graph.nodes });
    }
    await sleep(1000);
  }
}

/** Minutes per window of rssFloors: longer than the V8 heap's sawtooth at 20k flows/s (40-80 s). */
const RSS_FLOOR_WINDOW_MIN = 2;

/**
 * The least RSS of each whole window, at the window's middle (minutes from the first sample). The
 * server's heap grows by several hundred MB of garbage between major collections, so single samples
 * swing; a leak raises the floor every collection returns to, and that is what "flat" is judged on.
 */
function rssFloors(samples: readonly { t: number; mb: number }[]): { x: number; y: number }[] {
  if (samples.length === 0) return [];
  const t0 = samples[0].t;
  const windows = new Map<number, number>();
  for (const s of samples) {
    const w = Math.floor((s.t - t0) / 60_000 / RSS_FLOOR_WINDOW_MIN);
    windows.set(w, Math.min(windows.get(w) ?? Infinity, s.mb));
  }
  const whole = Math.floor((samples[samples.length - 1].t - t0) / 60_000 / RSS_FLOOR_WINDOW_MIN);
  return [...windows].filter(([w]) => w < whole).map(([w, mb]) => ({ x: (w + 0.5) * RSS_FLOOR_WINDOW_MIN, y: mb }));
}

/** A sample of the server's /metrics: JS heap in use (MB) and the event loop's longest delay since the previous scrape (ms). */
interface ServerMetrics {
  t: number;
  heapUsedMB: number | null;
  loopDelayMaxMs: number | null;
}

/** Every /metrics scrape of a run, so that the loop's longest delay over a span can be read back (each scrape resets it). */
const scrapes: ServerMetrics[] = [];

/**
 * The server's /metrics, or null when it does not answer. Its event loop's longest delay is what
 * prom-client's monitorEventLoopDelay saw since the previous scrape, by anyone (it resets then):
 * every scrape is kept in `scrapes`.
 */
async function serverMetrics(server: Server): Promise<ServerMetrics | null> {
  try {
    const res = await fetch(`${server.base}/metrics`, { signal: AbortSignal.timeout(4_000) });
    if (!res.ok) return null;
    const text = await res.text();
    const value = (name: string) => {
      const m = new RegExp(`^flowsight_${name} (\\d+(?:\\.\\d+)?(?:e[+-]\\d+)?)$`, 'm').exec(text);
      return m ? Number(m[1]) : null;
    };
    const heap = value('nodejs_heap_size_used_bytes');
    const delay = value('nodejs_eventloop_lag_max_seconds');
    const sample = { t: Date.now(), heapUsedMB: heap === null ? null : heap / 1e6, loopDelayMaxMs: delay === null ? null : delay * 1000 };
    scrapes.push(sample);
    return sample;
  } catch {
    return null;
  }
}

/** The event loop's longest delay between two scrapes at `from` and `to` (those included), ms; null without them. */
function loopDelayMaxBetween(from: number, to: number): number | null {
  const seen = scrapes.filter((s) => s.t > from && s.t <= to && s.loopDelayMaxMs !== null).map((s) => s.loopDelayMaxMs!);
  return seen.length ? Math.max(...seen) : null;
}

/**
 * Samples the server's RSS every 5 s, and its JS heap in use beside it. RSS follows how much heap V8
 * keeps committed, which it grows and shrinks on its own; the heap's floor (what every major
 * collection returns to) is what a leak in the server's own structures would raise.
 */
function rssSampler(server: Server) {
  const samples: { t: number; mb: number }[] = [];
  const heap: { t: number; mb: number }[] = [];
  const take = () => {
    const mb = rssMB(server.pid);
    if (mb !== null) samples.push({ t: Date.now(), mb });
    void serverMetrics(server).then((m) => {
      if (m?.heapUsedMB != null) heap.push({ t: m.t, mb: m.heapUsedMB });
    });
  };
  take();
  const timer = setInterval(take, 5000);
  return {
    samples,
    take,
    stop: () => clearInterval(timer),
    /** Start (first sample at or after `since`), last, max and slope (MB/min) from `since` on. */
    summary(since: number) {
      const s = samples.filter((x) => x.t >= since);
      const used = s.length ? s : samples.slice(-1);
      const k = slope(used.map((x) => ({ x: (x.t - used[0].t) / 60_000, y: x.mb })));
      const floors = rssFloors(used);
      const heapFloors = rssFloors(heap.filter((x) => x.t >= since));
      const span = used.length ? (used[used.length - 1].t - used[0].t) / 60_000 : 0;
      // A soak of 15 minutes or more is also judged on its last 10: memory that grows while caches
      // and the graph fill up, then stays, is flat over any 10 minutes after that.
      const last10 = span >= 15 ? floors.filter((f) => f.x >= span - 10) : [];
      return {
        serverRssMB: round(used[used.length - 1]?.mb),
        serverRssStartMB: round(used[0]?.mb),
        serverRssMaxMB: round(Math.max(...used.map((x) => x.mb))),
        serverRssSlopeMBPerMin: round(k, 2),
        serverRssFloorsMB: floors.map((f) => round(f.y)),
        serverRssFloorSlopeMBPerMin: round(floors.length >= 3 ? slope(floors) : null, 2),
        serverRssLast10MinFloorSlopeMBPerMin: round(last10.length >= 3 ? slope(last10) : null, 2),
        serverRssSamples: used.length,
        serverRssSpanMinutes: round(span, 1),
        serverHeapUsedFloorsMB: heapFloors.map((f) => round(f.y)),
        serverHeapUsedFloorSlopeMBPerMin: round(heapFloors.length >= 3 ? slope(heapFloors) : null, 2),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The page

interface MapStats {
  mode: string;
  graphNodes: number;
  graphEdges: number;
  renderedNodes: number;
  renderedEdges: number;
  pendingEdges: number;
  layoutRunning: boolean;
  drawnSeq: number;
  /** Connections in the graph as last drawn (the page hook; absent on the fallback). */
  drawnGraphEdges?: number;
}

/**
 * What the bench reads from the page, cast here (the app declares its own hooks on Window, with
 * more in them: a second global declaration would clash with the app's).
 */
interface BenchWindow {
  __flowsightMap?: { stats(): MapStats; takeLatencies(): number[] };
  __flowsightCy?: { nodes(): { length: number }; edges(): { length: number } };
  __benchFrames?: { frames: number; start: number; last: number; maxGap: number; running: boolean };
}

/** The page's stats: its hook, or the cytoscape instance counted (until the hook exists). */
function pageStats(page: Page): Promise<(MapStats & { hook: boolean }) | null> {
  return page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    const m = w.__flowsightMap;
    if (m) {
      const s = m.stats();
      return { mode: s.mode, graphNodes: s.graphNodes, graphEdges: s.graphEdges, renderedNodes: s.renderedNodes, renderedEdges: s.renderedEdges, pendingEdges: s.pendingEdges, layoutRunning: s.layoutRunning, drawnSeq: s.drawnSeq, hook: true };
    }
    const cy = w.__flowsightCy;
    if (!cy) return null;
    const nodes = cy.nodes().length;
    const edges = cy.edges().length;
    return { mode: 'fallback', graphNodes: nodes, graphEdges: edges, renderedNodes: nodes, renderedEdges: edges, pendingEdges: 0, layoutRunning: false, drawnSeq: 0, hook: false };
  });
}

/** Used JS heap of the page, MB (CDP Performance.getMetrics). */
async function heapMB(cdp: CDPSession): Promise<{ used: number; total: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { used: get('JSHeapUsedSize') / 1048576, total: get('JSHeapTotalSize') / 1048576 };
}

/** Starts the in-page frame counter (requestAnimationFrame). */
async function startFrameCounter(page: Page): Promise<void> {
  await page.evaluate(() => {
    const now = performance.now();
    const s = { frames: 0, start: now, last: now, maxGap: 0, running: true };
    (window as unknown as BenchWindow).__benchFrames = s;
    const tick = (t: number) => {
      if (!s.running) return;
      s.frames++;
      s.maxGap = Math.max(s.maxGap, t - s.last);
      s.last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopFrameCounter(page: Page): Promise<{ fps: number; frames: number; seconds: number; maxFrameGapMs: number }> {
  return page.evaluate(() => {
    const s = (window as unknown as BenchWindow).__benchFrames!;
    s.running = false;
    // The gap from the last frame to now counts too (a page frozen at the end).
    const now = performance.now();
    const seconds = (now - s.start) / 1000;
    return { fps: s.frames / seconds, frames: s.frames, seconds, maxFrameGapMs: Math.max(s.maxGap, now - s.last) };
  });
}

/**
 * A point on the canvas to start drags from: the background (a drag there pans) when the cytoscape
 * instance shows where nodes are, else the canvas' centre.
 */
async function dragOrigin(page: Page, box: { x: number; y: number; width: number; height: number }): Promise<{ x: number; y: number; background: boolean }> {
  const inCanvas = await page.evaluate(({ w, h }) => {
    type Bb = { x1: number; x2: number; y1: number; y2: number };
    const cy = (window as unknown as { __flowsightCy?: { nodes(): { map<T>(f: (n: { renderedBoundingBox(o: object): Bb }) => T): T[] } } }).__flowsightCy;
    if (!cy) return null;
    const boxes = cy.nodes().map((n) => n.renderedBoundingBox({}));
    const free = (x: number, y: number) => boxes.every((b) => x < b.x1 - 4 || x > b.x2 + 4 || y < b.y1 - 4 || y > b.y2 + 4);
    // Nearest free grid point to the centre (a fine grid: a packed islands picture leaves narrow lanes).
    let best: { x: number; y: number; d: number } | null = null;
    for (let gx = 0.2; gx <= 0.8; gx += 0.01) {
      for (let gy = 0.2; gy <= 0.8; gy += 0.01) {
        const x = gx * w;
        const y = gy * h;
        const d = (gx - 0.5) ** 2 + (gy - 0.5) ** 2;
        if ((!best || d < best.d) && free(x, y)) best = { x, y, d };
      }
    }
    return best;
  }, { w: box.width, h: box.height });
  if (inCanvas) return { x: box.x + inCanvas.x, y: box.y + inCanvas.y, background: true };
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, background: false };
}

/** ~`seconds` of drags across the canvas and wheel zooms in and out (net zero), as a person would. */
async function gesture(page: Page, seconds: number): Promise<{ drags: number; wheelNotches: number; dragFromBackground: boolean }> {
  const box = await page.locator('[data-testid=graph-canvas]').boundingBox();
  if (!box) throw new PhaseError('fps', 'the graph canvas has no box');
  const origin = await dragOrigin(page, box);
  const end = Date.now() + seconds * 1000;
  let drags = 0;
  let notches = 0;
  const reach = Math.min(box.width, box.height) * 0.25;
  while (Date.now() < end) {
    const angle = (drags * Math.PI) / 3;
    const dx = Math.cos(angle) * reach;
    const dy = Math.sin(angle) * reach;
    // Out and back: the view ends where it started.
    for (const [from, to] of [[0, 1], [1, 0]] as const) {
      await page.mouse.move(origin.x + dx * from, origin.y + dy * from);
      await page.mouse.down();
      await page.mouse.move(origin.x + dx * to, origin.y + dy * to, { steps: 15 });
      await page.mouse.up();
      drags++;
      // Three notches in after the first drag, three out after the second, ~30 ms apart.
      for (let k = 0; k < 3; k++) {
        await page.mouse.wheel(0, from === 0 ? -120 : 120);
        notches++;
        await sleep(30);
      }
      if (Date.now() >= end) break;
    }
  }
  return { drags, wheelNotches: notches, dragFromBackground: origin.background };
}

interface RunResult {
  [key: string]: unknown;
}

interface PageProblems {
  crashed: Promise<never>;
  errors: string[];
}

/** Rejects when the page crashes or the browser goes away. */
function watchPage(browser: Browser, page: Page): PageProblems {
  const errors: string[] = [];
  page.on('pageerror', (e) => {
    errors.push(e.message);
    if (errors.length <= 5) log(`page error: ${e.message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') {
      errors.push(m.text());
      if (errors.length <= 5) log(`page console error: ${m.text()}`);
    }
  });
  const crashed = new Promise<never>((_, reject) => {
    page.on('crash', () => reject(new PhaseError('browser', 'the page crashed (renderer process gone; out of memory?)')));
    browser.on('disconnected', () => reject(new PhaseError('browser', 'chromium went away')));
  });
  crashed.catch(() => undefined);
  return { crashed, errors };
}

/**
 * Where a first render's time went, in ms from the bench's navigation start (the page's clock and the
 * bench's agree: performance.timeOrigin is wall time): the HTML in, the page's scripts in, the page's
 * code run (DOMContentLoaded), the snapshot's head at the page (the early stream's mark) and in the
 * store (decoded), its last part in the store, and the map's first frame with nodes (first-marks.ts).
 * Runs in the page.
 */
function firstRenderTimeline(navStart: number): Record<string, number | null> {
  const at = (t: number | undefined) => (t === undefined || t <= 0 ? null : Math.round(performance.timeOrigin + t - navStart));
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => r.initiatorType === 'script');
  const mark = (name: string) => performance.getEntriesByName(`flowsight:${name}`)[0]?.startTime;
  return {
    htmlIn: at(nav?.responseEnd),
    scriptsIn: at(scripts.length ? Math.max(...scripts.map((r) => r.responseEnd)) : undefined),
    domContentLoaded: at(nav?.domContentLoadedEventEnd),
    snapshotHeadAtPage: at(mark('stream-snapshot')),
    snapshotHeadInStore: at(mark('store-snapshot')),
    snapshotCompleteInStore: at(mark('store-snapshot-complete')),
    mapFirstDraw: at(mark('map-first-draw')),
  };
}

/** One scale: server, warm-up, page, the measurements (and a trace of the first render when `trace` names a file). */
async function runScale(opts: Options, workloads: number, minEdges: number | null, soakMinutes: number, trace: string | null): Promise<RunResult> {
  const server = await startServer(opts, workloads);
  let browser: Browser | null = null;
  let phase = 'warm-up';
  const rss = rssSampler(server);
  let streamReader: StreamLatencyReader | null = null;
  try {
    const serverGone = server.exited.then((why) => {
      throw new PhaseError(phase, why, { serverOutput: server.outputTail().slice(-15) });
    });
    serverGone.catch(() => undefined);
    const guard = <T>(p: Promise<T>, extra: Promise<never>[] = []) => Promise.race([p, serverGone, ...extra]);

    const warm = await guard(warmUp(server, minEdges, EDGES_PER_WORKLOAD * workloads, opts.warmupTimeoutS));
    const edgesAtNavigation = warm.graph.edges;
    const receivedAt = { t: Date.now(), n: warm.relay.received };
    log(`warm after ${warm.warmUpSeconds} s (${warm.warmedBy}): ${warm.graph.nodes} nodes, ${edgesAtNavigation} edges; launching chromium`);

    phase = 'browser';
    browser = await withTimeout(
      chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS], handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false }),
      60_000,
      'launching chromium',
    );
    // A new Chromium moves every figure (156 loaded its toolbar's WebUI at start, ~1.5 s of CPU): said with them.
    const chromiumVersion = browser.version();
    log(`chromium ${chromiumVersion}`);
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    // tsx (esbuild, keepNames) wraps named functions in the page functions below with `__name(...)`.
    await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = watchPage(browser, page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    // Every step in the page: raced with a crash, the server's exit and a timeout (a renderer whose
    // main thread never comes back would otherwise hang the bench).
    const g = <T>(p: Promise<T>, ms = 120_000) => guard(withTimeout(p, ms, `${phase}: the page did not answer`), [problems.crashed]);

    // First render.
    phase = 'first render';
    // The trace's own overhead (JS sampling) slows the page: a traced run's figures are for finding
    // where the time goes, not for the targets.
    if (trace) await browser.startTracing(page, { path: trace, categories: TRACE_CATEGORIES });
    const navStart = Date.now();
    const rssSince = navStart;
    rss.take();
    const need = Math.ceil(edgesAtNavigation * 0.98);
    await g(page.goto(`${server.base}/map`, { waitUntil: 'commit', timeout: opts.renderTimeoutS * 1000 }), opts.renderTimeoutS * 1000 + 30_000);
    let drawnAt: number;
    let firstStats: MapStats & { hook: boolean };
    try {
      const handle = await g(
        page.waitForFunction(
          (needEdges: number) => {
            const w = window as unknown as BenchWindow;
            const m = w.__flowsightMap;
            let s: MapStats & { hook: boolean };
            if (m) {
              const t = m.stats();
              s = { mode: t.mode, graphNodes: t.graphNodes, graphEdges: t.graphEdges, renderedNodes: t.renderedNodes, renderedEdges: t.renderedEdges, pendingEdges: t.pendingEdges, layoutRunning: t.layoutRunning, drawnSeq: t.drawnSeq, drawnGraphEdges: t.drawnGraphEdges, hook: true };
            } else {
              const cy = w.__flowsightCy;
              if (!cy) return false;
              const nodes = cy.nodes().length;
              const edges = cy.edges().length;
              s = { mode: 'fallback', graphNodes: nodes, graphEdges: edges, renderedNodes: nodes, renderedEdges: edges, pendingEdges: 0, layoutRunning: false, drawnSeq: 0, hook: false };
            }
            const at = performance.timeOrigin + performance.now();
            // What was on screen frame by frame, for firstPictureMs (bounded: one entry per frame).
            const series = ((w as unknown as { __benchSeries?: number[][] }).__benchSeries ??= []);
            if (series.length < 20_000) series.push([at, s.renderedNodes, s.renderedEdges, s.layoutRunning ? 1 : 0]);
            // Also the first frame with nothing at all pending (firstQuietFrameMs): live deltas keep
            // coming while the graph is drawn, and one arrived since the last frame is pending.
            const quiet = s.graphEdges >= needEdges && s.pendingEdges === 0 && !s.layoutRunning;
            const bw = w as unknown as { __benchQuietAt?: number };
            if (quiet) bw.__benchQuietAt ??= at;
            const drawn = s.drawnGraphEdges === undefined ? quiet : s.drawnGraphEdges >= needEdges && !s.layoutRunning;
            if (drawn) return { at, stats: s };
            return false;
          },
          need,
          { polling: 'raf', timeout: opts.renderTimeoutS * 1000 },
        ),
        opts.renderTimeoutS * 1000 + 30_000,
      );
      const v = (await handle.jsonValue()) as { at: number; stats: MapStats & { hook: boolean } };
      drawnAt = v.at;
      firstStats = v.stats;
    } catch (e) {
      if (e instanceof PhaseError) throw e;
      const seen = await pageStats(page).catch(() => null);
      throw new PhaseError('first render', `the full graph (${need} of ${edgesAtNavigation} edges, no layout running) was not drawn within ${opts.renderTimeoutS} s: ${(e as Error).message.split('\n')[0]}`, { lastStats: seen });
    }
    const firstRenderMs = drawnAt - navStart;
    // The old, stricter end: a frame with the full graph and no live delta pending either.
    const quietAt = await g(
      page
        .waitForFunction(
          (needEdges: number) => {
            const w = window as unknown as BenchWindow & { __benchQuietAt?: number };
            if (w.__benchQuietAt) return w.__benchQuietAt;
            const t = w.__flowsightMap?.stats();
            if (t && t.graphEdges >= needEdges && t.pendingEdges === 0 && !t.layoutRunning) return (w.__benchQuietAt = performance.timeOrigin + performance.now());
            return false;
          },
          need,
          { polling: 'raf', timeout: 20_000 },
        )
        .then(async (h) => (await h.jsonValue()) as number)
        .catch(() => null),
    );
    const firstQuietFrameMs = quietAt === null ? null : quietAt - navStart;
    if (trace) {
      await g(browser.stopTracing());
      log(`trace of the first render written to ${trace} (open it in Perfetto or chrome://tracing)`);
    }
    // The picture a person sees can be complete before the page holds every connection (a large
    // graph opens as islands, drawn from the snapshot's first part): the first frame from which
    // what is drawn stays within 2% of what is drawn once the full graph is in, with no layout running.
    const series = await g(page.evaluate(() => (window as unknown as { __benchSeries?: number[][] }).__benchSeries ?? []));
    const final = series.at(-1);
    let pictureAt = drawnAt;
    if (final) {
      for (let i = series.length - 1; i >= 0; i--) {
        const [at, nodes, edges, layout] = series[i];
        if (layout || nodes < final[1] * 0.98 || edges < final[2] * 0.98) break;
        pictureAt = at;
      }
    }
    const firstPictureMs = pictureAt - navStart;
    log(`first picture ${Math.round(firstPictureMs)} ms (what is drawn within 2% of the full graph's picture: ${final?.[1] ?? '?'} nodes / ${final?.[2] ?? '?'} edges)`);
    const timeline = await g(page.evaluate(firstRenderTimeline, navStart));
    log(`first render timeline (ms from navigation): ${Object.entries(timeline).map(([k, v]) => `${k} ${v ?? '-'}`).join(', ')}`);
    log(`first frame with nothing pending at all (no live delta since the last frame either): ${firstQuietFrameMs === null ? 'none within 20 s' : `${Math.round(firstQuietFrameMs)} ms`}`);
    log(`first render ${Math.round(firstRenderMs)} ms (${firstStats.hook ? 'page hook' : 'fallback: __flowsightCy counted'}: mode ${firstStats.mode}, ${firstStats.graphNodes} nodes / ${firstStats.graphEdges} edges in the graph, ${firstStats.renderedNodes} / ${firstStats.renderedEdges} rendered)`);

    // A plain client on the map's own stream (its URL), opened now (its snapshot is sent before the fps phase) and
    // timed over the latency phase with the page: the server's and transport's share of the latency.
    // The event loop's longest delay meanwhile (snapshotStallMs): what a browser connecting to a graph
    // this size costs every other browser's live view (the scrape before it starts the span afresh).
    phase = 'stream reader';
    await g(serverMetrics(server));
    const readerFrom = Date.now();
    streamReader = readStreamLatency(`${server.base}${MAP_STREAM_URL}`);
    await guard(withTimeout(streamReader.ready, 60_000, 'the stream reader got no delta'));
    await g(serverMetrics(server));
    const snapshotStallMs = loopDelayMaxBetween(readerFrom, Date.now());
    log(`a browser connecting: the server's event loop held up to ${round(snapshotStallMs) ?? '-'} ms at a time while its snapshot was built and sent`);

    // fps: idle, then while panning and zooming.
    phase = 'fps';
    await g(startFrameCounter(page));
    await g(sleep(2000));
    const idle = await g(stopFrameCounter(page));
    await g(startFrameCounter(page));
    const moves = await g(gesture(page, opts.gestureSeconds), opts.gestureSeconds * 1000 + 120_000);
    const frames = await g(stopFrameCounter(page));
    log(`fps ${frames.fps.toFixed(1)} over ${frames.seconds.toFixed(1)} s of gesture (${moves.drags} drags${moves.dragFromBackground ? ' from the background' : ''}, ${moves.wheelNotches} wheel notches; longest frame ${Math.round(frames.maxFrameGapMs)} ms); idle before it ${idle.fps.toFixed(1)} fps (longest frame ${Math.round(idle.maxFrameGapMs)} ms)`);

    // Latency: what arrived after the gesture, over ~10 s.
    phase = 'latency';
    const take = () => page.evaluate(() => (window as unknown as BenchWindow).__flowsightMap?.takeLatencies() ?? null);
    await g(take());
    const seqBefore = await g(pageStats(page));
    streamReader.restart();
    const latencyStart = Date.now();
    const mainCpuBefore = readThreadSchedule(server.pid);
    const machineBefore = readMachineCpu();
    // Drained every 2 s: the page keeps a bounded buffer (the newest samples win).
    const latencies: number[] = [];
    for (let end = latencyStart + opts.latencySeconds * 1000; Date.now() < end; ) {
      await g(sleep(Math.max(0, Math.min(2000, end - Date.now()))));
      for (const x of (await g(take())) ?? []) latencies.push(x);
    }
    const mainCpu = scheduleShares(mainCpuBefore, readThreadSchedule(server.pid), Date.now() - latencyStart);
    const machineBusy = machineBusyShare(machineBefore, readMachineCpu());
    const seqAfter = await g(pageStats(page));
    // How often the page drew updates (the hook's drawnSeq), per second.
    const drawsPerSec = seqBefore?.hook && seqAfter?.hook ? (seqAfter.drawnSeq - seqBefore.drawnSeq) / ((Date.now() - latencyStart) / 1000) : null;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    log(`latency over ${opts.latencySeconds} s: ${latencies.length} samples, p50 ${round(p50) ?? '-'} ms, p99 ${round(p99) ?? '-'} ms`);
    const stream = await streamReader.stop();
    streamReader = null;
    if (mainCpu) log(`the server's event loop thread over the same time: ran ${Math.round(mainCpu.runShare * 100)}%, waited for a CPU ${Math.round(mainCpu.waitShare * 100)}%; the machine's CPUs ${machineBusy === null ? '?' : Math.round(machineBusy * 100)}% busy`);
    log(`the stream alone over the same time (a plain client, no drawing): ${stream.samples} samples, p50 ${round(stream.p50Ms) ?? '-'} ms, p99 ${round(stream.p99Ms) ?? '-'} ms; a delta's newest flow ${round(stream.newestP50Ms) ?? '-'} ms old on arrival (p50; p99 ${round(stream.newestP99Ms) ?? '-'} ms); a delta every ${round(stream.deltaGapP50Ms) ?? '-'} ms (p50), at most ${round(stream.deltaGapMaxMs) ?? '-'} ms apart`);

    // Heap: as used, without a forced GC; then after one.
    phase = 'heap';
    const heap = await g(heapMB(cdp));
    await g(cdp.send('HeapProfiler.collectGarbage'));
    const heapGc = await g(heapMB(cdp));
    log(`page heap ${heap.used.toFixed(0)} MB used (${heapGc.used.toFixed(0)} MB after a forced GC)`);

    // Soak: the page stays open and streaming; RSS every 5 s, latency and heap every 30 s.
    phase = 'soak';
    const soakLatencies: number[] = [];
    let heapEnd = heap;
    if (soakMinutes > 0) {
      const soakEnd = Date.now() + soakMinutes * 60_000;
      const soakStart = Date.now();
      let nextLog = Date.now() + 30_000;
      while (Date.now() < soakEnd) {
        await g(sleep(Math.max(0, Math.min(5000, soakEnd - Date.now()))));
        for (const x of (await g(take())) ?? []) soakLatencies.push(x);
        if (Date.now() < nextLog && Date.now() < soakEnd) continue;
        nextLog += 30_000;
        heapEnd = await g(heapMB(cdp));
        const st = await g(pageStats(page));
        const r = rss.samples[rss.samples.length - 1];
        log(`soak ${((Date.now() - soakStart) / 60_000).toFixed(1)}/${soakMinutes} min: server rss ${r?.mb.toFixed(0)} MB, page heap ${heapEnd.used.toFixed(0)} MB, ${st?.graphEdges ?? '?'} edges on the page, p99 so far ${round(percentile(soakLatencies, 99)) ?? '-'} ms`);
      }
    }
    rss.take();
    const finalStatus = await g(fetchStatus(server)).catch((e: Error) => {
      if (e instanceof PhaseError) throw e;
      log(`final /api/status failed: ${e.message}`);
      return null;
    });
    const flowsPerSec = finalStatus ? (finalStatus.relay.received - receivedAt.n) / ((Date.now() - receivedAt.t) / 1000) : null;
    const lastStats = await g(pageStats(page));

    return {
      workloads,
      edges: edgesAtNavigation,
      firstRenderMs: round(firstRenderMs),
      firstPictureMs: round(firstPictureMs),
      firstQuietFrameMs: firstQuietFrameMs === null ? null : round(firstQuietFrameMs),
      firstRenderTimeline: timeline,
      snapshotStallMs: round(snapshotStallMs),
      fps: round(frames.fps, 1),
      p50LatencyMs: round(p50),
      p99LatencyMs: round(p99),
      heapMB: round(heap.used),
      ...rss.summary(rssSince),
      serverNodes: warm.graph.nodes,
      warmUp: { seconds: warm.warmUpSeconds, until: warm.warmedBy, flowsPerSec: round(warm.flowsPerSec) },
      pageGraphNodes: firstStats.graphNodes,
      pageGraphEdges: firstStats.graphEdges,
      renderedNodes: firstStats.renderedNodes,
      renderedEdges: firstStats.renderedEdges,
      mode: firstStats.mode,
      hook: firstStats.hook ? 'window.__flowsightMap' : 'fallback (window.__flowsightCy counted, no latency)',
      chromium: chromiumVersion,
      idleFps: round(idle.fps, 1),
      idleMaxFrameGapMs: round(idle.maxFrameGapMs),
      maxFrameGapMs: round(frames.maxFrameGapMs),
      gesture: { seconds: round(frames.seconds, 1), frames: frames.frames, ...moves },
      latencySamples: latencies.length,
      stream: { latencySamples: stream.samples, p50LatencyMs: round(stream.p50Ms), p99LatencyMs: round(stream.p99Ms), newestFlowAgeP50Ms: round(stream.newestP50Ms), newestFlowAgeP99Ms: round(stream.newestP99Ms), deltaGapP50Ms: round(stream.deltaGapP50Ms), deltaGapMaxMs: round(stream.deltaGapMaxMs) },
      // Over the latency window: the server's event loop thread's time on a CPU and waiting for one (Linux), and the machine's busy share.
      serverMainThread: mainCpu,
      machineCpuBusy: machineBusy,
      drawsPerSec: round(drawsPerSec, 1),
      heapMeasure: 'JSHeapUsedSize (CDP Performance.getMetrics) after the latency phase, no forced GC',
      heapTotalMB: round(heap.total),
      heapAfterGcMB: round(heapGc.used),
      soak: {
        minutes: soakMinutes,
        latencySamples: soakLatencies.length,
        p50LatencyMs: round(percentile(soakLatencies, 50)),
        p99LatencyMs: round(percentile(soakLatencies, 99)),
        heapEndMB: round(heapEnd.used),
        pageGraphEdgesEnd: lastStats?.graphEdges ?? null,
      },
      serverFlowsPerSec: round(flowsPerSec),
      relayLostEvents: finalStatus?.relay.lostEvents ?? null,
      serverEdgesEnd: finalStatus?.graph.edges ?? null,
      clientsCutOff: finalStatus?.clients?.cutOff ?? null,
      clientResyncs: finalStatus?.clients?.resyncs ?? null,
      pageErrors: problems.errors.length,
    };
  } catch (e) {
    // Which scale and phase failed (a crash is noticed in whichever phase it happens).
    const details = { workloads, duringPhase: phase };
    if (e instanceof PhaseError) throw new PhaseError(e.phase, e.message, { ...details, ...e.details });
    if (e instanceof Error && e.stack) log(e.stack);
    throw new PhaseError(phase, (e as Error).message.split('\n')[0], details);
  } finally {
    rss.stop();
    await streamReader?.stop();
    if (browser) await withTimeout(browser.close(), 20_000, 'closing chromium').catch((e: Error) => log(`closing chromium: ${e.message}`));
    await server.stop();
  }
}

/** Pass or fail per target of issue 13 (at the main scale). */
function targets(r: RunResult, opts: Options) {
  const num = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : null);
  const max = (value: number | null, limit: number) => ({ max: limit, value, pass: value !== null && value <= limit });
  const min = (value: number | null, limit: number) => ({ min: limit, value, pass: value !== null && value >= limit });
  const last10 = num('serverRssLast10MinFloorSlopeMBPerMin');
  const rssSlope = last10 ?? num('serverRssFloorSlopeMBPerMin');
  return {
    edges: min(num('edges'), EDGES_PER_WORKLOAD * opts.workloads),
    firstRenderMs: max(num('firstRenderMs'), 3000),
    p99LatencyMs: max(num('p99LatencyMs'), 500),
    fps: min(num('fps'), 30),
    heapMB: max(num('heapMB'), 300),
    // "Flat": the floor RSS returns to after each collection rises at most 2 MB/min (20 MB over 10
    // minutes); only conclusive over a 10-minute soak, judged on the last 10 minutes of a soak of 15 or
    // more. The whole soak's floor slope and serverRssSlopeMBPerMin (all samples) are beside it.
    serverRssFlat: { maxSlopeMBPerMin: 2, value: rssSlope, over: last10 !== null ? 'last 10 minutes' : 'whole soak', pass: rssSlope !== null && rssSlope <= 2, conclusive: opts.soakMinutes >= 10 },
  };
}

// ---------------------------------------------------------------------------------------------

let interrupted = false;

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) console.error(e.message);
      console.error(USAGE);
      process.exit(2);
    }
    throw e;
  }
  if (!fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) throw new PhaseError('browser', `no chromium at ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} (set CHROMIUM_PATH)`);
  const t0 = Date.now();
  ensureBuild();
  let baseline: RunResult | null = null;
  if (opts.baseline !== null) {
    log(`— baseline: ${opts.baseline} workloads —`);
    baseline = await runScale(opts, opts.baseline, opts.baselineMinEdges, 0, null);
  }
  log(`— ${opts.workloads} workloads —`);
  const main = await runScale(opts, opts.workloads, opts.minEdges, opts.soakMinutes, opts.trace);
  const { workloads, edges, firstRenderMs, fps, p50LatencyMs, p99LatencyMs, heapMB: heap, serverRssMB, ...rest } = main;
  const result = {
    workloads,
    edges,
    firstRenderMs,
    fps,
    p50LatencyMs,
    p99LatencyMs,
    heapMB: heap,
    serverRssMB,
    ...(baseline ? { [`baseline${opts.baseline}`]: baseline } : {}),
    ...rest,
    targets: targets(main, opts),
    rate: opts.rate,
    relay: opts.relay,
    benchSeconds: Math.round((Date.now() - t0) / 1000),
  };
  console.log(JSON.stringify(result));
}

function fail(e: unknown, code = 1): never {
  const err = e instanceof PhaseError ? { error: e.message, phase: e.phase, ...e.details } : { error: e instanceof Error ? e.message : String(e) };
  if (!(e instanceof PhaseError) && e instanceof Error && e.stack) log(e.stack);
  const serverOutput = (err as { serverOutput?: unknown }).serverOutput;
  if (Array.isArray(serverOutput)) {
    log(`server output (last lines):\n  ${serverOutput.join('\n  ')}`);
    (err as { serverOutput?: unknown }).serverOutput = serverOutput.slice(-5).map((l: string) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
  }
  console.log(JSON.stringify(err));
  process.exit(code);
}

process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log('interrupted: stopping the server(s)…');
  // The exit handler kills every server group still alive and removes the data dirs.
  fail(new PhaseError('interrupted', 'interrupted (SIGINT)'), 130);
});
process.on('SIGTERM', () => fail(new PhaseError('interrupted', 'terminated (SIGTERM)'), 143));

main().then(
  () => process.exit(0),
  (e) => fail(e),
);
