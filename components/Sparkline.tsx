'use client';

import type { SecondCounts } from '@/lib/server/verdict-counters';

/** Flows per second over the last minutes, forwarded and dropped as two lines. */
export function Sparkline({ history, width = 140, height = 28 }: { history: SecondCounts[]; width?: number; height?: number }) {
  const points = history.slice(-60);
  if (points.length < 2) return null;
  const max = Math.max(1, ...points.map((p) => p.forwarded + p.dropped + p.audit + p.other + p.error));
  const path = (pick: (p: SecondCounts) => number) =>
    points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${((i / (points.length - 1)) * width).toFixed(1)},${(height - (pick(p) / max) * (height - 2) - 1).toFixed(1)}`)
      .join(' ');
  return (
    <svg width={width} height={height} role="img" aria-label="flows per second, last minute" className="rounded bg-slate-800">
      <path d={path((p) => p.forwarded + p.other + p.audit)} fill="none" stroke="#4ade80" strokeWidth={1.5} />
      <path d={path((p) => p.dropped)} fill="none" stroke="#f87171" strokeWidth={1.5} />
    </svg>
  );
}
