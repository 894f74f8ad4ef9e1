'use client';

import type { FlowRecord } from '@/lib/flows/flow-record';

/** Three-layer strip (NSG / network policy / egress firewall) for one flow. */
export function FlowLayers(_props: { flow: FlowRecord }) {
  return null;
}
