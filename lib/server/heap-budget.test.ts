import { describe, expect, it } from 'vitest';
import { configSummary, loadConfig } from './config';
import { DEFAULT_HEAP_MB, defaultHeapMB, heapBudgetApplied } from './heap-budget';
import { problemsOf } from './testing/config-problems';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('defaultHeapMB', () => {
  it('is 1,536 MB without a memory limit (0, unknown, or cgroup v2 "max" read as 2^63 or 2^64)', () => {
    expect(DEFAULT_HEAP_MB).toBe(1536);
    for (const none of [0, undefined, 2 ** 63, 2 ** 64, Number.MAX_SAFE_INTEGER * 4096, Infinity, NaN]) expect(defaultHeapMB(none)).toBe(1536);
  });

  it("is half a container's limit: the chart's 3 GiB pod gets 1,536 MB, a 2 GiB one 1,024 MB", () => {
    expect(defaultHeapMB(3 * GiB)).toBe(1536);
    expect(defaultHeapMB(2 * GiB)).toBe(1024);
    expect(defaultHeapMB(1536 * MiB)).toBe(768);
    expect(defaultHeapMB(1000 * MiB + 1)).toBe(500);
  });

  it('never goes above 1,536 MB for a large limit, nor below 256 MB for a small one', () => {
    expect(defaultHeapMB(64 * GiB)).toBe(1536);
    expect(defaultHeapMB(4 * GiB)).toBe(1536);
    expect(defaultHeapMB(300 * MiB)).toBe(256);
    expect(defaultHeapMB(1)).toBe(256);
  });
});

describe('FLOWSIGHT_HEAP_MB', () => {
  it("defaults from the memory limit the process runs under, and the start-up summary shows it", () => {
    expect(loadConfig({}, { memoryLimitBytes: 2 * GiB }).heapMB).toBe(1024);
    expect(loadConfig({}, { memoryLimitBytes: 0 }).heapMB).toBe(1536);
    expect(configSummary(loadConfig({}, { memoryLimitBytes: 2 * GiB }))).toMatchObject({ heapMB: 1024 });
  });

  it('takes a budget from 256 to 65536 MB over the default, whatever the limit', () => {
    expect(loadConfig({ FLOWSIGHT_HEAP_MB: '4096' }, { memoryLimitBytes: 2 * GiB }).heapMB).toBe(4096);
    expect(loadConfig({ FLOWSIGHT_HEAP_MB: ' 256 ' }).heapMB).toBe(256);
    expect(loadConfig({ FLOWSIGHT_HEAP_MB: '' }, { memoryLimitBytes: 0 }).heapMB).toBe(1536);
  });

  it.each(['255', '65537', '1.5G', '-1', '1e3', 'max'])('"%s" is reported naming the variable', (value) => {
    expect(problemsOf({ FLOWSIGHT_HEAP_MB: value })).toEqual([{ variable: 'FLOWSIGHT_HEAP_MB', message: `"${value}" is not an integer from 256 to 65536` }]);
  });
});

describe('heapBudgetApplied', () => {
  it("holds when V8's limit is the budget plus a young generation, not when V8 chose its own", () => {
    expect(heapBudgetApplied(1536, (1536 + 192) * MiB)).toBe(true);
    expect(heapBudgetApplied(700, (700 + 48) * MiB)).toBe(true);
    // Node 20 on a 24 GB machine without the flag: 4,144 MB.
    expect(heapBudgetApplied(1536, 4144 * MiB)).toBe(false);
    expect(heapBudgetApplied(1536, 1000 * MiB)).toBe(false);
  });
});
