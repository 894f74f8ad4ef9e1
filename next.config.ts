import type { NextConfig } from 'next';
import { HSTS_HEADER, securityHeaders } from './scripts/security-headers.mjs';

const config: NextConfig = {
  // SSE must not be buffered by gzip. The build's static files are compressed once, when serve.mjs
  // starts (static-assets.mjs); pages and API answers are small or streamed.
  compress: false,
  // Lets a second build (a check beside a running dashboard) use its own output folder.
  distDir: process.env.FLOWSIGHT_DIST_DIR || '.next',
  poweredByHeader: false,
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
