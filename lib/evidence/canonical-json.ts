/**
 * JSON with object keys in code-point order at every depth: the same value always gives the same bytes.
 * report.json and the policy content hashes are written with it, so two reports over the same data are
 * byte-identical and a hash can be recomputed from `kubectl get -o json` by anyone who sorts keys.
 */

export function canonicalJson(value: unknown, indent = 0): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  // No prototype: a `__proto__` key from a manifest stays a key (and in the hash) instead of setting one.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    // JSON.stringify drops undefined members; dropping them here keeps the key order question moot.
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}
