import { describe, expect, it } from 'vitest';
import { isLoopbackHost, loadConfig } from './config';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '127.255.255.254', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  // Issue 8.5: names that merely start with 127. resolve wherever their owner points them.
  it.each(['127.evil.example', '127.0.0.1.nip.io', '127.0.0.1.evil.example', '127.1', '0177.0.0.1', '127.0.0.01', '0.0.0.0', '::', '10.0.0.1', 'localhost.evil.example', 'example.com'])(
    '%s is not loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  it('requires the token for FLOWSIGHT_HOST=127.evil.example', () => {
    expect(() => loadConfig({ FLOWSIGHT_HOST: '127.evil.example' })).toThrow(/FLOWSIGHT_AUTH_TOKEN/);
  });
});
