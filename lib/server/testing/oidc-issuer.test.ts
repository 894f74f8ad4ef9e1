/**
 * The test OIDC issuer, driven by the real client (openid-client v6): discovery, authorization
 * code + PKCE S256 + state + nonce, and every fault mode rejected by the client.
 *
 * How the client trusts the issuer's self-signed certificate:
 * - In this process: openid-client v6 calls the global fetch (Node's bundled undici), whose trust
 *   store is fixed at process start; NODE_EXTRA_CA_CERTS cannot be set afterwards, and `undici` is
 *   not an installed package here (no `new Agent({ connect: { ca } })` to pass as dispatcher). So
 *   these tests pass `fetchTrustingCa(issuer.caPem)` (node:https with `ca`) as openid-client's
 *   `customFetch` option to `discovery()`, which keeps it on the Configuration for every later
 *   request (token, jwks, userinfo). The authorize redirect is followed with the same fetch
 *   (it never follows redirects: `redirect: 'manual'`).
 * - In the app under test (a child process): NODE_EXTRA_CA_CERTS=<issuer.caFile> at spawn, and
 *   openid-client's default fetch trusts the issuer; the last test here proves that path with the
 *   whole flow in a child `node` process.
 *
 * openid-client v6 does NOT verify the ID token signature of a token-endpoint response by default
 * (TLS authenticates the issuer; OIDC Core 3.1.3.7): fault 'wrong-key' is rejected only with
 * `client.enableNonRepudiationChecks(config)` (or `execute: [client.enableNonRepudiationChecks]`).
 */

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as client from 'openid-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchTrustingCa, startTestIssuer, type TestIssuer, type TokenFault } from './oidc-issuer';

const CLIENT_ID = 'flowsight-test';
const CLIENT_SECRET = 'sEcret/with+odd=chars';
const REDIRECT_URI = 'http://127.0.0.1:3000/api/auth/callback';
const USER = { sub: 'u-42', name: 'Ada Lovelace', email: 'ada@example.com', groups: ['netops', 'flowsight-admins'] };

let issuer: TestIssuer;
let caFetch: ReturnType<typeof fetchTrustingCa>;

