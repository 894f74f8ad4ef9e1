/**
 * Boots the runtime when the server starts: logs the configuration, starts the hub (relay
 * subscription, demo relay when none is configured) and the edge verdicts over every layer.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { runtime } = await import('./lib/server/runtime');
  await runtime().boot();
}
