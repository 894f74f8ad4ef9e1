/**
 * The process-wide Azure snapshot: loaded from the source the environment names (az exports,
 * ARM, or the demo), refreshed every few minutes; readers get the last good snapshot with its errors.
 * A first load that fails is not kept: the next caller tries again.
 */

import { processSingleton } from './process-singleton';
import { azureSourceFromEnv } from '../azure/source-from-env';
import type { AzureSnapshot, AzureSource } from '../azure/types';

const KEY = Symbol.for('flowsight.azure');
const REFRESH_MS = 5 * 60_000;

export interface AzureService {
  source: AzureSource;
  /** The newest snapshot (loading errors are inside it). */
  snapshot(): AzureSnapshot;
  loadedAt(): number;
}

/** Returns the process-wide Azure service, loading its first snapshot on first use (a failed load is retried). */
export function getAzure(): Promise<AzureService> {
  return processSingleton(KEY, startAzure);
}

async function startAzure(): Promise<AzureService> {
  const source = azureSourceFromEnv(process.env);
  let current = await source.load();
  let at = Date.now();
  let loading = false;
  const timer = setInterval(() => {
    if (loading) return; // a slow load is not stacked with the next one
    loading = true;
    source
      .load()
      .then((s) => {
        current = s;
        at = Date.now();
      })
      .catch(() => {
        /* keep the last good snapshot; the next round retries */
      })
      .finally(() => (loading = false));
  }, REFRESH_MS);
  timer.unref?.();
  return { source, snapshot: () => current, loadedAt: () => at };
}
