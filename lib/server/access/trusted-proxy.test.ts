import { describe, expect, it } from 'vitest';
import { gate } from './access-gate';
import { type AuthContext, principalOf } from './auth';
import { FailureLimiter } from './rate-limit';
import { PEER_HEADER, peerAddress } from './request-guard';
import { RevokedSessions } from './session';
import { isTrustedPeer, parseTrustedSources, proxyIdentity, type TrustedProxyConfig } from './trusted-proxy';

const KEY = 'per-process-peer-key';

function proxyConfig(raw = '10.244.0.0/16, 192.0.2.10'): TrustedProxyConfig {
  const parsed = parseTrustedSources(raw);
  if ('bad' in parsed) throw new Error(parsed.bad);
  return { sources: parsed.sources, userHeader: 'X-Forwarded-User', groupsHeader: 'X-Forwarded-Groups' };
}

function context(): AuthContext {
  const noop = () => {};
  return { token: null, sessionSecret: 'session-secret-of-at-least-32-characters!', proxy: proxyConfig(), limiter: new FailureLimiter(), revoked: new RevokedSessions(), log: { info: noop, warn: noop }, now: Date.now };
}

const fromPeer = (peer: string, extra: Record<string, string> = {}, key = KEY) => new Headers({ [PEER_HEADER]: `${key} ${peer}`, ...extra });

describe('trusted proxy (oauth2-proxy style headers)', () => {
  it('parses addresses and CIDRs, and names the entry that is neither', () => {
    expect(parseTrustedSources('10.0.0.0/8,192.0.2.1, fd00::/8')).toMatchObject({ sources: { length: 3 } });
    expect(parseTrustedSources('10.0.0.0/8, proxy.example')).toEqual({ bad: 'proxy.example' });
    expect(parseTrustedSources('10.0.0.0/33')).toEqual({ bad: '10.0.0.0/33' });
    expect(parseTrustedSources(' , ')).toEqual({ bad: ' , ' });
  });

  it('trusts a peer inside a source, IPv4-mapped IPv6 included, and nothing when the peer is unknown', () => {
    const c = proxyConfig();
    expect(isTrustedPeer(c, '10.244.3.7')).toBe(true);
    expect(isTrustedPeer(c, '::ffff:10.244.3.7')).toBe(true);
    expect(isTrustedPeer(c, '192.0.2.10')).toBe(true);
    expect(isTrustedPeer(c, '192.0.2.11')).toBe(false);
    expect(isTrustedPeer(c, null)).toBe(false);
  });

  it('reads the peer only from the header serve.mjs stamps with this process key', () => {
    expect(peerAddress(fromPeer('10.244.3.7'), KEY)).toBe('10.244.3.7');
    expect(peerAddress(fromPeer('10.244.3.7', {}, 'guessed-key'), KEY)).toBeNull();
    expect(peerAddress(fromPeer('10.244.3.7'), undefined)).toBeNull(); // a bare `next start`: no peer
    expect(peerAddress(new Headers({ [PEER_HEADER]: `${KEY} not-an-ip` }), KEY)).toBeNull();
  });

  it('takes the user and comma-separated groups, and refuses control characters and oversized names', () => {
    const c = proxyConfig();
    expect(proxyIdentity(c, new Headers({ 'x-forwarded-user': 'alice@example.com', 'x-forwarded-groups': 'team-shop, sre,team-shop' }))).toEqual({ user: 'alice@example.com', groups: ['team-shop', 'sre'] });
    expect(proxyIdentity(c, new Headers({ 'x-forwarded-groups': 'sre' }))).toBeNull();
    // Kubernetes' own names are never granted by a header: system:masters is cluster-admin.
    expect(proxyIdentity(c, new Headers({ 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'system:masters, sre, SYSTEM:nodes' }))).toEqual({ user: 'alice', groups: ['sre'] });
    expect(proxyIdentity(c, new Headers({ 'x-forwarded-user': 'system:admin' }))).toBeNull();
    expect(proxyIdentity(c, new Headers({ 'x-forwarded-user': 'a'.repeat(257) }))).toBeNull();
    const tabbed = new Headers();
    tabbed.set('x-forwarded-user', 'eve\tadmin');
    expect(proxyIdentity(c, tabbed)).toBeNull();
  });

  it('signs a request in by the headers only when it comes from a trusted proxy', async () => {
    process.env.FLOWSIGHT_PEER_KEY = KEY;
    try {
      const ctx = context();
      const identity = { 'x-forwarded-user': 'alice@example.com', 'x-forwarded-groups': 'team-shop' };
      expect(await principalOf(ctx, fromPeer('10.244.3.7', identity))).toEqual({ via: 'proxy', user: 'alice@example.com', groups: ['team-shop'] });
      // The same headers straight from a client (another peer, or a forged peer header) sign nobody in.
      expect(await principalOf(ctx, fromPeer('203.0.113.5', identity))).toBeNull();
      expect(await principalOf(ctx, fromPeer('10.244.3.7', identity, 'forged'))).toBeNull();
      expect(await principalOf(ctx, new Headers(identity))).toBeNull();
      const page = (h: Headers) => gate(new Request('http://flowsight.example/api/status', { headers: h }), ctx);
      expect(await page(fromPeer('10.244.3.7', identity))).toBeNull();
      expect((await page(fromPeer('203.0.113.5', identity)))!.status).toBe(401);
    } finally {
      delete process.env.FLOWSIGHT_PEER_KEY;
    }
  });
});
