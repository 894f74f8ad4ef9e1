/**
 * The authentication and authorization part of the configuration: the shared token, OIDC, a
 * trusted proxy, the session secret and namespace-scoped access. Every bad value is reported with
 * its variable; no secret is echoed back.
 */

import type { OidcSettings } from './oidc';
import { DEFAULT_GROUPS_HEADER, DEFAULT_USER_HEADER, isHeaderName, parseTrustedSources, type TrustedProxyConfig } from './trusted-proxy';

type Problems = { variable: string; message: string }[];
type Env = Record<string, string | undefined>;

export interface AuthConfig {
  /** FLOWSIGHT_AUTH_TOKEN: the shared token (bearer for the CLI and scripts, or the sign-in form). */
  authToken: string | null;
  /** FLOWSIGHT_SESSION_SECRET: signs session cookies; replicas behind one URL need the same one. */
  sessionSecret: string | null;
  oidc: OidcSettings | null;
  trustedProxy: TrustedProxyConfig | null;
  /**
   * FLOWSIGHT_AUTHZ: `namespaces` shows each signed-in user (OIDC or proxy) only the namespaces
   * Kubernetes lets them read (SubjectAccessReview); the shared token still sees everything.
   */
  authz: 'none' | 'namespaces';
}

const OIDC_VARIABLES = ['FLOWSIGHT_OIDC_CLIENT_ID', 'FLOWSIGHT_OIDC_CLIENT_SECRET', 'FLOWSIGHT_OIDC_ALLOWED_GROUPS', 'FLOWSIGHT_OIDC_GROUPS_CLAIM', 'FLOWSIGHT_OIDC_USERNAME_CLAIM', 'FLOWSIGHT_OIDC_SCOPES'] as const;
const CLAIM_NAME = /^[A-Za-z0-9_.:/-]{1,100}$/;

