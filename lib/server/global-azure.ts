/**
 * The process-wide Azure snapshot: loaded from the source the environment names (az exports,
 * ARM, or the demo), refreshed every few minutes; readers get the last good snapshot with its errors.
 */

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

type Holder = { [KEY]?: Promise<AzureService> };

export function getAzure(): Promise<AzureService> {
  const g = globalThis as Holder;
  g[KEY] ??= (async () => {
    const source = azureSourceFromEnv(process.env);
    let current = await source.load();
    let at = Date.now();
    const timer = setInterval(() => {
      source
        .load()
        .then((s) => {
          current = s;
          at = Date.now();
        })
        .catch(() => {
          /* keep the last good snapshot; the next round retries */
        });
    }, REFRESH_MS);
    timer.unref?.();
    return { source, snapshot: () => current, loadedAt: () => at };
  })();
  return g[KEY]!;
}
