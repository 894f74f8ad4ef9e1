/**
 * What `/api/simulate`, `/api/recommend` and `/api/simulate/traffic` answer, over the runtime's
 * cluster source and flow history. Replays read the history (never the live ring: a change is judged
 * on a real window of traffic), narrowed to the user's namespaces. A scoped user may only propose
 * changes to namespaces they can read; cluster-wide policies need cluster-wide access.
 *
 * Long work streams its progress: the answer is JSON lines (`progress` events, then one `result` or
 * `error`), so the page shows a progress bar and Cancel, and a cancelled request stops the replay.
 */

import type { RecommendRequest, ReplayWindow, SimulateRequest } from '../api/what-if-request';
import type { ClusterSnapshot } from '../k8s/types';
import { objectKey } from '../k8s/types';
import type { DatapathChoice } from '../policy-engine/datapath';
import { deployedDiff, type DeployedDiff } from '../what-if/deployed-diff';
import { type ObservedTraffic } from '../what-if/observed-traffic';
import { changeRunnable, parseChange, type ChangeProblem, type ParsedChange } from '../what-if/proposed-change';
import { recommend, recommendationParsed, type Flavour, type Recommendation } from '../what-if/recommend';
import { simulate, type ReplayProgress, type SimulationResult } from '../what-if/replay';
import { inScope, type NamespaceScope } from './access/namespace-access';
import { scopeDeployedDiff, scopeSimulation, scopeSql } from './access/access-scope';
import { runtime, type Runtime } from './runtime';
import { invalidParamsResponse, problemResponse, type ParamProblem } from '../api/problem';
import { readJsonBody } from './access/request-guard';
import { requestScope } from './request-scope';

export interface SimulateAnswer extends SimulationResult {
  /** Warnings from reading the change (errors never get this far). */
  problems: ChangeProblem[];
}

export interface RecommendAnswer {
  recommendation: Recommendation;
  /** The change that puts it in place (its YAML, and the namespace's other policies deleted). */
  change: { yaml: string; delete: { kind: string; namespace?: string; name: string }[] };
  simulation: SimulationResult;
  deployed: DeployedDiff;
}

export type ReplayEvent<R> = ({ type: 'progress' } & ReplayProgress) | { type: 'result'; result: R } | { type: 'error'; status: number; code: string; detail: string };

/** A request that cannot run as asked: answered as problem details before any work starts. */
export class WhatIfRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: ChangeProblem[] = [],
  ) {
    super(message);
  }
}

interface Cluster {
  snapshot: ClusterSnapshot;
  datapath: DatapathChoice;
}

async function cluster(rt: Runtime): Promise<Cluster> {
  const { source, posture } = await rt.posture();
  return { snapshot: source.snapshot(), datapath: posture.engine().datapath };
}

/** Most connections `/api/simulate/traffic` answers with (a CLI replays them; the answer is one JSON document). */
export const MAX_TRAFFIC_ANSWER = 50_000;

const NO_HISTORY = 'a replay reads the flow history, and it is off or not open (FLOWSIGHT_HISTORY, FLOWSIGHT_DATA_DIR)';

/** The window's traffic from the history, narrowed to what the user may see. */
export async function replayTraffic(rt: Runtime, window: ReplayWindow, scope: NamespaceScope, signal?: AbortSignal, max?: number): Promise<ObservedTraffic> {
  const store = await rt.history().catch(() => null);
  if (!store) throw new WhatIfRefusal(503, 'history-unavailable', NO_HISTORY);
  const range = { since: window.since, until: window.until };
  const { connections, truncated } = await rt.historyReads.run(() => store.traffic({ range, condition: scopeSql(scope), ...(max !== undefined ? { max } : {}) }, signal));
  const flows = connections.reduce((n, c) => n + c.flows, 0);
  // Allowed flows older than the roll-up age are kept as per-edge counts only: not replayable per pod.
  const rollup = store.status().retention.rollupAfterMinutes;
  const cutoff = rollup === null ? null : Date.now() - rollup * 60_000;
  const notes = cutoff !== null && window.since < cutoff ? [`allowed flows before ${new Date(cutoff).toISOString()} are kept only as per-edge counts (FLOWSIGHT_ROLLUP_AFTER_MINUTES=${rollup}) and were not replayed: breakage of that traffic is not shown; replay the last ${rollup} minutes, or keep flows longer`] : [];
  return { connections, flows, truncated, range: { since: window.since, until: window.until }, ...(notes.length ? { notes } : {}) };
}