const list = (raw: string | undefined) => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function authConfig(env: Env, hostIsLoopback: (host: string) => boolean, host: string, problems: Problems): AuthConfig {
  const authToken = env.FLOWSIGHT_AUTH_TOKEN?.trim() || null;
  if (authToken !== null && authToken.length < 16) problems.push({ variable: 'FLOWSIGHT_AUTH_TOKEN', message: 'must be at least 16 characters' });
  const sessionSecret = env.FLOWSIGHT_SESSION_SECRET?.trim() || null;
  if (sessionSecret !== null && sessionSecret.length < 32) problems.push({ variable: 'FLOWSIGHT_SESSION_SECRET', message: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' });
  const publicUrl = publicUrlOf(env, problems);
  const oidc = oidcSettings(env, publicUrl, hostIsLoopback, host, problems);
  const trustedProxy = trustedProxyOf(env, problems);
  if (!hostIsLoopback(host) && authToken === null && oidc === null && trustedProxy === null) {
    problems.push({ variable: 'FLOWSIGHT_AUTH_TOKEN', message: `required when FLOWSIGHT_HOST (${host}) is not a loopback address, unless FLOWSIGHT_OIDC_ISSUER or FLOWSIGHT_TRUSTED_PROXIES is set: flows reveal the cluster` });
  }
  const rawAuthz = env.FLOWSIGHT_AUTHZ?.trim().toLowerCase() || 'none';
  let authz: AuthConfig['authz'] = 'none';
  if (rawAuthz === 'namespaces') {
    authz = 'namespaces';
    if (oidc === null && trustedProxy === null) problems.push({ variable: 'FLOWSIGHT_AUTHZ', message: 'namespaces needs named users: set FLOWSIGHT_OIDC_ISSUER or FLOWSIGHT_TRUSTED_PROXIES' });
  } else if (rawAuthz !== 'none') problems.push({ variable: 'FLOWSIGHT_AUTHZ', message: `"${env.FLOWSIGHT_AUTHZ}" is not none or namespaces` });
  return { authToken, sessionSecret, oidc, trustedProxy, authz };
}

function publicUrlOf(env: Env, problems: Problems): string | null {
  const raw = env.FLOWSIGHT_PUBLIC_URL?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push({ variable: 'FLOWSIGHT_PUBLIC_URL', message: `"${raw}" is not a URL (expected https://flowsight.example.com)` });
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push({ variable: 'FLOWSIGHT_PUBLIC_URL', message: `${url.protocol} is not http: or https:` });
  else if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) problems.push({ variable: 'FLOWSIGHT_PUBLIC_URL', message: 'must be an origin only (scheme, host and port): Flowsight is served at the root' });
  return url.origin;
}

function oidcSettings(env: Env, publicUrl: string | null, hostIsLoopback: (host: string) => boolean, host: string, problems: Problems): OidcSettings | null {
  const issuer = env.FLOWSIGHT_OIDC_ISSUER?.trim();
  if (!issuer) {
    for (const v of OIDC_VARIABLES) if (env[v]?.trim()) problems.push({ variable: v, message: 'set, but FLOWSIGHT_OIDC_ISSUER is not' });
    return null;
  }
  let url: URL | null = null;
  try {
    url = new URL(issuer);
  } catch {
    problems.push({ variable: 'FLOWSIGHT_OIDC_ISSUER', message: `"${issuer}" is not a URL (Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0)` });
  }
  if (url && url.protocol !== 'https:' && !(url.protocol === 'http:' && hostIsLoopback(url.hostname))) {
    problems.push({ variable: 'FLOWSIGHT_OIDC_ISSUER', message: 'must be https:// (plain http is accepted only for an issuer on loopback)' });
  }
  const clientId = env.FLOWSIGHT_OIDC_CLIENT_ID?.trim();
  if (!clientId) problems.push({ variable: 'FLOWSIGHT_OIDC_CLIENT_ID', message: 'required with FLOWSIGHT_OIDC_ISSUER (the application (client) id registered at the issuer)' });
  const scopes = env.FLOWSIGHT_OIDC_SCOPES?.trim() || 'openid profile email';
  if (!scopes.split(/\s+/).includes('openid')) problems.push({ variable: 'FLOWSIGHT_OIDC_SCOPES', message: 'must include openid' });
  const groupsClaim = env.FLOWSIGHT_OIDC_GROUPS_CLAIM?.trim() || 'groups';
  const usernameClaim = env.FLOWSIGHT_OIDC_USERNAME_CLAIM?.trim() || 'preferred_username';
  for (const [variable, value] of [['FLOWSIGHT_OIDC_GROUPS_CLAIM', groupsClaim], ['FLOWSIGHT_OIDC_USERNAME_CLAIM', usernameClaim]] as const) {
    if (!CLAIM_NAME.test(value)) problems.push({ variable, message: `"${value}" is not a claim name` });
  }
  if (publicUrl === null && !hostIsLoopback(host)) {
    problems.push({ variable: 'FLOWSIGHT_PUBLIC_URL', message: 'required with FLOWSIGHT_OIDC_ISSUER off loopback: the sign-in callback is <FLOWSIGHT_PUBLIC_URL>/api/login/oidc/callback, registered at the issuer' });
  }
  return {
    issuer: url ? issuer.replace(/\/+$/, '') : issuer,
    clientId: clientId ?? '',
    clientSecret: env.FLOWSIGHT_OIDC_CLIENT_SECRET?.trim() || null,
    scopes,
    groupsClaim,
    usernameClaim,
    allowedGroups: list(env.FLOWSIGHT_OIDC_ALLOWED_GROUPS),
    publicUrl,
  };
}

function trustedProxyOf(env: Env, problems: Problems): TrustedProxyConfig | null {
  const raw = env.FLOWSIGHT_TRUSTED_PROXIES?.trim();
  const userHeader = env.FLOWSIGHT_PROXY_USER_HEADER?.trim() || DEFAULT_USER_HEADER;
  const groupsHeader = env.FLOWSIGHT_PROXY_GROUPS_HEADER?.trim() || DEFAULT_GROUPS_HEADER;
  if (!raw) {
    for (const v of ['FLOWSIGHT_PROXY_USER_HEADER', 'FLOWSIGHT_PROXY_GROUPS_HEADER'] as const) if (env[v]?.trim()) problems.push({ variable: v, message: 'set, but FLOWSIGHT_TRUSTED_PROXIES is not' });
    return null;
  }
  const parsed = parseTrustedSources(raw);
  if ('bad' in parsed) {
    problems.push({ variable: 'FLOWSIGHT_TRUSTED_PROXIES', message: `"${parsed.bad}" is not an IP address or CIDR (expected the proxy's own address, e.g. 10.0.0.5 or 127.0.0.1 for a sidecar)` });
    return null;
  }
  for (const [variable, value] of [['FLOWSIGHT_PROXY_USER_HEADER', userHeader], ['FLOWSIGHT_PROXY_GROUPS_HEADER', groupsHeader]] as const) {
    if (!isHeaderName(value)) problems.push({ variable, message: `"${value}" is not a header name` });
  }
  return { sources: parsed.sources, userHeader, groupsHeader };
}

/** What the start-up log says about auth: modes and non-secret settings only. */
export function authSummary(auth: AuthConfig): Record<string, unknown> {
  return {
    token: auth.authToken !== null,
    ...(auth.oidc ? { oidc: { issuer: auth.oidc.issuer, clientId: auth.oidc.clientId, allowedGroups: auth.oidc.allowedGroups.length, ...(auth.oidc.publicUrl ? { publicUrl: auth.oidc.publicUrl } : {}) } } : {}),
    ...(auth.trustedProxy ? { trustedProxies: auth.trustedProxy.sources.map(([ip, bits]) => `${ip.toString()}/${bits}`), userHeader: auth.trustedProxy.userHeader } : {}),
    sessionSecret: auth.sessionSecret !== null ? 'set' : auth.authToken !== null ? 'from the token' : 'random per start',
    authz: auth.authz,
  };
}
