/**
 * Browser sessions: a signed, expiring cookie value `base64url(payload).base64url(HMAC-SHA256)`.
 * The payload holds a random session id, the issue time, the expiry and who signed in (the shared
 * token, or an OIDC user with their groups, which namespace-scoped access needs on every request).
 * The signing key is derived from the session secret (FLOWSIGHT_SESSION_SECRET, else the access
 * token), so changing it ends every session. Stateless apart from a bounded list of revoked
 * (signed-out) ids, so replicas sharing the secret share sessions. Web Crypto only.
 */

/** Lifetime of a session, and the longest one a cookie may claim. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

/** Who a session belongs to: the holder of the shared token, or a user the OIDC issuer vouched for. */
export type SessionIdentity = { via: 'token'; /** Fingerprint of the token signed in with (tokenFingerprint). */ tf: string } | { via: 'oidc'; user: string; name?: string; groups: string[] };

/** What a valid cookie says about its session (times in seconds since the epoch). */
export type Session = { sid: string; iat: number; exp: number } & SessionIdentity;

/**
 * Browsers drop cookies over 4 KB. A user in more groups than fit keeps the first ones: with
 * namespace-scoped access that can only show less, never more.
 */
export const MAX_SESSION_GROUPS = 100;
const MAX_CLAIM_LENGTH = 256;
const MAX_PAYLOAD_CHARS = 3400;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEY_LABEL = 'flowsight-session-key-v3';
const MAX_VALUE_LENGTH = MAX_PAYLOAD_CHARS + 44;
const VALUE_SHAPE = /^[A-Za-z0-9_-]{1,3400}\.[A-Za-z0-9_-]{43}$/;
const SID_SHAPE = /^[A-Za-z0-9_-]{22}$/;
const FINGERPRINT_SHAPE = /^[A-Za-z0-9_-]{22}$/;
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

