// The response headers every page and file carries, in one place for next.config.ts (Next's own
// responses) and serve.mjs (the static files it answers itself, static-assets.mjs). Plain ESM: serve.mjs
// runs without a TypeScript loader.

/**
 * Same-origin everything, no framing, no plugins, no foreign form targets or <base>. Scripts allow
 * 'unsafe-inline' because the pages are prerendered statically and Next's hydration payload is
 * inline: a nonce would need every page rendered per request. No page renders HTML from data
 * (React escapes text), so the remaining XSS surface is small; foreign script/connect/img origins
 * are still blocked. `next dev` needs eval for its error overlay.
 */
export function contentSecurityPolicy(development) {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ''}`,
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
}

/** Headers for every response. */
export function securityHeaders(development) {
  return [
    { key: 'Content-Security-Policy', value: contentSecurityPolicy(development) },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    // Not no-referrer: under it a browser posts our own forms with `Origin: null`, and the
    // sign-in's cross-site check needs the origin. Nothing leaves the site either way.
    { key: 'Referrer-Policy', value: 'same-origin' },
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  ];
}

/**
 * Only when the browser came over TLS (the ingress terminates it, or serve.mjs does): HSTS over plain
 * HTTP is ignored by browsers, and on a loopback dashboard it would be wrong.
 */
export const HSTS_HEADER = { key: 'Strict-Transport-Security', value: 'max-age=31536000' };
