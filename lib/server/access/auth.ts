/**
 * Who is asking. Authentication is required whenever Flowsight listens beyond loopback (flows
 * reveal the cluster), in three ways that can be combined:
 * - the shared token (FLOWSIGHT_AUTH_TOKEN): `Authorization: Bearer <token>` for the CLI and scripts,
 *   or typed once into the sign-in form;
 * - OIDC sign-in (oidc.ts): a user and their groups, vouched for by the issuer;
 * - a trusted proxy (trusted-proxy.ts): a user and groups in headers, believed only from its address.
 * Browsers carry a signed, expiring session cookie (session.ts), never a token.
 */

import type { OidcSignIn } from './oidc';
import type { FailureLimiter } from './rate-limit';
import { peerAddress, readCookie } from './request-guard';
import type { SecurityLog } from './security-log';
import { tokenFingerprint, verifySession, type RevokedSessions, type Session } from './session';
import { isTrustedPeer, proxyIdentity, type TrustedProxyConfig } from './trusted-proxy';

export const SESSION_COOKIE = 'flowsight_session';
/** A cookie earlier versions set for the page to see; now only cleared (the header asks /api/me). */
const OLD_HINT_COOKIE = 'flowsight_signed_in';

/** Everything the sign-in, sign-out and access checks need; one per process (the runtime's), fakes in tests. */
export interface AuthContext {
  /** The shared access token; null when there is none (auth off, or OIDC / proxy only). */
  token: string | null;
  /** Signs session cookies (FLOWSIGHT_SESSION_SECRET); defaults to the token. Null with no token: auth is off. */
  sessionSecret?: string | null;
  /** OIDC sign-in, when configured. */
  oidc?: OidcSignIn | null;
  /** Identity headers from a trusted proxy, when configured. */
  proxy?: TrustedProxyConfig | null;
  limiter: FailureLimiter;
  revoked: RevokedSessions;
  log: SecurityLog;
  now(): number;
}

/** Compares without an early exit, so timing does not reveal how much of a guess was right. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i % (a.length || 1)) || 0) ^ (b.charCodeAt(i % (b.length || 1)) || 0);
  return diff === 0;
}

/** The bearer credential of an `Authorization` header, or null when it has none. */
export function bearerOf(authorization: string | null): string | null {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : null;
}

/** The key sessions are signed with; null means auth is off. */
export function sessionSecretOf(ctx: AuthContext): string | null {
  return ctx.sessionSecret ?? ctx.token;
}

/**
 * Who made a request: `open` when auth is off (loopback, nothing configured); `token` for the
 * shared token, which is the operator's key and sees everything; a named user otherwise.
 */
export type Principal = { via: 'open' } | { via: 'token' } | { via: 'oidc' | 'proxy'; user: string; name?: string; groups: string[] };

/**
 * The live session a cookie value proves, or null: valid, unexpired, not signed out, and from a way
 * of signing in that is still configured — a token session only under the token it was signed in
 * with, an OIDC session only while OIDC is on.
 */
export async function liveSession(ctx: AuthContext, cookie: string | undefined): Promise<Session | null> {
  const secret = sessionSecretOf(ctx);
  if (!secret || !cookie) return null;
  const session = await verifySession(secret, cookie, ctx.now());
  if (!session || ctx.revoked.isRevoked(session)) return null;
  if (session.via === 'token') return ctx.token !== null && constantTimeEqual(session.tf, await tokenFingerprint(secret, ctx.token)) ? session : null;
  return ctx.oidc ? session : null;
}

/** The user a trusted proxy names in this request's headers, or null (no proxy, another peer, no header). */
export function proxyPrincipal(ctx: AuthContext, headers: Headers): Principal | null {
  if (!ctx.proxy || !isTrustedPeer(ctx.proxy, peerAddress(headers))) return null;
  const identity = proxyIdentity(ctx.proxy, headers);
  return identity ? { via: 'proxy', ...identity } : null;
}

/**
 * Who this request is from, or null when it proves nothing. A wrong bearer token proves nothing
 * (the access gate has already counted it as a failed sign-in).
 */
export async function principalOf(ctx: AuthContext, headers: Headers): Promise<Principal | null> {
  if (sessionSecretOf(ctx) === null) return { via: 'open' };
  const bearer = bearerOf(headers.get('authorization'));
  if (bearer !== null) return ctx.token !== null && constantTimeEqual(bearer, ctx.token) ? { via: 'token' } : null;
  const proxied = proxyPrincipal(ctx, headers);
  if (proxied) return proxied;
  const session = await liveSession(ctx, readCookie(headers, SESSION_COOKIE));
  if (!session) return null;
  return session.via === 'token' ? { via: 'token' } : { via: 'oidc', user: session.user, ...(session.name ? { name: session.name } : {}), groups: session.groups };
}

// C0 controls, DEL and backslash: URL parsers drop or reinterpret them (`/\t/evil` -> `//evil`).
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_PATH = /[\u0000-\u001f\u007f\\]/;
const PROBE_ORIGIN = 'http://flowsight.invalid';

/**
 * Where to go after signing in: a path on this site, or `/`. Checked after URL parsing, so no
 * spelling a browser would read as another host gets through.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2000 || !next.startsWith('/') || next.startsWith('//') || UNSAFE_IN_PATH.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== PROBE_ORIGIN) return '/';
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('//') ? '/' : path;
}

/** `Set-Cookie` value for a new session. */
export function sessionCookies(value: string, maxAgeSeconds: number, secure: boolean): string[] {
  return [`${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`];
}

/** `Set-Cookie` values that remove the session cookie (and the old hint). */
export function clearedSessionCookies(secure: boolean): string[] {
  const s = secure ? '; Secure' : '';
  return [`${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${s}`, `${OLD_HINT_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0${s}`];
}
