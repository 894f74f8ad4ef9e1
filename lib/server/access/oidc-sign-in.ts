/**
 * The two legs of OIDC sign-in in the browser: GET /api/login/oidc sends the browser to the issuer,
 * GET /api/login/oidc/callback takes it back and issues a session. Between the two the browser
 * carries the state, nonce and PKCE verifier in a sealed cookie, scoped to these two paths.
 */

import { type AuthContext, SESSION_COOKIE, liveSession, safeNextPath, sessionCookies, sessionSecretOf } from './auth';
import type { PendingSignIn } from './oidc';
import { clientKey, isHttps, readCookie } from './request-guard';
import { issueSession, openValue, sealValue } from './session';
import { navigationPage, relativeRedirect } from './sign-in';

const PENDING_COOKIE = 'flowsight_oidc';
const PENDING_LABEL = 'flowsight-oidc-pending-v1';
/** Long enough to type a password and a second factor at the issuer. */
const PENDING_TTL_SECONDS = 600;

/** Why a sign-in failed, as the sign-in page words it (a code, not text: the page is not a place for reflected text). */
export type SignInError = 'issuer' | 'rejected' | 'denied' | 'expired';

function pendingCookie(value: string, maxAge: number, secure: boolean): string {
  // Lax, not Strict: the callback is a top-level navigation from the issuer's site, and a Strict
  // cookie is not sent on it.
  return `${PENDING_COOKIE}=${value}; Path=/api/login/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

function notEnabled(): Response {
  return new Response('OIDC sign-in is not configured here.\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

const failed = (error: SignInError, next: string) => relativeRedirect(`/login?error=${error}&next=${encodeURIComponent(next)}`, 303);

/** GET /api/login/oidc?next=/path: to the issuer, with state, nonce and a PKCE challenge. */
export async function startOidcSignIn(request: Request, ctx: AuthContext): Promise<Response> {
  const secret = sessionSecretOf(ctx);
  if (!ctx.oidc || secret === null) return notEnabled();
  const url = new URL(request.url);
  const next = safeNextPath(url.searchParams.get('next'));
  let begun: { url: string; pending: PendingSignIn };
  try {
    begun = await ctx.oidc.begin(url.origin, next);
  } catch (e) {
    ctx.log.warn({ event: 'auth.oidc-unreachable', issuer: ctx.oidc.settings.issuer, reason: e instanceof Error ? e.message : String(e) }, 'the OIDC issuer cannot be reached');
    return failed('issuer', next);
  }
  const sealed = await sealValue(secret, PENDING_LABEL, { ...begun.pending }, ctx.now(), PENDING_TTL_SECONDS);
  const headers = new Headers({ Location: begun.url, 'Cache-Control': 'no-store' });
  headers.append('Set-Cookie', pendingCookie(sealed, PENDING_TTL_SECONDS, isHttps(request)));
  return new Response(null, { status: 303, headers });
}

function pendingOf(data: Record<string, unknown> | null): PendingSignIn | null {
  if (!data) return null;
  const { state, nonce, verifier, next } = data;
  return typeof state === 'string' && typeof nonce === 'string' && typeof verifier === 'string' && typeof next === 'string' ? { state, nonce, verifier, next: safeNextPath(next) } : null;
}

/**
 * GET /api/login/oidc/callback: checks the response against the pending sign-in, exchanges the
 * code, and on success issues a session for the user and their groups.
 */
export async function finishOidcSignIn(request: Request, ctx: AuthContext): Promise<Response> {
  const secret = sessionSecretOf(ctx);
  if (!ctx.oidc || secret === null) return notEnabled();
  const url = new URL(request.url);
  const secure = isHttps(request);
  const client = clientKey(request.headers);
  const pending = pendingOf(await openValue(secret, PENDING_LABEL, readCookie(request.headers, PENDING_COOKIE), ctx.now()));
  if (!pending) {
    ctx.log.warn({ event: 'auth.failure', via: 'oidc', client, reason: 'no pending sign-in (expired, or started in another browser)' }, 'OIDC callback without a pending sign-in');
    return failed('expired', '/');
  }
  const result = await ctx.oidc.complete(url.origin, url.searchParams, pending);
  if (!result.ok) {
    ctx.log.warn({ event: result.status === 403 ? 'auth.denied' : 'auth.failure', via: 'oidc', client, reason: result.reason }, 'OIDC sign-in refused');
    const response = failed(result.status === 403 ? 'denied' : result.status === 502 ? 'issuer' : 'rejected', pending.next);
    response.headers.append('Set-Cookie', pendingCookie('', 0, secure));
    return response;
  }
  const previous = await liveSession(ctx, readCookie(request.headers, SESSION_COOKIE));
  if (previous) ctx.revoked.revoke(previous, ctx.now());
  const { value, session } = await issueSession(secret, ctx.now(), undefined, { via: 'oidc', user: result.user, ...(result.name ? { name: result.name } : {}), groups: result.groups });
  const keptGroups = session.via === 'oidc' ? session.groups.length : 0;
  ctx.log.info({ event: 'auth.sign-in', via: 'oidc', client, user: result.user, groups: result.groups.length, ...(keptGroups < result.groups.length ? { groupsKept: keptGroups } : {}), sid: session.sid, exp: session.exp }, 'signed in');
  // The last hop is a page, not a redirect: the browser arrived here from the issuer's site, and a
  // redirect would stay part of that cross-site navigation, on which the SameSite=Strict session
  // cookie is not sent (the dashboard would bounce to the sign-in page once). A navigation this page
  // starts is same-site.
  return navigationPage(pending.next, 'Signed in.', [...sessionCookies(value, session.exp - session.iat, secure), pendingCookie('', 0, secure)]);
}

/**
 * What the sign-in page offers: the OIDC button (with the issuer's host) and the token form. With
 * neither token nor OIDC nor proxy, auth is off and the form just goes on.
 */
export function signInOptions(config: { authToken: string | null; auth: { oidc: { issuer: string } | null; trustedProxy: unknown } }): { oidc: string | null; token: boolean } {
  const { oidc, trustedProxy } = config.auth;
  return { oidc: oidc ? new URL(oidc.issuer).host : null, token: config.authToken !== null || (oidc === null && trustedProxy === null) };
}
