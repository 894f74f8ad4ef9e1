import { defineConfig } from '@playwright/test';
import { dataDirFor } from './e2e/fixtures/data-dir';
import { CHROMIUM_ARGS } from './lib/util/chromium-args';

/** A port from the environment, or the default; anything but a TCP port stops the run with the variable named. */
export function portFromEnv(name: string, fallback: number, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  return port;
}

/**
 * Every port the e2e run uses follows E2E_PORT, so two runs on one machine only need different E2E_PORTs:
 * E2E_PORT (default 3310) the demo dashboard, +1 the dashboard on an external relay, +2 to +6 the
 * dashboards the policies, auth, shutdown, TLS and OIDC specs start themselves, +7 the map-scale spec's, +8 the
 * ingest-capacity spec's, and the external relay on E2E_RELAY_PORT
 * (default E2E_PORT + 1081, i.e. 4391).
 */
const PORT = portFromEnv('E2E_PORT', 3310);
/** A second dashboard wired to an external relay that the relay-restart spec starts and stops. */
export const EXTERNAL_APP_PORT = PORT + 1;
export const EXTERNAL_RELAY_PORT = portFromEnv('E2E_RELAY_PORT', PORT + 1081);

/** e2e against the production build on the demo relay; Debian's chromium (no browser download). */
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 45_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-report.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS],
    },
  },
  webServer: [
    {
      command: `node e2e/fixtures/clear-dir.mjs ${dataDirFor(PORT)} && node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${PORT}`,
      url: `http://127.0.0.1:${PORT}/api/status`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { FLOWSIGHT_DEMO_RATE: '200', NODE_ENV: 'production', FLOWSIGHT_DATA_DIR: dataDirFor(PORT) },
    },
    {
      command: `node e2e/fixtures/clear-dir.mjs ${dataDirFor(EXTERNAL_APP_PORT)} && node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${EXTERNAL_APP_PORT}`,
      url: `http://127.0.0.1:${EXTERNAL_APP_PORT}/api/status`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { FLOWSIGHT_RELAY: `127.0.0.1:${EXTERNAL_RELAY_PORT}`, FLOWSIGHT_MANIFESTS: 'e2e/fixtures/manifests', NODE_ENV: 'production', FLOWSIGHT_DATA_DIR: dataDirFor(EXTERNAL_APP_PORT) },
    },
  ],
});
