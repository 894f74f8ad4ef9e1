/**
 * Shared-token authentication, required whenever Flowsight listens beyond loopback (flows reveal
 * the cluster). API clients send `Authorization: Bearer <token>`; browsers sign in once and carry
 * a session cookie holding an HMAC of the token (never the token itself). Web Crypto only, so it
 * runs wherever Next runs the proxy.
 */

export const SESSION_COOKIE = 'flowsight_session';

const encoder = new TextEncoder();

/** The session cookie value for a token: hex HMAC-SHA256(token, fixed label). */
export async function sessionValue(token: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(token), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode('flowsight-session-v1')));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares without an early exit, so timing does not reveal how much of a guess was right. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i % (a.length || 1)) || 0) ^ (b.charCodeAt(i % (b.length || 1)) || 0);
  return diff === 0;
}

/** True when the request carries the token (bearer) or a valid session cookie. */
export async function isAuthorized(token: string, authorization: string | null, cookie: string | undefined): Promise<boolean> {
  if (authorization?.startsWith('Bearer ') && constantTimeEqual(authorization.slice(7).trim(), token)) return true;
  if (cookie && constantTimeEqual(cookie, await sessionValue(token))) return true;
  return false;
}

/** Where to go after signing in: only same-site paths (no open redirect). */
export function safeNextPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next.slice(0, 2000);
}
