import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttledSubscribe } from './throttled-subscribe';

/** A store whose changes are told to its listeners synchronously. */
function store() {
  const listeners = new Set<() => void>();
  return {
    subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)),
    change: () => listeners.forEach((l) => l()),
    size: () => listeners.size,
  };
}

describe('throttledSubscribe', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tells the first change on the next turn, then at most once per interval, with the latest', () => {
    const s = store();
    const heard = vi.fn();
    throttledSubscribe(s.subscribe, 1000)(heard);
    s.change();
    expect(heard).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(heard).toHaveBeenCalledTimes(1);
    // Ten changes a second for two seconds: two more calls, not twenty.
    for (let i = 0; i < 20; i++) {
      s.change();
      vi.advanceTimersByTime(100);
    }
    expect(heard).toHaveBeenCalledTimes(3);
    // The last change is not lost: it is told at the end of its interval.
    vi.advanceTimersByTime(1000);
    expect(heard).toHaveBeenCalledTimes(3);
    s.change();
    vi.advanceTimersByTime(1000);
    expect(heard).toHaveBeenCalledTimes(4);
  });

  it('tells an urgent change at once, and it counts as the interval\'s call', () => {
    const s = store();
    const heard = vi.fn();
    let urgent = false;
    throttledSubscribe(s.subscribe, 1000, () => urgent)(heard);
    s.change();
    vi.advanceTimersByTime(0);
    expect(heard).toHaveBeenCalledTimes(1);
    s.change(); // waits for the interval
    urgent = true;
    s.change(); // goes now, and takes the waiting one with it
    expect(heard).toHaveBeenCalledTimes(2);
    urgent = false;
    vi.advanceTimersByTime(5000);
    expect(heard).toHaveBeenCalledTimes(2);
  });

  it('unsubscribing stops a call that was waiting', () => {
    const s = store();
    const heard = vi.fn();
    const stop = throttledSubscribe(s.subscribe, 1000)(heard);
    s.change();
    stop();
    vi.advanceTimersByTime(5000);
    expect(heard).not.toHaveBeenCalled();
    expect(s.size()).toBe(0);
  });
});
