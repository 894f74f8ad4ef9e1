/**
 * Browser sessions: a signed, expiring cookie value `base64url(payload).base64url(HMAC-SHA256)`.
 * The payload holds a random session id, the issue time and the expiry; the signing key is derived
 * from the access token, so changing the token ends every session. Stateless apart from a bounded
 * list of revoked (signed-out) ids. Web Crypto only: the proxy runs this too.
 */

/** Lifetime of a session, and the longest one a cookie may claim. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

/** What a valid cookie says about its session (times in seconds since the epoch). */
export interface Session {
  sid: string;
  iat: number;
  exp: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEY_LABEL = 'flowsight-session-key-v2';
const MAX_VALUE_LENGTH = 512;
const VALUE_SHAPE = /^[A-Za-z0-9_-]{1,400}\.[A-Za-z0-9_-]{43}$/;
const SID_SHAPE = /^[A-Za-z0-9_-]{22}$/;
/** Clocks of the machines behind one ingress may disagree a little. */
const CLOCK_SKEW_SECONDS = 60;

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

let cachedKey: { token: string; key: Promise<CryptoKey> } | null = null;

/** HMAC key = HMAC(token, label): the token itself never signs anything a browser holds. */
function signingKey(token: string): Promise<CryptoKey> {
  if (cachedKey?.token !== token) {
    const key = (async () => {
      const base = await crypto.subtle.importKey('raw', encoder.encode(token), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const derived = await crypto.subtle.sign('HMAC', base, encoder.encode(KEY_LABEL));
      return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    })();
    cachedKey = { token, key };
  }
  return cachedKey.key;
}

/** Issues a new session (fresh random id) and its cookie value. */
export async function issueSession(token: string, nowMs: number, ttlSeconds = SESSION_TTL_SECONDS): Promise<{ value: string; session: Session }> {
  const iat = Math.floor(nowMs / 1000);
  const session: Session = { sid: base64url(crypto.getRandomValues(new Uint8Array(16))), iat, exp: iat + Math.min(ttlSeconds, SESSION_TTL_SECONDS) };
  const payload = base64url(encoder.encode(JSON.stringify({ v: 2, ...session })));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await signingKey(token), encoder.encode(payload)));
  return { value: `${payload}.${base64url(mac)}`, session };
}

/** The session a cookie value proves, or null if it is forged, malformed, expired or from another token. */
export async function verifySession(token: string, value: string | null | undefined, nowMs: number): Promise<Session | null> {
  if (!value || value.length > MAX_VALUE_LENGTH || !VALUE_SHAPE.test(value)) return null;
  const [payload, mac] = value.split('.');
  // verify() compares in constant time.
  const ok = await crypto.subtle.verify('HMAC', await signingKey(token), fromBase64url(mac), encoder.encode(payload));
  if (!ok) return null;
  let data: unknown;
  try {
    data = JSON.parse(decoder.decode(fromBase64url(payload)));
  } catch {
    return null;
  }
  const d = data as Partial<Record<'v' | 'sid' | 'iat' | 'exp', unknown>>;
  if (d?.v !== 2 || typeof d.sid !== 'string' || !SID_SHAPE.test(d.sid) || !Number.isSafeInteger(d.iat) || !Number.isSafeInteger(d.exp)) return null;
  const session: Session = { sid: d.sid, iat: d.iat as number, exp: d.exp as number };
  const now = Math.floor(nowMs / 1000);
  if (session.exp <= now || session.iat > now + CLOCK_SKEW_SECONDS || session.exp - session.iat > SESSION_TTL_SECONDS) return null;
  return session;
}

/**
 * Signed-out session ids, kept until they would have expired anyway. Bounded: when it is full of
 * live entries it forgets them all and instead refuses every session issued up to that moment
 * (everyone signs in again), so overflowing it never brings a signed-out cookie back.
 */
export class RevokedSessions {
  private readonly ids = new Map<string, number>();
  private notAfter = -Infinity;

  constructor(readonly capacity = 10_000) {}

  get size(): number {
    return this.ids.size;
  }

  revoke(session: Session, nowMs: number): void {
    const now = Math.floor(nowMs / 1000);
    if (session.exp <= now) return;
    if (this.ids.size >= this.capacity) {
      for (const [sid, exp] of this.ids) if (exp <= now) this.ids.delete(sid);
    }
    if (this.ids.size >= this.capacity) {
      this.ids.clear();
      this.notAfter = Math.max(this.notAfter, session.iat, now);
      return;
    }
    this.ids.set(session.sid, session.exp);
  }

  isRevoked(session: Session): boolean {
    return session.iat <= this.notAfter || this.ids.has(session.sid);
  }
}
