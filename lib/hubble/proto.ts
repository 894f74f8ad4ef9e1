/**
 * Loads our observer/flow/relay .proto subset with protobufjs and builds the grpc-js service
 * definition by hand: grpc-js then calls protobufjs' generated decoders directly, without
 * proto-loader's object conversion, which is the expensive part at 100k flows/s.
 */

import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import type { ServiceDefinition } from '@grpc/grpc-js';

// uint64 fields (counters, timestamps' seconds) decode as JS numbers: exact below 2^53, which
// covers every value a relay sends, and far cheaper than Long objects on the hot path.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

export interface ObserverTypes {
  root: protobuf.Root;
  GetFlowsRequest: protobuf.Type;
  GetFlowsResponse: protobuf.Type;
  Flow: protobuf.Type;
  FlowFilter: protobuf.Type;
  ServerStatusRequest: protobuf.Type;
  ServerStatusResponse: protobuf.Type;
  GetNodesRequest: protobuf.Type;
  GetNodesResponse: protobuf.Type;
  GetNamespacesRequest: protobuf.Type;
  GetNamespacesResponse: protobuf.Type;
}

/** Where the .proto files are: FLOWSIGHT_PROTO_DIR, ./proto under the working directory, or beside this package. */
export function protoDir(): string {
  const candidates = [process.env.FLOWSIGHT_PROTO_DIR, path.join(process.cwd(), 'proto'), path.resolve(__dirnameSafe(), '../../proto')];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(/*turbopackIgnore: true*/ dir, 'observer', 'observer.proto'))) return dir;
  }
  throw new Error(`observer.proto not found (looked in ${candidates.filter(Boolean).join(', ')}); set FLOWSIGHT_PROTO_DIR`);
}

function __dirnameSafe(): string {
  try {
    return typeof __dirname === 'string' ? __dirname : process.cwd();
  } catch {
    return process.cwd();
  }
}

let cached: ObserverTypes | undefined;

/** The observer API message types, loaded once per process. */
export function observerTypes(): ObserverTypes {
  if (cached) return cached;
  const dir = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    // google/protobuf/* come with protobufjs; ours resolve against the proto directory.
    if (target.startsWith('google/protobuf/')) return target;
    return path.isAbsolute(target) ? target : path.join(/*turbopackIgnore: true*/ dir, target);
  };
  root.loadSync(path.join(/*turbopackIgnore: true*/ dir, 'observer', 'observer.proto'), { keepCase: true });
  root.resolveAll();
  const t = (name: string) => root.lookupType(name);
  cached = {
    root,
    GetFlowsRequest: t('observer.GetFlowsRequest'),
    GetFlowsResponse: t('observer.GetFlowsResponse'),
    Flow: t('flow.Flow'),
    FlowFilter: t('flow.FlowFilter'),
    ServerStatusRequest: t('observer.ServerStatusRequest'),
    ServerStatusResponse: t('observer.ServerStatusResponse'),
    GetNodesRequest: t('observer.GetNodesRequest'),
    GetNodesResponse: t('observer.GetNodesResponse'),
    GetNamespacesRequest: t('observer.GetNamespacesRequest'),
    GetNamespacesResponse: t('observer.GetNamespacesResponse'),
  };
  return cached;
}

function method(path: string, req: protobuf.Type, res: protobuf.Type, responseStream: boolean) {
  return {
    path,
    requestStream: false,
    responseStream,
    requestSerialize: (value: object) => Buffer.from(req.encode(value as protobuf.Message).finish()),
    requestDeserialize: (bytes: Buffer) => req.decode(bytes),
    // Servers may hand over pre-encoded bytes (the demo relay's fast path).
    responseSerialize: (value: object) =>
      value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : Buffer.from(res.encode(value as protobuf.Message).finish()),
    responseDeserialize: (bytes: Buffer) => res.decode(bytes),
  };
}

/** grpc-js service definition of `observer.Observer` (the subset we use). */
export function observerService(): ServiceDefinition {
  const t = observerTypes();
  return {
    GetFlows: method('/observer.Observer/GetFlows', t.GetFlowsRequest, t.GetFlowsResponse, true),
    ServerStatus: method('/observer.Observer/ServerStatus', t.ServerStatusRequest, t.ServerStatusResponse, false),
    GetNodes: method('/observer.Observer/GetNodes', t.GetNodesRequest, t.GetNodesResponse, false),
    GetNamespaces: method('/observer.Observer/GetNamespaces', t.GetNamespacesRequest, t.GetNamespacesResponse, false),
  } as unknown as ServiceDefinition;
}
