/**
 * The log of sign-ins, failures and sign-outs: JSON lines on stdout (pino), one logger per process.
 * Entries carry the client key and session id, never a token or cookie; `redact` is the backstop.
 */

import pino from 'pino';

/** The part of a logger the auth code uses (pino's call shape), so tests can record entries. */
export interface SecurityLog {
  info(entry: Record<string, unknown>, message: string): void;
  warn(entry: Record<string, unknown>, message: string): void;
}

const KEY = Symbol.for('flowsight.securityLog');

/** The process-wide security logger (the proxy and route handlers are bundled separately). */
export function securityLog(): SecurityLog {
  const g = globalThis as { [KEY]?: SecurityLog };
  g[KEY] ??= pino({
    name: 'flowsight-auth',
    base: undefined,
    redact: { paths: ['token', 'authorization', 'cookie', '*.token', '*.authorization', '*.cookie'], censor: '[redacted]' },
  });
  return g[KEY]!;
}
