import { EDGE_STYLE } from './GraphCanvas';

const TEXT = { allowed: 'allowed', denied: 'denied (dropped)', mixed: 'mixed: some dropped', audit: 'audit: would be dropped' } as const;

/** What the colours and line styles mean. */
export function Legend() {
  return (
    <div data-testid="legend" className="flex flex-col gap-1 rounded border border-slate-200 bg-white/90 p-2 text-xs shadow-sm">
      {(Object.keys(EDGE_STYLE) as (keyof typeof EDGE_STYLE)[]).map((k) => (
        <div key={k} className="flex items-center gap-2">
          <svg width="34" height="8" aria-hidden>
            <line x1="0" y1="4" x2="34" y2="4" stroke={EDGE_STYLE[k].color} strokeWidth={k === 'allowed' ? 2 : 3} strokeDasharray={EDGE_STYLE[k].line === 'dashed' ? '6 4' : EDGE_STYLE[k].line === 'dotted' ? '2 3' : undefined} />
          </svg>
          {TEXT[k]}
        </div>
      ))}
      <div className="mt-1 border-t border-slate-200 pt-1 text-slate-500">◆ internet · ⬢ node · ▢ workload</div>
    </div>
  );
}
