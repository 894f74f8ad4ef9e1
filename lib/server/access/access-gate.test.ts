import { describe, expect, it } from 'vitest';
import { gate } from './access-gate';
import { type AuthContext } from './auth';
import { FailureLimiter } from './rate-limit';
import { RevokedSessions, issueSession, tokenFingerprint } from './session';

const TOKEN = 'correct-horse-battery-staple';
const NOW = Date.UTC(2026, 0, 1);
/** A session signed in with `token` (bound to it by its fingerprint). */
const tokenSession = async (token: string, now: number) => issueSession(token, now, undefined, { via: 'token', tf: await tokenFingerprint(token, token) });

function context(token: string | null = TOKEN): AuthContext & { warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  return { token, limiter: new FailureLimiter(undefined, NOW), revoked: new RevokedSessions(), log: { info: () => {}, warn: (e) => warnings.push(e) }, now: () => NOW, warnings };
}

const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  new Request(`http://0.0.0.0:3000${path}`, { ...init, headers: { host: 'flowsight.example', 'x-forwarded-for': '198.51.100.7', ...init.headers } });

describe('gate', () => {
  it('sends a person without a session to /login with a relative Location (8.3)', async () => {
    const res = (await gate(req('/map?ns=legacy'), context()))!;
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('/login?next=%2Fmap%3Fns%3Dlegacy');
    expect((await gate(req('/api/status'), context()))!.status).toBe(401);
    // A scraper gets a 401 on /metrics too, not a sign-in page.
    expect((await gate(req('/metrics'), context()))!.status).toBe(401);
    expect(await gate(req('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } }), context())).toBeNull();
  });

  it('lets the bearer token and a live session through, not a signed-out one (8.4)', async () => {
    const ctx = context();
    expect(await gate(req('/api/status', { headers: { authorization: `Bearer ${TOKEN}` } }), ctx)).toBeNull();
    const { value, session } = await tokenSession(TOKEN, NOW);
    expect(await gate(req('/map', { headers: { cookie: `flowsight_session=${value}` } }), ctx)).toBeNull();
    ctx.revoked.revoke(session, NOW);
    expect((await gate(req('/map', { headers: { cookie: `flowsight_session=${value}` } }), ctx))!.status).toBe(307);
  });

  it('the old fixed HMAC cookie no longer opens anything', async () => {
    expect((await gate(req('/api/status', { headers: { cookie: `flowsight_session=${'ab'.repeat(32)}` } }), context()))!.status).toBe(401);
  });

  it('rate-limits wrong bearer tokens like wrong sign-ins and logs them without the token (8.5)', async () => {
    const ctx = context();
    for (let i = 0; i < 5; i++) expect((await gate(req('/api/status', { headers: { authorization: `Bearer guess-${i}` } }), ctx))!.status).toBe(401);
    const locked = (await gate(req('/api/status', { headers: { authorization: 'Bearer guess-5' } }), ctx))!;
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('12');
    expect(ctx.warnings).toHaveLength(5);
    expect(ctx.warnings[0]).toMatchObject({ event: 'auth.failure', via: 'bearer', client: '198.51.100.7' });
    expect(JSON.stringify(ctx.warnings)).not.toContain('guess-');
  });

  it('refuses cross-site writes (403) and oversized bodies (413), with auth on or off (8.5)', async () => {
    for (const ctx of [context(), context(null)]) {
      const cross = req('/api/status', { method: 'POST', headers: { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` } });
      expect((await gate(cross, ctx))!.status).toBe(403);
      const big = req('/api/status', { method: 'POST', headers: { 'content-length': String(1024 * 1024), authorization: `Bearer ${TOKEN}` } });
      expect((await gate(big, ctx))!.status).toBe(413);
    }
    expect(await gate(req('/map'), context(null))).toBeNull();
  });
});