/** Refuses a change that reaches namespaces the user may not read (or the whole cluster without cluster-wide access). */
function checkChangeScope(change: ParsedChange, scope: NamespaceScope): void {
  if (scope === 'all') return;
  const targets = [...change.apply.map((a) => a.policy), ...change.delete];
  for (const t of targets) {
    if (!t.namespace) throw new WhatIfRefusal(403, 'forbidden', `${t.kind} ${t.name} is cluster-wide: simulating it needs access to every namespace`);
    if (!inScope(scope, t.namespace)) throw new WhatIfRefusal(403, 'forbidden', `${t.kind} ${objectKey(t)} is in a namespace you may not read`);
  }
}

/** Reads and checks a change: malformed YAML or a policy the engine would reject runs nothing. */
export function readChange(req: SimulateRequest, scope: NamespaceScope): ParsedChange {
  const change = parseChange(req.change);
  if (!changeRunnable(change)) {
    const first = change.problems.find((p) => p.severity === 'error')!;
    const where = first.line ? ` (line ${first.line}, column ${first.column})` : '';
    throw new WhatIfRefusal(400, 'invalid-change', `the change cannot run: ${first.message}${where}`, change.problems);
  }
  checkChangeScope(change, scope);
  return change;
}

/** Replays the window with and without `change` (read with readChange first, so bad input is answered before streaming). */
export async function runSimulation(rt: Runtime, req: SimulateRequest, change: ParsedChange, scope: NamespaceScope, progress: (p: ReplayProgress) => void, signal?: AbortSignal): Promise<SimulateAnswer> {
  const { snapshot, datapath } = await cluster(rt);
  const traffic = await replayTraffic(rt, req.window, scope, signal);
  const result = await simulate(snapshot, change, traffic, { engineOptions: { datapath }, onProgress: progress, ...(signal ? { signal } : {}) });
  return { ...scopeSimulation(scope, result), problems: change.problems };
}

/** Refuses a recommendation for a namespace the user may not read. */
export function checkRecommendScope(req: RecommendRequest, scope: NamespaceScope): void {
  if (!inScope(scope, req.namespace)) throw new WhatIfRefusal(403, 'forbidden', `namespace ${req.namespace} is not one you may read`);
}

/** Refuses a replay when there is no history to read (answered before the stream starts). */
export async function requireHistory(rt: Runtime): Promise<void> {
  const store = await rt.history().catch(() => null);
  if (!store) throw new WhatIfRefusal(503, 'history-unavailable', NO_HISTORY);
}

export async function runRecommendation(rt: Runtime, req: RecommendRequest, scope: NamespaceScope, progress: (p: ReplayProgress) => void, signal?: AbortSignal): Promise<RecommendAnswer> {
  checkRecommendScope(req, scope);
  const { snapshot, datapath } = await cluster(rt);
  if (!snapshot.namespaces.some((n) => n.name === req.namespace) && !snapshot.pods.some((p) => p.namespace === req.namespace)) {
    throw new WhatIfRefusal(404, 'unknown-namespace', `the cluster has no namespace ${req.namespace}`);
  }
  const traffic = await replayTraffic(rt, req.window, scope, signal);
  const flavour: Flavour = req.flavour ?? (datapath.datapath === 'cilium' ? 'cilium' : 'kubernetes');
  const recommendation = recommend(snapshot, traffic, { namespace: req.namespace, ...(req.workload ? { workload: req.workload } : {}) }, flavour);
  const { change, parsed } = recommendationParsed(snapshot, recommendation);
  const simulation = await simulate(snapshot, parsed, traffic, { engineOptions: { datapath }, onProgress: progress, ...(signal ? { signal } : {}) });
  const deployed = deployedDiff(snapshot, traffic, req.namespace, { datapath }, (ns) => inScope(scope, ns));
  return { recommendation, change, simulation: scopeSimulation(scope, simulation), deployed: scopeDeployedDiff(scope, deployed) };
}

/**
 * Runs `work` and answers its progress and result as JSON lines. Refusals found before the work
 * starts are problem details with their status; later failures end the stream with an `error` line.
 */
