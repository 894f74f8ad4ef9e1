import type { NextConfig } from 'next';

const config: NextConfig = {
  // SSE must not be buffered by gzip; static assets are better compressed by the ingress anyway.
  compress: false,
  // Lets a second build (a check beside a running dashboard) use its own output folder.
  distDir: process.env.FLOWSIGHT_DIST_DIR || '.next',
  poweredByHeader: false,
  // Native or Node-only packages stay outside the server bundle.
  serverExternalPackages: ['@grpc/grpc-js', 'protobufjs', '@kubernetes/client-node', '@azure/arm-network', '@azure/identity', 'pino'],
  // `npm test` runs tsc over the whole project first; the build itself stays fast.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default config;
