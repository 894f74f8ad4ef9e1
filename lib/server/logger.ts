/**
 * The server's one logger: pino, JSON lines on stdout (no transport, so no worker thread in the
 * server bundle). Components log through children (`component: 'relay'`, `'auth'`...). Secrets are
 * never passed to it; `redact` is the backstop for a field that slips through.
 */

import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** FLOWSIGHT_LOG_LEVEL values: pino's levels, and `silent` to turn logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field names whose values are never written, at the top level or one object down. */
const REDACTED = ['token', 'authToken', 'authorization', 'cookie'];

/** A logger at `level`, writing to stdout unless a destination is given (tests capture output this way). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: 'flowsight',
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED, ...REDACTED.map((k) => `*.${k}`)], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
