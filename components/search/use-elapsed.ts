'use client';

import { useEffect, useState } from 'react';

/** Milliseconds since `running` last turned true (0 while it is false), ticking every 100 ms. */
export function useElapsed(running: boolean): number {
  const [span, setSpan] = useState({ start: 0, now: 0 });
  useEffect(() => {
    if (!running) return;
    const start = performance.now();
    setSpan({ start, now: start });
    const id = setInterval(() => setSpan({ start, now: performance.now() }), 100);
    return () => {
      clearInterval(id);
      // The next run starts from zero, not from where this one stopped.
      setSpan({ start: 0, now: 0 });
    };
  }, [running]);
  return running ? span.now - span.start : 0;
}
