/**
 * Browser sign-in and sign-out (POST /api/login, POST /api/logout). Redirects carry relative
 * `Location` headers, so they follow whatever host the browser used, whatever address we bind.
 */

import { type AuthContext, SESSION_COOKIE, clearedSessionCookies, constantTimeEqual, liveSession, safeNextPath, sessionCookies, sessionSecretOf } from './auth';
import { LOGIN_BODY_LIMIT, clientKey, isCrossSiteWrite, isHttps, readBodyCapped, readCookie } from './request-guard';
import { issueSession, tokenFingerprint } from './session';

/** A redirect to a path on this site; the browser resolves it against the URL it used. */
export function relativeRedirect(path: string, status: 303 | 307, setCookies: string[] = []): Response {
  const headers = new Headers({ Location: path, 'Cache-Control': 'no-store' });
  for (const c of setCookies) headers.append('Set-Cookie', c);
  return new Response(null, { status, headers });
}

/**
 * A page that sends the browser on to `url` by itself (meta refresh), for the hops a redirect
 * cannot make: see the OIDC callback, and sign-out to the issuer (the CSP's `form-action 'self'`
 * stops a form post from being redirected to another site).
 */
export function navigationPage(url: string, text: string, setCookies: string[] = []): Response {
  const href = escapeHtml(url);
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Flowsight</title></head><body><p>${escapeHtml(text)} <a href="${href}">Continue</a></p></body></html>`;
  const headers = new Headers({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  for (const c of setCookies) headers.append('Set-Cookie', c);
  return new Response(html, { status: 200, headers });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function refusal(status: number, message: string, extra: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra } });
}

const CROSS_SITE = 'Refused: this request came from another site.';

/** Exchanges the shared token (urlencoded form field `token`) for a fresh session cookie. */
export async function signIn(request: Request, ctx: AuthContext): Promise<Response> {
  if (isCrossSiteWrite(request.method, request.headers)) return refusal(403, CROSS_SITE);
  const client = clientKey(request.headers);
  const wait = ctx.limiter.retryAfter(client, ctx.now());
  // Not logged one by one: a locked-out client could otherwise fill the log at line rate.
  if (wait > 0) return refusal(429, `Too many failed sign-ins. Try again in ${wait} s.`, { 'Retry-After': String(wait) });
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return refusal(415, 'Send the sign-in form as application/x-www-form-urlencoded.');
  const body = await readBodyCapped(request, LOGIN_BODY_LIMIT);
  if (body === null) return refusal(413, `The sign-in form is limited to ${LOGIN_BODY_LIMIT} bytes.`);
  const form = new URLSearchParams(new TextDecoder().decode(body));
  const next = safeNextPath(form.get('next'));
  const secret = sessionSecretOf(ctx);
  if (secret === null) return relativeRedirect(next, 303);
  if (ctx.token === null) return refusal(404, 'Sign-in with the access token is not enabled here: use your organisation\'s sign-in.');
  const token = form.get('token');
  if (token === null || token.length > 512 || !constantTimeEqual(token, ctx.token)) {
    const lockedFor = ctx.limiter.fail(client, ctx.now());
    ctx.log.warn({ event: 'auth.failure', via: 'sign-in', client, lockedForSeconds: lockedFor }, 'sign-in with a wrong token');
    return relativeRedirect(`/login?error=1&next=${encodeURIComponent(next)}`, 303);
  }
  // Rotate: the session this browser had (if any) ends; a new id starts.
  const previous = await liveSession(ctx, readCookie(request.headers, SESSION_COOKIE));
  if (previous) ctx.revoked.revoke(previous, ctx.now());
  const { value, session } = await issueSession(secret, ctx.now(), undefined, { via: 'token', tf: await tokenFingerprint(secret, ctx.token) });
  ctx.log.info({ event: 'auth.sign-in', via: 'token', client, sid: session.sid, exp: session.exp }, 'signed in');
  return relativeRedirect(next, 303, sessionCookies(value, session.exp - session.iat, isHttps(request)));
}

/**
 * Ends the session: revokes its id until it would have expired and clears the cookies. An OIDC
 * session then goes on to the issuer's end-session page (which comes back to /login), so the next
 * sign-in asks the user again instead of passing straight through the issuer's own session.
 */
export async function signOut(request: Request, ctx: AuthContext): Promise<Response> {
  if (isCrossSiteWrite(request.method, request.headers)) return refusal(403, CROSS_SITE);
  const session = await liveSession(ctx, readCookie(request.headers, SESSION_COOKIE));
  const cleared = clearedSessionCookies(isHttps(request));
  if (session) {
    ctx.revoked.revoke(session, ctx.now());
    ctx.log.info({ event: 'auth.sign-out', via: session.via, client: clientKey(request.headers), sid: session.sid }, 'signed out');
  }
  const endSession = session?.via === 'oidc' && ctx.oidc ? await ctx.oidc.endSessionUrl(new URL(request.url).origin) : null;
  if (endSession) return navigationPage(endSession, 'Signed out.', cleared);
  return relativeRedirect('/login', 303, cleared);
}
