import { describe, expect, it } from 'vitest';
import { type AuthContext, constantTimeEqual, principalOf, safeNextPath, sessionCookies } from './auth';
import { FailureLimiter } from './rate-limit';
import { RevokedSessions, issueSession, tokenFingerprint } from './session';

const TOKEN = 'correct-horse-battery-staple';
const NOW = Date.UTC(2026, 0, 1);
/** A session signed in with `token` (bound to it by its fingerprint). */
const tokenSession = async (token: string, now: number) => issueSession(token, now, undefined, { via: 'token', tf: await tokenFingerprint(token, token) });

function ctx(token: string | null = TOKEN): AuthContext {
  const noop = () => {};
  return { token, limiter: new FailureLimiter(), revoked: new RevokedSessions(), log: { info: noop, warn: noop }, now: () => NOW };
}

async function isAuthorized(c: AuthContext, authorization: string | null, cookie: string | undefined): Promise<boolean> {
  const headers = new Headers();
  if (authorization !== null) headers.set('authorization', authorization);
  if (cookie !== undefined) headers.set('cookie', `flowsight_session=${cookie}`);
  return (await principalOf(c, headers)) !== null;
}

describe('auth', () => {
  it('accepts the bearer token and a live session cookie, nothing else', async () => {
    const c = ctx();
    const { value } = await tokenSession(TOKEN, NOW);
    expect(await isAuthorized(c, `Bearer ${TOKEN}`, undefined)).toBe(true);
    expect(await isAuthorized(c, null, value)).toBe(true);
    expect(await isAuthorized(c, 'Bearer wrong', undefined)).toBe(false);
    expect(await isAuthorized(c, null, TOKEN)).toBe(false); // the raw token is not a session
    expect(await isAuthorized(c, null, (await tokenSession('other-token-value', NOW)).value)).toBe(false);
    expect(await isAuthorized(c, null, undefined)).toBe(false);
    expect(await isAuthorized(ctx(null), null, undefined)).toBe(true); // auth off
  });

  it('ends token sessions when the token changes or goes, even under a separate session secret', async () => {
    const secret = 'a-session-secret-that-is-long-enough-123';
    const signedIn = await issueSession(secret, NOW, undefined, { via: 'token', tf: await tokenFingerprint(secret, TOKEN) });
    const under = (token: string | null) => ({ ...ctx(token), sessionSecret: secret });
    expect(await isAuthorized(under(TOKEN), null, signedIn.value)).toBe(true);
    expect(await isAuthorized(under('a-rotated-token-of-16+'), null, signedIn.value)).toBe(false);
    expect(await isAuthorized(under(null), null, signedIn.value)).toBe(false);
  });

  it('ends OIDC sessions when OIDC is switched off', async () => {
    const secret = 'a-session-secret-that-is-long-enough-123';
    const alice = await issueSession(secret, NOW, undefined, { via: 'oidc', user: 'alice', groups: ['g'] });
    const withOidc = { ...ctx(null), sessionSecret: secret, oidc: {} as AuthContext['oidc'] };
    expect(await principalOf(withOidc, new Headers({ cookie: `flowsight_session=${alice.value}` }))).toEqual({ via: 'oidc', user: 'alice', groups: ['g'] });
    expect(await isAuthorized({ ...withOidc, oidc: null }, null, alice.value)).toBe(false);
  });

  it('refuses a session cookie once it is signed out', async () => {
    const c = ctx();
    const { value, session } = await tokenSession(TOKEN, NOW);
    c.revoked.revoke(session, NOW);
    expect(await isAuthorized(c, null, value)).toBe(false);
  });

  it('session cookies carry their lifetime and are HttpOnly, SameSite=Strict, Secure over TLS', () => {
    const [session, ...others] = sessionCookies('v', 43200, true);
    expect(others).toEqual([]);
    expect(session).toBe('flowsight_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure');
    expect(sessionCookies('v', 43200, false)[0]).not.toContain('Secure');
  });

  it('compares strings of different lengths without throwing', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });

  it.each([
    ['/map?ns=legacy', '/map?ns=legacy'],
    ['/flows?q=verdict%3Ddropped#top', '/flows?q=verdict%3Ddropped#top'],
    ['//evil.example.com', '/'],
    ['https://evil.example.com', '/'],
    ['/\\evil', '/'],
    ['/\t/evil.com', '/'], // issue 8.2: the URL parser drops the tab and reads //evil.com
    ['/\r/evil.com', '/'],
    ['/\n/evil.com', '/'],
    ['/\u0000/evil.com', '/'],
    ['/\u007f/evil.com', '/'],
    ['/.//evil.com', '/'], // dot segments that normalize to //evil.com
    ['/..//evil.com', '/'],
    ['/%2F%2Fevil.com', '/%2F%2Fevil.com'], // encoded slashes stay a path on this site
    ['map', '/'],
    ['', '/'],
    [`/${'a'.repeat(2001)}`, '/'],
    [null, '/'],
  ])('next path %j -> %s', (input, out) => {
    expect(safeNextPath(input)).toBe(out);
  });
});
