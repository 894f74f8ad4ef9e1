import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { expect, test } from '@playwright/test';
import selfsigned from 'selfsigned';
import { freshDataDir } from './fixtures/data-dir';

// E2E_PORT serves the demo, +1 the external-relay dashboard, +2..+4 the policies, auth and shutdown specs' own.
const PORT = Number(process.env.E2E_PORT ?? 3310) + 5;
const TOKEN = 'e2e-tls-token-0123456789abcdef';
const base = `https://127.0.0.1:${PORT}`;

function certificate(commonName: string): { cert: string; key: string } {
  const pems = selfsigned.generate([{ name: 'commonName', value: commonName }], {
    days: 1,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The SHA-256 of the certificate the server presents to a new TLS connection. */
function presented(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: PORT, rejectUnauthorized: false }, () => {
      resolve(createHash('sha256').update(socket.getPeerCertificate().raw).digest('hex'));
      socket.end();
    });
    socket.on('error', reject);
  });
}

const fingerprint = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

test.describe('HTTPS listener (FLOWSIGHT_TLS_CERT / FLOWSIGHT_TLS_KEY)', () => {
  test.use({ ignoreHTTPSErrors: true });
  let server: ChildProcess | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-tls-'));
  const certFile = path.join(dir, 'tls.crt');
  const keyFile = path.join(dir, 'tls.key');
  const first = certificate('flowsight-first');

  test.beforeAll(async () => {
    fs.writeFileSync(certFile, first.cert);
    fs.writeFileSync(keyFile, first.key);
    server = spawn(process.execPath, ['scripts/start.mjs'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(PORT),
        FLOWSIGHT_REBUILD: '0',
        FLOWSIGHT_AUTH_TOKEN: TOKEN,
        FLOWSIGHT_DEMO_RATE: '100',
        FLOWSIGHT_DATA_DIR: freshDataDir(PORT),
        FLOWSIGHT_TLS_CERT: certFile,
        FLOWSIGHT_TLS_KEY: keyFile,
      },
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
    });
    for (let i = 0; i < 120; i++) {
      const up = await presented().then(
        () => true,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('the HTTPS dashboard did not start');
  });

  test.afterAll(() => {
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('serves the dashboard over TLS: sign-in sets a Secure cookie, HSTS is sent, the live map streams', async ({ page, request }) => {
    const login = await request.post(`${base}/api/login`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: `token=${TOKEN}&next=%2F`, maxRedirects: 0 });
    expect(login.status()).toBe(303);
    const cookie = login.headersArray().find((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith('flowsight_session='));
    expect(cookie?.value).toMatch(/; Secure/);
    const status = await request.get(`${base}/api/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(status.status()).toBe(200);
    expect(status.headers()['strict-transport-security']).toBe('max-age=31536000');

    await page.goto(`${base}/map`);
    await page.getByLabel('access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${base}/map`);
    await expect(page.getByTestId('relay-state')).toHaveText('demo relay connected', { timeout: 20_000 });
    await page.waitForFunction(() => (window.__flowsightCy?.edges().length ?? 0) > 3);
  });

  test('answers TLS only (plain HTTP on the port gets no page), and picks up a renewed certificate without a restart', async () => {
    const plain = await fetch(`http://127.0.0.1:${PORT}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
    expect(await presented()).toBe(fingerprint(first.cert));
    const renewed = certificate('flowsight-renewed');
    fs.writeFileSync(certFile, renewed.cert);
    fs.writeFileSync(keyFile, renewed.key);
    await expect.poll(presented, { timeout: 20_000 }).toBe(fingerprint(renewed.cert));
  });
});
