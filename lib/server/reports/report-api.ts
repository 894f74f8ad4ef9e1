/**
 * What the evidence report routes answer: `POST /api/reports` (make one: JSON lines of progress, then the
 * bundle's summary), `GET /api/reports` (past reports the user may read), `GET /api/reports/<id>/<file>`
 * (a bundle's files) and the print view's data. A scoped user (FLOWSIGHT_AUTHZ=namespaces) makes and
 * reads reports of their namespaces only; a cluster report needs cluster-wide access.
 */

import fs from 'node:fs';
import type { ReportScope } from '../views/evidence-report';
import type { EvidenceReport } from '../views/evidence-report';
import { parseReportBody } from '../../api/reports-request';
import { invalidParamsResponse, problemResponse } from '../../api/problem';
import { inScope, type NamespaceScope } from '../access/namespace-access';
import { SESSION_COOKIE, type Principal } from '../access/auth';
import { readCookie, readJsonBody } from '../access/request-guard';
import { requestScope } from '../request-scope';
import { runtime, type Runtime } from '../runtime';
import { gatherEvidenceInputs, NO_HISTORY, ReportRefusal } from './evidence-inputs';
import type { ReportsResponse, ReportSummary } from './evidence-reports';
import type { RenderAuth } from './render-pages';

/** Reports made at once across all users: each runs a browser (a few hundred MB); more are told to retry. */
export const MAX_CONCURRENT_REPORTS = 1;
/** One page load of the browser, at most. */
const RENDER_TIMEOUT_MS = 60_000;

export type ReportEvent = { type: 'progress'; step: string; fraction: number } | { type: 'result'; result: ReportSummary } | { type: 'error'; status: number; code: string; detail: string };

/** Whether a user with `scope` may read a report of `report`. */
export function mayRead(scope: NamespaceScope, report: ReportScope): boolean {
  if (scope === 'all') return true;
  return report.kind === 'namespaces' && report.namespaces.every((ns) => inScope(scope, ns));
}

const who = (p: Principal) => (p.via === 'oidc' || p.via === 'proxy' ? p.user : p.via);

/** The request's own credentials, for the browser that renders the bundle as this user. */
function renderAuthOf(request: Request, principal: Principal, rt: Runtime): RenderAuth {
  const auth: RenderAuth = {};
  const authorization = request.headers.get('authorization');
  if (authorization) auth.authorization = authorization;
  const session = readCookie(request.headers, SESSION_COOKIE);
  if (session) auth.sessionCookie = { name: SESSION_COOKIE, value: session };
  const proxy = rt.config.auth.trustedProxy;
  if (principal.via === 'proxy' && proxy) {
    auth.headers = {};
    for (const h of [proxy.userHeader, proxy.groupsHeader]) {
      if (!h) continue;
      const v = request.headers.get(h);
      if (v !== null) auth.headers[h] = v;
    }
  }
  return auth;
}

/**
 * Where the browser reaches this server: the address and port the request came in on (the process's
 * own listener, whatever the ingress in front calls it), over TLS when the request did.
 */
function selfBaseUrl(request: Request, rt: Runtime): string {
  const socket = rt.httpResponse(new URL(request.url).pathname)?.socket as (import('node:net').Socket & { encrypted?: boolean }) | null | undefined;
  if (socket?.localPort) {
    let host = socket.localAddress ?? '127.0.0.1';
    if (host.startsWith('::ffff:')) host = host.slice(7);
    if (host === '::' || host === '0.0.0.0') host = '127.0.0.1';
    return `${socket.encrypted ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${socket.localPort}`;
  }
  return new URL(request.url).origin;
}

