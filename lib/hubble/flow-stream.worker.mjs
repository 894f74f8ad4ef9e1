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
 * decoder interns names in the caches the graph uses).
 *
 * Admission (ingest-governor.ts) happens here: the main thread sends the share of flows it keeps with
 * each acknowledgement, and the flow messages beyond that share are skipped before they are copied
 * into a batch. While that share is below 1 (the server is at capacity) and the main thread is
 * behind, the call is not paused: the flows that arrive meanwhile are skipped too, so the relay is
 * read as fast as it sends and what does reach the main thread is fresh. Pausing instead fills the
 * HTTP/2 window (8 MiB: ~28,000 flows) and the relay's buffer, and every flow shown afterwards has
 * waited through both: up to a second or two at 20,000 flows/s (issue 13's p99 latency). With every
 * flow kept (share 1) the call still pauses, so that a short stall loses nothing.
 *
 * The request is encoded on the main side, so this file needs grpc-js alone (no proto files).
 *
 * In (workerData): { target, tls: { ca, key, cert } | null, channelOptions (with the TLS name override), method, request, keep }.
 * In (messages): { op: 'ack', keep } after each batch is handled; { op: 'pause' | 'resume' | 'cancel' }.
 * Out: { kind: 'metadata' }, { kind: 'batch', buffer, count, shed } (buffer transferred: [u32 length, bytes]...;
 *      shed: flow messages skipped since the previous batch), { kind: 'end', shed, error?: { message, code, details } }.
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
 * Batches handed over and not yet acknowledged, at most, while every flow is kept: past it the call
 * stops reading (HTTP/2 flow control then holds the relay back), so a main thread that falls behind
 * never queues without bound. 8 x 256 KiB: ~2,200 demo flows (~950 bytes each); at 20,000 flows/s a
 * batch is closed by FLUSH_MS before it is full: ~80 ms of flows.
 */
const MAX_UNACKED = 8;
/**
 * At capacity, batches handed over and not yet acknowledged past which flows are skipped: one being
 * handled and one waiting. A full batch is ~280 flows, and a main thread at capacity folds in a few
 * thousand flows a second: MAX_UNACKED batches queued there were ~0.5-2 s of waiting (issue 13's
 * bench: the age of a batch when the main thread took it, p99 0.3-2.1 s), and every flow in them
 * reached the map that late.
 */
const MAX_UNACKED_AT_CAPACITY = 2;
/**
 * How long a batch collects messages: the main thread then takes ~100 batches a second at most
 * (each one task there, with its hooks), for 10 ms more latency.
 */
const FLUSH_MS = 10;

/** The first byte of a GetFlowsResponse that carries a flow (as relay-client.ts reads it): field 1, length-delimited. */
const FLOW_FIELD_TAG = 0x0a;

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
/** Share of the flow messages handed over (1: all); the main thread's governor sets it. */
let keep = workerData.keep ?? 1;
/** Accumulated share: a flow is kept each time it reaches 1, so kept flows are spread evenly. */
let credit = 0;
/** Flow messages skipped since the last batch. */
let shed = 0;

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
  parentPort.postMessage({ kind: 'batch', buffer: out, count, shed }, [out]);
  shed = 0;
  unacked++;
  if (buffer.byteLength > BATCH_BYTES) setBuffer(new ArrayBuffer(BATCH_BYTES));
  used = 0;
  count = 0;
  if (unacked >= MAX_UNACKED && !pausedByBacklog && keep >= 1) {
    pausedByBacklog = true;
    call.pause();
  }
}

/** Whether to hand this flow message over; false skips it (counted). */
function admitFlow() {
  if (keep >= 1) return true;
  if (unacked >= MAX_UNACKED_AT_CAPACITY) {
    // At capacity and the main thread behind: skip rather than queue (see the top of this file).
    shed++;
    return false;
  }
  credit += keep;
  if (credit >= 1) {
    credit -= 1;
    return true;
  }
  shed++;
  return false;
}

function add(message) {
  if (message[0] === FLOW_FIELD_TAG && !admitFlow()) return;
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
  parentPort.postMessage({ kind: 'end', shed, ...(err ? { error: { message: err.message, code: err.code, details: err.details } } : {}) });
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
      if (typeof m.keep === 'number') keep = m.keep;
      // At capacity the call is never held (a pause from when every flow was kept ends here).
      if (pausedByBacklog && (unacked <= MAX_UNACKED / 2 || keep < 1)) {
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
