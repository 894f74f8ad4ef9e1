/**
 * The check in front of every page and API call (run by proxy.ts): cross-site writes and oversized
 * bodies are refused, then, when auth is on, the bearer token, a trusted proxy's user or a live
 * session is required.
 * Wrong bearer tokens count as failed sign-ins: the header is as good a guessing channel as the form.
 */

import { type AuthContext, SESSION_COOKIE, bearerOf, constantTimeEqual, liveSession, proxyPrincipal, sessionSecretOf } from './auth';
import { REQUEST_BODY_LIMIT, announcesTooLarge, clientKey, isCrossSiteWrite, readCookie } from './request-guard';
import { relativeRedirect } from './sign-in';

function json(status: number, error: string, extra: Record<string, string> = {}): Response {
  return Response.json({ error }, { status, headers: { 'Cache-Control': 'no-store', ...extra } });
}

/** The response that refuses this request, or null to let it through. */
export async function gate(request: Request, ctx: AuthContext): Promise<Response | null> {
  if (isCrossSiteWrite(request.method, request.headers)) return json(403, 'refused: a state-changing request from another site');
  if (announcesTooLarge(request.headers, REQUEST_BODY_LIMIT)) return json(413, `request bodies are limited to ${REQUEST_BODY_LIMIT} bytes`);
  if (sessionSecretOf(ctx) === null) return null;
  const url = new URL(request.url);
  const bearer = bearerOf(request.headers.get('authorization'));
  if (bearer !== null) {
    const client = clientKey(request.headers);
    const wait = ctx.limiter.retryAfter(client, ctx.now());
    if (wait > 0) return json(429, `too many wrong tokens: try again in ${wait} s`, { 'Retry-After': String(wait) });
    if (ctx.token !== null && constantTimeEqual(bearer, ctx.token)) return null;
    const lockedFor = ctx.limiter.fail(client, ctx.now());
    ctx.log.warn({ event: 'auth.failure', via: 'bearer', client, path: url.pathname, lockedForSeconds: lockedFor }, 'request with a wrong bearer token');
    return json(401, 'the bearer token is not valid');
  }
  if (proxyPrincipal(ctx, request.headers)) return null;
  if (await liveSession(ctx, readCookie(request.headers, SESSION_COOKIE))) return null;
  // Machines (API clients, a Prometheus scraper on /metrics) get a 401 to act on, people a sign-in page.
  if (url.pathname.startsWith('/api/') || url.pathname === '/metrics') {
    return json(401, 'authentication required: send "Authorization: Bearer <FLOWSIGHT_AUTH_TOKEN>" or sign in at /login');
  }
  return relativeRedirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 307);
}
