/**
 * A process that writes flows into a store until it is killed (the crash-recovery test SIGKILLs it
 * mid-write). Prints `{"written":N}` after every batch the store confirmed written, so the test
 * knows what must survive. Usage: node --import tsx fill-store.ts <dir>
 */

import { openFlowStore } from '../open-store';
import { flow, pod } from '../../testing/flow-fixtures';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: fill-store.ts <dir>');
  const store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null }, batching: { flushMs: 50, maxBatchFlows: 1000 } });
  const a = pod('crash', 'writer-6d8f9c7b5-abcde');
  const b = pod('crash', 'reader-7f9d8c6b4-fghij');
  let n = 0;
  let lastWritten = -1;
  process.stdout.write('{"ready":true}\n');
  setInterval(() => {
    const batch = Array.from({ length: 500 }, () => flow(a, b, { uuid: `crash-${n}`, time: Date.now() - 1000 + (n++ % 1000) }));
    store.append(batch);
    const written = store.status().writtenFlows;
    if (written !== lastWritten) process.stdout.write(`${JSON.stringify({ written })}\n`);
    lastWritten = written;
  }, 20);
}

void main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
