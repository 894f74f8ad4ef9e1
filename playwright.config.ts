import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3310);
/** A second dashboard wired to an external relay that the relay-restart spec starts and stops. */
export const EXTERNAL_RELAY_PORT = 4391;
export const EXTERNAL_APP_PORT = PORT + 1;

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
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    },
  },
  webServer: [
    {
      command: `node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${PORT}`,
      url: `http://127.0.0.1:${PORT}/api/status`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { FLOWSIGHT_DEMO_RATE: '200', NODE_ENV: 'production' },
    },
    {
      command: `node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${EXTERNAL_APP_PORT}`,
      url: `http://127.0.0.1:${EXTERNAL_APP_PORT}/api/status`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { FLOWSIGHT_RELAY: `127.0.0.1:${EXTERNAL_RELAY_PORT}`, FLOWSIGHT_MANIFESTS: 'e2e/fixtures/manifests', NODE_ENV: 'production' },
    },
  ],
});
