/**
 * A Server-Sent Events response with a bounded queue: `send` refuses (returns false) once the
 * browser has not read 32 events, so a stalled tab costs a fixed amount of memory and the hub
 * can coalesce what it would have sent. Heartbeats keep proxies from closing idle streams.
 */

const encoder = new TextEncoder();
const QUEUE_EVENTS = 32;
const HEARTBEAT_MS = 15_000;

export interface SseSink {
  send(event: string, json: string): boolean;
  close(reason: string): void;
}

export function openSseStream(signal: AbortSignal, subscribe: (sink: SseSink) => () => void): Response {
  let unsubscribe: (() => void) | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let closed = false;
  const cleanup = () => {
    if (closed) return;
    closed = true;
    if (heartbeat) clearInterval(heartbeat);
    unsubscribe?.();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const sink: SseSink = {
          send(event, json) {
            if (closed) return false;
            if ((controller.desiredSize ?? 0) <= 0) return false;
            controller.enqueue(encoder.encode(`event: ${event}\ndata: ${json}\n\n`));
            return true;
          },
          close(reason) {
            if (closed) return;
            try {
              controller.enqueue(encoder.encode(`event: bye\ndata: ${JSON.stringify({ reason })}\n\n`));
              controller.close();
            } catch {
              /* already closed by the browser */
            }
            cleanup();
          },
        };
        controller.enqueue(encoder.encode(`retry: 2000\n: connected\n\n`));
        unsubscribe = subscribe(sink);
        heartbeat = setInterval(() => {
          if ((controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(`: ping\n\n`));
        }, HEARTBEAT_MS);
        signal.addEventListener('abort', cleanup, { once: true });
      },
      cancel: cleanup,
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
