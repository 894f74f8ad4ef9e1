/**
 * A bare gRPC client of the observer API for tests: requests as bytes (so a test can send fields our
 * .proto subset lacks, as newer Hubble clients do), responses as bytes, optional metadata. What
 * the project's RelayClient cannot send (a bearer token, unknown fields) is tested through this.
 */

import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const identity = (b: Buffer) => b;

export interface RawResult {
  messages: Buffer[];
  error: (Error & { code?: number; details?: string }) | null;
}

export class RawObserverClient {
  private readonly client: grpc.Client;

  constructor(target: string) {
    this.client = new grpc.Client(target, grpc.credentials.createInsecure());
  }

  /** One GetFlows call to its end (or `take` messages, then cancel). */
  getFlows(request: Uint8Array, opts: { token?: string; take?: number } = {}): Promise<RawResult> {
    const md = new grpc.Metadata();
    if (opts.token !== undefined) md.set('authorization', `Bearer ${opts.token}`);
    return new Promise((resolve) => {
      const messages: Buffer[] = [];
      const call = this.client.makeServerStreamRequest('/observer.Observer/GetFlows', identity, identity, Buffer.from(request), md);
      let done = false;
      const finish = (error: RawResult['error']) => {
        if (done) return;
        done = true;
        resolve({ messages, error });
      };
      call.on('data', (b: Buffer) => {
        messages.push(b);
        if (opts.take !== undefined && messages.length >= opts.take) {
          call.cancel();
          finish(null);
        }
      });
      call.on('error', (e) => finish(e));
      call.on('end', () => finish(null));
    });
  }

  /** An observer method by name, or any unary method by its full path (`/grpc.health.v1.Health/Check`). */
  unary(method: 'ServerStatus' | 'GetNodes' | 'GetNamespaces' | `/${string}`, opts: { token?: string } = {}): Promise<{ message: Buffer | null; error: RawResult['error'] }> {
    const md = new grpc.Metadata();
    if (opts.token !== undefined) md.set('authorization', `Bearer ${opts.token}`);
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(method.startsWith('/') ? method : `/observer.Observer/${method}`, identity, identity, Buffer.alloc(0), md, (err, res) => resolve({ message: res ?? null, error: err ?? null }));
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Top-level field numbers of an encoded message, in order. */
export function fieldNumbers(bytes: Uint8Array): number[] {
  const r = protobuf.Reader.create(bytes);
  const out: number[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    out.push(tag >>> 3);
    r.skipType(tag & 7);
  }
  return out;
}

/** The bytes of the first occurrence of length-delimited field `field`. */
export function fieldBytes(bytes: Uint8Array, field: number): Uint8Array | null {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === field && (tag & 7) === 2) return r.bytes();
    r.skipType(tag & 7);
  }
  return null;
}
