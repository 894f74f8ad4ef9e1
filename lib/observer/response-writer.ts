/**
 * Writes GetFlowsResponses to one gRPC call with backpressure. History is sent with `send`, which
 * waits while the client's socket is full, so reading the store never runs ahead of the client.
 * Live flows come from the hub's push and cannot wait: `offer` queues them while the socket is full,
 * up to a cap, then counts them lost and tells the client with a `lost_events` response once it
 * catches up, as Hubble's observer does for a slow follower.
 */

import protobuf from 'protobufjs';
import type { FlowRecord } from '../flows/flow-record';
import { encodeFlowResponse } from '../demo/flow-encoder';
import { observerTypes } from '../hubble/proto';

/** The part of grpc-js' ServerWritableStream the writer uses. */
export interface WritableCall {
  write(chunk: Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

const LEN = 2;
const VARINT = 0;
const tag = (field: number, wire: number) => ((field << 3) | wire) >>> 0;

function timestamp(w: protobuf.Writer, field: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  w.uint32(tag(field, LEN)).fork().uint32(tag(1, VARINT)).int64(seconds);
  if (nanos) w.uint32(tag(2, VARINT)).int32(nanos);
  w.ldelim();
}

/**
 * One GetFlowsResponse for a stored or live flow: the flow (flow-encoder.ts), `time` (1001) = the
 * flow's time as Hubble sets it, and `node_name` (1000) = the flow's node, else this server's name.
 * Appending fields to an encoded message is valid protobuf (fields may come in any order).
 */
export function encodeResponse(f: FlowRecord, serverNode: string): Uint8Array {
  const flow = encodeFlowResponse(f);
  const w = protobuf.Writer.create();
  timestamp(w, 1001, f.time);
  if (!f.node && serverNode) w.uint32(tag(1000, LEN)).string(serverNode);
  const tail = w.finish();
  const out = new Uint8Array(flow.length + tail.length);
  out.set(flow, 0);
  out.set(tail, flow.length);
  return out;
}

/** A `lost_events` response (source OBSERVER_EVENTS_QUEUE, like Hubble's slow-follower notice). */
export function encodeLost(count: number, serverNode: string, nowMs: number): Uint8Array {
  const seconds = Math.floor(nowMs / 1000);
  const msg = { lost_events: { source: 2, num_events_lost: count }, node_name: serverNode, time: { seconds, nanos: Math.round((nowMs - seconds * 1000) * 1e6) } };
  return observerTypes().GetFlowsResponse.encode(msg as unknown as protobuf.Message).finish();
}

export class ResponseWriter {
  private waiting: Promise<void> | null = null;
  private release: (() => void) | null = null;
  private backlog: Uint8Array[] = [];
  private lost = 0;
  private closed = false;
  /** Flow responses written (or queued) so far. */
  sent = 0;

  constructor(
    private readonly call: WritableCall,
    private readonly serverNode: string,
    private readonly maxBacklog: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes one flow; resolves once the client can take more. Does nothing after close(). */
  async send(f: FlowRecord): Promise<void> {
    while (this.waiting) await this.waiting;
    if (this.closed) return;
    this.sent++;
    this.write(encodeResponse(f, this.serverNode));
  }

  /** Live flows: written now, queued while the socket is full, counted lost past the cap. */
  offer(f: FlowRecord): void {
    if (this.closed) return;
    if (this.waiting) {
      if (this.backlog.length >= this.maxBacklog) this.lost++;
      else {
        this.backlog.push(encodeResponse(f, this.serverNode));
        this.sent++;
      }
      return;
    }
    this.sent++;
    this.write(encodeResponse(f, this.serverNode));
  }

  /** Flows the caller had to drop before they reached this writer (its own bounded buffer). */
  noteLost(count: number): void {
    if (count <= 0 || this.closed) return;
    this.lost += count;
    if (!this.waiting) this.flushLost();
  }

  /** Stops writing and wakes any sender waiting for the socket (the call ended). */
  close(): void {
    this.closed = true;
    this.backlog = [];
    this.release?.();
  }

  private flushLost(): void {
    if (this.lost === 0) return;
    const lost = this.lost;
    this.lost = 0;
    this.write(encodeLost(lost, this.serverNode, this.now()));
  }

  private write(bytes: Uint8Array): void {
    if (this.call.write(bytes) || this.waiting) return;
    this.waiting = new Promise<void>((resolve) => {
      this.release = () => {
        this.waiting = null;
        this.release = null;
        resolve();
      };
    });
    this.call.once('drain', () => this.drained());
  }

  private drained(): void {
    const release = this.release;
    this.waiting = null;
    this.release = null;
    if (this.closed) return release?.();
    this.flushLost();
    while (this.backlog.length && !this.waiting) this.write(this.backlog.shift()!);
    release?.();
  }
}
