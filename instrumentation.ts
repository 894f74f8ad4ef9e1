/** Starts the hub (relay subscription, demo relay when none is configured) when the server boots. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getHub } = await import('./lib/server/global-hub');
  const hub = await getHub();
  // Edge colours over every layer (Azure NSG and firewall too); the map works without it meanwhile.
  const { attachEdgePaths } = await import('./lib/server/azure-view');
  attachEdgePaths(hub).catch((err: unknown) => console.error('flowsight: edge verdicts over the Azure layers are off:', err instanceof Error ? err.message : err));
}
