/**
 * Shared-token authentication, required whenever Flowsight listens beyond loopback (flows reveal
 * the cluster). API clients send `Authorization: Bearer <token>`; browsers sign in once and carry
 * a signed, expiring session cookie (never the token itself, see session.ts). Web Crypto only, so
 * it runs wherever Next runs the proxy.
 */

import type { FailureLimiter } from './rate-limit';
import type { SecurityLog } from './security-log';
import { verifySession, type RevokedSessions, type Session } from './session';

export const SESSION_COOKIE = 'flowsight_session';
/**
 * Not a secret and not trusted by the server: tells the page (statically rendered, so it cannot
 * ask the server) that auth is on and a "Sign out" button makes sense.
 */
export const SIGNED_IN_HINT_COOKIE = 'flowsight_signed_in';

/** Everything the sign-in, sign-out and access checks need; one per process (the runtime's), fakes in tests. */
export interface AuthContext {
  /** The access token; null when auth is off (loopback without FLOWSIGHT_AUTH_TOKEN). */
  token: string | null;
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

/** The live (valid, unexpired, not signed-out) session a cookie value proves, or null. */
export async function liveSession(ctx: AuthContext, cookie: string | undefined): Promise<Session | null> {
  if (!ctx.token || !cookie) return null;
  const session = await verifySession(ctx.token, cookie, ctx.now());
  return session && !ctx.revoked.isRevoked(session) ? session : null;
}

/** True when the request carries the token (bearer) or a live session cookie. */
export async function isAuthorized(ctx: AuthContext, authorization: string | null, cookie: string | undefined): Promise<boolean> {
  if (!ctx.token) return true;
  const bearer = bearerOf(authorization);
  if (bearer !== null && constantTimeEqual(bearer, ctx.token)) return true;
  return (await liveSession(ctx, cookie)) !== null;
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

/** `Set-Cookie` values for a new session (the HttpOnly cookie and the page's hint). */
export function sessionCookies(value: string, maxAgeSeconds: number, secure: boolean): string[] {
  const s = secure ? '; Secure' : '';
  return [
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${s}`,
    `${SIGNED_IN_HINT_COOKIE}=1; Path=/; SameSite=Strict; Max-Age=${maxAgeSeconds}${s}`,
  ];
}

/** `Set-Cookie` values that remove both cookies. */
export function clearedSessionCookies(secure: boolean): string[] {
  const s = secure ? '; Secure' : '';
  return [`${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${s}`, `${SIGNED_IN_HINT_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0${s}`];
}
