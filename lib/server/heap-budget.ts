/**
 * The server's JavaScript heap budget: V8's old generation limit (`--max-old-space-size`), which
 * scripts/start.mjs gives the server process.
 *
 * Left to itself, Node 20 sizes that limit from the machine's memory, not the container's: ~4 GB on
 * any node with 16 GB or more. Under a steady stream of flows V8 then collects later and later, and
 * the heap it keeps committed climbs towards that limit. Measured at 5,000 workloads and 20,000
 * flows/s (issue 13): 0.35-0.4 GB live after each full collection, but 1.3 GB committed after five
 * minutes, so 2 GB resident. In the chart's 3 GiB pod, add the embedded store and an evidence report's
 * Chromium, and the kernel's OOM killer ends the server. With a budget V8 collects sooner instead:
 * 0.8 GB committed and 1.45 GB resident in the same run.
 */

const MiB = 1024 * 1024;
/** The budget outside a container, and the most a container's limit gives by default. */
export const DEFAULT_HEAP_MB = 1536;
/** The least budget FLOWSIGHT_HEAP_MB accepts, and the default gives a small container (a 5,000-workload cluster needs ~0.4 GB live). */
export const MIN_HEAP_MB = 256;
/** The most FLOWSIGHT_HEAP_MB accepts. */
export const MAX_HEAP_MB = 65_536;
/**
 * The share of a container's memory limit the heap gets by default. The rest is for what lives outside
 * it: Node and the Next server's code and buffers (~0.6 GB resident), the embedded store's engine, and
 * Chromium while an evidence report is printed (~0.45 GB).
 */
const SHARE_OF_LIMIT = 0.5;
/** Limits at or above this are "no limit" (cgroup v2's `max` reads as 2^63 or 2^64 bytes). */
const NO_LIMIT_BYTES = 2 ** 60;

/**
 * The default budget for a process whose memory is limited to `limitBytes` (process.constrainedMemory():
 * the cgroup's limit; 0 or huge when there is none): half the limit, between MIN_HEAP_MB and
 * DEFAULT_HEAP_MB; DEFAULT_HEAP_MB without a limit.
 */
export function defaultHeapMB(limitBytes: number | undefined): number {
  if (!limitBytes || !Number.isFinite(limitBytes) || limitBytes >= NO_LIMIT_BYTES) return DEFAULT_HEAP_MB;
  return Math.max(MIN_HEAP_MB, Math.min(DEFAULT_HEAP_MB, Math.floor((limitBytes * SHARE_OF_LIMIT) / MiB)));
}

/** V8's heap limit over the old generation's: the young generation (three semi-spaces, 64 MB each under npm start). */
const YOUNG_GENERATION_ALLOWANCE_MB = 256;

/**
 * Whether this process runs with the budget: V8's heap_size_limit is the old generation's limit plus
 * the young generation's. False when the server was started some other way than scripts/start.mjs
 * (`next start` directly), which leaves V8 its own limit.
 */
export function heapBudgetApplied(budgetMB: number, heapSizeLimitBytes: number): boolean {
  const limitMB = heapSizeLimitBytes / MiB;
  return limitMB >= budgetMB && limitMB <= budgetMB + YOUNG_GENERATION_ALLOWANCE_MB;
}
