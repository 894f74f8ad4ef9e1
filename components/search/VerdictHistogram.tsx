'use client';

import { memo, useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import type { Histogram } from '@/lib/history/flow-store';
import { bucketTotal, dragToRange, layoutBars, VERDICT_KEYS } from './histogram-geometry';
import { shortTime } from './time-range';
import { VERDICT_COLOR, VERDICT_LABEL } from './verdict-colors';

const HEIGHT = 72;

/** The chart's width in px, following its box (the bars are laid out for it, not scaled). */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/**
 * Flow counts per verdict over the window, as stacked bars. Dragging across the bars zooms the
 * search to the buckets the drag touched; `onReset` (when given) goes back to the window before
 * the first zoom.
 */
export const VerdictHistogram = memo(function VerdictHistogram({ data, onZoom, onReset }: { data: Histogram | undefined; onZoom(range: { since: number; until: number }): void; onReset?: () => void }) {
  const { ref, width } = useWidth();
  const [drag, setDrag] = useState<{ x0: number; x1: number } | null>(null);
  const bars = useMemo(() => (data && width > 0 ? layoutBars(data, width, HEIGHT) : []), [data, width]);
  const totals = useMemo(() => Object.fromEntries(VERDICT_KEYS.map((k) => [k, data ? data.buckets.reduce((n, b) => n + b[k], 0) : 0])), [data]);
  const total = data ? data.buckets.reduce((n, b) => n + bucketTotal(b), 0) : 0;

  const xOf = (e: PointerEvent<SVGSVGElement>) => e.clientX - e.currentTarget.getBoundingClientRect().left;
  const onDown = (e: PointerEvent<SVGSVGElement>) => {
    if (!data || e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const x = xOf(e);
    setDrag({ x0: x, x1: x });
  };
  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    if (drag) setDrag({ ...drag, x1: xOf(e) });
  };
  const onUp = (e: PointerEvent<SVGSVGElement>) => {
    if (!drag || !data) return;
    const range = dragToRange(data, width, drag.x0, xOf(e));
    setDrag(null);
    if (range) onZoom(range);
  };

  return (
    <section className="border-b border-slate-200 bg-white px-3 py-2 text-xs" data-testid="histogram" data-since={data?.since} data-until={data?.until}>
      <div className="mb-1 flex items-center gap-3 text-slate-600">
        <span className="font-medium text-slate-800" data-testid="histogram-total">
          {total.toLocaleString('en')} flows
        </span>
        {VERDICT_KEYS.filter((k) => totals[k] > 0 || k !== 'other').map((k) => (
          <span key={k} className="flex items-center gap-1" data-testid={`histogram-count-${k}`} data-count={totals[k]}>
            <span className="inline-block h-2 w-2 rounded-sm" style={{ background: VERDICT_COLOR[k] }} />
            {VERDICT_LABEL[k]} {totals[k].toLocaleString('en')}
          </span>
        ))}
        <span className="ml-auto text-slate-400">drag across the bars to zoom</span>
        {onReset && (
          <button type="button" data-testid="histogram-reset" className="rounded border border-slate-300 px-2 py-0.5 text-slate-700 hover:bg-slate-100" onClick={onReset}>
            Reset zoom
          </button>
        )}
      </div>
      <div ref={ref} className="w-full">
        <svg
          width={width}
          height={HEIGHT}
          role="img"
          aria-label="Flows per verdict over time; drag to zoom"
          data-testid="histogram-chart"
          className="block cursor-crosshair touch-none select-none"
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerCancel={() => setDrag(null)}
        >
          <rect x={0} y={0} width={width} height={HEIGHT} fill="#f8fafc" />
          {bars.map((bar) => (
            <g key={bar.start} data-testid="histogram-bar" data-start={bar.start} data-total={bar.total}>
              <title>{`${shortTime(bar.start)} – ${shortTime(bar.end)}: ${bar.total} flows${bar.segments.map((s) => `, ${s.count} ${s.verdict}`).join('')}`}</title>
              {/* An invisible full-height rect, so the tooltip shows over empty buckets too. */}
              <rect x={bar.x} y={0} width={Math.max(bar.width, 1)} height={HEIGHT} fill="transparent" />
              {bar.segments.map((s) => (
                <rect key={s.verdict} x={bar.x} y={s.y} width={Math.max(bar.width, 1)} height={s.height} fill={VERDICT_COLOR[s.verdict]} />
              ))}
            </g>
          ))}
          {drag && <rect data-testid="histogram-brush" x={Math.min(drag.x0, drag.x1)} y={0} width={Math.abs(drag.x1 - drag.x0)} height={HEIGHT} fill="#0ea5e9" fillOpacity={0.2} stroke="#0284c7" />}
        </svg>
      </div>
      {data && (
        <div className="mt-0.5 flex justify-between font-mono text-[10px] text-slate-500">
          <span>{shortTime(data.since)}</span>
          <span>{formatBucket(data.bucketMs)} per bar</span>
          <span>{shortTime(data.until)}</span>
        </div>
      )}
    </section>
  );
});

function formatBucket(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
