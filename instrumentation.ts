/**
 * Boots the runtime when the server starts: logs the configuration, starts the hub (relay
 * subscription, demo relay when none is configured) and the edge verdicts over every layer. When
 * Next leaves the termination signals to the app (NEXT_MANUAL_SIG_HANDLE, set by scripts/start.mjs),
 * a SIGTERM stops the runtime first, so the flows still queued for the history are written.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { runtime } = await import('./lib/server/runtime');
  const rt = runtime();
  if (process.env.NEXT_MANUAL_SIG_HANDLE) {
    const { installGracefulShutdown } = await import('./lib/server/shutdown');
    installGracefulShutdown({ stop: () => rt.stop(), log: rt.logger.child({ component: 'shutdown' }) });
  }
  await rt.boot();
}
