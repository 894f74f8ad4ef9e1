/**
 * Logs what happens to the relay subscription: connecting, streaming, each retry with its reason,
 * idle clusters, and flows the relay reports lost. Fed by the hub's relay events (state changes,
 * never per flow); lost-event notices, which come in bursts when the relay overflows, are summed
 * and logged at most once per interval.
 */

import type { SubscriptionStats } from '../hubble/flow-subscription';
import type { RelayEvent } from './hub';
import type { Logger } from './logger';

export interface RelayLogOptions {
  /** What the log names as the relay (address, or "demo relay"). */
  relay: string;
  /** Lost events after the first notice are summed over this interval. */
  lostSummaryMs?: number;
}

/** A listener for `hub.onRelayEvent` that writes the events to `log`. */
export function relayEventLogger(log: Logger, opts: RelayLogOptions): (event: RelayEvent) => void {
  const summaryMs = opts.lostSummaryMs ?? 10_000;
  let last: { state: SubscriptionStats['state']; fault: SubscriptionStats['fault']; idle: boolean; reconnects: number } | null = null;
  let pendingLost = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flushLost = () => {
    timer = null;
    if (pendingLost === 0) return;
    log.warn({ relay: opts.relay, lost: pendingLost, overSeconds: summaryMs / 1000 }, 'relay reported more lost flows');
    pendingLost = 0;
  };
  return (event) => {
    if (event.kind === 'lost') {
      if (timer) {
        pendingLost += event.notice.lost;
        return;
      }
      log.warn({ relay: opts.relay, lost: event.notice.lost, source: event.notice.source }, 'relay reported lost flows (its buffer overflowed)');
      timer = setTimeout(flushLost, summaryMs);
      timer.unref?.();
      return;
    }
    const s = event.stats;
    // The subscription reports its state on every attempt and idle check: log what changed.
    if (last && last.state === s.state && last.fault === s.fault && last.idle === s.idle && last.reconnects === s.reconnects) return;
    const retried = last !== null && s.reconnects > last.reconnects;
    last = { state: s.state, fault: s.fault, idle: s.idle, reconnects: s.reconnects };
    const fields = { relay: opts.relay, state: s.state };
    if (s.state === 'retrying' && retried) {
      log.warn({ ...fields, fault: s.fault, error: s.lastError, reconnects: s.reconnects, retryInMs: s.nextRetryAt !== null ? Math.max(0, s.nextRetryAt - Date.now()) : null }, 'relay connection lost: retrying');
    } else if (s.state === 'streaming') {
      log.info({ ...fields, idle: s.idle, ...(s.resumedFrom !== null ? { resumedFrom: new Date(s.resumedFrom).toISOString() } : {}) }, s.idle ? 'relay connected: the cluster is idle' : 'relay connected: streaming flows');
    } else if (s.state === 'stopped') {
      log.info(fields, 'relay subscription stopped');
    } else {
      log.info(fields, 'relay: connecting');
    }
  };
}
