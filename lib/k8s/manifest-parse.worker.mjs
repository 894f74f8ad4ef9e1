/**
 * The manifest parse worker: YAML -> JS off the thread that serves requests (the yaml package reads
 * about 1 MB/s and holds ~100x the text in memory while it does). Receives `{ id, bytes, keepKinds }`,
 * answers `{ id, entries }` batches of bounded size, each after the previous one was acknowledged
 * (`{ ack: id }`: the main thread takes one batch per event-loop turn instead of a burst), then
 * `{ id, done: true }`. Normalization stays in the main thread (manifest-parser.ts).
 */

import { parentPort } from 'node:worker_threads';
import { yamlEntries } from './yaml-documents.mjs';

/** Source characters per message: keeps each structured clone and normalization on the main thread short. */
const BATCH_CHARS = 64 * 1024;

const decoder = new TextDecoder();
/** Resolves when the main thread acknowledges the batch in flight. */
let acknowledged;

parentPort?.on('message', (msg) => {
  if (msg.ack !== undefined) {
    const resume = acknowledged;
    acknowledged = undefined;
    resume?.();
    return;
  }
  void parse(msg);
});

async function parse({ id, bytes, keepKinds }) {
  try {
    const text = decoder.decode(bytes);
    let batch = [];
    let chars = 0;
    for (const entry of yamlEntries(text, { keepKinds })) {
      batch.push(entry);
      chars += entry.span;
      if (chars >= BATCH_CHARS) {
        const ack = new Promise((resolve) => (acknowledged = resolve));
        parentPort.postMessage({ id, entries: batch });
        batch = [];
        chars = 0;
        await ack;
      }
    }
    parentPort.postMessage({ id, entries: batch, done: true });
  } catch (err) {
    parentPort.postMessage({ id, failed: err instanceof Error ? err.message : String(err), done: true });
  }
}

// Tells the main thread that this module and its imports loaded (else it parses in its own thread).
parentPort?.postMessage({ ready: true });
