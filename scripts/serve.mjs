#!/usr/bin/env node
// The dashboard's listener, started by `npm start`: the Next server inside Node's own http or https
// server, for what `next start` cannot do.
// - HTTPS (FLOWSIGHT_TLS_CERT / FLOWSIGHT_TLS_KEY; Next refuses a certificate outside `next dev`).
//   Requests are marked `x-forwarded-proto: https` (this listener knows they came over TLS: whatever
//   a client sent is replaced), which turns on HSTS (next.config.ts) and Secure session cookies. The
//   certificate and key are read again when either file changes, so a renewed certificate
//   (cert-manager rewrites the Secret's files) needs no restart.
// - The TCP peer's address, stamped on every request as `x-flowsight-peer: <key> <address>`, with a
//   key made here at start and known only to this process (FLOWSIGHT_PEER_KEY): identity headers
//   from a trusted proxy (FLOWSIGHT_TRUSTED_PROXIES) are believed by that address, never by a header
//   a client could send. See lib/server/request-guard.ts.
// - The build's static files answered from memory, compressed once (static-assets.mjs): Next reads
//   them from disk in small pieces, each a turn of an event loop that a large cluster keeps busy.
// - The first pages asked for once at start (warm-pages.mjs), so the first person does not wait
//   for Next to load their code.
// Usage: node serve.mjs <host> <port> [<certFile> <keyFile>]
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HSTS_HEADER, securityHeaders } from './security-headers.mjs';
import { loadStaticAssets } from './static-assets.mjs';
import { warmPages } from './warm-pages.mjs';

const [host, portText, certFile, keyFile] = process.argv.slice(2);
if (!host || !portText || !!certFile !== !!keyFile) {
  console.error('usage: serve.mjs <host> <port> [<certFile> <keyFile>]');
  process.exit(2);
}
const tls = !!certFile;
const port = Number(portText);
process.env.NODE_ENV ??= 'production';
const peerKey = randomBytes(24).toString('base64url');
process.env.FLOWSIGHT_PEER_KEY = peerKey;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { default: next } = await import('next');

const readPair = () => ({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
let server;
try {
  server = tls ? https.createServer(readPair()) : http.createServer();
} catch (e) {
  console.error(`flowsight: FLOWSIGHT_TLS_CERT / FLOWSIGHT_TLS_KEY: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

const app = next({ dev: false, dir: root, hostname: host, port });
await app.prepare();
const handle = app.getRequestHandler();
// The build's scripts and styles from memory (static-assets.mjs), with the headers Next gives its own answers.
const distDir = path.join(root, process.env.FLOWSIGHT_DIST_DIR || '.next'); // as next.config.ts's distDir
const assets = await loadStaticAssets(distDir, [...securityHeaders(false), ...(tls ? [HSTS_HEADER] : [])]);
server.on('request', (req, res) => {
  if (assets.handle(req, res)) return;
  if (tls) req.headers['x-forwarded-proto'] = 'https';
  req.headers['x-flowsight-peer'] = `${peerKey} ${req.socket.remoteAddress ?? ''}`;
  handle(req, res);
});
server.on('error', (e) => {
  console.error(`flowsight: cannot serve ${tls ? 'HTTPS' : 'HTTP'} on ${host}:${port}: ${e.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  console.log(`flowsight: serving ${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`);
  void warmPages({ host, port: server.address().port, tls });
});

if (tls) {
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
}
