import { EDGE_STYLE } from './map-style';

const TEXT = {
  allowed: 'allowed at every layer',
  denied: 'denied (by policy, NSG or firewall)',
  mixed: 'mixed: some dropped',
  audit: 'audit: would be denied when enforced',
} as const;

/** What the colours, line styles, labels and outlines mean: a strip under the map, so it never covers part of it. */
export function Legend({ islands = false }: { islands?: boolean }) {
  return (
    <div data-testid="legend" className="flex flex-wrap items-center gap-x-4 gap-y-1 border-t border-slate-200 bg-white px-3 py-1.5 text-xs">
      {(Object.keys(EDGE_STYLE) as (keyof typeof EDGE_STYLE)[]).map((k) => (
        <div key={k} className="flex items-center gap-2">
          <svg width="34" height="8" aria-hidden>
            <line x1="0" y1="4" x2="34" y2="4" stroke={EDGE_STYLE[k].color} strokeWidth={k === 'allowed' ? 2 : 3} strokeDasharray={EDGE_STYLE[k].line === 'dashed' ? '6 4' : EDGE_STYLE[k].line === 'dotted' ? '2 3' : undefined} />
          </svg>
          {TEXT[k]}
        </div>
      ))}
      <div className="flex items-center gap-2" data-testid="legend-azure-label">
        <span className="w-[34px] text-center font-mono text-[10px] font-bold text-red-700">· NSG</span>
        edge label naming the Azure layer that denied what Cilium forwarded
      </div>
      <div className="flex items-center gap-2" data-testid="legend-flags">
        <span className="w-[34px] text-center text-[10px] font-bold text-red-600">⚠</span>
        findings, written under the namespace name (click the box for details)
      </div>
      <div className="flex items-center gap-2" data-testid="legend-outline">
        <svg width="34" height="14" aria-hidden>
          <rect x="2" y="2" width="30" height="10" rx="3" fill="#ffedd5" stroke="#f97316" strokeWidth="2" strokeDasharray="4 2" />
        </svg>
        posture layer: unprotected namespace; double orange ring: workload with open egress
      </div>
      {/* Always laid out, shown at the islands level only: the strip keeps its height when the level
          changes, so the canvas above is not resized (and redrawn whole) once more as a large map opens. */}
      <div className={`flex items-center gap-2 ${islands ? '' : 'invisible'}`} data-testid="legend-islands" aria-hidden={!islands}>
        <svg width="34" height="14" aria-hidden>
          <rect x="2" y="1" width="30" height="12" rx="3" fill="#e2e8f0" stroke="#94a3b8" />
        </svg>
        namespace island (its workloads count); a thick edge between islands stands for all their connections, in the worst status among them
      </div>
      <div className="text-slate-500">◆ internet · ⬢ node · ▢ workload · wheel to zoom, drag to pan</div>
    </div>
  );
}
