/**
 * One instance per process for services the routes share. Next bundles instrumentation and each
 * route separately, so module state would be duplicated: the instance lives on globalThis under a
 * registered symbol. A start that fails is forgotten, so the caller gets the error and the next
 * call starts again (a cached failure would answer 500 until restart).
 */
export function processSingleton<T>(key: symbol, start: () => Promise<T>): Promise<T> {
  const holder = globalThis as Record<symbol, Promise<T> | undefined>;
  const existing = holder[key];
  if (existing) return existing;
  const starting = start();
  holder[key] = starting;
  starting.catch(() => {
    if (holder[key] === starting) delete holder[key];
  });
  return starting;
}
