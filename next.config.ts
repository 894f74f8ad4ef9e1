import type { NextConfig } from 'next';
import { HSTS_HEADER, securityHeaders } from './scripts/security-headers.mjs';

const config: NextConfig = {
  // SSE must not be buffered by gzip. The build's static files are compressed once, when serve.mjs
  // starts (static-assets.mjs); pages and API answers are small or streamed.
  compress: false,
  // Lets a second build (a check beside a running dashboard) use its own output folder.
  distDir: process.env.FLOWSIGHT_DIST_DIR || '.next',
  poweredByHeader: false,
  // Each page's scripts in as few files as Turbopack will make (4 where /map had 12). Why: Node 20's
  // libuv takes one new connection per turn of the event loop, and the server's turns are long while
  // it folds in a large cluster's flows (100-500 ms at 20,000 flows/s on two cores), so the six
  // connections a browser opens for a page's scripts were taken in one turn apart: /map's scripts
  // reached the page ~1.9 s after navigation, ~1.6 s merged (bench:ui, issue 13). The same bytes
  // per page; a page change may fetch again code two pages share.
  experimental: { turbopackChunking: { maxChunkCountPerGroup: 1, minChunkSize: 2_000_000, requestCost: 5_000_000, maxMergeChunkSize: 5_000_000, firstPageLoadPriority: 1 } },
  // Native or Node-only packages stay outside the server bundle (playwright-core drives the browser
  // that renders evidence reports and resolves its own files by path). pino is loaded from node_modules
  // as it is (its transports would resolve worker files by path; the server uses none: stdout only).
  serverExternalPackages: ['@grpc/grpc-js', 'protobufjs', '@kubernetes/client-node', '@azure/arm-network', '@azure/identity', 'pino', 'chdb', '@clickhouse/client', 'playwright-core'],
  // `npm test` runs tsc over the whole project first; the build itself stays fast.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders(process.env.NODE_ENV === 'development') },
      // HSTS only when the browser came over TLS (security-headers.mjs).
      { source: '/:path*', has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https' }], headers: [HSTS_HEADER] },
    ];
  },
};

export default config;
