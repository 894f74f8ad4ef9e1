/**
 * A scripted Observer server for the failure modes the demo relay does not have: GetFlows sends
 * its headers and the flows a test gives it, then goes silent (a frozen stream, or an idle
 * cluster), while ServerStatus reports whatever `seenFlows` the test sets (growing: the relay
 * still observes traffic; flat: nothing happens in the cluster).
 */

import * as grpc from '@grpc/grpc-js';
import { encodeFlowResponse } from '../../demo/flow-encoder';
import type { FlowRecord } from '../../flows/flow-record';
import { observerService } from '../proto';

export interface StubRelayOptions {
  /** Flows each GetFlows call sends (by call index, from 0) before it goes silent. */
  flows?: (call: number) => FlowRecord[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs dynamic messages */
export class StubRelay {
  /** What ServerStatus reports as seen_flows. */
  seenFlows = 0;
  /** When false, ServerStatus never answers (the relay's process is wedged). */
  answerStatus = true;
  getFlowsCalls = 0;
  serverStatusCalls = 0;
  private server: grpc.Server | null = null;
  private readonly calls = new Set<grpc.ServerWritableStream<any, any>>();

  constructor(private readonly opts: StubRelayOptions = {}) {}

  async start(): Promise<number> {
    const server = new grpc.Server();
    server.addService(observerService(), {
      GetFlows: (call: grpc.ServerWritableStream<any, any>) => {
        const index = this.getFlowsCalls++;
        this.calls.add(call);
        call.on('cancelled', () => this.calls.delete(call));
        call.sendMetadata(new grpc.Metadata());
        for (const f of this.opts.flows?.(index) ?? []) call.write(encodeFlowResponse(f));
      },
      ServerStatus: (_call: unknown, cb: grpc.sendUnaryData<any>) => {
        this.serverStatusCalls++;
        if (!this.answerStatus) return;
        cb(null, { num_flows: 0, max_flows: 4095, seen_flows: this.seenFlows, uptime_ns: 1e9, version: 'stub-relay' });
      },
      GetNodes: (_call: unknown, cb: grpc.sendUnaryData<any>) => cb(null, { nodes: [] }),
      GetNamespaces: (_call: unknown, cb: grpc.sendUnaryData<any>) => cb(null, { namespaces: [] }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    return port;
  }

  async stop(): Promise<void> {
    for (const call of this.calls) call.end();
    this.calls.clear();
    this.server?.forceShutdown();
    this.server = null;
  }
}
