'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { decidedBy, l7Summary, peerName, portLabel, timeLabel } from '@/lib/flows/flow-format';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { VerdictBadge } from '../VerdictBadge';

const COLUMNS = 'grid grid-cols-[7rem_minmax(0,1.3fr)_minmax(0,1.3fr)_6rem_8.5rem_minmax(0,1fr)_minmax(0,1.2fr)] gap-2';

/** Rows from the end at which the table asks for the next page. */
const NEAR_END_ROWS = 50;

/**
 * `flows` newest first, listed in that order; only the rows on screen are in the DOM. `onNearEnd`
 * is called when the rows shown come within NEAR_END_ROWS of the last one (infinite scroll).
 */
export function FlowTable({ flows, onSelect, selected, onNearEnd }: { flows: readonly FlowRecord[]; onSelect(f: FlowRecord): void; selected: string | null; onNearEnd?: () => void }) {
  const parent = useRef<HTMLDivElement>(null);
  const rows = flows;
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => 30, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    // Stay at the top (newest) unless the person scrolled away.
    if (parent.current && parent.current.scrollTop < 40) parent.current.scrollTop = 0;
  }, [rows.length]);
  useEffect(() => {
    if (onNearEnd && rows.length > 0 && lastShown >= rows.length - NEAR_END_ROWS) onNearEnd();
  }, [onNearEnd, lastShown, rows.length]);
  return (
    <div className="flex min-h-0 flex-1 flex-col text-xs" data-testid="flow-table">
      <div className={`${COLUMNS} border-b border-slate-200 bg-slate-100 px-3 py-1.5 font-semibold text-slate-600`}>
        <span>Time</span>
        <span>Source</span>
        <span>Destination</span>
        <span>Port</span>
        <span>Verdict</span>
        <span>L7</span>
        <span>Decided by</span>
      </div>
      <div ref={parent} data-testid="flow-table-scroll" className="min-h-0 flex-1 overflow-y-auto">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const f = rows[item.index];
            if (!f) return null;
            return (
              <div
                key={f.uuid}
                data-testid="flow-row"
                data-verdict={f.verdict}
                data-uuid={f.uuid}
                data-time={f.time}
                onClick={() => onSelect(f)}
                className={`${COLUMNS} absolute left-0 right-0 cursor-pointer items-center border-b border-slate-100 px-3 hover:bg-sky-50 ${selected === f.uuid ? 'bg-sky-100' : ''}`}
                style={{ top: item.start, height: item.size }}
              >
                <span className="font-mono text-slate-500">{timeLabel(f.time)}</span>
                <span data-testid="flow-source" className="truncate font-mono">{peerName(f.source)}</span>
                <span data-testid="flow-destination" className="truncate font-mono">{peerName(f.destination)}</span>
                <span className="font-mono">{portLabel(f)}{f.isReply ? ' ↩' : ''}</span>
                <span>
                  <VerdictBadge verdict={f.verdict} detail={f.verdict === 'AUDIT' ? decidedBy(f) : undefined} />
                </span>
                <span className="truncate text-sky-800">{l7Summary(f)}</span>
                <span data-testid="flow-decided-by" title={decidedBy(f)} className={`truncate ${f.verdict === 'AUDIT' ? 'text-amber-800' : 'text-slate-600'}`}>
                  {f.dropReason && f.verdict === 'DROPPED' ? `${f.dropReason}: ` : ''}
                  {decidedBy(f)}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
