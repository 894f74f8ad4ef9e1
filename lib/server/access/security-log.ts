/**
 * The log of sign-ins, failures and sign-outs: entries of the server's logger under
 * `component: 'auth'`. Entries carry the client key and session id, never a token or cookie; the
 * logger's `redact` is the backstop.
 */

import type { Logger } from '../logger';

/** The part of a logger the auth code uses (pino's call shape), so tests can record entries. */
export interface SecurityLog {
  info(entry: Record<string, unknown>, message: string): void;
  warn(entry: Record<string, unknown>, message: string): void;
}

/** The security log over the server's logger. */
export function securityLogOf(logger: Logger): SecurityLog {
  return logger.child({ component: 'auth' });
}
