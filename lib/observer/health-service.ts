/**
 * The standard gRPC health service (`grpc.health.v1.Health/Check`), which `hubble status` asks
 * first ("Healthcheck (via ...): Ok") and Kubernetes' gRPC probes use. Two tiny messages, encoded by
 * hand: request `service` = 1 (string, ignored: one answer for the whole server), response
 * `status` = 1 (enum: SERVING = 1, NOT_SERVING = 2).
 */

import type * as grpc from '@grpc/grpc-js';

export const HEALTH_SERVING = 1;
export const HEALTH_NOT_SERVING = 2;

const raw = (b: Buffer) => b;

export const healthService = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: (status: number) => Buffer.from([0x08, status]),
    responseDeserialize: (b: Buffer) => (b.length >= 2 && b[0] === 0x08 ? b[1] : 0),
  },
} as unknown as grpc.ServiceDefinition;

/** The Check handler: `serving()` says whether the server can answer history queries now. */
export function healthHandlers(serving: () => Promise<boolean>): grpc.UntypedServiceImplementation {
  return {
    Check: (_call: unknown, cb: grpc.sendUnaryData<number>) => {
      serving().then(
        (ok) => cb(null, ok ? HEALTH_SERVING : HEALTH_NOT_SERVING),
        () => cb(null, HEALTH_NOT_SERVING),
      );
    },
  };
}
