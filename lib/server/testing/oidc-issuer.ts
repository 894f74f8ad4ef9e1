/**
 * A test OpenID Connect issuer on loopback, for end-to-end tests of the OIDC sign-in (authorization
 * code + PKCE S256). HTTPS with a fresh self-signed certificate (SAN DNS:<host>, DNS:localhost,
 * IP:127.0.0.1, IP:::1), one RS256 signing key published at /jwks and a second, unpublished key for
 * the 'wrong-key' fault. No login form: /authorize signs in `issuer.user` at once.
 *
 * Trusting the certificate:
 * - a child process (the app under test, `next start`): NODE_EXTRA_CA_CERTS=<issuer.caFile> in its
 *   environment at spawn (Node reads it once, at start; it cannot be set afterwards in-process);
 * - in-process (vitest): openid-client's `customFetch` with `fetchTrustingCa(issuer.caPem)` below
 *   (undici is not an installed package here, so no `new Agent({ connect: { ca } })`);
 * - chromium (Playwright): `ignoreHTTPSErrors: true` on the context, or the launch argument
 *   `--ignore-certificate-errors-spki-list=<base64 sha256 of the SPKI>`.
 *
 * Endpoints: /.well-known/openid-configuration, /jwks, /authorize (GET), /token (POST form),
 * /userinfo (GET/POST, Bearer), /logout (end_session_endpoint, GET/POST).
 * Plain Node + jose + selfsigned; nothing from Next or React.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import selfsigned from 'selfsigned';

export interface IssuerUser {
  sub: string;
  name?: string;
  email?: string;
  groups?: string[];
}

export type TokenFault = 'none' | 'expired' | 'wrong-key' | 'wrong-audience' | 'wrong-issuer' | 'wrong-nonce';

export interface TestIssuerOptions {
  /** Host name in the issuer URL and the certificate: default 'localhost' (a different site from 127.0.0.1, so SameSite behaviour is real in a browser). */
  host?: string;
  clientId: string;
  clientSecret: string;
}

export interface IssuerRequest {
  path: string;
  method: string;
  /** Query parameters and form-body parameters; client_secret, code_verifier, code and tokens are '<redacted>'. */
  params: Record<string, string>;
}

export interface EndSession {
  postLogoutRedirectUri?: string;
  clientId?: string;
}

export interface TestIssuer {
  /** e.g. https://localhost:PORT (no trailing slash); discovery at /.well-known/openid-configuration. */
  issuer: string;
  /** The self-signed certificate (it is its own CA), PEM. */
  caPem: string;
  /** The same PEM, already written to a temporary file (removed by close()). */
  caFile: string;
  /** The user /authorize signs in; null makes /authorize answer error=access_denied. */
  user: IssuerUser | null;
  /** What is wrong with the ID tokens issued from now on. */
  fault: TokenFault;
  /** Every request seen, oldest first, secrets redacted. */
  requests: IssuerRequest[];
  /** Every call of the end_session_endpoint, oldest first. */
  endSessions: EndSession[];
  close(): Promise<void>;
}

export const DEFAULT_TEST_USER: Readonly<IssuerUser> = Object.freeze({
  sub: 'test-user-1',
  name: 'Test User',
  email: 'test.user@example.com',
  groups: ['flowsight-users'],
});

const CODE_TTL_MS = 60_000;
const ACCESS_TOKEN_TTL_S = 3600;
const ID_TOKEN_TTL_S = 300;
const MAX_BODY_BYTES = 64 * 1024;
const REDACTED = '<redacted>';
const SECRET_PARAMS = new Set(['client_secret', 'code_verifier', 'code', 'id_token_hint', 'access_token', 'refresh_token', 'client_assertion']);

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | undefined;
  scope: string;
  user: IssuerUser;
  authTime: number;
  expiresAt: number;
}

interface AccessGrant {
  user: IssuerUser;
  scope: string;
  expiresAt: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(body.error_description ?? body.error);
  }
}

