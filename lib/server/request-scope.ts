/**
 * The namespaces the user behind a request may see, for route handlers (access-scope.ts says what
 * that means for each answer). The access gate has already refused requests with no identity; a
 * request reaching a route without one (a session revoked in between) is refused here too.
 */

import type { MeResponse } from '../api/contract';
import { problemResponse } from '../api/problem';
import type { NamespaceScope } from './access/access-scope';
import { runtime, type Runtime } from './runtime';

/** The request's scope, or the response refusing it. */
export async function requestScope(request: Request, rt: Pick<Runtime, 'principal' | 'scopeOf'> = runtime()): Promise<NamespaceScope | Response> {
  const principal = await rt.principal(request);
  if (!principal) return problemResponse(401, 'Unauthorized', 'authentication required', undefined, { code: 'unauthenticated' });
  return rt.scopeOf(principal);
}

/** Null when the user may see every namespace; else the response refusing a cluster-wide view (Azure, metrics). */
export async function requireClusterWide(request: Request, rt: Runtime = runtime()): Promise<Response | null> {
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  if (scope === 'all') return null;
  return problemResponse(403, 'Forbidden', 'this view covers the whole cluster: it needs read access to every namespace', undefined, { code: 'cluster-wide-only' });
}

/** `/api/me`: the request's identity and scope. */
export async function whoAmI(request: Request, rt: Runtime = runtime()): Promise<MeResponse | Response> {
  const principal = await rt.principal(request);
  if (!principal) return problemResponse(401, 'Unauthorized', 'authentication required', undefined, { code: 'unauthenticated' });
  const scope = await rt.scopeOf(principal);
  const named = principal.via === 'oidc' || principal.via === 'proxy' ? principal : null;
  return {
    via: principal.via,
    user: named?.user ?? null,
    name: named?.name ?? null,
    groups: named?.groups ?? [],
    namespaces: scope === 'all' ? 'all' : [...scope].sort(),
    canSignOut: principal.via === 'oidc' || principal.via === 'token',
  };
}

/** How often a long-lived response (the live stream) checks that its request's access still holds. */
export const ACCESS_RECHECK_MS = 30_000;

const sameScope = (a: NamespaceScope, b: NamespaceScope) => a === b || (a !== 'all' && b !== 'all' && a.size === b.size && [...a].every((ns) => b.has(ns)));

/**
 * For a response that outlives its request's check (the live stream): every `everyMs`, asks again
 * who the request is from and what they may see, and calls `lost` when the session was signed out
 * or expired, or the scope changed (RBAC edited). The browser then reconnects and is checked anew.
 * Returns the function that stops watching.
 */
export function watchAccess(request: Request, scope: NamespaceScope, lost: (reason: string) => void, rt: Runtime = runtime(), everyMs = ACCESS_RECHECK_MS): () => void {
  let checking = false;
  const timer = setInterval(async () => {
    if (checking) return;
    checking = true;
    try {
      const principal = await rt.principal(request);
      if (!principal) lost('signed out or the session expired');
      else if (!sameScope(await rt.scopeOf(principal), scope)) lost('the namespaces you may read have changed');
    } finally {
      checking = false;
    }
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/**
 * The map's HTML is being sent and its live stream follows within a second: for a user who may see
 * the whole graph, the hub starts that stream's snapshot now (Hub.prepareSnapshot), so that the
 * second or more a large graph's snapshot takes passes while the page loads its code, not after its
 * stream asked. The page does not wait for it, and it never fails the page: the stream builds its
 * own snapshot whatever happens here.
 */
export async function prepareStreamSnapshot(headers: Headers, rt: Pick<Runtime, 'principal' | 'scopeOf' | 'hub'> = runtime()): Promise<void> {
  try {
    if ((await requestScope(new Request('http://flowsight.invalid/map', { headers }), rt)) !== 'all') return;
    (await rt.hub()).prepareSnapshot();
  } catch {
    /* the stream's own snapshot covers it */
  }
}
