import { describe, expect, it } from 'vitest';
import { type AuthContext } from './auth';
import { FailureLimiter } from './rate-limit';
import { RevokedSessions, SESSION_TTL_SECONDS, fromBase64url, verifySession } from './session';
import { signIn, signOut } from './sign-in';

const TOKEN = 'correct-horse-battery-staple';
// What `next start -H 0.0.0.0` hands a route handler: the bind address, not the browser's host.
const BOUND = 'http://0.0.0.0:3000';

interface Entry {
  level: 'info' | 'warn';
  entry: Record<string, unknown>;
  message: string;
}

function context(token: string | null = TOKEN): AuthContext & { entries: Entry[]; clock: { t: number } } {
  const entries: Entry[] = [];
  const clock = { t: Date.UTC(2026, 0, 1) };
  return {
    token,
    limiter: new FailureLimiter(undefined, clock.t),
    revoked: new RevokedSessions(),
    log: { info: (entry, message) => entries.push({ level: 'info', entry, message }), warn: (entry, message) => entries.push({ level: 'warn', entry, message }) },
    now: () => clock.t,
    entries,
    clock,
  };
}

function form(fields: Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(`${BOUND}/api/login`, {
    method: 'POST',
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'flowsight.example', 'x-forwarded-for': '198.51.100.7', ...headers },
  });
}

function sessionOf(res: Response): string {
  const c = res.headers.getSetCookie().find((v) => v.startsWith('flowsight_session='))!;
  return c.slice('flowsight_session='.length).split(';')[0];
}

describe('signIn', () => {
  it('redirects with a relative Location to the page asked for, never the bind address (8.3)', async () => {
    const res = await signIn(form({ token: TOKEN, next: '/map?ns=legacy' }), context());
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/map?ns=legacy');
    const bad = await signIn(form({ token: 'wrong-token', next: '/map' }), context());
    expect(bad.headers.get('location')).toBe('/login?error=1&next=%2Fmap');
  });

  it.each(['/\t/evil.com', '/\r/evil.com', '/\n/evil.com', '//evil.com', '/\\evil.com', 'https://evil.com'])(
    'stays on site for next=%j (8.2)',
    async (next) => {
      const res = await signIn(form({ token: TOKEN, next }), context());
      expect(res.headers.get('location')).toBe('/');
      // What the browser will do with it: resolve against the URL it used.
      expect(new URL(res.headers.get('location')!, 'https://flowsight.example/login').origin).toBe('https://flowsight.example');
    },
  );

  it('issues a new expiring session each time and ends the one the browser had (8.4)', async () => {
    const ctx = context();
    const first = await signIn(form({ token: TOKEN }), ctx);
    const a = sessionOf(first);
    expect(first.headers.getSetCookie()[0]).toMatch(/HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const payload = JSON.parse(new TextDecoder().decode(fromBase64url(a.split('.')[0])));
    expect(payload.exp - payload.iat).toBe(SESSION_TTL_SECONDS);
    const second = await signIn(form({ token: TOKEN }, { cookie: `flowsight_session=${a}` }), ctx);
    const b = sessionOf(second);
    expect(b).not.toBe(a);
    const sa = (await verifySession(TOKEN, a, ctx.now()))!;
    expect(ctx.revoked.isRevoked(sa)).toBe(true);
    expect(ctx.revoked.isRevoked((await verifySession(TOKEN, b, ctx.now()))!)).toBe(false);
  });

  it('marks the cookie Secure when the browser came over TLS', async () => {
    const res = await signIn(form({ token: TOKEN }, { 'x-forwarded-proto': 'https' }), context());
    expect(res.headers.getSetCookie().every((c) => c.endsWith('; Secure'))).toBe(true);
  });

  it('answers the 6th wrong token from a client with 429 and Retry-After, even if right (8.5)', async () => {
    const ctx = context();
    for (let i = 0; i < 5; i++) expect((await signIn(form({ token: `wrong-${i}` }), ctx)).status).toBe(303);
    const locked = await signIn(form({ token: 'wrong-5' }), ctx);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signIn(form({ token: TOKEN }), ctx)).status).toBe(429);
    expect((await signIn(form({ token: TOKEN }, { 'x-forwarded-for': '198.51.100.8' }), ctx)).status).toBe(303);
    ctx.clock.t += 12_000;
    expect(sessionOf(await signIn(form({ token: TOKEN }), ctx))).toBeTruthy();
  });

  it('logs each failure with the client and without the token (8.5)', async () => {
    const ctx = context();
    await signIn(form({ token: 'guess-number-one-secret' }), ctx);
    expect(ctx.entries).toHaveLength(1);
    expect(ctx.entries[0]).toMatchObject({ level: 'warn', entry: { event: 'auth.failure', via: 'sign-in', client: '198.51.100.7' } });
    await signIn(form({ token: TOKEN }), ctx);
    expect(JSON.stringify(ctx.entries)).not.toContain('guess-number-one-secret');
    expect(JSON.stringify(ctx.entries)).not.toContain(TOKEN);
  });

  it('refuses bodies over 4 KB, announced or chunked, with 413 (8.5)', async () => {
    const big = await signIn(form({ token: TOKEN, next: `/${'a'.repeat(1024 * 1024)}` }), context());
    expect(big.status).toBe(413);
    const chunk = new TextEncoder().encode(`token=${'a'.repeat(1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 1000) c.enqueue(chunk);
        else c.close();
      },
    });
    const chunked = new Request(`${BOUND}/api/login`, { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/x-www-form-urlencoded' } } as RequestInit);
    expect((await signIn(chunked, context())).status).toBe(413);
    expect(sent).toBeLessThan(20);
  });

  it('refuses a sign-in posted from another site with 403 (8.5)', async () => {
    const res = await signIn(form({ token: TOKEN }, { origin: 'https://evil.example' }), context());
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await signIn(form({ token: TOKEN }, { origin: 'http://flowsight.example' }), context())).status).toBe(303);
  });

  it('refuses other body types with 415', async () => {
    expect((await signIn(form({ token: TOKEN }, { 'content-type': 'multipart/form-data; boundary=x' }), context())).status).toBe(415);
  });
});

describe('signOut', () => {
  it('revokes the session, clears the cookies and goes to /login with a relative Location (8.4)', async () => {
    const ctx = context();
    const cookie = sessionOf(await signIn(form({ token: TOKEN }), ctx));
    const res = await signOut(new Request(`${BOUND}/api/logout`, { method: 'POST', headers: { cookie: `flowsight_session=${cookie}` } }), ctx);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(res.headers.getSetCookie().every((c) => c.includes('Max-Age=0'))).toBe(true);
    expect(ctx.revoked.isRevoked((await verifySession(TOKEN, cookie, ctx.now()))!)).toBe(true);
    expect(ctx.entries.at(-1)).toMatchObject({ entry: { event: 'auth.sign-out' } });
  });

  it('refuses a sign-out posted from another site', async () => {
    const res = await signOut(new Request(`${BOUND}/api/logout`, { method: 'POST', headers: { host: 'flowsight.example', origin: 'http://evil.example' } }), context());
    expect(res.status).toBe(403);
  });
});
