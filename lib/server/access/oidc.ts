/**
 * OIDC sign-in (authorization code + PKCE) against any issuer — Microsoft Entra ID, Dex, Keycloak —
 * through openid-client, which does discovery, the token exchange and the ID token checks
 * (signature against the issuer's JWKS, issuer, audience, expiry, nonce). This file only decides
 * what Flowsight asks for and what it accepts: the user name and groups it takes from the claims,
 * and the allowed groups. It keeps no state between requests: the caller seals `pending` into a
 * short-lived cookie and hands it back on the callback.
 */

import * as oidc from 'openid-client';
import { isReservedName } from './namespace-access';

export interface OidcSettings {
  /** FLOWSIGHT_OIDC_ISSUER, e.g. https://login.microsoftonline.com/<tenant>/v2.0 */
  issuer: string;
  clientId: string;
  /** Null for a public client (PKCE only). */
  clientSecret: string | null;
  scopes: string;
  /** The claim holding group ids or names (Entra ID: `groups`, object ids). */
  groupsClaim: string;
  /** The claim naming the user as Kubernetes knows them (Entra ID with AKS: `preferred_username`, the UPN). */
  usernameClaim: string;
  /** When non-empty, only members of one of these groups may sign in. */
  allowedGroups: string[];
  /** FLOWSIGHT_PUBLIC_URL: the URL users open, which the callback is registered under. */
  publicUrl: string | null;
}

/** Where the issuer sends the browser back to; register exactly this as the redirect URI. */
export const CALLBACK_PATH = '/api/login/oidc/callback';

/** What the browser carries between leaving for the issuer and coming back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export type SignInResult =
  | { ok: true; user: string; name?: string; groups: string[] }
  | { ok: false; reason: string; status: 400 | 403 | 502 };

const DISCOVERY_TIMEOUT_SECONDS = 10;
const MAX_GROUPS_READ = 1000;

export class OidcSignIn {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    readonly settings: OidcSettings,
    private readonly options: { fetch?: oidc.CustomFetch } = {},
  ) {}

  /** The issuer's metadata, fetched once; a failed fetch is retried by the next sign-in. */
  private discover(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const s = this.settings;
      const issuer = new URL(s.issuer);
      const auth = s.clientSecret ? oidc.ClientSecretPost(s.clientSecret) : oidc.None();
      // The ID token's signature is checked against the issuer's JWKS too: openid-client skips that
      // by default (the token came over TLS from the token endpoint), but a session is only as good
      // as the check behind it. Plain HTTP is accepted for an issuer on loopback only (config-auth.ts).
      const execute = [oidc.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [])];
      this.configuration = oidc
        .discovery(issuer, s.clientId, undefined, auth, { execute, timeout: DISCOVERY_TIMEOUT_SECONDS, ...(this.options.fetch ? { [oidc.customFetch]: this.options.fetch } : {}) })
        .catch((e: unknown) => {
          this.configuration = null;
          throw e;
        });
    }
    return this.configuration;
  }

  /** The redirect URI for a request that arrived at `origin` (the public URL wins when set). */
  callbackUrl(origin: string): string {
    return new URL(CALLBACK_PATH, this.settings.publicUrl ?? origin).toString();
  }

  /** Starts a sign-in: the issuer URL to send the browser to, and what to keep until it returns. */
  async begin(origin: string, next: string): Promise<{ url: string; pending: PendingSignIn }> {
    const configuration = await this.discover();
    const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), next };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.callbackUrl(origin),
      scope: this.settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.toString(), pending };
  }

  /**
   * Finishes a sign-in from the callback's query: exchanges the code (with the PKCE verifier),
   * lets openid-client check the ID token, then reads the user and groups and applies the
   * allowed groups. Every failure is a reason fit to show the user and log (no token in it).
   */
  async complete(origin: string, query: URLSearchParams, pending: PendingSignIn): Promise<SignInResult> {
    const issuerError = query.get('error');
    if (issuerError) return { ok: false, status: 403, reason: `the issuer refused the sign-in: ${clip(issuerError)}${query.get('error_description') ? ` (${clip(query.get('error_description')!)})` : ''}` };
    let configuration: oidc.Configuration;
    try {
      configuration = await this.discover();
    } catch (e) {
      return { ok: false, status: 502, reason: `the OIDC issuer cannot be reached: ${messageOf(e)}` };
    }
    const currentUrl = new URL(this.callbackUrl(origin));
    for (const [k, v] of query) currentUrl.searchParams.append(k, v);
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
      claims = tokens.claims();
    } catch (e) {
      return { ok: false, status: 400, reason: `the sign-in response was not accepted: ${messageOf(e)}` };
    }
    if (!claims) return { ok: false, status: 400, reason: 'the issuer sent no ID token' };
    // Only the configured claim: a fallback (email, sub) could give two people the same name in a
    // SubjectAccessReview. `system:` names belong to Kubernetes itself, never to an issuer's user.
    const user = stringClaim(claims[this.settings.usernameClaim]);
    if (!user) return { ok: false, status: 400, reason: `the ID token has no "${this.settings.usernameClaim}" claim (FLOWSIGHT_OIDC_USERNAME_CLAIM)` };
    if (isReservedName(user)) return { ok: false, status: 403, reason: `"${clip(user)}" is a name reserved for Kubernetes` };
    const groups = groupsOf(claims[this.settings.groupsClaim]).filter((g) => !isReservedName(g));
    const allowed = this.settings.allowedGroups;
    if (allowed.length > 0 && !groups.some((g) => allowed.includes(g))) {
      return { ok: false, status: 403, reason: `${user} is not in a group allowed to use Flowsight` };
    }
    const name = stringClaim(claims.name);
    return { ok: true, user, ...(name ? { name } : {}), groups };
  }

  /** The issuer's end-session URL (RP-initiated logout) back to our sign-in page, or null if it has none. */
  async endSessionUrl(origin: string): Promise<string | null> {
    try {
      const configuration = await this.discover();
      if (!configuration.serverMetadata().end_session_endpoint) return null;
      return oidc
        .buildEndSessionUrl(configuration, { client_id: this.settings.clientId, post_logout_redirect_uri: new URL('/login', this.settings.publicUrl ?? origin).toString() })
        .toString();
    } catch {
      return null;
    }
  }
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}

function groupsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, MAX_GROUPS_READ).filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 256);
}

function clip(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
}

function messageOf(e: unknown): string {
  const err = e as { message?: string; code?: string; cause?: { message?: string } };
  const detail = err?.cause?.message && err.cause.message !== err.message ? ` (${err.cause.message})` : '';
  return clip(`${err?.message ?? String(e)}${detail}`);
}
