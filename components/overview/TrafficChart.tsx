'use client';

import type { SecondCounts } from '@/lib/server/verdict-counters';

const SERIES: { key: keyof Omit<SecondCounts, 't'>; color: string; label: string }[] = [
  { key: 'forwarded', color: '#16a34a', label: 'forwarded' },
  { key: 'audit', color: '#ca8a04', label: 'audit' },
  { key: 'dropped', color: '#dc2626', label: 'dropped' },
];

/** Flows per second by verdict over the last two minutes, stacked. */
export function TrafficChart({ history, width = 560, height = 140 }: { history: SecondCounts[]; width?: number; height?: number }) {
  if (history.length < 2) return <p className="text-sm text-slate-500">Collecting…</p>;
  const max = Math.max(1, ...history.map((p) => SERIES.reduce((a, s) => a + p[s.key], 0)));
  const x = (i: number) => (i / (history.length - 1)) * width;
  const y = (v: number) => height - (v / max) * (height - 4);
  let below = history.map(() => 0);
  const areas = SERIES.map((s) => {
    const top = history.map((p, i) => below[i] + p[s.key]);
    const d = `M${top.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' L')} L${below.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).reverse().join(' L')} Z`;
    below = top;
    return <path key={s.key} d={d} fill={s.color} fillOpacity={0.75} />;
  });
  return (
    <figure>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-label="flows per second by verdict">
        {areas}
        <text x={4} y={12} fontSize={10} fill="#475569">
          {max} flows/s
        </text>
      </svg>
      <figcaption className="flex gap-3 text-xs text-slate-600">
        {SERIES.map((s) => (
          <span key={s.key} className="flex items-center gap-1">
            <span className="inline-block h-2 w-3" style={{ background: s.color }} /> {s.label}
          </span>
        ))}
        <span className="ml-auto">last {history.length} s</span>
      </figcaption>
    </figure>
  );
}
