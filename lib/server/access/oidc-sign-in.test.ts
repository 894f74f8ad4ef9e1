import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as oidcClient from 'openid-client';
import { type AuthContext, principalOf } from './auth';
import { OidcSignIn, type OidcSettings } from './oidc';
import { finishOidcSignIn, startOidcSignIn } from './oidc-sign-in';
import { FailureLimiter } from './rate-limit';
import { RevokedSessions } from './session';
import { signOut } from './sign-in';
import { DEFAULT_TEST_USER, fetchTrustingCa, startTestIssuer, type TestIssuer } from '../testing/oidc-issuer';

const CLIENT_ID = 'flowsight-test';
const CLIENT_SECRET = 'client-secret-that-must-never-be-logged';
const SESSION_SECRET = 'session-secret-of-at-least-32-characters!';
const APP = 'http://127.0.0.1:3000';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
});
afterAll(() => issuer.close());
beforeEach(() => {
  issuer.user = { ...DEFAULT_TEST_USER, groups: ['flowsight-users', 'team-shop'] };
  issuer.fault = 'none';
});

type Entry = { level: 'info' | 'warn'; entry: Record<string, unknown>; message: string };

function context(settings: Partial<OidcSettings> = {}): AuthContext & { entries: Entry[] } {
  const entries: Entry[] = [];
  const oidc = new OidcSignIn(
    { issuer: issuer.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: 'openid profile email', groupsClaim: 'groups', usernameClaim: 'email', allowedGroups: [], publicUrl: null, ...settings },
    { fetch: fetchTrustingCa(issuer.caPem) as oidcClient.CustomFetch },
  );
  return {
    token: null,
    sessionSecret: SESSION_SECRET,
    oidc,
    limiter: new FailureLimiter(),
    revoked: new RevokedSessions(),
    log: { info: (entry, message) => entries.push({ level: 'info', entry, message }), warn: (entry, message) => entries.push({ level: 'warn', entry, message }) },
    now: Date.now,
    entries,
  };
}

/** Set-Cookie name=value pairs of a response. */
function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return out;
}

/** Runs the browser's part: start, the issuer's authorize redirect, the callback. */
async function signInThroughIssuer(ctx: AuthContext, next = '/map?ns=shop', tamper?: (callback: URL) => void): Promise<{ start: Response; callback: Response }> {
  const start = await startOidcSignIn(new Request(`${APP}/api/login/oidc?next=${encodeURIComponent(next)}`), ctx);
  expect(start.status).toBe(303);
  const pending = cookiesOf(start).get('flowsight_oidc')!;
  const authorize = await fetchTrustingCa(issuer.caPem)(start.headers.get('location')!);
  expect(authorize.status).toBe(302);
  const back = new URL(authorize.headers.get('location')!);
  tamper?.(back);
  const callback = await finishOidcSignIn(new Request(back, { headers: { cookie: `flowsight_oidc=${pending}` } }), ctx);
  return { start, callback };
}