export async function streamReplay<R>(work: (progress: (p: ReplayProgress) => void, signal: AbortSignal) => Promise<R>, signal: AbortSignal, onError: (err: unknown) => void, done: () => void = () => undefined): Promise<Response> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: () => abort.abort() });
  const abort = new AbortController();
  if (signal.aborted) abort.abort();
  else signal.addEventListener('abort', () => abort.abort(), { once: true });
  const send = (event: ReplayEvent<R>) => {
    try {
      controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
    } catch {
      // The client went away; the abort signal stops the work.
    }
  };
  let last = 0;
  const progress = (p: ReplayProgress) => {
    // At most ten progress lines a second: a bar needs no more.
    const now = Date.now();
    if (p.done !== p.total && now - last < 100) return;
    last = now;
    send({ type: 'progress', ...p });
  };
  // A stream the client cancelled is closed already: closing it again throws (an unhandled rejection).
  const close = () => {
    try {
      controller.close();
    } catch {
      /* already closed */
    }
  };
  const failed = (detail: string, status = 500, code = 'replay-failed') => send({ type: 'error', status, code, detail });
  void work(progress, abort.signal).then(
    (result) => {
      let line: string | undefined;
      try {
        line = `${JSON.stringify({ type: 'result', result })}\n`;
      } catch (err) {
        onError(err);
      }
      if (line === undefined) failed('the result could not be written; the server log has the details');
      else {
        try {
          controller.enqueue(encoder.encode(line));
        } catch {
          // The client went away.
        }
      }
      close();
      done();
    },
    (err: unknown) => {
      if (!abort.signal.aborted) {
        onError(err);
        const refusal = err instanceof WhatIfRefusal ? err : undefined;
        failed(refusal?.message ?? 'the replay failed; the server log has the details', refusal?.status ?? 500, refusal?.code ?? 'replay-failed');
      }
      close();
      done();
    },
  );
  return new Response(stream, { headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } });
}

/** Problem details for a refusal (bad change, forbidden namespace, no history); undefined for anything else. */
export function refusalResponse(err: unknown): Response | undefined {
  if (!(err instanceof WhatIfRefusal)) return undefined;
  const problems = err.problems.filter((p) => p.severity === 'error').map((p) => ({ param: 'change.yaml', message: p.message, ...(p.line !== undefined ? { line: p.line } : {}), ...(p.column !== undefined ? { column: p.column } : {}) }));
  const title = err.status === 400 ? 'Invalid change' : err.status === 403 ? 'Forbidden' : err.status === 404 ? 'Not found' : 'Unavailable';
  return problemResponse(err.status, title, err.message, problems.length ? problems : undefined, { code: err.code });
}

/** 503 when the replays allowed at once are all running: the client retries in a moment. */
export function replaysBusy(): Response {
  return problemResponse(503, 'Replays busy', 'other what-if replays are running: try again in a moment', undefined, { code: 'replays-busy', headers: { 'Retry-After': '2' } });
}

/**
 * One what-if POST, as both routes answer it: the user's scope, the JSON body through `parse`, then
 * `prepare` (refusals found before any work: a bad change, a namespace they may not read), a history
 * and a free replay slot, and `work` streamed. Every refusal before the stream is problem details.
 */
export async function answerReplay<B, P, R>(
  request: Request,
  what: string,
  parse: (body: unknown, nowMs: number) => { ok: true; value: B } | { ok: false; problems: ParamProblem[] },
  prepare: (value: B, scope: NamespaceScope) => P,
  work: (rt: Runtime, value: B, prepared: P, scope: NamespaceScope, progress: (p: ReplayProgress) => void, signal: AbortSignal) => Promise<R>,
  rt: Runtime = runtime(),
): Promise<Response> {
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  const body = await readJsonBody(request);
  if (body instanceof Response) return body;
  const parsed = parse(body, Date.now());
  if (!parsed.ok) return invalidParamsResponse(parsed.problems);
  const { value } = parsed;
  try {
    const prepared = prepare(value, scope);
    await requireHistory(rt);
    const release = rt.replays.tryAcquire();
    if (!release) return replaysBusy();
    const log = rt.logger.child({ component: 'what-if' });
    return streamReplay((progress, signal) => work(rt, value, prepared, scope, progress, signal), request.signal, (err) => log.error({ err }, `${what} failed`), release);
  } catch (err) {
    return refusalResponse(err) ?? problemResponse(500, 'Internal error', `the ${what} could not start`);
  }
}
