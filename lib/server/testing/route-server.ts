/**
 * A node:http server that serves a route handler's Web `Response` the way `next start` does:
 * the request becomes a Web `Request` whose signal aborts when the response closes, and the body
 * is written with Next's own `pipeToNodeResponse` (what `sendResponse` uses for app routes), with
 * its backpressure. Tests of streaming responses run against the real writer, not a stand-in.
 */

import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { pipeToNodeResponse } from 'next/dist/server/pipe-readable';

export interface RouteServer {
  port: number;
  /** The Node responses served so far, newest last. */
  responses: http.ServerResponse[];
  /** Server-side sockets currently open. */
  connections(): Promise<number>;
  /** Settles when every response's pipe has finished (a stuck pipe holds its stream forever). */
  pipesSettled(): Promise<void>;
  close(): Promise<void>;
}

export async function startRouteServer(handler: (request: Request) => Response | Promise<Response>): Promise<RouteServer> {
  const pipes: Promise<void>[] = [];
  const responses: http.ServerResponse[] = [];
  const server = http.createServer(async (req, res) => {
    responses.push(res);
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, { method: req.method, signal: controller.signal });
    const response = await handler(request);
    res.statusCode = response.status;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    if (!response.body) {
      res.end();
      return;
    }
    const piped = pipeToNodeResponse(response.body, res).catch(() => {});
    pipes.push(piped);
    await piped;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    responses,
    connections: () => new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    pipesSettled: () => Promise.all(pipes).then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A client that sends a GET and then never reads: its receive window fills, then the server's send queue. */
export function connectWithoutReading(port: number, path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}
