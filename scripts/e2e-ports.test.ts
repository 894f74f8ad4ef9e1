/** Every port of the e2e run follows the environment, so two runs on one machine do not collide. */

import { afterEach, describe, expect, it, vi } from 'vitest';

const load = async (env: Record<string, string | undefined>) => {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v as string);
  return import('../playwright.config');
};

describe('playwright.config ports', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('defaults: the demo dashboard on 3310, the external-relay dashboard on 3311, its relay on 4391', async () => {
    const c = await load({ E2E_PORT: '', E2E_RELAY_PORT: '' });
    expect(c.default.use?.baseURL).toBe('http://127.0.0.1:3310');
    expect([c.EXTERNAL_APP_PORT, c.EXTERNAL_RELAY_PORT]).toEqual([3311, 4391]);
  });

  it('E2E_PORT moves every port, the relay included', async () => {
    const c = await load({ E2E_PORT: '5000', E2E_RELAY_PORT: '' });
    const servers = [c.default.webServer].flat();
    expect(servers.map((s) => s?.url)).toEqual(['http://127.0.0.1:5000/api/status', 'http://127.0.0.1:5001/api/status']);
    expect(c.EXTERNAL_RELAY_PORT).toBe(6081);
    expect(servers[1]?.env?.FLOWSIGHT_RELAY).toBe('127.0.0.1:6081');
  });

  it('E2E_RELAY_PORT sets the relay port alone', async () => {
    const c = await load({ E2E_PORT: '5000', E2E_RELAY_PORT: '7123' });
    expect(c.EXTERNAL_RELAY_PORT).toBe(7123);
    expect([c.default.webServer].flat()[1]?.env?.FLOWSIGHT_RELAY).toBe('127.0.0.1:7123');
  });

  it('a value that is not a TCP port names the variable', async () => {
    const { portFromEnv } = await load({});
    expect(() => portFromEnv('E2E_RELAY_PORT', 1, { E2E_RELAY_PORT: 'abc' })).toThrow('E2E_RELAY_PORT=abc is not a TCP port');
    expect(() => portFromEnv('E2E_PORT', 1, { E2E_PORT: '70000' })).toThrow('E2E_PORT=70000');
    expect(portFromEnv('E2E_PORT', 1234, {})).toBe(1234);
  });
});
