/**
 * Graceful shutdown: on SIGTERM (Kubernetes stopping the pod) or SIGINT, the runtime's parts are
 * stopped in order — the history feed detached, the flow store's queue encoded, sealed and written,
 * the relay stream closed — and only then does the process exit. Without it the flows of the last
 * second or so (the open block and any block still being written) were lost on every restart.
 *
 * Next's own server exits on these signals after closing its HTTP server and knows nothing of the
 * runtime; `scripts/start.mjs` sets NEXT_MANUAL_SIG_HANDLE so that Next leaves them to this handler
 * (https://nextjs.org/docs/app/guides/self-hosting#manual-graceful-shutdowns).
 */

import type { Logger } from './logger';

export interface GracefulShutdownOptions {
  /** Stops everything that must finish before the process ends (the runtime's stop). */
  stop(): Promise<void>;
  log: Pick<Logger, 'info' | 'error'>;
  /** Longest wait for `stop` before exiting anyway (Kubernetes' default grace period is 30 s). */
  timeoutMs?: number;
  /** The process to watch and end (tests pass their own). */
  process?: Pick<NodeJS.Process, 'once' | 'exit'>;
}

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Installs the handlers once. The first signal starts the shutdown; a second one ends the process
 * at once (an operator's second Ctrl-C). Exits 0 when everything stopped in time, 1 otherwise.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): void {
  const proc = options.process ?? process;
  const timeoutMs = options.timeoutMs ?? 20_000;
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) {
      options.log.error({ signal }, 'second signal during shutdown: exiting now');
      proc.exit(1);
      return;
    }
    stopping = true;
    // Listen again for the second signal (once() removed this handler).
    proc.once(signal as NodeJS.Signals, () => onSignal(signal));
    options.log.info({ signal }, 'shutting down: writing the flows still queued for the history, then closing');
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref?.();
    });
    void Promise.race([options.stop().then(() => 'stopped' as const), timedOut])
      .then(
        (outcome) => {
          if (outcome === 'timeout') {
            options.log.error({ timeoutMs }, 'shutdown did not finish in time: exiting with what is written');
            proc.exit(1);
            return;
          }
          options.log.info({ ms: Date.now() - started }, 'shut down cleanly');
          proc.exit(0);
        },
        (err: unknown) => {
          options.log.error({ err }, 'shutdown failed');
          proc.exit(1);
        },
      )
      .finally(() => clearTimeout(timer));
  };
  for (const signal of SHUTDOWN_SIGNALS) proc.once(signal, () => onSignal(signal));
}
