/** Known flows, a controllable live feed and a quiet logger for the observer API's tests. */

import type { FlowRecord } from '../../flows/flow-record';
import { flow, pod, world } from '../../testing/flow-fixtures';
import type { LiveFeed } from '../get-flows-call';

/**
 * `count` flows 100 ms apart ending 10 s before `end`: every 5th DROPPED, namespaces alternating
 * shop / payments (as source), every 7th to the internet. Uuids sort by time (`h-000042`).
 */
export function knownFlows(count: number, end = Date.now()): FlowRecord[] {
  const start = Math.floor(end) - 10_000 - count * 100;
  const out: FlowRecord[] = [];
  for (let i = 0; i < count; i++) {
    const ns = i % 2 === 0 ? 'shop' : 'payments';
    const src = pod(ns, `${ns === 'shop' ? 'frontend' : 'billing'}-6d9f7c-${String(i % 3).padStart(5, 'a')}`);
    const dst = i % 7 === 0 ? world('api.stripe.com') : pod('db', 'postgres-0', { port: 5432 });
    const dropped = i % 5 === 0;
    out.push(flow(src, dst, {
      uuid: `h-${String(i).padStart(6, '0')}`,
      time: start + i * 100,
      verdict: dropped ? 'DROPPED' : 'FORWARDED',
      dropReason: dropped ? 'POLICY_DENIED' : '',
      node: i % 2 === 0 ? 'aks/node-0' : 'aks/node-1',
    }));
  }
  return out;
}

/** A flow the live feed pushes later (after the history), in namespace `ns`. */
export function liveFlow(uuid: string, time: number, ns = 'shop'): FlowRecord {
  return flow(pod(ns, 'frontend-6d9f7c-live0'), pod('db', 'postgres-0', { port: 5432 }), { uuid, time, node: 'aks/node-0' });
}

/** A LiveFeed the test pushes batches into, as the hub's onFlows would. */
export class TestLiveFeed implements LiveFeed {
  private readonly listeners = new Set<(flows: readonly FlowRecord[]) => void>();

  subscribe(listener: (flows: readonly FlowRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(flows: readonly FlowRecord[]): void {
    for (const l of this.listeners) l(flows);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}

export const quietLogger = { info() {}, warn() {}, error() {}, debug() {} };
