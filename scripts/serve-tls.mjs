#!/usr/bin/env node
// The dashboard over HTTPS (FLOWSIGHT_TLS_CERT / FLOWSIGHT_TLS_KEY), started by `npm start` instead of
// `next start`, which serves plain HTTP only (Next refuses a certificate outside `next dev`). The same
// Next server runs inside Node's https server; requests are marked `x-forwarded-proto: https` (this
// listener knows they came over TLS: whatever a client sent is replaced), which turns on HSTS
// (next.config.ts) and Secure session cookies. The certificate and key are read again when either
// file changes, so a renewed certificate (cert-manager rewrites the Secret's files) needs no restart.
// Usage: node serve-tls.mjs <host> <port> <certFile> <keyFile>
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [host, portText, certFile, keyFile] = process.argv.slice(2);
if (!host || !portText || !certFile || !keyFile) {
  console.error('usage: serve-tls.mjs <host> <port> <certFile> <keyFile>');
  process.exit(2);
}
const port = Number(portText);
process.env.NODE_ENV ??= 'production';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { default: next } = await import('next');

const readPair = () => ({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
let server;
try {
  server = https.createServer(readPair());
} catch (e) {
  console.error(`flowsight: FLOWSIGHT_TLS_CERT / FLOWSIGHT_TLS_KEY: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

const app = next({ dev: false, dir: root, hostname: host, port });
await app.prepare();
const handle = app.getRequestHandler();
server.on('request', (req, res) => {
  req.headers['x-forwarded-proto'] = 'https';
  handle(req, res);
});
server.on('error', (e) => {
  console.error(`flowsight: cannot serve HTTPS on ${host}:${port}: ${e.message}`);
  process.exit(1);
});
server.listen(port, host, () => console.log(`flowsight: serving https://${host.includes(':') ? `[${host}]` : host}:${port}`));

let reloading = null;
const reload = () => {
  clearTimeout(reloading);
  // Both files usually change together: wait for the second write before reading the pair.
  reloading = setTimeout(() => {
    try {
      server.setSecureContext(readPair());
      console.log('flowsight: TLS certificate reloaded');
    } catch (e) {
      console.error(`flowsight: TLS certificate not reloaded, the previous one stays: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, 500);
};
for (const file of [certFile, keyFile]) fs.watchFile(file, { interval: 5000 }, reload).unref();
