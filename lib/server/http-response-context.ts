/**
 * The Node response behind the Web `Request` a route handler is running for. A route handler only
 * returns a ReadableStream; when the browser stops reading, the framework's writer waits for a
 * `drain` that never comes, so neither closing nor erroring the stream ends the response and the
 * socket keeps its send queue (about 1.6 MB) until the browser goes away. To release such a
 * connection something has to hold the socket: Node's `http.server.request.start` diagnostics
 * channel hands us every response as its request starts, and an AsyncLocalStorage carries it
 * into the handler's async context (through the framework's awaits, like any async context).
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface RequestStart {
  request: IncomingMessage;
  response: ServerResponse;
}

/** The response of the request being handled, carried through its async context. */
export class HttpResponseTracker {
  private readonly storage = new AsyncLocalStorage<ServerResponse>();

  /**
   * Starts tracking responses. Requests that started before are not tracked: the runtime creates
   * the one tracker of the process at boot. Subscribers run synchronously inside the server's
   * request handling, before 'request' is emitted: entering the store here scopes it to that
   * request's async continuation.
   */
  constructor() {
    diagnostics.subscribe('http.server.request.start', (message) => this.storage.enterWith((message as RequestStart).response));
  }

  /**
   * The Node response of the request being handled, if it is tracked and belongs to `pathname`
   * (a guard against a context that leaked from another request); null otherwise.
   */
  current(pathname: string): ServerResponse | null {
    const res = this.storage.getStore();
    if (!res || res.headersSent || res.writableEnded || res.destroyed) return null;
    const url = res.req?.url ?? '';
    const path = url.split('?')[0];
    return path === pathname ? res : null;
  }
}

/**
 * Drops a connection now, without waiting for the peer to read what is queued: a reset frees the
 * kernel send queue at once (a plain close would keep the unsent bytes until the peer reads).
 */
export function releaseConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (socket && !socket.destroyed) {
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }
  if (!res.destroyed) res.destroy();
}
