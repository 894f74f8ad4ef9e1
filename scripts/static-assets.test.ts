/**
 * static-assets.mjs: the build's static files answered by serve.mjs from memory, over a real HTTP
 * server on loopback. Caching follows RFC 9111 (immutable, hashed names) and RFC 9110 §13.1.2
 * (If-None-Match: a weak comparison, 304 without a body); gzip only when Accept-Encoding allows it
 * (RFC 9110 §12.5.3: q=0 refuses).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HSTS_HEADER, securityHeaders } from './security-headers.mjs';
import { acceptsGzip, loadStaticAssets, type StaticAssets } from './static-assets.mjs';

let dir: string;
let server: http.Server;
let base: string;
let assets: StaticAssets;
let fellThrough: string[] = [];
const script = `console.log(${JSON.stringify('x'.repeat(20_000))});\n`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-static-'));
  fs.mkdirSync(path.join(dir, 'static', 'chunks'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'static', 'media'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'static', 'chunks', 'app-1a2b.js'), script);
  fs.writeFileSync(path.join(dir, 'static', 'chunks', 'tiny.css'), 'a{}');
  fs.writeFileSync(path.join(dir, 'static', 'media', 'font.woff2'), Buffer.alloc(4096, 7));
  // Beside the static folder: never answered, whatever the path says.
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not public');
  assets = await loadStaticAssets(dir, [...securityHeaders(false), HSTS_HEADER]);
  server = http.createServer((req, res) => {
    if (assets.handle(req, res)) return;
    fellThrough.push(req.url ?? '');
    res.statusCode = 404;
    res.end('next');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A raw request (fetch would add and undo its own compression). */
function get(urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${urlPath}`, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the build static files from memory', () => {
  it('holds every file under static/, and compresses text only', () => {
    expect(assets.files).toBe(3);
    expect(assets.bytes).toBe(Buffer.byteLength(script) + 3 + 4096);
    expect(assets.compressedBytes).toBeLessThan(assets.bytes / 2);
  });

  it('answers gzip to a browser, the file itself otherwise, with the headers Next gives its own answers', async () => {
    const zipped = await get('/_next/static/chunks/app-1a2b.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(zipped.body).toString()).toBe(script);
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(zipped.headers['content-type']).toBe('application/javascript; charset=UTF-8');
    expect(zipped.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.headers['x-content-type-options']).toBe('nosniff');
    expect(zipped.headers['content-security-policy']).toContain("default-src 'self'");
    expect(zipped.headers['strict-transport-security']).toBe('max-age=31536000');

    const plain = await get('/_next/static/chunks/app-1a2b.js?v=1');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    const refused = await get('/_next/static/chunks/app-1a2b.js', { 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    // Fonts are compressed already; a 3-byte style gains nothing.
    expect((await get('/_next/static/media/font.woff2', { 'accept-encoding': 'gzip' })).headers['content-type']).toBe('font/woff2');
    expect((await get('/_next/static/media/font.woff2', { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBeUndefined();
    expect((await get('/_next/static/chunks/tiny.css', { 'accept-encoding': 'gzip' })).body.toString()).toBe('a{}');
  });

  it('answers 304 to a copy it already gave (strong or weak tag, either encoding, or *), and HEAD without a body', async () => {
    const first = await get('/_next/static/chunks/app-1a2b.js');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/_next/static/chunks/app-1a2b.js', { 'if-none-match': `"other", W/${etag}` });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await get('/_next/static/chunks/app-1a2b.js', { 'if-none-match': '"other"' })).status).toBe(200);
    expect((await get('/_next/static/chunks/app-1a2b.js', { 'if-none-match': '*' })).status).toBe(304);
    // The compressed copy is other bytes: its own strong tag, and either tag revalidates.
    const zipped = await get('/_next/static/chunks/app-1a2b.js', { 'accept-encoding': 'gzip' });
    expect(zipped.headers.etag).toBe(etag.replace(/"$/, '-gz"'));
    expect((await get('/_next/static/chunks/app-1a2b.js', { 'accept-encoding': 'gzip', 'if-none-match': zipped.headers.etag! })).status).toBe(304);
    expect((await get('/_next/static/chunks/app-1a2b.js', { 'if-none-match': zipped.headers.etag! })).status).toBe(304);
    const head = await get('/_next/static/chunks/app-1a2b.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(script));
  });

  it('leaves every other path to Next: unknown names, other methods, escapes out of static/', async () => {
    fellThrough = [];
    const paths = ['/_next/static/chunks/missing.js', '/_next/static/../secret.txt', '/_next/static/%2e%2e/secret.txt', '/_next/static/chunks/app-1a2b.js/', '/_next/static/chunks/APP-1A2B.JS', '/map'];
    for (const p of paths) {
      const r = await get(p);
      expect(r.status).toBe(404);
      expect(r.body.toString()).toBe('next');
    }
    const post = await get('/_next/static/chunks/app-1a2b.js', {}, 'POST');
    expect(post.body.toString()).toBe('next');
    // The client normalises `..` before sending; what reached the server was passed on, not read.
    expect(fellThrough).toHaveLength(paths.length + 1);
  });

  it('reads Accept-Encoding as RFC 9110 does', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('br, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip; q=0.000')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('*, gzip;q=0')).toBe(false);
    expect(acceptsGzip('br;q=1, *;q=0')).toBe(false);
    expect(acceptsGzip('')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
