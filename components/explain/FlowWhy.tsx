'use client';

import type { FlowRecord } from '@/lib/flows/flow-record';

/** "Why allowed / why denied" for one flow, from the policy engine. */
export function FlowWhy(_props: { flow: FlowRecord }) {
  return null;
}
