// The build's static files (/_next/static/…: content-hashed names, unchanged while the process runs)
// answered from memory, gzip-compressed once at start, ahead of Next's handler. Why: on a large cluster
// the server's event loop runs near its limit folding flows in (lib/server/ingest-governor.ts), and
// Next streams each file from disk in 64 KB reads, each one a turn of that loop behind the flows: the
// map's 550 KB script took 2-5 s to arrive. From memory a response is one write the kernel takes.
// Only the files found under the build's static folder at start are answered; any other path (a
// percent-encoded one included) goes on to Next, so no request path ever reaches the file system here.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);

export const STATIC_PREFIX = '/_next/static/';

const TYPES = {
  '.js': 'application/javascript; charset=UTF-8',
  '.mjs': 'application/javascript; charset=UTF-8',
  '.css': 'text/css; charset=UTF-8',
  '.json': 'application/json; charset=UTF-8',
  '.map': 'application/json; charset=UTF-8',
  '.txt': 'text/plain; charset=UTF-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};
/** Text compresses; images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.json', '.map', '.txt', '.svg']);
/** Smaller than this, gzip saves less than its header costs. */
const MIN_COMPRESS_BYTES = 1024;

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** Whether the client takes gzip (`Accept-Encoding`: a q of 0 refuses; `*` stands for what is not named). */
export function acceptsGzip(header) {
  if (typeof header !== 'string') return false;
  const weights = new Map();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    weights.set(name, q ? Number(q.slice(2)) : 1);
  }
  const q = weights.get('gzip') ?? weights.get('*') ?? 0;
  return q > 0;
}

/**
 * Reads and compresses the static files of the build in `distDir`; `headers` are added to every
 * answer (the security headers Next adds to its own). Returns the request handler (true: answered)
 * and what it holds.
 */
export async function loadStaticAssets(distDir, headers) {
  const root = path.join(distDir, 'static');
  const assets = new Map();
  let bytes = 0;
  let compressedBytes = 0;
  await Promise.all(filesUnder(root).map(async (file) => {
    const ext = path.extname(file).toLowerCase();
    const body = await fs.promises.readFile(file);
    const urlPath = STATIC_PREFIX + path.relative(root, file).split(path.sep).join('/');
    const hash = crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27);
    // zlib's async gzip runs on libuv's thread pool: the loop stays free while a large build compresses.
    const gzipped = COMPRESSIBLE.has(ext) && body.length >= MIN_COMPRESS_BYTES ? await gzip(body, { level: 9 }) : undefined;
    // A strong tag names the bytes sent: the compressed copy has its own (RFC 9110 §8.8.3.3).
    assets.set(urlPath, { body, gzipped: gzipped && gzipped.length < body.length ? gzipped : undefined, etag: `"${hash}"`, gzipEtag: `"${hash}-gz"`, type: TYPES[ext] ?? 'application/octet-stream', compressible: COMPRESSIBLE.has(ext) });
    bytes += body.length;
    compressedBytes += gzipped && gzipped.length < body.length ? gzipped.length : body.length;
  }));

  function handle(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    if (!url.startsWith(STATIC_PREFIX)) return false;
    const query = url.indexOf('?');
    const asset = assets.get(query < 0 ? url : url.slice(0, query));
    if (!asset) return false;
    for (const h of headers) res.setHeader(h.key, h.value);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    const gzipped = asset.gzipped && acceptsGzip(req.headers['accept-encoding']);
    res.setHeader('ETag', gzipped ? asset.gzipEtag : asset.etag);
    if (asset.compressible) res.setHeader('Vary', 'Accept-Encoding');
    // Either copy the client holds is the same file: weak comparison, and `*` matches (RFC 9110 §13.1.2).
    const match = req.headers['if-none-match'];
    if (typeof match === 'string' && match.split(',').some((t) => [asset.etag, asset.gzipEtag, '*'].includes(t.trim().replace(/^W\//, '')))) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    const body = gzipped ? asset.gzipped : asset.body;
    res.statusCode = 200;
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Content-Length', body.length);
    if (gzipped) res.setHeader('Content-Encoding', 'gzip');
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  return { handle, files: assets.size, bytes, compressedBytes };
}
