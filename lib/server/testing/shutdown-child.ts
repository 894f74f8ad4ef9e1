/**
 * A server-like process for the graceful-shutdown test: a real embedded store with flows queued
 * and not yet written (the flush interval is a minute), behind the SIGTERM handler the server
 * installs. Prints `{"queued":N,"written":W}` once the flows are appended, and JSON log lines.
 * Usage: node --import tsx shutdown-child.ts <dir> <flows>
 */

import { openFlowStore } from '../../history/open-store';
import { flow, pod } from '../../testing/flow-fixtures';
import { createLogger } from '../logger';
import { installGracefulShutdown } from '../shutdown';

async function main(): Promise<void> {
  const [dir, count] = process.argv.slice(2);
  if (!dir || !count) throw new Error('usage: shutdown-child.ts <dir> <flows>');
  const log = createLogger('info');
  const store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null }, batching: { flushMs: 60_000, maxBatchFlows: 50_000 } }, log);
  installGracefulShutdown({ stop: () => store.close(), log });
  const a = pod('shutdown', 'client-6d8f9c7b5-abcde');
  const b = pod('shutdown', 'server-7f9d8c6b4-fghij');
  const now = Date.now();
  const n = Number(count);
  // Several appends, as ticks of the hub: some encoded into the open block, the rest still queued.
  for (let i = 0; i < n; i += 1000) store.append(Array.from({ length: Math.min(1000, n - i) }, (_, k) => flow(a, b, { uuid: `shutdown-${i + k}`, time: now - 10_000 + i + k })));
  process.stdout.write(`${JSON.stringify({ queued: store.status().pendingFlows, written: store.status().writtenFlows })}\n`);
  setInterval(() => undefined, 1000); // alive until a signal
}

void main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