beforeAll(async () => {
  issuer = await startTestIssuer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  caFetch = fetchTrustingCa(issuer.caPem);
});
afterAll(() => issuer?.close());
beforeEach(() => {
  issuer.user = structuredClone(USER);
  issuer.fault = 'none';
  issuer.requests.length = 0;
  issuer.endSessions.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

interface DiscoverOptions {
  secret?: string;
  auth?: 'basic' | 'post';
  nonRepudiation?: boolean;
}

function discover({ secret = CLIENT_SECRET, auth = 'basic', nonRepudiation = false }: DiscoverOptions = {}): Promise<client.Configuration> {
  return client.discovery(new URL(issuer.issuer), CLIENT_ID, undefined, auth === 'basic' ? client.ClientSecretBasic(secret) : client.ClientSecretPost(secret), {
    [client.customFetch]: caFetch,
    execute: nonRepudiation ? [client.enableNonRepudiationChecks] : [],
  });
}

interface Authorized {
  callback: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** buildAuthorizationUrl with PKCE S256 + state + nonce, then the authorize request; returns where it redirects. */
async function authorize(config: client.Configuration, extra: Record<string, string> = {}): Promise<Authorized> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  const response = await caFetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = response.headers.get('location');
  expect(location).toBeTruthy();
  return { callback: new URL(location!), verifier, state, nonce };
}

function grant(config: client.Configuration, a: Authorized, verifier = a.verifier) {
  return client.authorizationCodeGrant(config, a.callback, { pkceCodeVerifier: verifier, expectedState: a.state, expectedNonce: a.nonce });
}

/** Awaits a promise that must reject; returns the error with its messages, codes and `cause` chain flattened into `text`. */
async function rejection(promise: Promise<unknown>): Promise<{ error: unknown; text: string }> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  if (error === undefined) throw new Error('expected a rejection, got success');
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e === 'object') {
      const o = e as { name?: unknown; message?: unknown; code?: unknown; error?: unknown; error_description?: unknown; claim?: unknown; cause?: unknown };
      parts.push(...[o.name, o.message, o.code, o.error, o.error_description, o.claim].filter((v): v is string => typeof v === 'string'));
      e = o.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return { error, text: parts.join(' | ') };
}

describe('test OIDC issuer', () => {
  it('serves a certificate for localhost and 127.0.0.1, valid now, and writes it to caFile', () => {
    const cert = new X509Certificate(issuer.caPem);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now());
    expect(readFileSync(issuer.caFile, 'utf8')).toBe(issuer.caPem);
    expect(issuer.issuer).toMatch(/^https:\/\/localhost:\d+$/);
  });

  it('publishes discovery metadata and one RS256 key with a kid', async () => {
    const response = await caFetch(`${issuer.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const meta = (await response.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: issuer.issuer,
      authorization_endpoint: `${issuer.issuer}/authorize`,
      token_endpoint: `${issuer.issuer}/token`,
      jwks_uri: `${issuer.issuer}/jwks`,
      end_session_endpoint: `${issuer.issuer}/logout`,
      userinfo_endpoint: `${issuer.issuer}/userinfo`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect(meta.scopes_supported).toContain('openid');
    expect(meta.claims_supported).toContain('groups');

    const jwks = (await (await caFetch(`${issuer.issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(jwks.keys[0]).not.toHaveProperty('d');

    const config = await discover();
    expect(config.serverMetadata().issuer).toBe(issuer.issuer);
    expect(config.serverMetadata().supportsPKCE()).toBe(true);
  });

  it('answers on 127.0.0.1 too (the certificate has the IP)', async () => {
    const port = new URL(issuer.issuer).port;
    const response = await caFetch(`https://127.0.0.1:${port}/jwks`);
    expect(response.status).toBe(200);
  });

  it.each(['basic', 'post'] as const)('signs the user in with code + PKCE (client_secret_%s), claims as set', async (auth) => {
    const config = await discover({ auth, nonRepudiation: true });
    const a = await authorize(config);
    expect(a.callback.origin + a.callback.pathname).toBe(REDIRECT_URI);
    expect(a.callback.searchParams.get('state')).toBe(a.state);
    expect(a.callback.searchParams.get('iss')).toBe(issuer.issuer);

    const tokens = await grant(config, a);
    expect(tokens.token_type).toBe('bearer'); // openid-client lower-cases it
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope).toBe('openid profile email');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: issuer.issuer, sub: 'u-42', aud: CLIENT_ID, nonce: a.nonce, name: 'Ada Lovelace', email: 'ada@example.com', groups: ['netops', 'flowsight-admins'] });
    expect(claims.exp - claims.iat).toBe(300);

    const info = await client.fetchUserInfo(config, tokens.access_token, 'u-42');
    expect(info).toMatchObject({ sub: 'u-42', groups: ['netops', 'flowsight-admins'] });

    // The log: every request, no secret in clear.
    const authorizeRequest = issuer.requests.find((r) => r.path === '/authorize')!;
    expect(authorizeRequest).toMatchObject({ method: 'GET', params: { client_id: CLIENT_ID, state: a.state, nonce: a.nonce, code_challenge_method: 'S256' } });
    const tokenRequest = issuer.requests.find((r) => r.path === '/token')!;
    expect(tokenRequest.method).toBe('POST');
    expect(tokenRequest.params).toMatchObject({ grant_type: 'authorization_code', code: '<redacted>', code_verifier: '<redacted>', redirect_uri: REDIRECT_URI });
    if (auth === 'post') expect(tokenRequest.params).toMatchObject({ client_id: CLIENT_ID, client_secret: '<redacted>' });
    const log = JSON.stringify(issuer.requests);
    for (const secret of [CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), a.verifier, a.callback.searchParams.get('code')!, tokens.access_token]) {
      expect(log).not.toContain(secret);
    }
  });

  it('treats prompt=none the same way', async () => {
    const config = await discover();
    const a = await authorize(config, { prompt: 'none' });
    const tokens = await grant(config, a);
    expect(tokens.claims()?.sub).toBe('u-42');
  });

  it('signs in whoever `user` is at authorize time; profile claims are optional', async () => {
    issuer.user = { sub: 'bare' };
    const config = await discover();
    const claims = (await grant(config, await authorize(config))).claims()!;
    expect(claims.sub).toBe('bare');
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('groups');
  });

  const faults: [TokenFault, RegExp, string][] = [
    ['expired', /"exp"/, 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED'],
    ['wrong-audience', /"aud"/, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED'],
    ['wrong-issuer', /"iss"/, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED'],
    ['wrong-nonce', /nonce/, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED'],
    ['wrong-key', /signature verification failed/, 'OAUTH_INVALID_RESPONSE'],
  ];
  it.each(faults)('fault %s: openid-client rejects the ID token', async (fault, reason, code) => {
    const config = await discover({ nonRepudiation: true });
    const a = await authorize(config);
    issuer.fault = fault;
    const { error, text } = await rejection(grant(config, a));
    expect(error).toBeInstanceOf(client.ClientError);
    expect(text).toMatch(reason);
    expect((error as client.ClientError).code).toBe(code);
  });

  it('fault wrong-key passes openid-client without enableNonRepudiationChecks (signature not checked by default)', async () => {
    const config = await discover({ nonRepudiation: false });
    const a = await authorize(config);
    issuer.fault = 'wrong-key';
    await expect(grant(config, a)).resolves.toHaveProperty('id_token');
    expect(issuer.requests.some((r) => r.path === '/jwks')).toBe(false);
  });

  it('rejects a wrong client secret with 401 invalid_client (basic and post)', async () => {
    for (const auth of ['basic', 'post'] as const) {
      const config = await discover({ secret: 'not-the-secret', auth });
      const { error, text } = await rejection(grant(config, await authorize(config)));
      expect(error).toBeInstanceOf(client.ResponseBodyError);
      expect((error as client.ResponseBodyError).status).toBe(401);
      expect(text).toMatch(/invalid_client/);
    }
  });

  it('rejects a PKCE mismatch with invalid_grant', async () => {
    const config = await discover();
    const a = await authorize(config);
    const { error, text } = await rejection(grant(config, a, client.randomPKCECodeVerifier()));
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect((error as client.ResponseBodyError).status).toBe(400);
    expect(text).toMatch(/invalid_grant/);
    expect(text).toMatch(/PKCE/);
  });

  it('codes are single use: the second redemption is invalid_grant', async () => {
    const config = await discover();
    const a = await authorize(config);
    await grant(config, a);
    const { text } = await rejection(grant(config, a));
    expect(text).toMatch(/invalid_grant/);
  });

  it('a code spent on a failed attempt cannot be retried', async () => {
    const config = await discover();
    const a = await authorize(config);
    await rejection(grant(config, a, client.randomPKCECodeVerifier()));
    const { text } = await rejection(grant(config, a));
    expect(text).toMatch(/invalid_grant/);
  });

  it('codes expire after 60 s', async () => {
    const config = await discover();
    const a = await authorize(config);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const { text } = await rejection(grant(config, a));
    expect(text).toMatch(/invalid_grant/);
    expect(text).toMatch(/expired/);
  });

  it('rejects a redirect_uri that differs from the authorization request', async () => {
    const config = await discover();
    const a = await authorize(config);
    // openid-client sends the callback URL without its query as redirect_uri.
    const elsewhere = new URL(a.callback);
    elsewhere.pathname = '/elsewhere';
    const { text } = await rejection(grant(config, { ...a, callback: elsewhere }));
    expect(text).toMatch(/invalid_grant/);
  });

  it('redirects with error=access_denied and the state when user is null', async () => {
    issuer.user = null;
    const config = await discover();
    const a = await authorize(config);
    expect(a.callback.searchParams.get('error')).toBe('access_denied');
    expect(a.callback.searchParams.get('state')).toBe(a.state);
    expect(a.callback.searchParams.has('code')).toBe(false);
    const { error, text } = await rejection(grant(config, a));
    expect(error).toBeInstanceOf(client.AuthorizationResponseError);
    expect(text).toMatch(/access_denied/);
  });

  it('answers 400 to authorize requests without PKCE S256, a known client or a redirect_uri', async () => {
    const config = await discover();
    const good = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 's',
      nonce: 'n',
    });
    const variant = (edit: (p: URLSearchParams) => void) => {
      const url = new URL(good);
      edit(url.searchParams);
      return caFetch(url, { redirect: 'manual' });
    };
    expect((await variant(() => {})).status).toBe(302);
    for (const edit of [
      (p: URLSearchParams) => p.delete('code_challenge'),
      (p: URLSearchParams) => p.delete('code_challenge_method'),
      (p: URLSearchParams) => p.set('code_challenge_method', 'plain'),
      (p: URLSearchParams) => p.set('client_id', 'someone-else'),
      (p: URLSearchParams) => p.delete('redirect_uri'),
      (p: URLSearchParams) => p.set('response_type', 'token'),
    ]) {
      const response = await variant(edit);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
  });

  it('end_session: records and redirects to post_logout_redirect_uri, or says signed out', async () => {
    const config = await discover();
    const url = client.buildEndSessionUrl(config, { post_logout_redirect_uri: 'http://127.0.0.1:3000/signed-out', state: 'bye' });
    const response = await caFetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://127.0.0.1:3000/signed-out?state=bye');

    const plain = await caFetch(`${issuer.issuer}/logout`, { redirect: 'manual' });
    expect(plain.status).toBe(200);
    expect(await plain.text()).toBe('signed out');

    expect(issuer.endSessions).toEqual([{ postLogoutRedirectUri: 'http://127.0.0.1:3000/signed-out', clientId: CLIENT_ID }, {}]);
    expect(issuer.requests.filter((r) => r.path === '/logout')).toHaveLength(2);
  });

  it('a child process with NODE_EXTRA_CA_CERTS=caFile runs the flow with openid-client default fetch', async () => {
    const script = `
      import * as client from 'openid-client';
      const { ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } = process.env;
      const config = await client.discovery(new URL(ISSUER), CLIENT_ID, CLIENT_SECRET);
      client.enableNonRepudiationChecks(config);
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
      const res = await fetch(url, { redirect: 'manual' });
      const tokens = await client.authorizationCodeGrant(config, new URL(res.headers.get('location')), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      console.log(JSON.stringify(tokens.claims()));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.resolve(__dirname, '../../..'),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: issuer.caFile, ISSUER: issuer.issuer, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, NODE_OPTIONS: '' },
      timeout: 15_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ iss: issuer.issuer, sub: 'u-42', aud: CLIENT_ID, groups: ['netops', 'flowsight-admins'] });
  });

  it('close() stops the server and removes caFile', async () => {
    const other = await startTestIssuer({ clientId: 'c', clientSecret: 's', host: '127.0.0.1' });
    expect(other.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const otherFetch = fetchTrustingCa(other.caPem);
    expect((await otherFetch(`${other.issuer}/jwks`)).status).toBe(200);
    await other.close();
    await other.close(); // idempotent
    await expect(otherFetch(`${other.issuer}/jwks`)).rejects.toThrow();
    expect(() => readFileSync(other.caFile)).toThrow();
  });
});
