/**
 * One GetFlows call on its own thread (relay-client.ts, `streamInWorker`): this thread runs
 * @grpc/grpc-js for the stream and hands the raw response messages to the main thread in batches,
 * one transferred buffer every few milliseconds, so the main thread pays per batch, not per message.
 *
 * Why: in the server, grpc-js delivers each message through promises and process.nextTick, and
 * every one of those runs Next's async-context hooks (AsyncLocalStorage propagation) on the event
 * loop that serves the pages. At 20,000 flows/s that per-message machinery, before a flow is even
 * decoded, took about a third of that loop (CPU profile, 5,000-workload demo), and the ingest
 * governor shed ~80-95% of the flows to keep the server answering. Here the same machinery runs
 * without those hooks, beside the loop instead of on it. Decoding stays on the main thread (the
 * decoder interns names in the caches the graph uses), and so does the governor's admission.
 *
 * The request is encoded on the main side, so this file needs grpc-js alone (no proto files).
 *
 * In (workerData): { target, tls: { ca, key, cert } | null, channelOptions (with the TLS name override), method, request }.
 * In (messages): { op: 'ack' } after each batch is handled; { op: 'pause' | 'resume' | 'cancel' }.
 * Out: { kind: 'metadata' }, { kind: 'batch', buffer, count } (buffer transferred: [u32 length, bytes]...),
 *      { kind: 'end', error?: { message, code, details } }.
 */

import { parentPort, workerData } from 'node:worker_threads';

/**
 * grpc-js by its package name, left to Node at run time (the ignore comments): Next bundles this
 * file as a worker entry; the package stays outside the bundle (serverExternalPackages).
 */
const grpc = await import(/* turbopackIgnore: true */ /* webpackIgnore: true */ '@grpc/grpc-js');

/** A batch's buffer; a message longer than this gets a buffer of its own size. */
const BATCH_BYTES = 256 * 1024;
/**
 * Batches handed over and not yet acknowledged, at most: past it the call stops reading (HTTP/2
 * flow control then holds the relay back), so a main thread that falls behind never queues
 * without bound. 8 x 256 KiB: ~7,000 flows.
 */
const MAX_UNACKED = 8;
/**
 * How long a batch collects messages: the main thread then takes ~100 batches a second at most
 * (each one task there, with its hooks), for 10 ms more latency.
 */
const FLUSH_MS = 10;

const { target, tls, channelOptions, method, request } = workerData;
// Buffers arrive as plain Uint8Arrays (structured clone); grpc-js wants Buffers.
const pem = (b) => (b ? Buffer.from(b) : null);
const credentials = tls ? grpc.credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert)) : grpc.credentials.createInsecure();
const client = new grpc.Client(target, credentials, channelOptions);
const same = (b) => b;
const call = client.makeServerStreamRequest(method, same, same, Buffer.from(request));

let buffer;
let view;
let bytes;
setBuffer(new ArrayBuffer(BATCH_BYTES));
let used = 0;
let count = 0;
let flushQueued = false;
let flushTimer;
let unacked = 0;
let pausedByMain = false;
let pausedByBacklog = false;
let ended = false;

function setBuffer(b) {
  buffer = b;
  view = new DataView(b);
  bytes = new Uint8Array(b);
}

function flush() {
  flushQueued = false;
  clearTimeout(flushTimer);
  if (count === 0) return;
  // The bytes used, copied out and transferred; the collecting buffer is kept (a quiet stream's
  // batches of a few flows would otherwise cost 256 KiB each, 100 times a second).
  const out = buffer.slice(0, used);
  parentPort.postMessage({ kind: 'batch', buffer: out, count }, [out]);
  unacked++;
  if (buffer.byteLength > BATCH_BYTES) setBuffer(new ArrayBuffer(BATCH_BYTES));
  used = 0;
  count = 0;
  if (unacked >= MAX_UNACKED && !pausedByBacklog) {
    pausedByBacklog = true;
    call.pause();
  }
}

function add(message) {
  const need = 4 + message.length;
  if (used + need > buffer.byteLength) {
    flush();
    if (need > buffer.byteLength) setBuffer(new ArrayBuffer(need));
  }
  view.setUint32(used, message.length);
  bytes.set(message, used + 4);
  used += need;
  count++;
  // A batch goes FLUSH_MS after its first message (or when full): grpc-js hands messages over one
  // turn at a time, so "what one socket read brought" was often a single message.
  if (!flushQueued) {
    flushQueued = true;
    flushTimer = setTimeout(flush, FLUSH_MS);
  }
}

function end(err) {
  if (ended) return;
  ended = true;
  flush();
  parentPort.postMessage({ kind: 'end', ...(err ? { error: { message: err.message, code: err.code, details: err.details } } : {}) });
  client.close();
}

call.on('metadata', () => parentPort.postMessage({ kind: 'metadata' }));
call.on('data', add);
call.on('error', end);
call.on('end', () => end());

parentPort.on('message', (m) => {
  switch (m.op) {
    case 'ack':
      unacked--;
      if (pausedByBacklog && unacked <= MAX_UNACKED / 2) {
        pausedByBacklog = false;
        if (!pausedByMain) call.resume();
      }
      break;
    case 'pause':
      pausedByMain = true;
      call.pause();
      break;
    case 'resume':
      pausedByMain = false;
      if (!pausedByBacklog) call.resume();
      break;
    case 'cancel':
      ended = true;
      clearTimeout(flushTimer);
      call.cancel();
      client.close();
      parentPort.close();
      break;
  }
});
