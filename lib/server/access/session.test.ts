import { describe, expect, it } from 'vitest';
import { RevokedSessions, SESSION_TTL_SECONDS, base64url, fromBase64url, issueSession, verifySession } from './session';

const TOKEN = 'correct-horse-battery-staple';
const AS_TOKEN = { via: 'token' as const, tf: 'A'.repeat(22) };
const NOW = Date.UTC(2026, 0, 1);
const HOUR = 3600_000;

function payloadOf(value: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(fromBase64url(value.split('.')[0])));
}

describe('session cookie', () => {
  it('holds a random id, the issue time and a 12 h expiry, signed, and not the token', async () => {
    const { value, session } = await issueSession(TOKEN, NOW, undefined, AS_TOKEN);
    expect(value).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(value).not.toContain(TOKEN);
    expect(payloadOf(value)).toEqual({ v: 3, sid: session.sid, iat: NOW / 1000, exp: NOW / 1000 + SESSION_TTL_SECONDS, via: 'token', tf: 'A'.repeat(22) });
    expect(await verifySession(TOKEN, value, NOW)).toEqual(session);
  });

  it('is different on every sign-in (rotation)', async () => {
    const a = await issueSession(TOKEN, NOW, undefined, AS_TOKEN);
    const b = await issueSession(TOKEN, NOW, undefined, AS_TOKEN);
    expect(a.value).not.toBe(b.value);
    expect(a.session.sid).not.toBe(b.session.sid);
  });

  it('expires: a captured cookie is not valid forever', async () => {
    const { value } = await issueSession(TOKEN, NOW, undefined, AS_TOKEN);
    expect(await verifySession(TOKEN, value, NOW + 11 * HOUR)).not.toBeNull();
    expect(await verifySession(TOKEN, value, NOW + 12 * HOUR)).toBeNull();
  });

  it('is refused under another token (changing the token ends every session)', async () => {
    const { value } = await issueSession(TOKEN, NOW, undefined, AS_TOKEN);
    expect(await verifySession('another-token-entirely', value, NOW)).toBeNull();
  });

  it('refuses a payload edited to live longer, and forged or malformed values', async () => {
    const { value } = await issueSession(TOKEN, NOW, undefined, AS_TOKEN);
    const [payload, mac] = value.split('.');
    const p = payloadOf(value);
    const longer = base64url(new TextEncoder().encode(JSON.stringify({ ...p, exp: (p.exp as number) + 86400 * 365 })));
    expect(await verifySession(TOKEN, `${longer}.${mac}`, NOW)).toBeNull();
    expect(await verifySession(TOKEN, `${payload}.${'A'.repeat(43)}`, NOW)).toBeNull();
    for (const bad of ['', 'x', `${payload}`, `${payload}.${mac}.x`, `${payload}.${mac}=`, 'a'.repeat(1000), '64-hex-of-the-old-format'.padEnd(64, '0')]) {
      expect(await verifySession(TOKEN, bad, NOW)).toBeNull();
    }
  });

  it('refuses a validly signed cookie claiming more than the maximum lifetime or issued in the future', async () => {
    // A token holder could mint these; the verifier still bounds them.
    const long = await issueSession(TOKEN, NOW, SESSION_TTL_SECONDS * 10, AS_TOKEN);
    expect(payloadOf(long.value).exp).toBe(NOW / 1000 + SESSION_TTL_SECONDS);
    const future = await issueSession(TOKEN, NOW + 2 * HOUR, undefined, AS_TOKEN);
    expect(await verifySession(TOKEN, future.value, NOW)).toBeNull();
  });
});

describe('RevokedSessions', () => {
  it('refuses a signed-out id until it expires, then forgets it', async () => {
    const list = new RevokedSessions(10);
    const a = (await issueSession(TOKEN, NOW, undefined, AS_TOKEN)).session;
    const b = (await issueSession(TOKEN, NOW, undefined, AS_TOKEN)).session;
    list.revoke(a, NOW);
    expect(list.isRevoked(a)).toBe(true);
    expect(list.isRevoked(b)).toBe(false);
    list.revoke(a, NOW + 13 * HOUR); // already expired: nothing to remember
    expect(list.size).toBe(1);
  });

  it('when full of live ids, refuses everything issued so far instead of forgetting a sign-out', async () => {
    const list = new RevokedSessions(3);
    const sessions = await Promise.all([0, 1, 2, 3].map(() => issueSession(TOKEN, NOW, undefined, AS_TOKEN).then((s) => s.session)));
    const bystander = (await issueSession(TOKEN, NOW, undefined, AS_TOKEN)).session;
    for (const s of sessions) list.revoke(s, NOW + 1000);
    for (const s of sessions) expect(list.isRevoked(s)).toBe(true);
    expect(list.isRevoked(bystander)).toBe(true);
    expect(list.size).toBe(0);
    const later = (await issueSession(TOKEN, NOW + 5000, undefined, AS_TOKEN)).session;
    expect(list.isRevoked(later)).toBe(false);
  });

  it('drops expired ids to make room before resorting to that', async () => {
    const list = new RevokedSessions(2);
    const old = (await issueSession(TOKEN, NOW, undefined, AS_TOKEN)).session;
    const mid = (await issueSession(TOKEN, NOW + 6 * HOUR, undefined, AS_TOKEN)).session;
    list.revoke(old, NOW + 6 * HOUR);
    list.revoke(mid, NOW + 6 * HOUR);
    const fresh = (await issueSession(TOKEN, NOW + 13 * HOUR, undefined, AS_TOKEN)).session;
    list.revoke(fresh, NOW + 13 * HOUR);
    expect(list.isRevoked(fresh)).toBe(true);
    expect(list.isRevoked(mid)).toBe(true);
    expect(list.isRevoked((await issueSession(TOKEN, NOW + 13 * HOUR + 2000, undefined, AS_TOKEN)).session)).toBe(false);
  });
});
