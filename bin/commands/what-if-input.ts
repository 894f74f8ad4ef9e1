/**
 * What `flowsight simulate` and `flowsight recommend` share: where the traffic comes from (a `--flows`
 * file, or a running Flowsight's history), where the cluster comes from (`--manifests` / `--demo`, or
 * the running Flowsight's own), the time window, and how a streamed answer (JSON lines of progress,
 * then the result) is read from the server.
 */

import { type Command, Option } from 'commander';
import { isProblemDetails, problemCode } from '../../lib/api/problem';
import { parseWindow, type ReplayWindow } from '../../lib/api/what-if-request';
import { chooseDatapath, type DatapathChoice } from '../../lib/policy-engine/datapath';
import type { ClusterSnapshot } from '../../lib/k8s/types';
import { foldFlows, type ObservedTraffic } from '../../lib/what-if/observed-traffic';
import type { ReplayProgress } from '../../lib/what-if/replay';
import { addClusterInputOptions, hasClusterInput, loadClusterInput, readFlowsFile, UsageError, warn, type ClusterInputOptions } from './cluster-input';

export interface WhatIfInputOptions extends ClusterInputOptions {
  since?: string;
  until?: string;
  flows?: string;
  url: string;
}

/** The run could not happen (server unreachable, history off): not the change's fault, so not exit 1. */
export class RunError extends Error {
  constructor(
    message: string,
    /** The server's problem code (`reports-busy`, `history-unavailable`, ...), when it sent one. */
    readonly code?: string,
    /** The server's Retry-After, seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
export const RUN_FAILED_EXIT = 3;

export function addWhatIfInputOptions(cmd: Command): Command {
  return addClusterInputOptions(
    cmd
      .option('--since <time>', 'replay traffic from this time (RFC 3339) or this long ago (default 24h; with --flows: the whole file)')
      .option('--until <time>', 'replay traffic until this time or this long ago (default: now)')
      .option('--flows <file>', 'replay these flows (JSON array or JSON lines of FlowRecord) instead of a server\'s history')
      .addOption(new Option('--url <url>', 'the Flowsight server whose history (and, without --manifests/--demo, cluster) to use; token from FLOWSIGHT_AUTH_TOKEN').default(process.env.FLOWSIGHT_URL || 'http://127.0.0.1:3000')),
  );
}

/**
 * The window to replay: `--since` (default 24h) to `--until` (default now). A `--flows` file is
 * replayed whole unless a bound is given: its flows are from whenever it was recorded.
 */
export function windowOf(o: Pick<WhatIfInputOptions, 'since' | 'until' | 'flows'>, now = Date.now()): { since: number | null; until: number | null } {
  if (o.flows && o.since === undefined && o.until === undefined) return { since: null, until: null };
  const w = parseWindow(o.since, o.until, now);
  if (!w.ok) throw new UsageError(w.problems.map((p) => `--${p.param}: ${p.message}`).join('\n'));
  return w.value;
}

/** A window for the server, which always has bounds (local runs over a whole file have none). */
export function boundedWindow(w: { since: number | null; until: number | null }, now = Date.now()): ReplayWindow {
  return { since: w.since ?? now - 24 * 3600_000, until: w.until ?? now };
}

/** Runs on this machine (a cluster input was given) rather than asking the server to. */
export const runsLocally = (o: WhatIfInputOptions): boolean => hasClusterInput(o);

export function checkInputs(o: WhatIfInputOptions): void {
  try {
    new URL(o.url);
  } catch {
    throw new UsageError(`--url: "${o.url}" is not a URL`);
  }
  if (o.flows && !runsLocally(o)) throw new UsageError('--flows replays a file against a cluster given here: add --manifests PATH or --demo');
}

/** The cluster and traffic for a local run. */
export async function localInputs(o: WhatIfInputOptions, window: { since: number | null; until: number | null }): Promise<{ snapshot: ClusterSnapshot; datapath: DatapathChoice; traffic: ObservedTraffic; partial: boolean }> {
  const loaded = await loadClusterInput(o);
  if (loaded.warnings.length && !o.allowPartial) throw new UsageError(`${loaded.warnings.length} problem(s) in the cluster input (--allow-partial replays against the rest):\n${loaded.warnings.map((w) => w.message).join('\n')}`);
  warn(loaded.warnings.map((w) => w.message));
  const datapath = chooseDatapath(loaded.snapshot, { setting: o.datapath, settingName: '--datapath', hubbleRelay: true });
  const traffic = o.flows ? foldFlows(await readFlowsFile(o.flows), window) : await serverTraffic(o.url, boundedWindow(window));
  return { snapshot: loaded.snapshot, datapath, traffic, partial: loaded.partial };
}

function authHeaders(): Record<string, string> {
  const token = process.env.FLOWSIGHT_AUTH_TOKEN;
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** fetch() with the failures below HTTP said in words. */
export async function call(url: URL, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, headers: { ...authHeaders(), ...(init.headers as Record<string, string> | undefined) } });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new RunError(`no Flowsight answers at ${url.origin} (${cause?.code ?? cause?.message ?? (e as Error).message}): start it with npm start, pass --url, or replay a file with --flows and --manifests`);
  }
}

