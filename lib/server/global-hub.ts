/**
 * The one hub of this process. Next bundles instrumentation and each route separately, so the
 * instance lives on globalThis: whoever asks first starts it, everyone shares it.
 */

import { loadConfig } from './config';
import { Hub } from './hub';

const KEY = Symbol.for('flowsight.hub');

type Holder = { [KEY]?: Promise<Hub> };

/** Returns the process-wide hub, starting it on first use. */
export function getHub(): Promise<Hub> {
  const g = globalThis as Holder;
  g[KEY] ??= (async () => {
    const hub = new Hub(loadConfig());
    await hub.start();
    return hub;
  })();
  return g[KEY]!;
}