/** Derived keys by secret and label (a handful: the session key and the sign-in state key). */
const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC key = HMAC(secret, label): the secret itself never signs anything a browser holds. */
export function signingKey(secret: string, label = KEY_LABEL): Promise<CryptoKey> {
  const id = `${label}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const derived = await crypto.subtle.sign('HMAC', base, encoder.encode(label));
      return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    })();
    if (keys.size >= 8) keys.clear();
    keys.set(id, key);
  }
  return key;
}

/**
 * What a token session records of the token it was signed in with: a keyed hash, so rotating or
 * removing FLOWSIGHT_AUTH_TOKEN ends those sessions even when the session secret stays.
 */
export async function tokenFingerprint(secret: string, token: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await signingKey(secret, 'flowsight-token-fingerprint-v1'), encoder.encode(token)));
  return base64url(mac).slice(0, 22);
}

/** Issues a new session (fresh random id) for `identity` and its cookie value. */
export async function issueSession(
  secret: string,
  nowMs: number,
  ttlSeconds = SESSION_TTL_SECONDS,
  identity: SessionIdentity,
): Promise<{ value: string; session: Session }> {
  const iat = Math.floor(nowMs / 1000);
  const bounded = boundedIdentity(identity);
  const session = { sid: base64url(crypto.getRandomValues(new Uint8Array(16))), iat, exp: iat + Math.min(ttlSeconds, SESSION_TTL_SECONDS), ...bounded } as Session;
  let payload = base64url(encoder.encode(JSON.stringify({ v: 3, ...session })));
  while (payload.length > MAX_PAYLOAD_CHARS && session.via === 'oidc' && session.groups.length > 0) {
    session.groups = session.groups.slice(0, Math.floor(session.groups.length / 2));
    payload = base64url(encoder.encode(JSON.stringify({ v: 3, ...session })));
  }
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await signingKey(secret), encoder.encode(payload)));
  return { value: `${payload}.${base64url(mac)}`, session };
}

function boundedIdentity(identity: SessionIdentity): SessionIdentity {
  if (identity.via === 'token') return { via: 'token', tf: identity.tf };
  const groups = [...new Set(identity.groups.filter((g) => typeof g === 'string' && g.length > 0 && g.length <= MAX_CLAIM_LENGTH))].slice(0, MAX_SESSION_GROUPS);
  return { via: 'oidc', user: identity.user.slice(0, MAX_CLAIM_LENGTH), ...(identity.name ? { name: identity.name.slice(0, MAX_CLAIM_LENGTH) } : {}), groups };
}

const isClaim = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_CLAIM_LENGTH;

/** The session a cookie value proves, or null if it is forged, malformed, expired or from another token. */
export async function verifySession(secret: string, value: string | null | undefined, nowMs: number): Promise<Session | null> {
  if (!value || value.length > MAX_VALUE_LENGTH || !VALUE_SHAPE.test(value)) return null;
  const [payload, mac] = value.split('.');
  // verify() compares in constant time.
  const ok = await crypto.subtle.verify('HMAC', await signingKey(secret), fromBase64url(mac), encoder.encode(payload));
  if (!ok) return null;
  let data: unknown;
  try {
    data = JSON.parse(decoder.decode(fromBase64url(payload)));
  } catch {
    return null;
  }
  const d = data as Partial<Record<'v' | 'sid' | 'iat' | 'exp' | 'via' | 'tf' | 'user' | 'name' | 'groups', unknown>>;
  if (d?.v !== 3 || typeof d.sid !== 'string' || !SID_SHAPE.test(d.sid) || !Number.isSafeInteger(d.iat) || !Number.isSafeInteger(d.exp)) return null;
  const times = { sid: d.sid, iat: d.iat as number, exp: d.exp as number };
  let session: Session;
  if (d.via === 'token' && typeof d.tf === 'string' && FINGERPRINT_SHAPE.test(d.tf)) session = { ...times, via: 'token', tf: d.tf };
  else if (d.via === 'oidc' && isClaim(d.user) && (d.name === undefined || isClaim(d.name)) && Array.isArray(d.groups) && d.groups.length <= MAX_SESSION_GROUPS && d.groups.every(isClaim)) {
    session = { ...times, via: 'oidc', user: d.user, ...(d.name !== undefined ? { name: d.name as string } : {}), groups: d.groups as string[] };
  } else return null;
  const now = Math.floor(nowMs / 1000);
  if (session.exp <= now || session.iat > now + CLOCK_SKEW_SECONDS || session.exp - session.iat > SESSION_TTL_SECONDS) return null;
  return session;
}

/** Revoked session ids with their expiry (seconds), and every session issued up to `notAfter` refused. */
export interface RevocationState {
  ids: [sid: string, exp: number][];
  notAfter: number | null;
}

/**
 * Signed-out session ids, kept until they would have expired anyway. Bounded: when it is full of
 * live entries it forgets them all and instead refuses every session issued up to that moment
 * (everyone signs in again), so overflowing it never brings a signed-out cookie back.
 */
export class RevokedSessions {
  private readonly ids = new Map<string, number>();
  private notAfter = -Infinity;

  /**
   * `initial`: what an earlier process had revoked (see revocation-file.ts), so a sign-out outlives
   * a restart; `onChange` is told each new state, to keep it.
   */
  constructor(
    readonly capacity = 10_000,
    initial?: RevocationState,
    private readonly onChange?: (state: RevocationState) => void,
  ) {
    if (initial) {
      for (const [sid, exp] of initial.ids.slice(0, capacity)) this.ids.set(sid, exp);
      this.notAfter = initial.notAfter ?? -Infinity;
    }
  }

  /** What to keep across restarts: the revoked ids with their expiry, and the refuse-all mark. */
  state(): RevocationState {
    return { ids: [...this.ids], notAfter: Number.isFinite(this.notAfter) ? this.notAfter : null };
  }

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
    } else {
      this.ids.set(session.sid, session.exp);
    }
    this.onChange?.(this.state());
  }

  isRevoked(session: Session): boolean {
    return session.iat <= this.notAfter || this.ids.has(session.sid);
  }
}

/**
 * A short-lived signed value for the browser to carry between two requests (the OIDC sign-in's
 * state, nonce and PKCE verifier between leaving for the issuer and coming back). Signed under its
 * own label, so it can never pass for a session.
 */
export async function sealValue(secret: string, label: string, data: Record<string, unknown>, nowMs: number, ttlSeconds: number): Promise<string> {
  const payload = base64url(encoder.encode(JSON.stringify({ ...data, exp: Math.floor(nowMs / 1000) + ttlSeconds })));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await signingKey(secret, label), encoder.encode(payload)));
  return `${payload}.${base64url(mac)}`;
}

/** The data of a value sealed under `label` and not yet expired, or null. */
export async function openValue(secret: string, label: string, value: string | null | undefined, nowMs: number): Promise<Record<string, unknown> | null> {
  if (!value || value.length > MAX_VALUE_LENGTH || !VALUE_SHAPE.test(value)) return null;
  const [payload, mac] = value.split('.');
  if (!(await crypto.subtle.verify('HMAC', await signingKey(secret, label), fromBase64url(mac), encoder.encode(payload)))) return null;
  try {
    const data = JSON.parse(decoder.decode(fromBase64url(payload))) as Record<string, unknown>;
    return typeof data === 'object' && data !== null && typeof data.exp === 'number' && data.exp > Math.floor(nowMs / 1000) ? data : null;
  } catch {
    return null;
  }
}