/** A problem answer as an error: the server's 400 is bad input (exit 2), the rest a failed run. */
export async function failure(res: Response): Promise<Error> {
  const body: unknown = await res.json().catch(() => null);
  const detail = isProblemDetails(body) ? body.detail : `HTTP ${res.status}`;
  const where = isProblemDetails(body) ? (body.problems ?? []).filter((p) => p.line !== undefined).map((p) => `  line ${p.line}, column ${p.column}: ${p.message}`) : [];
  if (res.status === 400 || res.status === 413) return new UsageError([detail, ...where].join('\n'));
  if (res.status === 401) return new RunError(`${detail} (set FLOWSIGHT_AUTH_TOKEN)`);
  const code = isProblemDetails(body) ? problemCode(body.type) : undefined;
  const retryAfter = Number(res.headers.get('retry-after'));
  return new RunError(detail, code, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

async function serverTraffic(base: string, window: ReplayWindow): Promise<ObservedTraffic> {
  const params = new URLSearchParams({ since: new Date(window.since).toISOString(), until: new Date(window.until).toISOString() });
  const res = await call(new URL(`/api/simulate/traffic?${params}`, base));
  if (!res.ok) throw await failure(res);
  try {
    return (await res.json()) as ObservedTraffic;
  } catch (e) {
    throw new RunError(`the server's answer is not JSON (${(e as Error).message}): is --url a Flowsight?`);
  }
}

/** POSTs to a streaming what-if endpoint and returns its result, reporting progress on the way. */
export async function streamed<R, P = ReplayProgress>(base: string, path: string, body: unknown, onProgress: (p: P) => void): Promise<R> {
  const res = await call(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok || !res.body) throw await failure(res);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let event: { type: string } & Record<string, unknown>;
      try {
        event = JSON.parse(line) as { type: string } & Record<string, unknown>;
      } catch {
        throw new RunError(`the server's answer is not what Flowsight sends (${line.slice(0, 80)}): is --url a Flowsight?`);
      }
      if (event.type === 'progress') onProgress(event as unknown as P);
      else if (event.type === 'result') return event.result as R;
      else if (event.type === 'error') throw new RunError(String(event.detail));
    }
  }
  throw new RunError('the server ended the answer without a result');
}

/** Progress on stderr when it is a terminal (a CI log gets the result only). */
export function progressPrinter(): (p: ReplayProgress) => void {
  if (!process.stderr.isTTY) return () => undefined;
  return (p) => process.stderr.write(`\r${p.phase} ${p.done}/${p.total}${p.phase === 'paths' ? '\n' : ''}`);
}

/** Runs a what-if command body: UsageError exits 2, RunError 3, both with the message on stderr. */
export async function runWhatIf(name: string, body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`flowsight ${name}: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      // Anything else (the connection cut mid-answer, a crash) is a run that could not finish: never "bad input".
      process.stderr.write(`flowsight ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = RUN_FAILED_EXIT;
    }
  }
}
