/**
 * A Server-Sent Events response with a bounded queue: `send` refuses (returns false) once the
 * browser has not read 32 events, so a stalled tab costs a fixed amount of memory and the hub
 * can coalesce what it would have sent. Heartbeats keep proxies from closing idle streams.
 * `close` ends the response and releases the connection even when the browser never reads.
 */

import type { ServerResponse } from 'node:http';
import type { SseEvent } from './hub';
import { releaseConnection } from './http-response-context';
import { runtime } from './runtime';

const encoder = new TextEncoder();
const QUEUE_EVENTS = 32;
const HEARTBEAT_MS = 15_000;
const CLOSE_GRACE_MS = 5_000;

// The runtime tracks responses from its creation (at boot, or here at the latest).
runtime();

export interface SseSink {
  send(event: string, json: string): boolean;
  /** Several events in one write (one wait for the socket); false, and nothing queued, when the buffer is full. */
  sendAll(events: readonly SseEvent[]): boolean;
  /** Ends the stream: a reading browser gets a `bye` event; one that does not read is disconnected. */
  close(reason: string): void;
}

export interface SseOptions {
  /** How long a closed stream may take to drain before its connection is dropped. */
  closeGraceMs?: number;
}

export function openSseStream(request: Request, subscribe: (sink: SseSink) => () => void, opts: SseOptions = {}): Response {
  const { signal } = request;
  // The socket behind this response, so a stream the browser stopped reading can be dropped.
  const response: ServerResponse | null = runtime().httpResponse(new URL(request.url).pathname);
  let unsubscribe: (() => void) | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let grace: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const cleanup = () => {
    if (closed) return;
    closed = true;
    if (heartbeat) clearInterval(heartbeat);
    unsubscribe?.();
  };
  const gone = () => {
    cleanup();
    if (grace) clearTimeout(grace);
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // Erroring first empties the queue and lets the framework's pipe settle quietly (an
        // AbortError); dropping the socket then wakes its writer, stuck waiting for a drain.
        const abort = (reason: string) => {
          try {
            controller.error(new DOMException(reason, 'AbortError'));
          } catch {
            /* already closed and drained */
          }
          if (response && !response.writableFinished) releaseConnection(response);
        };
        const sink: SseSink = {
          send: (event, json) => sink.sendAll([[event, json]]),
          sendAll(events) {
            if (closed) return false;
            if ((controller.desiredSize ?? 0) <= 0) return false;
            controller.enqueue(encoder.encode(events.map(([event, json]) => `event: ${event}\ndata: ${json}\n\n`).join('')));
            return true;
          },
          close(reason) {
            if (closed) return;
            const reading = (controller.desiredSize ?? 0) > 0;
            cleanup();
            if (!reading) {
              // The browser has not read for a while: a goodbye would never reach it.
              abort(reason);
              return;
            }
            try {
              controller.enqueue(encoder.encode(`event: bye\ndata: ${JSON.stringify({ reason })}\n\n`));
              controller.close();
            } catch {
              /* already closed by the browser */
            }
            grace = setTimeout(() => abort(reason), opts.closeGraceMs ?? CLOSE_GRACE_MS);
            grace.unref?.();
          },
        };
        controller.enqueue(encoder.encode(`retry: 2000\n: connected\n\n`));
        unsubscribe = subscribe(sink);
        heartbeat = setInterval(() => {
          if ((controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(`: ping\n\n`));
        }, HEARTBEAT_MS);
        signal.addEventListener('abort', gone, { once: true });
      },
      cancel: gone,
    },
    new CountQueuingStrategy({ highWaterMark: QUEUE_EVENTS }),
  );
  return new Response(stream, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    },
  });
}
