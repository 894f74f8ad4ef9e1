import type { NextConfig } from 'next';

/**
 * Same-origin everything, no framing, no plugins, no foreign form targets or <base>. Scripts allow
 * 'unsafe-inline' because the pages are prerendered statically and Next's hydration payload is
 * inline: a nonce would need every page rendered per request. No page renders HTML from data
 * (React escapes text), so the remaining XSS surface is small; foreign script/connect/img origins
 * are still blocked. `next dev` needs eval for its error overlay.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === 'development' ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const config: NextConfig = {
  // SSE must not be buffered by gzip; static assets are better compressed by the ingress anyway.
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
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: CONTENT_SECURITY_POLICY },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          // Not no-referrer: under it a browser posts our own forms with `Origin: null`, and the
          // sign-in's cross-site check needs the origin. Nothing leaves the site either way.
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
      {
        // Only when the browser came over TLS (the ingress terminates it): HSTS over plain HTTP is
        // ignored by browsers, and on a loopback dashboard it would be wrong.
        source: '/:path*',
        has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https' }],
        headers: [{ key: 'Strict-Transport-Security', value: 'max-age=31536000' }],
      },
    ];
  },
};

export default config;
