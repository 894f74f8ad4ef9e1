/**
 * Enum numbers of Cilium's flow and relay protos, by position: index = wire number. One table
 * for everything that turns wire numbers into names and back (decoders, encoders, filters).
 */

import type { FlowType, L7Record, TrafficDirection, Verdict } from '../flows/flow-record';

export const VERDICT_BY_NUMBER: readonly Verdict[] = ['UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'];
export const DIRECTION_BY_NUMBER: readonly TrafficDirection[] = ['UNKNOWN', 'INGRESS', 'EGRESS'];
export const FLOW_TYPE_BY_NUMBER: readonly FlowType[] = ['UNKNOWN', 'L3_L4', 'L7', 'SOCK'];
export const L7_TYPE_BY_NUMBER: readonly L7Record['type'][] = ['UNKNOWN', 'REQUEST', 'RESPONSE', 'SAMPLE'];
/** TCPFlags fields 1..9 in order. */
export const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'] as const;
export const NODE_STATE_BY_NUMBER = ['UNKNOWN_NODE_STATE', 'NODE_CONNECTED', 'NODE_UNAVAILABLE', 'NODE_GONE', 'NODE_ERROR'] as const;
export const LOST_SOURCE_BY_NUMBER = ['UNKNOWN_LOST_EVENT_SOURCE', 'PERF_EVENT_RING_BUFFER', 'OBSERVER_EVENTS_QUEUE', 'HUBBLE_RING_BUFFER'] as const;

/** DropReason numbers -> names (the subset in our flow.proto; others print as DROP_REASON_<n>). */
export const DROP_REASON_NAMES: Record<number, string> = {
  0: 'DROP_REASON_UNKNOWN', 130: 'INVALID_SOURCE_MAC', 131: 'INVALID_DESTINATION_MAC', 132: 'INVALID_SOURCE_IP',
  133: 'POLICY_DENIED', 134: 'INVALID_PACKET_DROPPED', 135: 'CT_TRUNCATED_OR_INVALID_HEADER', 136: 'CT_MISSING_TCP_ACK_FLAG',
  137: 'CT_UNKNOWN_L4_PROTOCOL', 138: 'CT_CANNOT_CREATE_ENTRY_FROM_PACKET', 139: 'UNSUPPORTED_L3_PROTOCOL', 140: 'MISSED_TAIL_CALL',
  141: 'ERROR_WRITING_TO_PACKET', 142: 'UNKNOWN_L4_PROTOCOL', 143: 'UNKNOWN_ICMPV4_CODE', 144: 'UNKNOWN_ICMPV4_TYPE',
  151: 'STALE_OR_UNROUTABLE_IP', 158: 'SERVICE_BACKEND_NOT_FOUND', 169: 'FIB_LOOKUP_FAILED', 171: 'INVALID_IDENTITY',
  172: 'UNKNOWN_SENDER', 177: 'DENIED_BY_LB_SRC_RANGE_CHECK', 181: 'POLICY_DENY', 189: 'AUTH_REQUIRED', 194: 'NO_EGRESS_GATEWAY',
  195: 'UNENCRYPTED_TRAFFIC', 196: 'TTL_EXCEEDED', 198: 'DROP_RATE_LIMITED', 202: 'DROP_HOST_NOT_READY', 203: 'DROP_EP_NOT_READY',
  204: 'DROP_NO_EGRESS_IP', 205: 'DROP_PUNT_PROXY',
};

export const DROP_REASON_NUMBERS: Record<string, number> = Object.fromEntries(
  Object.entries(DROP_REASON_NAMES).map(([n, name]) => [name, Number(n)]),
);

export function dropReasonName(n: number): string {
  return DROP_REASON_NAMES[n] ?? `DROP_REASON_${n}`;
}

/** Wire number of a name in one of the tables above (0, the UNKNOWN value, when absent). */
export function numberOf<T extends string>(table: readonly T[], name: T): number {
  const i = table.indexOf(name);
  return i < 0 ? 0 : i;
}