/** `POST /api/reports`: checks the request, then streams the bundle's progress and its summary. */
export async function createReport(request: Request, rt: Runtime = runtime()): Promise<Response> {
  const principal = await rt.principal(request);
  if (!principal) return problemResponse(401, 'Unauthorized', 'authentication required', undefined, { code: 'unauthenticated' });
  const scope = await rt.scopeOf(principal);
  const body = await readJsonBody(request);
  if (body instanceof Response) return body;
  const parsed = parseReportBody(body, Date.now());
  if (!parsed.ok) return invalidParamsResponse(parsed.problems);
  const { window, scope: reportScope } = parsed.value;
  if (!mayRead(scope, reportScope)) {
    const detail = reportScope.kind === 'cluster' ? 'a cluster report covers every namespace: it needs read access to all of them (name your namespaces instead)' : `you may not read namespace ${reportScope.namespaces.find((ns) => !inScope(scope, ns))}`;
    return problemResponse(403, 'Forbidden', detail, undefined, { code: 'forbidden' });
  }
  // What the report is about must be known before it starts: a cluster source that has not synced would
  // read as a clean cluster, and a namespace the cluster does not have as a perfect one.
  const posture = await rt.posture().catch(() => null);
  const status = posture?.source.status();
  if (!posture || status?.lastSyncAt === undefined) return problemResponse(503, 'Unavailable', 'the cluster source has not synced yet (or could not start): a report now would show no policies; try again in a minute', undefined, { code: 'cluster-not-synced', headers: { 'Retry-After': '30' } });
  if (reportScope.kind === 'namespaces') {
    const snapshot = posture.source.snapshot();
    const known = new Set([...snapshot.namespaces.map((n) => n.name), ...snapshot.pods.map((p) => p.namespace)]);
    const unknown = reportScope.namespaces.filter((ns) => !known.has(ns));
    if (unknown.length) return invalidParamsResponse(unknown.map((ns) => ({ param: 'namespaces', message: `the cluster has no namespace ${ns}` })));
  }
  const store = await rt.history().catch(() => null);
  if (!store) return problemResponse(503, 'Unavailable', NO_HISTORY, undefined, { code: 'history-unavailable' });
  const reports = rt.reports();
  if (reports.inProgress >= MAX_CONCURRENT_REPORTS) return problemResponse(503, 'Busy', 'another evidence report is being made; try again in a minute', undefined, { code: 'reports-busy', headers: { 'Retry-After': '30' } });

  const log = rt.logger.child({ component: 'reports' });
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let open = true;
  const send = (event: ReportEvent) => {
    if (!open || !controller) return;
    try {
      controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
    } catch {
      open = false; // The client went away; the report is still made and listed.
    }
  };
  const close = () => {
    if (!open) return;
    open = false;
    try {
      controller?.close();
    } catch {
      /* already closed */
    }
  };
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: () => void (open = false) });
  let last = 0;
  const range = { since: window.since, until: window.until };
  void reports
    .generate({
      request: { range, scope: reportScope },
      requestedBy: who(principal),
      gather: (progress) => gatherEvidenceInputs(rt, { range, scope: reportScope }, progress),
      render: { baseUrl: selfBaseUrl(request, rt), auth: renderAuthOf(request, principal, rt), chromiumPath: rt.config.chromiumPath, timeoutMs: RENDER_TIMEOUT_MS },
      progress: (p) => {
        // At most ten lines a second: a bar needs no more.
        const now = Date.now();
        if (p.fraction < 1 && now - last < 100) return;
        last = now;
        send({ type: 'progress', ...p });
      },
    })
    .then(
      (report) => {
        if (!report.complete) log.warn({ id: report.id, problems: report.problems }, 'evidence report incomplete');
        else log.info({ id: report.id, requestedBy: report.requestedBy, scope: report.scope.kind }, 'evidence report made');
        send({ type: 'result', result: report });
        close();
      },
      (err: unknown) => {
        log.error({ err }, 'evidence report failed');
        const r = err instanceof ReportRefusal ? err : undefined;
        send({ type: 'error', status: r?.status ?? 500, code: r?.code ?? 'report-failed', detail: r?.message ?? `the report could not be made: ${err instanceof Error ? err.message : String(err)}` });
        close();
      },
    );
  return new Response(stream, { headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } });
}

/** `GET /api/reports`: the past reports this user may read, newest first. */
export async function listReports(request: Request, rt: Runtime = runtime()): Promise<ReportsResponse | Response> {
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  const reports = rt.reports();
  return { reports: reports.list((s) => mayRead(scope, s)), inProgress: reports.inProgress };
}

const CONTENT_TYPES: Record<string, string> = { 'report.json': 'application/json', 'manifest.json': 'application/json', 'map.png': 'image/png', 'report.pdf': 'application/pdf' };

/** `GET /api/reports/<id>/<file>`: one file of a bundle the user may read (also while it is being made, for the print view). */
export async function reportFile(request: Request, id: string, name: string, rt: Runtime = runtime()): Promise<Response> {
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  const reports = rt.reports();
  const file = reports.filePath(id, name);
  const reportScope = file ? reports.scopeOf(id) : null;
  // An unknown report and one the user may not read answer alike: the ids of others' reports stay unknown.
  if (!file || !reportScope || !mayRead(scope, reportScope)) return problemResponse(404, 'Not found', `no report file ${name} for ${id}`, undefined, { code: 'not-found' });
  const bytes = fs.readFileSync(file);
  const download = new URL(request.url).searchParams.get('download') === '1';
  return new Response(new Uint8Array(bytes), {
    headers: {
      'Content-Type': CONTENT_TYPES[name] ?? 'application/octet-stream',
      'Content-Length': String(bytes.byteLength),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': `${download ? 'attachment' : 'inline'}; filename="flowsight-${id}-${name}"`,
    },
  });
}

/** The report a print view shows, when the request may read it; null otherwise (the page then says not found). */
export async function printableReport(request: Request, id: string, rt: Runtime = runtime()): Promise<{ report: EvidenceReport; id: string } | null> {
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return null;
  const reports = rt.reports();
  const reportScope = reports.scopeOf(id);
  if (!reportScope || !mayRead(scope, reportScope)) return null;
  const report = reports.report(id);
  return report ? { report, id } : null;
}
