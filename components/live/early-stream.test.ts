import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adoptEarlyStream, earlyStreamScript, MAP_STREAM_URL } from './early-stream';

/** An EventSource the test drives, as the browser's: listeners per type, readyState, close. */
class FakeEventSource {
  static opened: FakeEventSource[] = [];
  readyState = 1;
  private readonly listeners = new Map<string, Set<(ev: MessageEvent) => void>>();
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(l);
  }
  removeEventListener(type: string, l: (ev: MessageEvent) => void): void {
    this.listeners.get(type)?.delete(l);
  }
  close(): void {
    this.readyState = 2;
  }
  emit(type: string, data: string): void {
    for (const l of this.listeners.get(type) ?? []) l({ type, data } as MessageEvent);
  }
}

const g = globalThis as unknown as Record<string, unknown>;

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.opened = [];
  g.window = globalThis;
  g.EventSource = FakeEventSource;
});

afterEach(() => {
  vi.useRealTimers();
  delete g.__flowsightEarlyStream;
  delete g.EventSource;
  delete g.window;
});

/** Runs the inline script as the page's HTML would. */
const runScript = () => new Function(earlyStreamScript())();

describe('the early stream of the map page', () => {
  it('opens the map stream at once and keeps what it receives until the store takes it over', () => {
    runScript();
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual([MAP_STREAM_URL]);
    const es = FakeEventSource.opened[0];
    es.emit('snapshot', 'S');
    es.emit('flows', 'not asked for');
    es.emit('snapshot-part', 'P1');
    es.emit('delta', 'D2');
    const early = adoptEarlyStream(MAP_STREAM_URL)!;
    expect(early.source).toBe(es);
    expect(early.events).toEqual([
      ['snapshot', 'S'],
      ['snapshot-part', 'P1'],
      ['delta', 'D2'],
    ]);
    // Taken over once: what comes next is the store's, and a second taker gets nothing.
    es.emit('delta', 'D3');
    expect(early.events).toHaveLength(3);
    expect(adoptEarlyStream(MAP_STREAM_URL)).toBeNull();
    expect(es.readyState).toBe(1);
  });

  it("marks when the snapshot's head arrived, once (what bench:ui times the server's share by)", () => {
    // Fake timers fake `performance` too: this test reads the page's real user-timing marks.
    vi.useRealTimers();
    performance.clearMarks('flowsight:stream-snapshot');
    runScript();
    const es = FakeEventSource.opened[0];
    es.emit('counters', 'C');
    expect(performance.getEntriesByName('flowsight:stream-snapshot')).toHaveLength(0);
    es.emit('snapshot', 'S1');
    es.emit('snapshot', 'S2');
    expect(performance.getEntriesByName('flowsight:stream-snapshot')).toHaveLength(1);
    adoptEarlyStream(MAP_STREAM_URL); // stops the script's real give-up timer
  });

  it('a store asking for another stream gets none, and the early one is closed', () => {
    runScript();
    expect(adoptEarlyStream('/api/stream?q=ns%3Ashop')).toBeNull();
    expect(FakeEventSource.opened[0].readyState).toBe(2);
  });

  it('a stream the browser gave up on is not taken over', () => {
    runScript();
    FakeEventSource.opened[0].readyState = 2;
    expect(adoptEarlyStream(MAP_STREAM_URL)).toBeNull();
  });

  it('is bounded: too many events kept, or nobody taking it over for a minute, close it', () => {
    runScript();
    const es = FakeEventSource.opened[0];
    for (let i = 0; i < 401; i++) es.emit('delta', String(i));
    expect(es.readyState).toBe(2);
    expect(adoptEarlyStream(MAP_STREAM_URL)).toBeNull();

    runScript();
    const second = FakeEventSource.opened[1];
    vi.advanceTimersByTime(60_000);
    expect(second.readyState).toBe(2);
    expect(adoptEarlyStream(MAP_STREAM_URL)).toBeNull();
  });

  it('does nothing where there is no page (server rendering)', () => {
    delete g.window;
    expect(adoptEarlyStream(MAP_STREAM_URL)).toBeNull();
  });
});
