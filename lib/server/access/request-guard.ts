/**
 * Checks on a raw request that do not depend on who is asking: cross-site writes, body size, the
 * client's address for rate limiting, TLS, cookies. Plain Web `Request`/`Headers`.
 */

import ipaddr from 'ipaddr.js';
import { problemResponse } from '../../api/problem';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Largest body /api/login reads (a token and a path). */
export const LOGIN_BODY_LIMIT = 4 * 1024;
/** Largest body any other request may announce: every API route today is a GET. */
export const REQUEST_BODY_LIMIT = 64 * 1024;

/**
 * True for a state-changing request a browser sent on behalf of another site: Fetch Metadata says
 * so (a sibling subdomain or port counts: it may be someone else's), or, without it, `Origin` is
 * `null` or names a host other than the one the request was sent to (`Host`, or `X-Forwarded-Host`
 * from an ingress: a page on another site cannot set either). Requests without those headers
 * (curl, API clients) pass: they carry no ambient cookie to abuse.
 */
export function isCrossSiteWrite(method: string, headers: Headers): boolean {
  if (!STATE_CHANGING.has(method.toUpperCase())) return false;
  // Fetch Metadata is computed by the browser and no page can set it: when present it decides.
  // (A page under `Referrer-Policy: no-referrer` even posts its own forms with `Origin: null`.)
  const fetchSite = headers.get('sec-fetch-site');
  if (fetchSite === 'same-origin') return false;
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return true;
  const origin = headers.get('origin');
  if (origin === null) return false;
  if (origin === 'null') return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return true;
  }
  if (o.protocol !== 'http:' && o.protocol !== 'https:') return true;
  const targets = [headers.get('host'), ...(headers.get('x-forwarded-host') ?? '').split(',')];
  return !targets.some((t) => t && sameHost(o, t.trim()));
}

function sameHost(origin: URL, host: string): boolean {
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}

/** True when the announced body is larger than `limit` bytes. */
export function announcesTooLarge(headers: Headers, limit: number): boolean {
  const len = headers.get('content-length');
  return len !== null && !(/^\d{1,15}$/.test(len.trim()) && Number(len) <= limit);
}

/**
 * Reads at most `limit` bytes of the body, whether or not it announced a length (a chunked body
 * has none); null when there is more, and then stops reading.
 */
export async function readBodyCapped(request: Request, limit: number): Promise<Uint8Array | null> {
  if (announcesTooLarge(request.headers, limit)) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

/**
 * The header scripts/serve.mjs stamps on every request with the TCP peer's address, prefixed with
 * a key made fresh in this process at start (FLOWSIGHT_PEER_KEY): a client cannot know the key, so
 * a forged header is ignored. Served any other way (a bare `next start`), there is no peer.
 */
export const PEER_HEADER = 'x-flowsight-peer';

/** The TCP peer's address as serve.mjs saw it, or null when it is unknown. */
export function peerAddress(headers: Headers, key: string | undefined = process.env.FLOWSIGHT_PEER_KEY): string | null {
  const value = headers.get(PEER_HEADER);
  if (!key || !value) return null;
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space) !== key) return null;
  const peer = value.slice(space + 1);
  return ipaddr.isValid(peer) ? ipaddr.process(peer).toString() : null;
}

/**
 * The client address to rate-limit by: the last `X-Forwarded-For` entry. Next sets that header
 * to the socket address when the request has none, and an ingress appends the address it saw, so
 * the last entry is the peer one hop out. Directly exposed, a client can send its own header and
 * pick its key: the global bucket is what bounds that.
 */
export function clientKey(headers: Headers): string {
  const last = (headers.get('x-forwarded-for') ?? '').split(',').pop()!.trim();
  if (!ipaddr.isValid(last)) return 'unknown';
  return ipaddr.process(last).toString();
}

/** True when the browser reached us over TLS (directly, or at an ingress that says so). */
export function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0].trim() === 'https';
}

/** One cookie's value from the `Cookie` header. */
export function readCookie(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A JSON request body, read with the gate's size cap: the parsed value, or a 400/413 problem naming
 * what is wrong with it (too large, not UTF-8 JSON).
 */
export async function readJsonBody(request: Request, limit = REQUEST_BODY_LIMIT): Promise<unknown | Response> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) return problemResponse(415, 'Unsupported media type', 'send the body as application/json', undefined, { code: 'unsupported-media-type' });
  const bytes = await readBodyCapped(request, limit);
  if (!bytes) return problemResponse(413, 'Content too large', `the body is larger than ${limit} bytes`, undefined, { code: 'body-too-large' });
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (err) {
    return problemResponse(400, 'Bad request', `the body is not JSON: ${err instanceof Error ? err.message : String(err)}`, [{ param: 'body', message: 'not JSON' }], { code: 'invalid-body' });
  }
}