export async function startTestIssuer(options: TestIssuerOptions): Promise<TestIssuer> {
  if (!options.clientId) throw new Error('startTestIssuer: clientId is required');
  if (!options.clientSecret) throw new Error('startTestIssuer: clientSecret is required');
  const host = options.host ?? 'localhost';
  const { clientId, clientSecret } = options;

  const tls = await makeCertificate(host);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flowsight-oidc-'));
  const caFile = path.join(dir, 'ca.pem');
  await fs.writeFile(caFile, tls.cert, { mode: 0o600 });

  const signing = await generateKeyPair('RS256', { extractable: true });
  const rogue = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = await exportJWK(signing.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  Object.assign(publicJwk, { kid, alg: 'RS256', use: 'sig' });

  const codes = new Map<string, CodeGrant>();
  const accessTokens = new Map<string, AccessGrant>();
  let issuerUrl = '';

  const state: TestIssuer = {
    issuer: '',
    caPem: tls.cert,
    caFile,
    user: { ...DEFAULT_TEST_USER, groups: [...(DEFAULT_TEST_USER.groups ?? [])] },
    fault: 'none',
    requests: [],
    endSessions: [],
    close: async () => {},
  };

  const metadata = () => ({
    issuer: issuerUrl,
    authorization_endpoint: `${issuerUrl}/authorize`,
    token_endpoint: `${issuerUrl}/token`,
    jwks_uri: `${issuerUrl}/jwks`,
    userinfo_endpoint: `${issuerUrl}/userinfo`,
    end_session_endpoint: `${issuerUrl}/logout`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ['openid', 'profile', 'email', 'groups'],
    claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'auth_time', 'nonce', 'name', 'email', 'groups'],
    // RFC 9207: the authorization response carries `iss`; openid-client then checks it (mix-up defence).
    authorization_response_iss_parameter_supported: true,
  });

  function authorize(params: URLSearchParams, res: ServerResponse): void {
    const get = (name: string) => params.get(name) ?? undefined;
    if (get('client_id') !== clientId) throw invalidRequest('unknown client_id', 'unauthorized_client');
    const redirectUri = get('redirect_uri');
    if (!redirectUri) throw invalidRequest('redirect_uri is required');
    let redirect: URL;
    try {
      redirect = new URL(redirectUri);
    } catch {
      throw invalidRequest('redirect_uri is not an absolute URL');
    }
    if (redirect.protocol !== 'http:' && redirect.protocol !== 'https:') throw invalidRequest('redirect_uri must be http(s)');
    if (redirect.hash) throw invalidRequest('redirect_uri must not have a fragment');
    if (get('response_type') !== 'code') throw invalidRequest('response_type must be code', 'unsupported_response_type');
    const codeChallenge = get('code_challenge');
    if (!codeChallenge || !/^[A-Za-z0-9_-]{43,128}$/.test(codeChallenge)) throw invalidRequest('code_challenge is required (PKCE)');
    if (get('code_challenge_method') !== 'S256') throw invalidRequest('code_challenge_method must be S256');
    // prompt=none behaves the same: the user is "already signed in", or access_denied.

    const answer = new URL(redirect);
    const stateParam = get('state');
    if (state.user === null) {
      answer.searchParams.set('error', 'access_denied');
      answer.searchParams.set('error_description', 'the user is not signed in');
    } else {
      const code = randomToken();
      codes.set(code, {
        clientId,
        redirectUri,
        codeChallenge,
        nonce: get('nonce'),
        scope: get('scope') ?? 'openid',
        user: structuredClone(state.user),
        authTime: nowSeconds(),
        expiresAt: Date.now() + CODE_TTL_MS,
      });
      answer.searchParams.set('code', code);
    }
    if (stateParam !== undefined) answer.searchParams.set('state', stateParam);
    answer.searchParams.set('iss', issuerUrl);
    res.writeHead(302, { Location: answer.href, 'Cache-Control': 'no-store' });
    res.end();
  }

  async function token(req: IncomingMessage, form: URLSearchParams, res: ServerResponse): Promise<void> {
    authenticateClient(req, form);
    if (form.get('grant_type') !== 'authorization_code') {
      throw new HttpError(400, { error: 'unsupported_grant_type', error_description: 'only authorization_code is supported' });
    }
    const code = form.get('code');
    const grant = code ? codes.get(code) : undefined;
    if (code) codes.delete(code); // single use, whatever happens next
    if (!grant) throw invalidGrant('unknown, used or missing code');
    if (grant.expiresAt < Date.now()) throw invalidGrant('code expired');
    if (grant.clientId !== clientId) throw invalidGrant('code was issued to another client');
    if (form.get('redirect_uri') !== grant.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
    const verifier = form.get('code_verifier');
    if (!verifier) throw invalidGrant('code_verifier is required (PKCE)');
    if (!safeEqual(createHash('sha256').update(verifier).digest('base64url'), grant.codeChallenge)) {
      throw invalidGrant('PKCE verification failed: code_verifier does not match code_challenge');
    }

    const accessToken = randomToken();
    accessTokens.set(accessToken, { user: grant.user, scope: grant.scope, expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000 });
    const idToken = await signIdToken(grant, state.fault);
    sendJson(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_S,
      id_token: idToken,
      scope: grant.scope,
    });
  }

  function authenticateClient(req: IncomingMessage, form: URLSearchParams): void {
    const header = req.headers.authorization;
    let id: string | null;
    let secret: string | null;
    if (header && /^basic /i.test(header)) {
      if (form.has('client_secret')) throw new HttpError(400, { error: 'invalid_request', error_description: 'more than one client authentication method' });
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw invalidClient();
      // RFC 6749 2.3.1: both parts are form-urlencoded before the Basic encoding.
      id = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
      if (form.has('client_id') && form.get('client_id') !== id) throw invalidClient();
    } else {
      id = form.get('client_id');
      secret = form.get('client_secret');
    }
    if (id === null || secret === null || !safeEqual(id, clientId) || !safeEqual(secret, clientSecret)) throw invalidClient();
  }

  async function signIdToken(grant: CodeGrant, fault: TokenFault): Promise<string> {
    const now = nowSeconds();
    const expired = fault === 'expired';
    const claims: JWTPayload & Record<string, unknown> = {
      iss: fault === 'wrong-issuer' ? 'https://evil.example' : issuerUrl,
      sub: grant.user.sub,
      aud: fault === 'wrong-audience' ? 'someone-else' : grant.clientId,
      iat: expired ? now - 900 : now,
      exp: expired ? now - 600 : now + ID_TOKEN_TTL_S,
      auth_time: expired ? now - 900 : grant.authTime,
    };
    const nonce = fault === 'wrong-nonce' ? 'not-the-one' : grant.nonce;
    if (nonce !== undefined) claims.nonce = nonce;
    Object.assign(claims, profileClaims(grant.user));
    const key: CryptoKey = fault === 'wrong-key' ? rogue.privateKey : signing.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
  }

  function userinfo(req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers.authorization ?? '';
    const match = /^bearer\s+(\S+)$/i.exec(header);
    const grant = match ? accessTokens.get(match[1]!) : undefined;
    if (!grant || grant.expiresAt < Date.now()) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"', 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    sendJson(res, 200, { sub: grant.user.sub, ...profileClaims(grant.user) });
  }

  function logout(params: URLSearchParams, res: ServerResponse): void {
    const postLogoutRedirectUri = params.get('post_logout_redirect_uri') ?? undefined;
    const logoutClientId = params.get('client_id') ?? undefined;
    const entry: EndSession = {};
    if (postLogoutRedirectUri !== undefined) entry.postLogoutRedirectUri = postLogoutRedirectUri;
    if (logoutClientId !== undefined) entry.clientId = logoutClientId;
    state.endSessions.push(entry);
    if (postLogoutRedirectUri === undefined) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end('signed out');
      return;
    }
    let target: URL;
    try {
      target = new URL(postLogoutRedirectUri);
    } catch {
      throw invalidRequest('post_logout_redirect_uri is not an absolute URL');
    }
    const logoutState = params.get('state');
    if (logoutState !== null) target.searchParams.set('state', logoutState);
    res.writeHead(302, { Location: target.href, 'Cache-Control': 'no-store' });
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://issuer.invalid');
    const params = new URLSearchParams(url.searchParams);
    let form = new URLSearchParams();
    if (method === 'POST') {
      const body = await readBody(req);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type === 'application/x-www-form-urlencoded') form = new URLSearchParams(body);
      for (const [name, value] of form) params.append(name, value);
    }
    state.requests.push({ path: url.pathname, method, params: redact(params) });

    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        return sendJson(res, 200, metadata(), { 'Cache-Control': 'no-cache' });
      case '/jwks':
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        return sendJson(res, 200, { keys: [publicJwk] }, { 'Cache-Control': 'no-cache' });
      case '/authorize':
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        return authorize(url.searchParams, res);
      case '/token':
        if (method !== 'POST') return methodNotAllowed(res, 'POST');
        return token(req, form, res);
      case '/userinfo':
        if (method !== 'GET' && method !== 'POST') return methodNotAllowed(res, 'GET, POST');
        return userinfo(req, res);
      case '/logout':
        if (method !== 'GET' && method !== 'POST') return methodNotAllowed(res, 'GET, POST');
        return logout(params, res);
      default:
        return sendJson(res, 404, { error: 'not_found' });
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) sendJson(res, err.status, err.body);
      else sendJson(res, 500, { error: 'server_error', error_description: String(err) });
    });
  };

  const servers = await listenOnLoopback(() => https.createServer({ key: tls.private, cert: tls.cert }, onRequest));
  const port = (servers[0]!.address() as AddressInfo).port;
  issuerUrl = `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  state.issuer = issuerUrl;

  let closing: Promise<void> | undefined;
  state.close = () => {
    closing ??= (async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      await fs.rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };
  return state;
}

/**
 * A fetch that trusts `caPem` (and only it), for openid-client's `customFetch` in the same
 * process as the issuer: `config[client.customFetch] = fetchTrustingCa(issuer.caPem)`, or
 * `discovery(url, id, secret, undefined, { [client.customFetch]: fetchTrustingCa(caPem) })`.
 * Built on node:https; never follows redirects (like `redirect: 'manual'`).
 */
export function fetchTrustingCa(caPem: string): (url: string | URL, init?: FetchInit) => Promise<Response> {
  return async (url, init = {}) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') throw new TypeError(`fetchTrustingCa: only https URLs (${target.href})`);
    const headers = new Headers(init.headers);
    const method = (init.method ?? 'GET').toUpperCase();
    const body = await bodyBytes(init.body, headers);
    if (body !== undefined) headers.set('content-length', String(body.length));
    return new Promise<Response>((resolve, reject) => {
      const request = https.request(
        target,
        {
          method,
          ca: caPem,
          headers: Object.fromEntries(headers),
          signal: init.signal ?? undefined,
          // `localhost` may also have an IPv6 address; the issuer listens on 127.0.0.1 for sure.
          family: target.hostname === 'localhost' ? 4 : undefined,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const responseHeaders = new Headers();
            const raw = response.rawHeaders;
            for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
            const status = response.statusCode ?? 500;
            const nullBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage, headers: responseHeaders }));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  };
}

/** The subset of RequestInit that fetchTrustingCa honours (openid-client's CustomFetchOptions fits it). */
export interface FetchInit {
  method?: string;
  headers?: HeadersInit;
  body?: unknown;
  signal?: AbortSignal | null;
  redirect?: string;
}

// --- helpers --------------------------------------------------------------------------------

interface Certificate {
  private: string;
  cert: string;
}

function makeCertificate(host: string): Promise<Certificate> {
  const altNames: { type: number; value?: string; ip?: string }[] = [];
  const add = (name: string) => {
    const entry = net.isIP(name) ? { type: 7, ip: name } : { type: 2, value: name };
    if (!altNames.some((a) => a.type === entry.type && (a.value ?? a.ip) === name)) altNames.push(entry);
  };
  [host, 'localhost', '127.0.0.1', '::1'].forEach(add);
  const notBefore = new Date(Date.now() - 60 * 60 * 1000); // an hour back: tolerates clock skew
  return new Promise((resolve, reject) => {
    selfsigned.generate(
      [{ name: 'commonName', value: host }, { name: 'organizationName', value: 'Flowsight test issuer' }],
      {
        keySize: 2048,
        days: 2,
        notBeforeDate: notBefore,
        algorithm: 'sha256',
        extensions: [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames },
        ],
      },
      (err, pems) => (err ? reject(err) : resolve({ private: pems.private, cert: pems.cert })),
    );
  });
}

/**
 * Listens on 127.0.0.1 at a free port and, best effort, on ::1 at the same port (a browser may try
 * `localhost` over IPv6 first). Retries a few times if the port is taken on ::1.
 */
async function listenOnLoopback(create: () => https.Server): Promise<https.Server[]> {
  for (let attempt = 0; ; attempt++) {
    const v4 = create();
    await listen(v4, 0, '127.0.0.1');
    const port = (v4.address() as AddressInfo).port;
    const v6 = create();
    try {
      await listen(v6, port, '::1');
      return [v4, v6];
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && attempt < 5) {
        await new Promise<void>((resolve) => v4.close(() => resolve()));
        continue;
      }
      return [v4]; // no IPv6 loopback here (EADDRNOTAVAIL / EAFNOSUPPORT): IPv4 only
    }
  }
}

function listen(server: https.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host, ipv6Only: host.includes(':') }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, { error: 'invalid_request', error_description: 'body too large' }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function bodyBytes(body: unknown, headers: Headers): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    return Buffer.from(body, 'utf8');
  }
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return Buffer.from(body.toString(), 'utf8');
  }
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ReadableStream) return Buffer.from(await new Response(body).arrayBuffer());
  throw new TypeError('fetchTrustingCa: unsupported body type');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Pragma: 'no-cache', ...headers });
  res.end(JSON.stringify(body));
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { error: 'invalid_request', error_description: 'method not allowed' }, { Allow: allow });
}

function invalidRequest(description: string, error = 'invalid_request'): HttpError {
  return new HttpError(400, { error, error_description: description });
}

function invalidGrant(description: string): HttpError {
  return new HttpError(400, { error: 'invalid_grant', error_description: description });
}

function invalidClient(): HttpError {
  return new HttpError(401, { error: 'invalid_client', error_description: 'client authentication failed' });
}

function profileClaims(user: IssuerUser): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (user.name !== undefined) claims.name = user.name;
  if (user.email !== undefined) claims.email = user.email;
  if (user.groups !== undefined) claims.groups = [...user.groups];
  return claims;
}

function redact(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of params) out[name] = SECRET_PARAMS.has(name) ? REDACTED : value;
  return out;
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a === b;
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
