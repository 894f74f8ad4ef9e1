import { describe, expect, it } from 'vitest';
import { constantTimeEqual, isAuthorized, safeNextPath, sessionValue } from './auth';

const TOKEN = 'correct-horse-battery-staple';

describe('auth', () => {
  it('accepts the bearer token and the session cookie, nothing else', async () => {
    expect(await isAuthorized(TOKEN, `Bearer ${TOKEN}`, undefined)).toBe(true);
    expect(await isAuthorized(TOKEN, null, await sessionValue(TOKEN))).toBe(true);
    expect(await isAuthorized(TOKEN, 'Bearer wrong', undefined)).toBe(false);
    expect(await isAuthorized(TOKEN, null, TOKEN)).toBe(false); // the raw token is not a session
    expect(await isAuthorized(TOKEN, null, await sessionValue('other-token-value'))).toBe(false);
    expect(await isAuthorized(TOKEN, null, undefined)).toBe(false);
  });

  it('the session value does not contain the token', async () => {
    const v = await sessionValue(TOKEN);
    expect(v).toMatch(/^[0-9a-f]{64}$/);
    expect(v).not.toContain(TOKEN);
  });

  it('compares strings of different lengths without throwing', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });

  it.each([
    ['/map?ns=legacy', '/map?ns=legacy'],
    ['//evil.example.com', '/'],
    ['https://evil.example.com', '/'],
    ['/\\evil', '/'],
    [null, '/'],
  ])('next path %s -> %s', (input, out) => {
    expect(safeNextPath(input)).toBe(out);
  });
});
