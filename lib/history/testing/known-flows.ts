/** Known traffic for the history tests: every expected count is computed from this list, not typed in. */

import type { FlowRecord } from '../../flows/flow-record';
import { flow, pod, world } from '../../testing/flow-fixtures';

/** Three days ago on the hour: older than what completion reads (the last 24 h). */
export const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 86_400_000;
export const frontend = pod('shop', 'frontend-6d8f9c7b5-abcde');
export const api = pod('shop', 'api-7f9d8c6b4-fghij');
export const db = pod('data', 'postgres-0');
export const dns = pod('kube-system', 'coredns-5d78c9869d-xyz12');

export function knownFlows(): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let i = 0; i < 600; i++) {
    const t = T0 + i * 5000; // 50 minutes, one flow every 5 s
    const k = i % 6;
    if (k === 0) out.push(flow(frontend, { ...api, port: 8080 }, { time: t, uuid: `f-${i}`, egressAllowedBy: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-api' }] }));
    // The reply of the request above: folded onto frontend -> api:8080 by the roll-up.
    if (k === 1) out.push(flow({ ...api, port: 8080 }, { ...frontend, port: 40001 }, { time: t, uuid: `r-${i}`, isReply: true, direction: 'INGRESS' }));
    if (k === 2) out.push(flow(api, { ...db, port: 5432 }, { time: t, uuid: `d-${i}`, verdict: 'DROPPED', dropReason: 'POLICY_DENIED', egressDeniedBy: [{ kind: 'CiliumNetworkPolicy', namespace: 'data', name: 'deny-all' }] }));
    if (k === 3) out.push(flow(api, world('api.stripe.com'), { time: t, uuid: `w-${i}`, destination: { ...world('api.stripe.com'), port: 443 } }));
    if (k === 4)
      out.push(
        flow(frontend, { ...dns, port: 53 }, {
          time: t,
          uuid: `q-${i}`,
          protocol: 'UDP',
          verdict: i % 12 === 4 ? 'ERROR' : 'FORWARDED',
          l7: { type: 'REQUEST', latencyNs: 0, dns: { query: 'api.stripe.com.', ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: [] } },
        }),
      );
    if (k === 5) out.push(flow(frontend, { ...api, port: 9090 }, { time: t, uuid: `a-${i}`, verdict: 'AUDIT' }));
  }
  return out;
}
