/** Starts the hub (relay subscription, demo relay when none is configured) when the server boots. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getHub } = await import('./lib/server/global-hub');
  await getHub();
}
