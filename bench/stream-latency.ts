/**
 * The live stream's share of the map's latency, for `npm run bench:ui`: a plain client in the bench's
 * own process reads `/api/stream` beside the page and times each connection a delta counts a new
 * flow on, from that flow's relay stamp to the delta's arrival, as the page's probe does up to the
 * frame that draws it (components/map/latency-probe.ts). What is left of the page's figure is the
 * page's own work: parsing, patching and drawing, on a CPU the browser shares with the server.
 *
 * Only edges whose flow count rose count: a delta also re-sends edges whose verdict decoration or
 * place in the per-delta queue changed, with a stamp that may be minutes old.
 */

import { createParser } from 'eventsource-parser';
import { decodeDelta, decodeSnapshot, type WireDelta, type WireSnapshot } from '../lib/graph/graph-wire';
import type { GraphEdge } from '../lib/graph/types';
import { percentile } from './percentile';

export interface StreamLatency {
  samples: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /**
   * Per delta, the age of its newest flow on arrival: how late flows reach the hub's tick (the
   * relay, the transport, the hub's queue); the rest of a sample's latency is its wait for the tick.
   */
  newestP50Ms: number | null;
  newestP99Ms: number | null;
  /** Time between two deltas: the hub ticks every 100 ms (HUB_TICK_MS) when its event loop has room. */
  deltaGapP50Ms: number | null;
  deltaGapMaxMs: number | null;
}

export interface StreamLatencyReader {
  /** Resolves once the first delta after the snapshot arrived (the reader's snapshot is then sent). */
  ready: Promise<void>;
  /** Forgets what was measured so far: the figures cover from here to stop(). */
  restart(): void;
  /** Closes the stream and summarises what arrived since the last restart. */
  stop(): Promise<StreamLatency>;
}

/** Opens the stream at `url` and times every delta that arrives until stop(). */
export function readStreamLatency(url: string): StreamLatencyReader {
  let latencies: number[] = [];
  let newest: number[] = [];
  let gaps: number[] = [];
  /** Each edge's flow count as last received: the snapshot's, then each delta's. */
  const totals = new Map<string, number>();
  let lastDelta: number | null = null;
  let firstDelta!: () => void;
  const ready = new Promise<void>((resolve) => (firstDelta = resolve));
  /** Records each edge's count; `rose` gets the edges whose count went up since the last time. */
  const note = (edges: readonly GraphEdge[], rose: ((e: GraphEdge) => void) | null) => {
    for (const e of edges) {
      const c = e.counts;
      const total = c.forwarded + c.dropped + c.audit + c.error + c.other;
      const before = totals.get(e.id);
      totals.set(e.id, total);
      if (rose && before !== undefined && total > before) rose(e);
    }
  };
  const parser = createParser({
    onEvent: (message) => {
      const now = Date.now();
      if (message.event === 'snapshot') {
        note(decodeSnapshot((JSON.parse(message.data) as { graph: WireSnapshot }).graph).edges, null);
        return;
      }
      if (message.event !== 'delta' && message.event !== 'snapshot-part') return;
      const delta = decodeDelta(JSON.parse(message.data) as WireDelta);
      // The snapshot's parts set the counts; from the second delta on, a rise is a new flow.
      if (message.event === 'snapshot-part' || lastDelta === null) {
        note(delta.upsertEdges, null);
        if (message.event === 'delta') {
          lastDelta = now;
          firstDelta();
        }
        return;
      }
      gaps.push(now - lastDelta);
      lastDelta = now;
      let newestSeen = 0;
      note(delta.upsertEdges, (e) => {
        latencies.push(now - e.lastSeen);
        newestSeen = Math.max(newestSeen, e.lastSeen);
      });
      if (newestSeen) newest.push(now - newestSeen);
    },
  });
  const abort = new AbortController();
  const reading = (async () => {
    try {
      const res = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
      if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch (e) {
      if (!abort.signal.aborted) throw e;
    }
  })();
  // Only `ready` reads this: once the first delta came, a stream that ends (the server stopping) is not an error here.
  const endedEarly = reading.then(() => Promise.reject(new Error(`${url}: the stream ended before its first delta`)));
  endedEarly.catch(() => undefined);
  return {
    ready: Promise.race([ready, endedEarly]),
    restart: () => {
      latencies = [];
      newest = [];
      gaps = [];
    },
    stop: async () => {
      abort.abort();
      await reading.catch(() => undefined);
      return {
        samples: latencies.length,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        newestP50Ms: percentile(newest, 50),
        newestP99Ms: percentile(newest, 99),
        deltaGapP50Ms: percentile(gaps, 50),
        deltaGapMaxMs: gaps.length ? Math.max(...gaps) : null,
      };
    },
  };
}