describe('OIDC sign-in (authorization code + PKCE) against a loopback issuer', () => {
  it('sends the browser to the issuer with PKCE S256, state and nonce, and a sealed Lax cookie for the way back', async () => {
    const res = await startOidcSignIn(new Request(`${APP}/api/login/oidc?next=%2Fpolicies`), context());
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(issuer.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('redirect_uri')).toBe(`${APP}/api/login/oidc/callback`);
    for (const p of ['code_challenge', 'state', 'nonce']) expect(location.searchParams.get(p)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('flowsight_oidc='))!;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/api/login/oidc');
  });

  it('signs the user in: a Strict session cookie naming the user and groups, then a same-site hop to where they were going', async () => {
    const ctx = context();
    const { callback } = await signInThroughIssuer(ctx);
    expect(callback.status).toBe(200);
    const html = await callback.text();
    expect(html).toContain('content="0;url=/map?ns=shop"');
    const session = cookiesOf(callback).get('flowsight_session')!;
    expect(callback.headers.getSetCookie().find((c) => c.startsWith('flowsight_session='))).toContain('SameSite=Strict');
    expect(cookiesOf(callback).get('flowsight_oidc')).toBe('');
    const principal = await principalOf(ctx, new Headers({ cookie: `flowsight_session=${session}` }));
    expect(principal).toEqual({ via: 'oidc', user: 'test.user@example.com', name: 'Test User', groups: ['flowsight-users', 'team-shop'] });
    expect(ctx.entries.find((e) => e.entry.event === 'auth.sign-in')?.entry).toMatchObject({ via: 'oidc', user: 'test.user@example.com', groups: 2 });
  });

  it.each([
    ['expired', /exp/i],
    ['wrong-key', /signature/i],
    ['wrong-audience', /aud/i],
    ['wrong-issuer', /iss/i],
    ['wrong-nonce', /nonce/i],
  ] as const)('refuses an ID token that is %s, and issues no session', async (fault, reason) => {
    issuer.fault = fault;
    const ctx = context();
    const { callback } = await signInThroughIssuer(ctx);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/login?error=rejected&next=%2Fmap%3Fns%3Dshop');
    expect(cookiesOf(callback).has('flowsight_session')).toBe(false);
    const failure = ctx.entries.find((e) => e.entry.event === 'auth.failure')!;
    expect(String(failure.entry.reason)).toMatch(reason);
  });

  it('refuses a callback whose state was swapped (login CSRF) or that comes without the pending cookie', async () => {
    const ctx = context();
    const { callback } = await signInThroughIssuer(ctx, '/', (url) => url.searchParams.set('state', 'attacker-state'));
    expect(callback.headers.get('location')).toMatch(/^\/login\?error=rejected/);
    const orphan = await finishOidcSignIn(new Request(`${APP}/api/login/oidc/callback?code=x&state=y`), ctx);
    expect(orphan.headers.get('location')).toMatch(/^\/login\?error=expired/);
    const forged = await finishOidcSignIn(new Request(`${APP}/api/login/oidc/callback?code=x&state=y`, { headers: { cookie: 'flowsight_oidc=e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }), ctx);
    expect(forged.headers.get('location')).toMatch(/^\/login\?error=expired/);
  });

  it('lets in only members of the allowed groups', async () => {
    const ctx = context({ allowedGroups: ['flowsight-admins'] });
    const { callback } = await signInThroughIssuer(ctx);
    expect(callback.headers.get('location')).toMatch(/^\/login\?error=denied/);
    expect(ctx.entries.find((e) => e.entry.event === 'auth.denied')?.entry.reason).toContain('not in a group allowed');
    issuer.user = { ...DEFAULT_TEST_USER, groups: ['flowsight-admins'] };
    expect((await signInThroughIssuer(ctx)).callback.status).toBe(200);
  });

  it('takes the user only from the configured claim, refuses Kubernetes-reserved names and drops reserved groups', async () => {
    const missing = context({ usernameClaim: 'preferred_username' });
    expect((await signInThroughIssuer(missing)).callback.headers.get('location')).toMatch(/^\/login\?error=rejected/);
    expect(String(missing.entries.find((e) => e.entry.event === 'auth.failure')?.entry.reason)).toContain('"preferred_username"');
    issuer.user = { ...DEFAULT_TEST_USER, email: 'system:admin' };
    expect((await signInThroughIssuer(context())).callback.headers.get('location')).toMatch(/^\/login\?error=denied/);
    issuer.user = { ...DEFAULT_TEST_USER, groups: ['system:masters', 'team-shop'] };
    const ctx = context();
    const session = cookiesOf((await signInThroughIssuer(ctx)).callback).get('flowsight_session')!;
    expect(await principalOf(ctx, new Headers({ cookie: `flowsight_session=${session}` }))).toMatchObject({ groups: ['team-shop'] });
  });

  it('passes on the issuer refusing the user (access_denied) as "denied"', async () => {
    issuer.user = null;
    const { callback } = await signInThroughIssuer(context());
    expect(callback.headers.get('location')).toMatch(/^\/login\?error=denied/);
  });

  it('says the issuer cannot be reached, and tries discovery again on the next sign-in', async () => {
    const ctx = context({ issuer: 'https://127.0.0.1:1' });
    const res = await startOidcSignIn(new Request(`${APP}/api/login/oidc`), ctx);
    expect(res.headers.get('location')).toBe('/login?error=issuer&next=%2F');
    expect(ctx.entries.find((e) => e.entry.event === 'auth.oidc-unreachable')).toBeTruthy();
  });

  it('uses FLOWSIGHT_PUBLIC_URL for the redirect URI, whatever Host the request came with', async () => {
    const res = await startOidcSignIn(new Request('http://10.0.0.7:3000/api/login/oidc'), context({ publicUrl: 'https://flowsight.example.com' }));
    expect(new URL(res.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://flowsight.example.com/api/login/oidc/callback');
  });

  it('sign-out revokes the session and continues to the issuer end-session page, back to /login', async () => {
    const ctx = context();
    const { callback } = await signInThroughIssuer(ctx);
    const session = cookiesOf(callback).get('flowsight_session')!;
    const out = await signOut(new Request(`${APP}/api/logout`, { method: 'POST', headers: { cookie: `flowsight_session=${session}`, 'sec-fetch-site': 'same-origin' } }), ctx);
    // A page that moves on by itself: a redirect of the form post to another site is refused by the CSP's form-action.
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((c) => c.startsWith('flowsight_session=;'))).toBe(true);
    const refresh = /content="0;url=([^"]+)"/.exec(await out.text())![1].replace(/&amp;/g, '&');
    const location = new URL(refresh);
    expect(location.origin + location.pathname).toBe(`${issuer.issuer}/logout`);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/login`);
    expect(location.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(await principalOf(ctx, new Headers({ cookie: `flowsight_session=${session}` }))).toBeNull();
  });

  it('never logs the client secret, the code, the tokens or the cookies', async () => {
    const ctx = context();
    const { start, callback } = await signInThroughIssuer(ctx);
    issuer.fault = 'wrong-audience';
    await signInThroughIssuer(ctx);
    const logged = JSON.stringify(ctx.entries);
    const secrets = [CLIENT_SECRET, SESSION_SECRET, cookiesOf(start).get('flowsight_oidc')!, cookiesOf(callback).get('flowsight_session')!];
    for (const s of secrets) expect(logged).not.toContain(s);
    expect(logged).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT
  });
});
