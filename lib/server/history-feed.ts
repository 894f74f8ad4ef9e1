/**
 * Feeds every flow the hub ingests into the flow history. The hub calls `add` on its ingest hot
 * path, so this only collects; the store gets one array per interval (it batches and writes off the
 * event loop itself).
 *
 * A restart reconnects to the relay, which replays its recent flows first: those already stored
 * before the restart would be stored twice. Backlog flows no newer than the newest stored flow are
 * therefore skipped (live flows never are).
 */

import type { FlowRecord } from '../flows/flow-record';
import type { FlowStore } from '../history/flow-store';

export interface HistoryFeedOptions {
  /** Flows with times before this are the relay's backlog (the hub's `liveSince`). */
  liveSince: number;
  /** The newest flow the store held when it opened (null: empty). */
  storedUntil: number | null;
  /** How often collected flows are handed to the store, ms. */
  intervalMs?: number;
  /** Hand over early past this many flows. */
  maxCollected?: number;
}

export class HistoryFeed {
  private collected: FlowRecord[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly maxCollected: number;
  /** Backlog flows skipped because the store already had them. */
  skippedBacklog = 0;

  constructor(
    private readonly store: Pick<FlowStore, 'append'>,
    private readonly options: HistoryFeedOptions,
  ) {
    this.maxCollected = options.maxCollected ?? 20_000;
    this.timer = setInterval(() => this.handOver(), options.intervalMs ?? 200);
    this.timer.unref?.();
  }

  /** The ingest hot path: one flow. */
  readonly add = (flow: FlowRecord): void => {
    if (flow.time < this.options.liveSince && this.options.storedUntil !== null && flow.time <= this.options.storedUntil) {
      this.skippedBacklog++;
      return;
    }
    this.collected.push(flow);
    if (this.collected.length >= this.maxCollected) this.handOver();
  };

  /** Hands what was collected to the store now. */
  handOver(): void {
    if (this.collected.length === 0) return;
    const batch = this.collected;
    this.collected = [];
    this.store.append(batch);
  }

  stop(): void {
    clearInterval(this.timer);
    this.handOver();
  }
}
