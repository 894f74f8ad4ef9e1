import { describe, expect, it } from 'vitest';
import { ConfigError, configSummary, loadConfig } from '../config';

const OIDC = { FLOWSIGHT_OIDC_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0', FLOWSIGHT_OIDC_CLIENT_ID: 'app-id', FLOWSIGHT_OIDC_CLIENT_SECRET: 'client-secret-value-xyz' };

function problems(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env, { checkPaths: false });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('auth configuration', () => {
  it('off loopback accepts OIDC or a trusted proxy instead of the shared token', () => {
    expect(problems({ FLOWSIGHT_HOST: '0.0.0.0' }).map((p) => p.variable)).toEqual(['FLOWSIGHT_AUTH_TOKEN']);
    expect(problems({ FLOWSIGHT_HOST: '0.0.0.0', ...OIDC, FLOWSIGHT_PUBLIC_URL: 'https://flowsight.example.com' })).toEqual([]);
    expect(problems({ FLOWSIGHT_HOST: '0.0.0.0', FLOWSIGHT_TRUSTED_PROXIES: '10.244.0.0/16' })).toEqual([]);
  });

  it('reads OIDC with its defaults; the redirect needs FLOWSIGHT_PUBLIC_URL off loopback', () => {
    const config = loadConfig({ ...OIDC, FLOWSIGHT_OIDC_ALLOWED_GROUPS: 'g1, g2' }, { checkPaths: false });
    expect(config.auth.oidc).toMatchObject({ issuer: OIDC.FLOWSIGHT_OIDC_ISSUER, clientId: 'app-id', scopes: 'openid profile email', groupsClaim: 'groups', usernameClaim: 'preferred_username', allowedGroups: ['g1', 'g2'], publicUrl: null });
    expect(problems({ FLOWSIGHT_HOST: '0.0.0.0', ...OIDC }).map((p) => p.variable)).toEqual(['FLOWSIGHT_PUBLIC_URL']);
  });

  it('names each bad OIDC, proxy, secret and authz value by its variable', () => {
    const found = problems({
      FLOWSIGHT_OIDC_ISSUER: 'http://issuer.example',
      FLOWSIGHT_OIDC_SCOPES: 'profile',
      FLOWSIGHT_PUBLIC_URL: 'https://flowsight.example.com/dashboard',
      FLOWSIGHT_TRUSTED_PROXIES: '10.0.0.0/8,ingress',
      FLOWSIGHT_SESSION_SECRET: 'short',
      FLOWSIGHT_AUTHZ: 'rbac',
    }).map((p) => p.variable);
    expect(found.sort()).toEqual(['FLOWSIGHT_AUTHZ', 'FLOWSIGHT_OIDC_CLIENT_ID', 'FLOWSIGHT_OIDC_ISSUER', 'FLOWSIGHT_OIDC_SCOPES', 'FLOWSIGHT_PUBLIC_URL', 'FLOWSIGHT_SESSION_SECRET', 'FLOWSIGHT_TRUSTED_PROXIES'].sort());
    expect(problems({ FLOWSIGHT_OIDC_CLIENT_ID: 'x' })).toEqual([{ variable: 'FLOWSIGHT_OIDC_CLIENT_ID', message: 'set, but FLOWSIGHT_OIDC_ISSUER is not' }]);
    expect(problems({ FLOWSIGHT_PROXY_USER_HEADER: 'X-User' })[0].variable).toBe('FLOWSIGHT_PROXY_USER_HEADER');
    // An issuer on loopback may be plain HTTP (a local Dex while developing).
    expect(problems({ ...OIDC, FLOWSIGHT_OIDC_ISSUER: 'http://127.0.0.1:5556/dex' })).toEqual([]);
  });

  it('namespace-scoped access needs named users; the observer API needs the token once sign-in is on', () => {
    expect(problems({ FLOWSIGHT_AUTHZ: 'namespaces' }).map((p) => p.variable)).toEqual(['FLOWSIGHT_AUTHZ']);
    expect(problems({ FLOWSIGHT_AUTHZ: 'namespaces', ...OIDC })).toEqual([]);
    expect(problems({ ...OIDC, FLOWSIGHT_OBSERVER_PORT: '4245' }).map((p) => p.variable)).toEqual(['FLOWSIGHT_OBSERVER_PORT']);
    expect(problems({ ...OIDC, FLOWSIGHT_OBSERVER_PORT: '4245', FLOWSIGHT_AUTH_TOKEN: 'a-token-of-16-chars-or-more' })).toEqual([]);
  });

  it('logs modes and names, never the client secret or session secret', () => {
    const secret = 'a-session-secret-that-is-long-enough-123';
    const summary = JSON.stringify(configSummary(loadConfig({ ...OIDC, FLOWSIGHT_SESSION_SECRET: secret, FLOWSIGHT_TRUSTED_PROXIES: '10.0.0.0/8' }, { checkPaths: false })));
    expect(summary).toContain('login.microsoftonline.com');
    expect(summary).toContain('10.0.0.0/8');
    expect(summary).not.toContain(OIDC.FLOWSIGHT_OIDC_CLIENT_SECRET);
    expect(summary).not.toContain(secret);
  });
});
