/**
 * Feeds every flow the hub ingests into the flow history: the hub's flow batches (one per tick,
 * every flow) go to the store, which batches again and writes off the event loop itself.
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
}

export class HistoryFeed {
  /** Backlog flows skipped because the store already had them. */
  skippedBacklog = 0;

  constructor(
    private readonly store: Pick<FlowStore, 'append'>,
    private readonly options: HistoryFeedOptions,
  ) {}

  /** One tick's flows, oldest first. */
  readonly add = (flows: readonly FlowRecord[]): void => {
    const { liveSince, storedUntil } = this.options;
    let batch = flows;
    if (storedUntil !== null && flows.length > 0 && flows[0].time < liveSince) {
      batch = flows.filter((f) => f.time >= liveSince || f.time > storedUntil);
      this.skippedBacklog += flows.length - batch.length;
    }
    if (batch.length > 0) this.store.append(batch);
  };
}
